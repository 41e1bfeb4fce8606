"""The evidence store: files, links and references to aims records, linked to what they prove."""
