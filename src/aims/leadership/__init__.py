"""Leadership and commitment (ISO/IEC 42001 5.1) and the resources it provides (7.1)."""
