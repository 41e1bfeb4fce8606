"""Versioned approval, built once: draft → in review → approved → superseded, for any record."""
