"""AI objectives and their measurements (6.2, A.6.1.2, A.9.3)."""
