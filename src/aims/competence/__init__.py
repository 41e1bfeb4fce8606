"""Competence: AIMS roles, the RACI matrix, people in roles, competences and their evidence."""
