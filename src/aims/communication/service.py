"""The communication plan (7.4): plan what is said to whom, and record when it was said."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.access.rules import Permission
from aims.communication import rules
from aims.communication.models import CommunicationItem
from aims.communication.rules import Frequency
from aims.communication.schemas import DoneIn, ItemFields
from aims.errors import FieldError, ValidationFailed
from aims.store.listing import ListParams, ListSpec, Page, paginate
from aims.store.scoping import check_version, get_scoped, restore_deleted, scoped, soft_delete
from aims.store.types import utcnow

LABEL = "communication"


def _refresh_due(item: CommunicationItem) -> None:
    item.next_due = rules.next_due(
        Frequency(item.frequency), last_done=item.last_done, first_due=item.first_due
    )


def _apply(db: Session, ctx: Context, item: CommunicationItem, fields: ItemFields) -> None:
    values = fields.model_dump(exclude_unset=True, exclude={"version"})
    if "communicator_email" in values:
        email = values.pop("communicator_email")
        item.communicator_id = (
            access.member_id(db, ctx, email, field="communicator_email") if email else None
        )
    for key, value in values.items():
        setattr(item, key, value.value if hasattr(value, "value") else value)
    frequency = Frequency(item.frequency)
    if frequency is not Frequency.ON_EVENT and item.first_due is None and item.last_done is None:
        raise ValidationFailed(
            "a planned communication needs a date",
            errors=[FieldError(("body", "first_due"), "give the first date it is due")],
        )
    _refresh_due(item)


def create_item(db: Session, ctx: Context, fields: ItemFields) -> CommunicationItem:
    ctx.require(Permission.EDIT)
    item = CommunicationItem(organisation_id=ctx.organisation_id)
    with db.no_autoflush:
        _apply(db, ctx, item, fields)
    db.add(item)
    db.flush()
    return item


def get_item(db: Session, ctx: Context, item_id: uuid.UUID | str) -> CommunicationItem:
    ctx.require(Permission.READ)
    return get_scoped(db, CommunicationItem, ctx.organisation_id, item_id, label=LABEL)


def update_item(
    db: Session, ctx: Context, item: CommunicationItem, fields: ItemFields, *, version: int
) -> CommunicationItem:
    ctx.require(Permission.EDIT)
    check_version(item, version, label="The communication")
    with db.no_autoflush:
        _apply(db, ctx, item, fields)
    db.flush()
    db.expire(item, ["communicator"])
    return item


def record_done(
    db: Session, ctx: Context, item: CommunicationItem, body: DoneIn
) -> CommunicationItem:
    """It was said: the plan moves to the next date (the audit trail keeps each time)."""
    ctx.require(Permission.EDIT)
    check_version(item, body.version, label="The communication")
    today = utcnow().date()
    on = body.on or today
    if on > today:
        raise ValidationFailed(
            "a communication cannot be done in the future",
            errors=[FieldError(("body", "on"), "a date on or before today")],
        )
    # A late entry for an earlier time is kept in the notes but does not move the plan back.
    item.last_done = on if item.last_done is None else max(item.last_done, on)
    if body.note:
        stamp = f"{on.isoformat()}: {body.note}"
        item.notes = f"{item.notes}\n{stamp}".strip()
    _refresh_due(item)
    db.flush()
    return item


def delete_item(db: Session, ctx: Context, item: CommunicationItem, *, version: int) -> None:
    ctx.require(Permission.EDIT)
    soft_delete(db, item, version, by=ctx.user_id, label="The communication")


def restore_item(db: Session, ctx: Context, item_id: uuid.UUID | str) -> CommunicationItem:
    ctx.require(Permission.EDIT)
    return restore_deleted(db, CommunicationItem, ctx.organisation_id, item_id, label=LABEL)


ITEM_LIST = ListSpec(
    id_column=CommunicationItem.id,
    sortable={
        "topic": CommunicationItem.topic,
        "updated_at": CommunicationItem.updated_at,
    },
    default_sort="topic",
    filterable={
        "direction": CommunicationItem.direction,
        "frequency": CommunicationItem.frequency,
        "communicator_id": CommunicationItem.communicator_id,
    },
    searchable=(CommunicationItem.topic, CommunicationItem.audience, CommunicationItem.channel),
)


def list_items(db: Session, ctx: Context, params: ListParams) -> Page[CommunicationItem]:
    ctx.require(Permission.READ)
    return paginate(db, scoped(CommunicationItem, ctx.organisation_id), ITEM_LIST, params)


def attention(db: Session, ctx: Context, today: date | None = None) -> list[CommunicationItem]:
    """Planned communications past their date."""
    ctx.require(Permission.READ)
    day = today or utcnow().date()
    return list(
        db.scalars(
            scoped(CommunicationItem, ctx.organisation_id)
            .where(CommunicationItem.next_due < day)
            .order_by(CommunicationItem.next_due)
        )
    )
