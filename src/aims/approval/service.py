"""Approval use cases for any ``ApprovableVersion`` model; capabilities call these, not copies."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.access.rules import Permission, Role
from aims.approval.models import ApprovableVersion
from aims.approval.rules import (
    LOCKED,
    FieldChange,
    Status,
    approval_refusal,
    compare,
    edit_refusal,
    target_status,
    transition_refusal,
)
from aims.errors import (
    Conflict,
    FieldError,
    ImmutableVersion,
    PermissionDenied,
    ValidationFailed,
)
from aims.store.base import Record
from aims.store.scoping import check_version, scoped
from aims.store.types import utcnow

V = TypeVar("V", bound=Record)


def _label(record: Record) -> str:
    """How messages name the record ("The impact assessment has changed since...")."""
    return str(getattr(type(record), "__approval_label__", type(record).__name__))


def _status(record: Record) -> Status:
    assert isinstance(record, ApprovableVersion)
    return Status(record.status)


def _transition(record: Record, action: str) -> None:
    refusal = transition_refusal(action, _status(record))
    if refusal:
        raise Conflict(refusal)
    assert isinstance(record, ApprovableVersion)
    record.status = target_status(action).value


def create_first(
    db: Session,
    ctx: Context,
    model: type[V],
    content: Mapping[str, Any],
    *,
    derived: Mapping[str, Any] | None = None,
) -> V:
    """Start a new series with revision 1 as a draft authored by the caller.

    ``derived`` sets fields outside the content that the capability computes from it (a
    score, a snapshot), in the same write.
    """
    ctx.require(Permission.EDIT)
    record = model(
        **{"organisation_id": ctx.organisation_id, **_content(model, content), **(derived or {})}
    )
    assert isinstance(record, ApprovableVersion)
    record.author_id = ctx.user_id
    record.content_editor_ids = [str(ctx.user_id)]
    record.status = Status.DRAFT.value
    record.revision = 1
    db.add(record)
    db.flush()
    return record


def _content(model: type[Record], content: Mapping[str, Any]) -> dict[str, Any]:
    fields = model.__approval_fields__  # type: ignore[attr-defined]
    unknown = [k for k in content if k not in fields]
    if unknown:
        raise ValidationFailed(
            "unknown fields", errors=[FieldError(("body", k), "unknown field") for k in unknown]
        )
    return dict(content)


def edit(
    db: Session,
    ctx: Context,
    record: V,
    *,
    version: int,
    content: Mapping[str, Any],
    derived: Callable[[V], Mapping[str, Any]] | None = None,
) -> V:
    """Change the content of a draft (never of a version in review, approved or superseded).

    ``derived`` computes fields outside the content from the edited record; they are written
    in the same change, so the version moves by one.
    """
    ctx.require(Permission.EDIT)
    check_version(record, version, label=_label(record))
    refusal = edit_refusal(_status(record))
    if refusal:
        raise ImmutableVersion(refusal)
    for key, value in _content(type(record), content).items():
        setattr(record, key, value)
    with db.no_autoflush:  # the derivation may query; content and result are one write
        computed = derived(record) if derived else {}
    for key, value in computed.items():
        setattr(record, key, value)
    assert isinstance(record, ApprovableVersion)
    if str(ctx.user_id) not in record.content_editor_ids:
        record.content_editor_ids = [*record.content_editor_ids, str(ctx.user_id)]
    db.flush()
    return record


def submit(db: Session, ctx: Context, record: V, *, version: int) -> V:
    """Send a draft for review."""
    ctx.require(Permission.EDIT)
    check_version(record, version, label=_label(record))
    _transition(record, "submit")
    assert isinstance(record, ApprovableVersion)
    record.submitted_at = utcnow()
    db.flush()
    return record


def return_to_draft(db: Session, ctx: Context, record: V, *, version: int, note: str) -> V:
    """A reviewer sends a version back to its author with a note."""
    ctx.require(Permission.APPROVE)
    check_version(record, version, label=_label(record))
    _transition(record, "return")
    assert isinstance(record, ApprovableVersion)
    record.review_note = note
    db.flush()
    return record


def approve(
    db: Session,
    ctx: Context,
    record: V,
    *,
    version: int,
    note: str = "",
    approver_roles: frozenset[Role] | None = None,
    last_editor_id: uuid.UUID | Literal["stamped"] | None = "stamped",
) -> V:
    """Approve a version in review; the series' previously approved version is superseded.

    ``last_editor_id`` names who last changed the content when that is not the version row's
    own stamp (the SoA: its snapshot is taken by anyone; its decisions are the content).

    ``approver_roles`` narrows who may approve when an organisation set its own (A.5.2);
    without it the model's ``__approver_roles__`` apply.
    """
    check_version(record, version, label=_label(record))
    assert isinstance(record, ApprovableVersion)
    refusal = approval_refusal(
        approver_role=ctx.role,
        approver_id=ctx.user_id,
        author_id=record.author_id,
        last_editor_id=record.updated_by_id if last_editor_id == "stamped" else last_editor_id,
        approver_roles=approver_roles or type(record).__approver_roles__,
        content_editor_ids=record.content_editor_ids,
    )
    if refusal:
        raise PermissionDenied(refusal)
    if type(record).__approve_from_draft__ and record.status == Status.DRAFT.value:
        # Records without a review step (the SoA) go from draft to approved in one write.
        record.status = Status.IN_REVIEW.value
        record.submitted_at = utcnow()
    previous = db.scalars(
        scoped(type(record), ctx.organisation_id).where(
            type(record).series_id == record.series_id,
            type(record).status == Status.APPROVED.value,
        )
    ).all()
    _transition(record, "approve")
    now = utcnow()
    record.approved_at = now
    record.approved_by_id = ctx.user_id
    record.review_note = note
    for old in previous:
        _transition(old, "supersede")
        assert isinstance(old, ApprovableVersion)
        old.superseded_at = now
    db.flush()
    return record


def start_new_version(
    db: Session,
    ctx: Context,
    record: V,
    *,
    content: Mapping[str, Any] | None = None,
    derived: Mapping[str, Any] | None = None,
) -> V:
    """Copy an approved or superseded version's content into a new draft of the same series.

    ``content`` replaces copied fields (say, answers to questions that no longer exist
    dropped); ``derived`` sets computed fields, as in ``create_first``.
    """
    ctx.require(Permission.EDIT)
    model = type(record)
    assert isinstance(record, ApprovableVersion)
    if _status(record) not in LOCKED:
        raise Conflict("only an approved or superseded version can be the base of a new version")
    open_draft = open_version(db, ctx, model, record.series_id)
    if open_draft is not None:
        raise Conflict(
            f"revision {open_draft.revision} of this series is still open; "
            "finish or discard it first"
        )
    latest = db.scalar(
        select(func.max(model.revision)).where(
            model.organisation_id == ctx.organisation_id,
            model.series_id == record.series_id,
        )
    )
    copied = {name: getattr(record, name) for name in model.__approval_fields__}
    copied.update(_content(model, content or {}))
    draft = model(organisation_id=ctx.organisation_id, **copied, **(derived or {}))
    assert isinstance(draft, ApprovableVersion)
    draft.series_id = record.series_id
    draft.revision = int(latest or 0) + 1
    draft.status = Status.DRAFT.value
    draft.author_id = ctx.user_id
    draft.content_editor_ids = [str(ctx.user_id)]
    db.add(draft)
    db.flush()
    return draft


def open_version(db: Session, ctx: Context, model: type[V], series_id: Any) -> V | None:
    """The series' draft or version in review, if any (a series has at most one open)."""
    stmt = scoped(model, ctx.organisation_id).where(
        model.series_id == series_id,  # type: ignore[attr-defined]
        model.status.in_([Status.DRAFT.value, Status.IN_REVIEW.value]),  # type: ignore[attr-defined]
    )
    found: V | None = db.scalars(stmt).first()
    return found


def versions(db: Session, ctx: Context, model: type[V], series_id: Any) -> list[V]:
    """Every version of one series, oldest first."""
    ctx.require(Permission.READ)
    stmt = scoped(model, ctx.organisation_id).where(model.series_id == series_id)  # type: ignore[attr-defined]
    return list(db.scalars(stmt.order_by(model.revision)).all())  # type: ignore[attr-defined]


def compare_versions(before: Record, after: Record) -> list[FieldChange]:
    """What changed between two versions of the same series, field by field."""
    if type(before) is not type(after) or before.series_id != after.series_id:  # type: ignore[attr-defined]
        raise ValidationFailed("only two versions of the same record can be compared")
    fields = type(before).__approval_fields__  # type: ignore[attr-defined]
    return compare(
        {f: getattr(before, f) for f in fields}, {f: getattr(after, f) for f in fields}, fields
    )
