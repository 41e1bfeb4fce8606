"""Change records (6.3): plan a change to the AIMS, approve it, carry it out, review it.

Approval is a second pair of eyes: whoever proposed the change, or owns it, does not approve
it; a plan without purpose, consequences, resources or an owner is not approved at all.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.access.rules import Permission
from aims.changes import rules
from aims.changes.models import ChangeRecord
from aims.changes.rules import ChangeStatus
from aims.changes.schemas import ChangeFields, MoveIn
from aims.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from aims.store.listing import ListParams, ListSpec, Page, paginate
from aims.store.scoping import check_version, get_scoped, restore_deleted, scoped, soft_delete
from aims.store.types import utcnow
from aims.systems import service as systems

LABEL = "change"


def _apply(db: Session, ctx: Context, change: ChangeRecord, fields: ChangeFields) -> None:
    values = fields.model_dump(exclude_unset=True, exclude={"version"})
    if "owner_email" in values:
        email = values.pop("owner_email")
        change.owner_id = access.member_id(db, ctx, email, field="owner_email") if email else None
    if "system_ids" in values:
        ids = values.pop("system_ids") or []
        for i, system_id in enumerate(ids):
            try:
                systems.get_system(db, ctx, system_id)
            except NotFound as exc:
                raise ValidationFailed(
                    "unknown AI system",
                    errors=[FieldError(("body", "system_ids", i), f"no AI system {system_id}")],
                ) from exc
        change.system_ids = list(dict.fromkeys(str(s) for s in ids))
    for key, value in values.items():
        setattr(change, key, value)


def _next_ref(db: Session, ctx: Context) -> str:
    count = db.scalar(
        select(func.count())
        .select_from(ChangeRecord)
        .where(ChangeRecord.organisation_id == ctx.organisation_id)
    )
    return f"CH-{int(count or 0) + 1:03d}"


def create_change(db: Session, ctx: Context, fields: ChangeFields) -> ChangeRecord:
    ctx.require(Permission.EDIT)
    change = ChangeRecord(organisation_id=ctx.organisation_id, ref=_next_ref(db, ctx))
    with db.no_autoflush:
        _apply(db, ctx, change, fields)
    db.add(change)
    db.flush()
    return change


def get_change(db: Session, ctx: Context, change_id: uuid.UUID | str) -> ChangeRecord:
    ctx.require(Permission.READ)
    return get_scoped(db, ChangeRecord, ctx.organisation_id, change_id, label=LABEL)


def find_change(db: Session, ctx: Context, key: str) -> ChangeRecord:
    """A change by id or by its reference (CH-001)."""
    ctx.require(Permission.READ)
    found = db.scalars(
        scoped(ChangeRecord, ctx.organisation_id).where(ChangeRecord.ref == key.upper())
    ).first()
    return found if found is not None else get_change(db, ctx, key)


def update_change(
    db: Session, ctx: Context, change: ChangeRecord, fields: ChangeFields, *, version: int
) -> ChangeRecord:
    """Edit the plan; once approved, the plan is what was approved and only its execution
    moves on (a different plan is a new change)."""
    ctx.require(Permission.EDIT)
    check_version(change, version, label="The change")
    if change.status not in (ChangeStatus.PROPOSED.value,):
        raise Conflict(
            f"{change.ref} is {change.status.replace('_', ' ')}: its plan was decided; "
            "record a new change for a different plan"
        )
    with db.no_autoflush:
        _apply(db, ctx, change, fields)
    db.flush()
    db.expire(change, ["owner"])
    return change


def move(db: Session, ctx: Context, change: ChangeRecord, body: MoveIn) -> ChangeRecord:
    """Move a change along its life cycle (approve, reject, start, implement, close, cancel)."""
    ctx.require(Permission.EDIT)
    check_version(change, body.version, label="The change")
    current, target = ChangeStatus(change.status), body.status
    refusal = rules.move_refusal(current, target)
    if refusal:
        raise Conflict(refusal)
    if target in rules.NEEDS_APPROVER and target != current:
        ctx.require(Permission.APPROVE)
        if ctx.user_id is not None and ctx.user_id in (change.created_by_id, change.owner_id):
            raise PermissionDenied("whoever proposed or owns a change may not approve or reject it")
        if target is ChangeStatus.APPROVED:
            gaps = rules.plan_gaps({name: getattr(change, name) for name in rules.PLAN_FIELDS})
            if gaps:
                raise ValidationFailed(
                    "the plan is not complete",
                    errors=[
                        FieldError(("body", "status"), "state "
                                   + ", ".join(rules.PLAN_FIELDS[g] for g in gaps)
                                   + " before approval")
                    ],
                )  # fmt: skip
        if target is ChangeStatus.REJECTED and not body.note:
            raise ValidationFailed(
                "a rejection needs a reason",
                errors=[FieldError(("body", "note"), "say why the change is rejected")],
            )
        change.approved_by_id = ctx.user_id
        change.approved_at = utcnow()
        change.decision_note = body.note
    outcome = body.outcome if body.outcome is not None else change.outcome
    gap = rules.closing_gap(target, outcome)
    if gap:
        raise ValidationFailed(gap, errors=[FieldError(("body", "outcome"), gap)])
    change.outcome = outcome
    if target is ChangeStatus.IMPLEMENTED and change.completed_date is None:
        change.completed_date = body.completed_date or utcnow().date()
    change.status = target.value
    db.flush()
    db.expire(change, ["approved_by"])
    return change


def delete_change(db: Session, ctx: Context, change: ChangeRecord, *, version: int) -> None:
    ctx.require(Permission.EDIT)
    soft_delete(db, change, version, by=ctx.user_id, label="The change")


def restore_change(db: Session, ctx: Context, change_id: uuid.UUID | str) -> ChangeRecord:
    ctx.require(Permission.EDIT)
    return restore_deleted(db, ChangeRecord, ctx.organisation_id, change_id, label=LABEL)


CHANGE_LIST = ListSpec(
    id_column=ChangeRecord.id,
    sortable={
        "ref": ChangeRecord.ref,
        "title": ChangeRecord.title,
        "updated_at": ChangeRecord.updated_at,
    },
    default_sort="-ref",
    filterable={"status": ChangeRecord.status, "owner_id": ChangeRecord.owner_id},
    searchable=(
        ChangeRecord.ref,
        ChangeRecord.title,
        ChangeRecord.purpose,
        ChangeRecord.description,
    ),
)


def list_changes(db: Session, ctx: Context, params: ListParams) -> Page[ChangeRecord]:
    ctx.require(Permission.READ)
    return paginate(db, scoped(ChangeRecord, ctx.organisation_id), CHANGE_LIST, params)


def overdue(change: ChangeRecord, today: date | None = None) -> bool:
    """An open change past its planned date."""
    day = today or utcnow().date()
    return (
        change.planned_date is not None
        and change.planned_date < day
        and ChangeStatus(change.status) in {ChangeStatus.PROPOSED, ChangeStatus.APPROVED,
                                            ChangeStatus.IN_PROGRESS}
    )  # fmt: skip


def attention(db: Session, ctx: Context, today: date | None = None) -> list[ChangeRecord]:
    """Open changes past their planned date, for the dashboard."""
    ctx.require(Permission.READ)
    rows = db.scalars(
        scoped(ChangeRecord, ctx.organisation_id)
        .where(ChangeRecord.status.in_([s.value for s in rules.OPEN]))
        .order_by(ChangeRecord.planned_date)
    )
    return [c for c in rows if overdue(c, today)]
