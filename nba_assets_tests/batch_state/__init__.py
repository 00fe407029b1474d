"""Batch-store tests beyond the contract: concurrency, faults."""
