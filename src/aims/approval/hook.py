"""A store-level guard: approved and superseded versions never change, whoever tries."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.attributes import instance_state

from aims.approval.models import ApprovableVersion
from aims.approval.rules import LOCKED, Status
from aims.errors import ImmutableVersion


def guard_locked_versions(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if not isinstance(obj, ApprovableVersion):
            continue
        state = instance_state(obj)
        status_hist = state.attrs["status"].history
        was = status_hist.deleted[0] if status_hist.deleted else obj.status
        if Status(was) not in LOCKED:
            continue
        if obj in session.deleted:
            raise ImmutableVersion("an approved version cannot be deleted")
        for name in type(obj).__approval_fields__:
            if state.attrs[name].history.has_changes():
                raise ImmutableVersion(f"version is {was}; its '{name}' cannot change")
