"""The audit trail: an append-only, hash-chained log of every change to every record."""
