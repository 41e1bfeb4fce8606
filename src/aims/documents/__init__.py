"""Controlled documents (7.5), the AI policy (5.2, A.2.2 to A.2.4) and awareness (7.3)."""
