"""Control implementation use cases: record how a control is implemented in a scope, record
its checks, list them with filters, and say which checks are overdue (9.1)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.access.rules import Permission
from aims.catalog.loader import get_catalog
from aims.controls import rules
from aims.controls.models import ORGANISATION_SCOPE, ControlCheck, ControlImplementation
from aims.controls.rules import CheckResult, Status
from aims.errors import Conflict, FieldError, NotFound, ValidationFailed
from aims.risk.models import OwnControl
from aims.store.listing import ListParams, ListSpec, Page, paginate
from aims.store.scoping import check_version, get_scoped, scoped
from aims.store.types import utcnow

LABEL = "control implementation"


def _invalid(field: str, msg: str) -> ValidationFailed:
    return ValidationFailed(msg, errors=[FieldError(("body", field), msg)])


def own_controls(db: Session, ctx: Context) -> dict[str, OwnControl]:
    return {o.code: o for o in db.scalars(scoped(OwnControl, ctx.organisation_id))}


def known_control(db: Session, ctx: Context, control_id: str) -> str:
    """An Annex A control id (any case) or one of the organisation's own codes; else a 422."""
    raw = control_id.strip()
    key = raw.upper()
    if key in get_catalog().controls:
        return key
    own = {code.upper(): code for code in own_controls(db, ctx)}
    if raw.upper() in own:
        return own[raw.upper()]
    raise _invalid(
        "control_id", "not an Annex A control (A.2.2 to A.10.4) or one of your own control codes"
    )


def control_title(db: Session, ctx: Context, control_id: str) -> str:
    control = get_catalog().controls.get(control_id)
    if control is not None:
        return control.title
    own = own_controls(db, ctx).get(control_id)
    return own.title if own else ""


@dataclass
class ImplementationFields:
    description: str = ""
    owner_email: str | None = None
    status: Status = Status.PLANNED
    check_months: int | None = None


def _check(fields: ImplementationFields) -> None:
    if fields.check_months is not None and not 1 <= fields.check_months <= rules.MAX_CHECK_MONTHS:
        raise _invalid("check_months", f"1 to {rules.MAX_CHECK_MONTHS} months, or none")
    if len(fields.description) > 20000:
        raise _invalid("description", "at most 20000 characters")


def _derive(impl: ControlImplementation) -> None:
    since = impl.created_at.date() if impl.created_at else utcnow().date()
    impl.next_check = rules.next_check(
        status=impl.status,
        check_months=impl.check_months,
        last_checked=impl.last_checked,
        since=since,
    )


def create_implementation(
    db: Session,
    ctx: Context,
    control_id: str,
    system_id: uuid.UUID | str | None,
    fields: ImplementationFields,
) -> ControlImplementation:
    """One implementation per control and scope: a second for the same pair is a 409."""
    ctx.require(Permission.EDIT)
    key = known_control(db, ctx, control_id)
    _check(fields)
    system_key: uuid.UUID | None = None
    if system_id:
        from aims.systems import service as systems

        try:
            system_key = systems.find_system(db, ctx, str(system_id)).id
        except NotFound as exc:
            raise _invalid("system_id", "no such AI system in the inventory") from exc
    scope = str(system_key) if system_key else ORGANISATION_SCOPE
    existing = db.scalars(
        scoped(ControlImplementation, ctx.organisation_id, deleted=True).where(
            ControlImplementation.control_id == key, ControlImplementation.scope_key == scope
        )
    ).first()
    if existing is not None:
        where = "deleted; restore it" if existing.deleted_at else "already recorded"
        raise Conflict(f"{key} for this scope is {where} (implementation {existing.id})")
    owner_id = access.member_id(db, ctx, fields.owner_email, field="owner_email")
    impl = ControlImplementation(
        organisation_id=ctx.organisation_id,
        control_id=key,
        system_id=system_key,
        scope_key=scope,
        description=fields.description.strip(),
        owner_id=owner_id,
        status=fields.status.value,
        check_months=fields.check_months,
    )
    db.add(impl)
    db.flush()
    _derive(impl)
    db.flush()
    return impl


def get_implementation(
    db: Session, ctx: Context, impl_id: uuid.UUID | str
) -> ControlImplementation:
    ctx.require(Permission.READ)
    return get_scoped(db, ControlImplementation, ctx.organisation_id, impl_id, label=LABEL)


def update_implementation(
    db: Session,
    ctx: Context,
    impl: ControlImplementation,
    fields: ImplementationFields,
    *,
    version: int,
) -> ControlImplementation:
    ctx.require(Permission.EDIT)
    check_version(impl, version, label=f"The implementation of {impl.control_id}")
    _check(fields)
    impl.owner_id = access.member_id(db, ctx, fields.owner_email, field="owner_email")
    impl.description = fields.description.strip()
    impl.status = fields.status.value
    impl.check_months = fields.check_months
    _derive(impl)
    db.flush()
    db.expire(impl, ["owner"])
    return impl


def record_check(
    db: Session,
    ctx: Context,
    impl: ControlImplementation,
    *,
    checked_on: date,
    result: CheckResult,
    note: str = "",
    version: int,
) -> ControlCheck:
    """Record a check; the implementation keeps the latest result and its next check moves."""
    ctx.require(Permission.EDIT)
    check_version(impl, version, label=f"The implementation of {impl.control_id}")
    if checked_on > utcnow().date():
        raise _invalid("checked_on", "a check cannot be in the future")
    if len(note) > 4000:
        raise _invalid("note", "at most 4000 characters")
    check = ControlCheck(
        organisation_id=ctx.organisation_id,
        implementation_id=impl.id,
        checked_on=checked_on,
        result=result.value,
        note=note.strip(),
    )
    db.add(check)
    if impl.last_checked is None or checked_on >= impl.last_checked:
        impl.last_checked = checked_on
        impl.last_result = result.value
        impl.last_note = note.strip()
    _derive(impl)
    db.flush()
    return check


def checks_of(db: Session, ctx: Context, impl: ControlImplementation) -> list[ControlCheck]:
    return list(
        db.scalars(
            scoped(ControlCheck, ctx.organisation_id)
            .where(ControlCheck.implementation_id == impl.id)
            .order_by(ControlCheck.checked_on.desc(), ControlCheck.created_at.desc())
        )
    )


def delete_implementation(
    db: Session, ctx: Context, impl: ControlImplementation, *, version: int
) -> None:
    ctx.require(Permission.EDIT)
    check_version(impl, version, label=f"The implementation of {impl.control_id}")
    impl.mark_deleted(ctx.user_id)
    db.flush()


def restore_implementation(
    db: Session, ctx: Context, impl_id: uuid.UUID | str
) -> ControlImplementation:
    ctx.require(Permission.EDIT)
    impl = get_scoped(
        db, ControlImplementation, ctx.organisation_id, impl_id, label=LABEL, deleted=True
    )
    impl.restore()
    db.flush()
    return impl


IMPLEMENTATION_LIST = ListSpec(
    id_column=ControlImplementation.id,
    sortable={
        "control_id": ControlImplementation.control_id,
        "next_check": ControlImplementation.next_check,
        "updated_at": ControlImplementation.updated_at,
        "status": ControlImplementation.status,
    },
    default_sort="control_id",
    filterable={
        "control_id": ControlImplementation.control_id,
        "system_id": ControlImplementation.system_id,
        "status": ControlImplementation.status,
        "owner_id": ControlImplementation.owner_id,
        "scope_key": ControlImplementation.scope_key,
    },
    searchable=(ControlImplementation.control_id, ControlImplementation.description),
)


def list_implementations(
    db: Session,
    ctx: Context,
    params: ListParams,
    *,
    overdue: bool = False,
    today: date | None = None,
) -> Page[ControlImplementation]:
    ctx.require(Permission.READ)
    stmt = scoped(ControlImplementation, ctx.organisation_id)
    if overdue:
        stmt = stmt.where(ControlImplementation.next_check < (today or utcnow().date()))
    return paginate(db, stmt, IMPLEMENTATION_LIST, params)


def implementation_ids(db: Session, ctx: Context, control_id: str) -> list[str]:
    return [
        str(i)
        for i in db.scalars(
            select(ControlImplementation.id).where(
                ControlImplementation.organisation_id == ctx.organisation_id,
                ControlImplementation.deleted_at.is_(None),
                ControlImplementation.control_id == control_id,
            )
        )
    ]


def controls_for_system(
    db: Session, ctx: Context, system_id: uuid.UUID | str
) -> list[ControlImplementation]:
    """The controls serving one AI system: its own implementations, then the organisation-wide
    ones (which cover every system), by control id. For the system's page."""
    ctx.require(Permission.READ)
    from aims.systems import service as systems

    system = systems.get_system(db, ctx, system_id)
    rows = db.scalars(
        scoped(ControlImplementation, ctx.organisation_id).where(
            ControlImplementation.scope_key.in_([str(system.id), ORGANISATION_SCOPE])
        )
    ).unique()
    return sorted(rows, key=lambda i: (i.system_id is None, _sort_key(i.control_id)))


def _sort_key(control_id: str) -> tuple[Any, ...]:
    parts = control_id.split(".")
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


@dataclass(frozen=True)
class ControlsAttention:
    overdue_checks: list[ControlImplementation]


def attention(db: Session, ctx: Context, today: date | None = None) -> ControlsAttention:
    """What the dashboard lists: implementations whose check is overdue (soonest due first)."""
    ctx.require(Permission.READ)
    today = today or utcnow().date()
    rows = db.scalars(
        scoped(ControlImplementation, ctx.organisation_id)
        .where(ControlImplementation.next_check < today)
        .order_by(ControlImplementation.next_check, ControlImplementation.control_id)
    ).unique()
    return ControlsAttention(list(rows))


def check_overdue(impl: ControlImplementation, today: date | None = None) -> bool:
    return rules.check_overdue(impl.next_check, today or utcnow().date())
