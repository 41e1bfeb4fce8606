"""Comment forms posted from any page that shows a comment thread."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse

from aims.comments import service
from aims.errors import AimsError
from aims.web.security import CsrfSession, PageDb

router = APIRouter(include_in_schema=False)


def _back(target: str, **params: str) -> RedirectResponse:
    # Only local paths, like the sign-in redirect.
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    query = "&".join(f"{k}={quote(v)}" for k, v in params.items())
    return RedirectResponse(f"{target}?{query}#comments" if query else f"{target}#comments", 303)


@router.post("/comments")
def add_comment(
    db: PageDb,
    info: CsrfSession,
    subject_type: Annotated[str, Form()],
    subject_id: Annotated[str, Form()],
    back: Annotated[str, Form()],
    body: Annotated[str, Form()] = "",
) -> RedirectResponse:
    try:
        with db.begin_nested():
            service.add_comment(
                db, info.context, subject_type=subject_type, subject_id=subject_id, body=body
            )
    except AimsError as exc:
        message = exc.errors[0].msg if exc.errors else exc.detail
        return _back(back, comment_error=message)
    return _back(back, commented="1")


@router.post("/comments/{comment_id}/delete")
def delete_comment(
    comment_id: uuid.UUID,
    db: PageDb,
    info: CsrfSession,
    back: Annotated[str, Form()],
    version: Annotated[int, Form()],
) -> RedirectResponse:
    try:
        with db.begin_nested():
            service.delete_comment(db, info.context, comment_id, version=version)
    except AimsError as exc:
        return _back(back, comment_error=exc.detail)
    return _back(back)
