"""The HTTP application: app factory, error shape, shared dependencies and schemas."""
