"""File exports shared by capabilities: HTML to PDF without network access."""
