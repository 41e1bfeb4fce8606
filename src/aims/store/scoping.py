"""Tenant scoping and version checks shared by every service."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from aims.errors import NotFound, StaleVersion
from aims.store.base import OrgScoped, SoftDeleted, Versioned

T = TypeVar("T", bound=OrgScoped)


def scoped(model: type[T], organisation_id: uuid.UUID, *, deleted: bool = False) -> Select[Any]:
    """SELECT rows of ``model`` in one organisation (soft-deleted rows only when asked)."""
    stmt = select(model).where(model.organisation_id == organisation_id)
    if issubclass(model, SoftDeleted) and not deleted:
        stmt = stmt.where(model.deleted_at.is_(None))
    return stmt


def get_scoped(
    db: Session,
    model: type[T],
    organisation_id: uuid.UUID,
    record_id: uuid.UUID | str,
    *,
    label: str,
    deleted: bool = False,
) -> T:
    """The record with this id in this organisation; another organisation's id is a 404."""
    try:
        key = record_id if isinstance(record_id, uuid.UUID) else uuid.UUID(str(record_id))
    except ValueError as exc:
        raise NotFound(f"no {label} with id {record_id}") from exc
    stmt = scoped(model, organisation_id, deleted=deleted).where(model.id == key)  # type: ignore[attr-defined]
    obj: T | None = db.scalars(stmt).first()
    if obj is None:
        raise NotFound(f"no {label} with id {record_id}")
    return obj


def check_version(obj: Versioned, sent: int | None, *, label: str) -> None:
    """Refuse a change based on an old version (409 with the current version)."""
    if sent is not None and sent != obj.version:
        raise StaleVersion(label, sent=sent, current=obj.version)


S = TypeVar("S", bound=OrgScoped)


def soft_delete(
    db: Session, record: Any, sent: int | None, *, by: uuid.UUID | None, label: str
) -> None:
    """Mark a record deleted after checking the version the caller saw (undo: restore_deleted)."""
    check_version(record, sent, label=label)
    record.mark_deleted(by)
    db.flush()


def restore_deleted(
    db: Session, model: type[S], organisation_id: uuid.UUID, record_id: uuid.UUID | str, *,
    label: str,
) -> S:  # fmt: skip
    """Bring a soft-deleted record back (a record that is not deleted is returned as it is)."""
    record = get_scoped(db, model, organisation_id, record_id, label=label, deleted=True)
    if isinstance(record, SoftDeleted) and record.deleted_at is not None:
        record.restore()
        db.flush()
    return record
