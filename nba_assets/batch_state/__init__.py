"""Batch state: one document per player's completion (DESIGN §3, L1-L9)."""

from nba_assets.batch_state.base import (
    Batch,
    BatchState,
    BatchStatus,
    BatchStore,
    BatchStoreError,
    Completion,
    CompletionStatus,
    Lease,
    RetryableStoreError,
)

__all__ = [
    "Batch",
    "BatchState",
    "BatchStatus",
    "BatchStore",
    "BatchStoreError",
    "Completion",
    "CompletionStatus",
    "Lease",
    "RetryableStoreError",
]
