"""AI system impact assessment: the scored questionnaire and its scoring rules."""
