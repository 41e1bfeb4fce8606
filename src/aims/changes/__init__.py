"""Planning of changes to the AI management system (ISO/IEC 42001 6.3)."""
