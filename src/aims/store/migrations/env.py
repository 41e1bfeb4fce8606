"""Alembic environment: runs on the connection aims hands over (see aims.store.migrate)."""

from __future__ import annotations

from alembic import context

from aims.store.base import Base
from aims.store.registry import import_all_models

import_all_models()
target_metadata = Base.metadata
config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # pragma: no cover - aims always passes a connection
        raise RuntimeError("run migrations through `aims init` or aims.store.migrate")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
