"""Event-log records (A.6.2.8; EU AI Act Art. 12, 19, 26(6)): one per AI system, the flags on
high-risk systems, the dashboard's attention list and the system page's section."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.access.rules import Permission
from aims.errors import Conflict, FieldError, NotFound, ValidationFailed
from aims.regulation.schemas import RiskClass
from aims.store.listing import ListParams, ListSpec, Page, paginate
from aims.store.scoping import check_version, get_scoped, scoped
from aims.systems.models import AISystem
from aims.systems.vocab import LifecycleStage
from aims.techdoc import rules
from aims.techdoc.catalogue import log_catalogue
from aims.techdoc.models import EventLogRecord
from aims.techdoc.schemas import EventLogIn

LABEL = "The event-log record"
FIELDS = ("log_system", "location", "captures", "capture_notes", "retention_months", "access",
          "tamper_evident", "last_reviewed")  # fmt: skip


@dataclass(frozen=True)
class SystemLog:
    """A system, its live event-log record (None when it has none) and the flags on it."""

    system: AISystem
    record: EventLogRecord | None
    flags: list[rules.LogFlag]

    @property
    def high_risk(self) -> bool:
        return is_high_risk(self.system)


def is_high_risk(system: AISystem) -> bool:
    return system.risk_class == RiskClass.HIGH_RISK.value


def flags_of(system: AISystem, record: EventLogRecord | None) -> list[rules.LogFlag]:
    facts = (
        None
        if record is None
        else rules.LogFacts(frozenset(record.captures or []), record.retention_months)
    )
    return rules.log_flags(
        high_risk=is_high_risk(system),
        biometric=bool(system.biometric_data),
        record=facts,
        catalogue=log_catalogue(),
    )


def _records(db: Session, ctx: Context, system_ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
    if not system_ids:
        return {}
    rows = db.scalars(
        scoped(EventLogRecord, ctx.organisation_id)
        .where(EventLogRecord.system_id.in_(system_ids))
        .order_by(EventLogRecord.created_at)
    ).all()
    return {r.system_id: r for r in rows}


def record_of(db: Session, ctx: Context, system: AISystem) -> EventLogRecord | None:
    return _records(db, ctx, [system.id]).get(system.id)


def get_log(db: Session, ctx: Context, system_id: uuid.UUID | str) -> SystemLog:
    """One system with its record and flags; another organisation's system is a 404."""
    ctx.require(Permission.READ)
    system = get_scoped(db, AISystem, ctx.organisation_id, system_id, label="AI system")
    record = record_of(db, ctx, system)
    return SystemLog(system, record, flags_of(system, record))


def _check_captures(captures: list[str]) -> None:
    unknown = [c for c in captures if c not in log_catalogue().ids]
    if unknown:
        raise ValidationFailed(
            "unknown capture item",
            errors=[FieldError(("captures",), f"unknown capture item(s): {', '.join(unknown)}")],
        )


def save_log(
    db: Session, ctx: Context, system_id: uuid.UUID | str, body: EventLogIn
) -> EventLogRecord:
    """Create the system's record, or change it (``version`` must be the one read)."""
    ctx.require(Permission.EDIT)
    system = get_scoped(db, AISystem, ctx.organisation_id, system_id, label="AI system")
    _check_captures(body.captures)
    record = record_of(db, ctx, system)
    if record is None:
        record = EventLogRecord(organisation_id=ctx.organisation_id, system_id=system.id)
        db.add(record)
    else:
        if body.version is None:
            raise ValidationFailed(
                "version needed",
                errors=[
                    FieldError(
                        ("version",),
                        "this system already has a record: send the version you read "
                        "(reload the page)",
                    )
                ],
            )
        check_version(record, body.version, label=LABEL)
    for name in FIELDS:
        setattr(record, name, getattr(body, name))
    db.flush()
    return record


def delete_log(db: Session, ctx: Context, system_id: uuid.UUID | str, *, version: int) -> None:
    ctx.require(Permission.EDIT)
    found = get_log(db, ctx, system_id)
    if found.record is None:
        raise NotFound(f"{found.system.name} has no event-log record")
    check_version(found.record, version, label=LABEL)
    found.record.mark_deleted(ctx.user_id)
    db.flush()


def restore_log(db: Session, ctx: Context, system_id: uuid.UUID | str) -> EventLogRecord:
    """Bring back the system's most recently deleted record."""
    ctx.require(Permission.EDIT)
    found = get_log(db, ctx, system_id)
    if found.record is not None:
        raise Conflict(f"{found.system.name} already has an event-log record")
    deleted: EventLogRecord | None = db.scalars(
        scoped(EventLogRecord, ctx.organisation_id, deleted=True)
        .where(
            EventLogRecord.system_id == found.system.id,
            EventLogRecord.deleted_at.is_not(None),
        )
        .order_by(EventLogRecord.deleted_at.desc())
        .limit(1)
    ).first()
    if deleted is None:
        raise NotFound(f"{found.system.name} has no deleted event-log record")
    deleted.restore()
    db.flush()
    return deleted


LOG_LIST = ListSpec(
    id_column=AISystem.id,
    sortable={"name": AISystem.name, "updated_at": AISystem.updated_at},
    default_sort="name",
    filterable={"risk_class": AISystem.risk_class, "lifecycle_stage": AISystem.lifecycle_stage},
    searchable=(AISystem.name,),
)


def list_logs(db: Session, ctx: Context, params: ListParams) -> Page[SystemLog]:
    """A page of AI systems, each with its record and flags (filters: risk_class,
    lifecycle_stage; search on the system's name)."""
    ctx.require(Permission.READ)
    page = paginate(db, scoped(AISystem, ctx.organisation_id), LOG_LIST, params)
    records = _records(db, ctx, [s.id for s in page.items])
    items = [SystemLog(s, records.get(s.id), flags_of(s, records.get(s.id))) for s in page.items]
    return Page(items=items, next_cursor=page.next_cursor, total=page.total, limit=page.limit)


def attention(db: Session, ctx: Context) -> list[SystemLog]:
    """High-risk systems in scope and not retired whose event-log record is missing or falls
    short (retention under the minimum, Art. 12 capture items missing), by name."""
    ctx.require(Permission.READ)
    systems = db.scalars(
        scoped(AISystem, ctx.organisation_id)
        .where(
            AISystem.risk_class == RiskClass.HIGH_RISK.value,
            AISystem.in_scope.is_(True),
            AISystem.lifecycle_stage != LifecycleStage.RETIREMENT.value,
        )
        .order_by(AISystem.name)
    ).all()
    records = _records(db, ctx, [s.id for s in systems])
    found = [SystemLog(s, records.get(s.id), flags_of(s, records.get(s.id))) for s in systems]
    return [f for f in found if f.flags]


def page_context(db: Session, ctx: Context, system: AISystem) -> dict[str, Any]:
    """What a system's page shows about its event logs; include the template named by
    ``event_log_template`` (it reads ``extra.event_log``)."""
    record = record_of(db, ctx, system)
    return {
        "event_log_template": "techdoc/system_section.html",
        "event_log": SystemLog(system, record, flags_of(system, record)),
        "event_log_catalogue": log_catalogue(),
    }
