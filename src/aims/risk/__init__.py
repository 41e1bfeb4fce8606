"""AI risk assessment and treatment (6.1.2, 6.1.3, 8.2, 8.3) and the derived SoA."""
