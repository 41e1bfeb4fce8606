"""The communication plan of the AIMS (ISO/IEC 42001 7.4)."""
