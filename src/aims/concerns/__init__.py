"""Reporting of concerns (ISO/IEC 42001 A.3.3): intake from members and, when enabled, from
anyone with the organisation's link; a triage queue only the handler roles see."""
