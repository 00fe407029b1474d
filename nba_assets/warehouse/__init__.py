"""The warehouse: predictions table, staging, the one MERGE per batch (DESIGN §4, L8-L14)."""
