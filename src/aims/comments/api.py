"""API routes for comments."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import Field

from aims.api.deps import Ctx, Db, Listing
from aims.api.schemas import PROBLEM_RESPONSES, Out, PageOut, StrictIn
from aims.comments import service
from aims.comments.models import Comment

router = APIRouter(prefix="/api/v1/comments", tags=["comments"], responses=PROBLEM_RESPONSES)


class CommentIn(StrictIn):
    subject_type: str = Field(description="catalog or member (more as capabilities arrive)")
    subject_id: str = Field(max_length=64, description="e.g. A.5.4, or a member's id")
    body: str = Field(max_length=service.MAX_BODY)


class CommentOut(Out):
    id: uuid.UUID
    subject_type: str
    subject_id: str
    body: str
    author_id: uuid.UUID | None
    created_at: datetime
    version: int


def comment_out(c: Comment) -> CommentOut:
    return CommentOut(
        id=c.id,
        subject_type=c.subject_type,
        subject_id=c.subject_id,
        body=c.body,
        author_id=c.created_by_id,
        created_at=c.created_at,
        version=c.version,
    )


@router.get("", response_model=PageOut[CommentOut], summary="Comments on one subject")
def list_comments(
    db: Db,
    ctx: Ctx,
    listing: Listing,
    subject_type: Annotated[str, Query()],
    subject_id: Annotated[str, Query()],
) -> PageOut[CommentOut]:
    page = service.list_comments(
        db, ctx, subject_type=subject_type, subject_id=subject_id, params=listing
    )
    return PageOut[CommentOut].of(page, comment_out)


@router.post("", response_model=CommentOut, status_code=status.HTTP_201_CREATED)
def add_comment(body: CommentIn, db: Db, ctx: Ctx) -> CommentOut:
    comment = service.add_comment(
        db, ctx, subject_type=body.subject_type, subject_id=body.subject_id, body=body.body
    )
    return comment_out(comment)


@router.delete("/{comment_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_comment(
    comment_id: uuid.UUID,
    db: Db,
    ctx: Ctx,
    version: Annotated[int, Query(description="The version you last read")],
) -> None:
    service.delete_comment(db, ctx, comment_id, version=version)
