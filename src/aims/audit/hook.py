"""The one audit hook: every flush appends an event per created, changed or deleted record."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any, cast

from sqlalchemy import Table, insert, inspect, select, update
from sqlalchemy.orm import Session, UOWTransaction

from aims.audit.models import AuditChainHead, AuditEvent
from aims.audit.rules import GENESIS, EventData, event_hash, jsonable
from aims.store.base import Base
from aims.store.engine import current_actor
from aims.store.types import utcnow

REDACTED = "***"
GLOBAL_CHAIN = "global"


def _audited(obj: object) -> bool:
    return isinstance(obj, Base) and obj.__audit__


def _organisation_of(obj: Base) -> str | None:
    from aims.access.models import Organisation  # local: access imports the store, not audit

    if isinstance(obj, Organisation):
        return str(obj.id)
    org = getattr(obj, "organisation_id", None)
    return str(org) if org is not None else None


def _shown(obj: Base, key: str, value: Any) -> Any:
    if key in obj.__audit_redact__:
        return None if value is None else REDACTED
    return jsonable(value)


def _created(obj: Base) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for attr in inspect(obj).mapper.column_attrs:
        if attr.key in obj.__audit_ignore__:
            continue
        value = getattr(obj, attr.key)
        if value is not None:
            changes[attr.key] = {"before": None, "after": _shown(obj, attr.key, value)}
    return changes


def _updated(obj: Base) -> dict[str, Any]:
    state = inspect(obj)
    changes: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in obj.__audit_ignore__:
            continue
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else None
        if before == after:
            continue
        changes[attr.key] = {
            "before": _shown(obj, attr.key, before),
            "after": _shown(obj, attr.key, after),
        }
    return changes


def _deleted(obj: Base) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for attr in inspect(obj).mapper.column_attrs:
        if attr.key in obj.__audit_ignore__:
            continue
        value = getattr(obj, attr.key)
        if value is not None:
            changes[attr.key] = {"before": _shown(obj, attr.key, value), "after": None}
    return changes


def _record_id(obj: Base) -> str:
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return ":".join(str(part) for part in key)


def _update_action(changes: dict[str, Any]) -> str:
    deleted = changes.get("deleted_at")
    if deleted is not None:
        if deleted["before"] is None:
            return "delete"
        if deleted["after"] is None:
            return "restore"
    return "update"


def guard_append_only(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    """Refuse any ORM attempt to change or remove an audit event."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent | AuditChainHead) and session.is_modified(obj):
            raise RuntimeError("audit events are append-only")


def record_changes(session: Session, _ctx: UOWTransaction) -> None:
    """After each flush, append one audit event per changed audited record."""
    actor = current_actor(session)
    pending: dict[str, list[tuple[str | None, Base, str, dict[str, Any]]]] = defaultdict(list)

    def add(obj: Base, action: str, changes: dict[str, Any]) -> None:
        org = _organisation_of(obj)
        pending[org or GLOBAL_CHAIN].append((org, obj, action, changes))

    for obj in session.new:
        if _audited(obj):
            add(obj, "create", _created(obj))
    for obj in session.dirty:
        if _audited(obj) and session.is_modified(obj, include_collections=False):
            changes = _updated(obj)
            if changes:
                add(obj, _update_action(changes), changes)
    for obj in session.deleted:
        if _audited(obj):
            add(obj, "delete", _deleted(obj))
    if not pending:
        return

    conn = session.connection()
    events_table = cast(Table, AuditEvent.__table__)
    now = utcnow()
    heads = cast(Table, AuditChainHead.__table__)
    for chain in sorted(pending):
        row = conn.execute(
            select(heads.c.seq, heads.c.hash).where(heads.c.chain == chain).with_for_update()
        ).first()
        seq, prev = (row.seq, row.hash) if row else (0, GENESIS)
        rows = []
        for org, obj, action, changes in pending[chain]:
            seq += 1
            data = EventData(
                chain=chain,
                seq=seq,
                occurred_at=now,
                organisation_id=org,
                actor_id=str(actor.user_id) if actor.user_id else None,
                actor_label=actor.label,
                record_type=obj.__tablename__,
                record_id=_record_id(obj),
                action=action,
                changes=jsonable(changes),
                prev_hash=prev,
            )
            digest = event_hash(data)
            rows.append(
                {
                    "chain": chain,
                    "seq": seq,
                    "occurred_at": now,
                    "organisation_id": uuid.UUID(org) if org else None,
                    "actor_id": actor.user_id,
                    "actor_label": actor.label,
                    "record_type": data.record_type,
                    "record_id": data.record_id,
                    "action": action,
                    "changes": data.changes,
                    "prev_hash": prev,
                    "hash": digest,
                }
            )
            prev = digest
        conn.execute(insert(events_table), rows)
        if row:
            conn.execute(update(heads).where(heads.c.chain == chain).values(seq=seq, hash=prev))
        else:
            conn.execute(insert(heads).values(chain=chain, seq=seq, hash=prev))
