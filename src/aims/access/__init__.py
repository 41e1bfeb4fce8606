"""Organisations, users, memberships and roles, API tokens and web sessions."""
