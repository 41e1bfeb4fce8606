"""Fill in who created or changed a record, and when, from the unit of work's actor."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, UOWTransaction

from aims.store.base import Stamped
from aims.store.engine import current_actor
from aims.store.types import utcnow


def stamp(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    actor = current_actor(session)
    now = utcnow()
    for obj in session.new:
        if isinstance(obj, Stamped):
            obj.created_at = obj.created_at or now
            obj.updated_at = now
            if obj.created_by_id is None:
                obj.created_by_id = actor.user_id
            obj.updated_by_id = actor.user_id
    for obj in session.dirty:
        if isinstance(obj, Stamped) and session.is_modified(obj, include_collections=False):
            obj.updated_at = now
            obj.updated_by_id = actor.user_id
