"""Comment use cases. Commenting needs the 'comment' permission, which auditors hold."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.access.rules import Permission
from aims.catalog.loader import get_catalog
from aims.comments.models import Comment
from aims.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from aims.store.listing import ListParams, ListSpec, Page, paginate
from aims.store.scoping import check_version, get_scoped, scoped

MAX_BODY = 5000

# What may be commented on, and how to check that a subject exists in the caller's organisation.
# Later capabilities add their record types here.
SubjectCheck = Callable[[Session, Context, str], str]


def _catalog_entry(db: Session, ctx: Context, subject_id: str) -> str:
    entry = get_catalog().get(subject_id)
    if entry is None:
        raise NotFound(f"no clause or control '{subject_id}'")
    return entry.id


def _member(db: Session, ctx: Context, subject_id: str) -> str:
    return str(access.get_member(db, ctx, subject_id).id)


SUBJECTS: dict[str, SubjectCheck] = {"catalog": _catalog_entry, "member": _member}


def register_subject(kind: str, check: SubjectCheck) -> None:
    """Let a capability's records take comments."""
    SUBJECTS[kind] = check


def _subject(db: Session, ctx: Context, subject_type: str, subject_id: str) -> str:
    check = SUBJECTS.get(subject_type)
    if check is None:
        allowed = ", ".join(sorted(SUBJECTS))
        raise ValidationFailed(
            f"cannot comment on '{subject_type}'",
            errors=[FieldError(("body", "subject_type"), f"must be one of: {allowed}")],
        )
    return check(db, ctx, subject_id)


def add_comment(
    db: Session, ctx: Context, *, subject_type: str, subject_id: str, body: str
) -> Comment:
    ctx.require(Permission.COMMENT)
    text = body.strip()
    if not text or len(text) > MAX_BODY:
        raise ValidationFailed(
            "invalid comment",
            errors=[FieldError(("body", "body"), f"must be 1 to {MAX_BODY} characters")],
        )
    key = _subject(db, ctx, subject_type, subject_id)
    comment = Comment(
        organisation_id=ctx.organisation_id, subject_type=subject_type, subject_id=key, body=text
    )
    db.add(comment)
    db.flush()
    return comment


COMMENT_LIST = ListSpec(
    id_column=Comment.id,
    sortable={"created_at": Comment.created_at},
    default_sort="created_at",
    searchable=(Comment.body,),
)


def list_comments(
    db: Session, ctx: Context, *, subject_type: str, subject_id: str, params: ListParams
) -> Page[Comment]:
    """Comments on one subject, oldest first."""
    ctx.require(Permission.READ)
    key = _subject(db, ctx, subject_type, subject_id)
    stmt = scoped(Comment, ctx.organisation_id).where(
        Comment.subject_type == subject_type, Comment.subject_id == key
    )
    return paginate(db, stmt, COMMENT_LIST, params)


def delete_comment(
    db: Session, ctx: Context, comment_id: uuid.UUID | str, *, version: int | None
) -> Comment:
    """Withdraw a comment: its author may, and so may owners and managers (soft delete)."""
    comment = get_scoped(db, Comment, ctx.organisation_id, comment_id, label="comment")
    if comment.created_by_id != ctx.user_id and not ctx.can(Permission.MANAGE_MEMBERS):
        raise PermissionDenied("only the author, an owner or a manager may delete a comment")
    check_version(comment, version, label="This comment")
    comment.mark_deleted(ctx.user_id)
    db.flush()
    return comment
