"""aims: an AI management system for ISO/IEC 42001:2023 and EU AI Act readiness."""

__version__ = "0.1.0"
