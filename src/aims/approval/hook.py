"""A store-level guard: approved and superseded versions never change, whoever tries."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.attributes import instance_state

from aims.approval.models import ApprovableVersion
from aims.approval.rules import LOCKED, LOCKED_MOVES, Status
from aims.errors import ImmutableVersion

# What may still change on a locked version: superseding or retiring it, and the store's stamps.
_SUPERSEDE = frozenset({"status", "superseded_at"})
_STAMPS = frozenset({"updated_at", "updated_by_id", "version"})


def guard_locked_versions(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if not isinstance(obj, ApprovableVersion):
            continue
        state = instance_state(obj)
        status_hist = state.attrs["status"].history
        was = Status(status_hist.deleted[0] if status_hist.deleted else obj.status)
        if was not in LOCKED:
            continue
        if obj in session.deleted:
            raise ImmutableVersion(f"a version that is {was.value} cannot be deleted")
        changed = {
            attr.key
            for attr in state.mapper.column_attrs
            if state.attrs[attr.key].history.has_changes()
        }
        allowed = _STAMPS | (_SUPERSEDE if was is Status.APPROVED else frozenset())
        if "status" in changed and obj.status not in LOCKED_MOVES.get(was, frozenset()):
            raise ImmutableVersion(f"a version that is {was.value} cannot go back to {obj.status}")
        forbidden = sorted(changed - allowed)
        if forbidden:
            raise ImmutableVersion(
                f"version is {was.value}; its {', '.join(repr(f) for f in forbidden)} cannot change"
            )
