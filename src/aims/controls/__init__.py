"""Control implementations: how each Annex A or own control is put into practice, per scope."""
