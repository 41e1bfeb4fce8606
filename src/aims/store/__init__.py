"""The store: engine, sessions, declarative base, common mixins and migrations."""
