"""The AI system inventory: systems, their components (models, datasets, tooling, compute),
the parties that supply them, AI bills of materials and spreadsheet imports."""
