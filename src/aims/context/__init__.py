"""Context of the organisation (ISO/IEC 42001 4.1-4.3): issues, interested parties, legal
requirements and the AIMS scope."""
