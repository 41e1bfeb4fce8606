"""Wiring: every model module, and session factories with the store's hooks attached."""

from __future__ import annotations

import importlib

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from aims.store.engine import make_sessionmaker
from aims.store.stamping import stamp

# Each capability with tables lists its models module here (Alembic and the backup read it).
MODEL_MODULES = (
    "aims.access.models",
    "aims.audit.models",
    "aims.comments.models",
    "aims.systems.models",
    "aims.impact.models",
    "aims.risk.models",
    "aims.changes.models",
    "aims.communication.models",
    "aims.leadership.models",
    "aims.concerns.models",
    "aims.competence.models",
    "aims.context.models",
    "aims.objectives.models",
    "aims.documents.models",
    "aims.techdoc.models",
    "aims.controls.models",
    "aims.evidence.models",
    "aims.measure.models",
)


def import_all_models() -> None:
    for name in MODEL_MODULES:
        importlib.import_module(name)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A sessionmaker that stamps records and writes the audit trail on every flush."""
    import_all_models()
    from aims.approval.hook import guard_locked_versions
    from aims.audit.hook import guard_append_only, record_changes

    factory = make_sessionmaker(engine)
    event.listen(factory, "before_flush", guard_append_only)
    event.listen(factory, "before_flush", guard_locked_versions)
    event.listen(factory, "before_flush", stamp)
    event.listen(factory, "after_flush", record_changes)
    return factory
