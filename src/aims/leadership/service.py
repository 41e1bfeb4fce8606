"""Leadership (5.1): resources top management commits, and what it approved.

Commitment is shown by records, not declared: each resource promised names who promised it,
and the overview lists every version the organisation's owners signed off.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.access.models import Membership, User
from aims.access.rules import Permission, Role, has_permission
from aims.approval.models import ApprovableVersion
from aims.errors import FieldError, ValidationFailed
from aims.leadership import rules
from aims.leadership.models import ResourceCommitment
from aims.leadership.rules import CommitmentStatus
from aims.leadership.schemas import CommitmentFields
from aims.store.base import Base
from aims.store.listing import ListParams, ListSpec, Page, paginate
from aims.store.scoping import check_version, get_scoped, restore_deleted, scoped, soft_delete
from aims.store.types import utcnow

LABEL = "resource commitment"


def _committer(db: Session, ctx: Context, email: str) -> uuid.UUID:
    """Resources are committed by people who may approve for the organisation."""
    member = db.execute(
        select(User.id, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(User.email == email.strip().lower(),
               Membership.organisation_id == ctx.organisation_id,
               Membership.deleted_at.is_(None))
    ).first()  # fmt: skip
    if member is None:
        raise ValidationFailed(
            f"{email} is not a member of this organisation",
            errors=[FieldError(("body", "committed_by_email"), f"{email} is not a member here")],
        )
    if not has_permission(Role(member.role), Permission.APPROVE):
        raise ValidationFailed(
            "resources are committed by top management",
            errors=[FieldError(("body", "committed_by_email"),
                               f"{email} has no approving role (owner or manager)")],
        )  # fmt: skip
    user_id: uuid.UUID = member.id
    return user_id


def _apply(db: Session, ctx: Context, row: ResourceCommitment, fields: CommitmentFields) -> None:
    values = fields.model_dump(exclude_unset=True, exclude={"version"})
    if "committed_by_email" in values:
        row.committed_by_id = _committer(db, ctx, values.pop("committed_by_email"))
    for key, value in values.items():
        setattr(row, key, value.value if hasattr(value, "value") else value)
    refusal = rules.period_refusal(row.starts, row.until)
    if refusal:
        raise ValidationFailed(refusal, errors=[FieldError(("body", "until"), refusal)])
    if row.committed_on > utcnow().date():
        raise ValidationFailed(
            "a commitment is recorded once made",
            errors=[FieldError(("body", "committed_on"), "a date on or before today")],
        )


def create_commitment(db: Session, ctx: Context, fields: CommitmentFields) -> ResourceCommitment:
    ctx.require(Permission.EDIT)
    row = ResourceCommitment(organisation_id=ctx.organisation_id)
    with db.no_autoflush:
        _apply(db, ctx, row, fields)
    db.add(row)
    db.flush()
    return row


def get_commitment(db: Session, ctx: Context, row_id: uuid.UUID | str) -> ResourceCommitment:
    ctx.require(Permission.READ)
    return get_scoped(db, ResourceCommitment, ctx.organisation_id, row_id, label=LABEL)


def update_commitment(
    db: Session, ctx: Context, row: ResourceCommitment, fields: CommitmentFields, *, version: int
) -> ResourceCommitment:
    ctx.require(Permission.EDIT)
    check_version(row, version, label="The commitment")
    with db.no_autoflush:
        _apply(db, ctx, row, fields)
    db.flush()
    db.expire(row, ["committed_by"])
    return row


def delete_commitment(db: Session, ctx: Context, row: ResourceCommitment, *, version: int) -> None:
    ctx.require(Permission.EDIT)
    soft_delete(db, row, version, by=ctx.user_id, label="The commitment")


def restore_commitment(db: Session, ctx: Context, row_id: uuid.UUID | str) -> ResourceCommitment:
    ctx.require(Permission.EDIT)
    return restore_deleted(db, ResourceCommitment, ctx.organisation_id, row_id, label=LABEL)


COMMITMENT_LIST = ListSpec(
    id_column=ResourceCommitment.id,
    sortable={
        "committed_on": ResourceCommitment.committed_on,
        "kind": ResourceCommitment.kind,
    },
    default_sort="-committed_on",
    filterable={"kind": ResourceCommitment.kind, "status": ResourceCommitment.status},
    searchable=(
        ResourceCommitment.description,
        ResourceCommitment.purpose,
        ResourceCommitment.amount,
    ),
)


def list_commitments(db: Session, ctx: Context, params: ListParams) -> Page[ResourceCommitment]:
    ctx.require(Permission.READ)
    return paginate(db, scoped(ResourceCommitment, ctx.organisation_id), COMMITMENT_LIST, params)


def is_lapsed(row: ResourceCommitment, today: date | None = None) -> bool:
    return rules.lapsed(CommitmentStatus(row.status), row.until, today or utcnow().date())


def attention(db: Session, ctx: Context, today: date | None = None) -> list[ResourceCommitment]:
    """Commitments still only promised after the period they covered."""
    ctx.require(Permission.READ)
    rows = db.scalars(
        scoped(ResourceCommitment, ctx.organisation_id).where(
            ResourceCommitment.status == CommitmentStatus.COMMITTED.value
        )
    )
    return [r for r in rows if is_lapsed(r, today)]


@dataclass(frozen=True)
class Approval:
    record: str
    caption: str
    approved_by_email: str
    approved_by_role: str
    approved_at: datetime
    url: str | None


def _approvable_models() -> list[type[Any]]:
    """Every versioned record type of aims's own capabilities (not tables tests add)."""
    from aims.store.registry import MODEL_MODULES

    return sorted(
        (m.class_ for m in Base.registry.mappers
         if issubclass(m.class_, ApprovableVersion) and m.class_.__module__ in MODEL_MODULES),
        key=lambda c: c.__name__,
    )  # fmt: skip


def approvals(db: Session, ctx: Context, *, roles: frozenset[Role] | None = None) -> list[Approval]:
    """Every approved (or since superseded) version in the organisation, newest first, with
    who signed it off: top management's approvals are its commitment made visible."""
    ctx.require(Permission.READ)
    found: list[Approval] = []
    for model in _approvable_models():
        stmt = (
            select(model, User.email, Membership.role)
            .join(User, User.id == model.approved_by_id)
            .outerjoin(Membership, (Membership.user_id == User.id)
                       & (Membership.organisation_id == ctx.organisation_id))
            .where(model.organisation_id == ctx.organisation_id,
                   model.approved_at.is_not(None), model.deleted_at.is_(None))
        )  # fmt: skip
        for record, email, role in db.execute(stmt):
            if roles is not None and (role is None or Role(role) not in roles):
                continue
            found.append(Approval(
                record=model.__tablename__, caption=record.approval_caption(),
                approved_by_email=email, approved_by_role=role or "former member",
                approved_at=record.approved_at, url=record.approval_url(),
            ))  # fmt: skip
    return sorted(found, key=lambda a: a.approved_at, reverse=True)
