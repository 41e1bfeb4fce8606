"""Session cookies and CSRF for the web pages."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.service import SessionInfo
from aims.api.deps import get_db
from aims.errors import PermissionDenied
from aims.web.errors import LoginRequired

SESSION_COOKIE = "aims_session"
PRELOGIN_COOKIE = "aims_prelogin"  # double-submit CSRF token for the sign-in form
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def current_session(
    request: Request, db: Annotated[Session, Depends(get_db, scope="function")]
) -> SessionInfo:
    """The signed-in person; without a valid cookie the page redirects to sign-in."""
    secret = request.cookies.get(SESSION_COOKIE)
    info = access.resolve_web_session(db, secret) if secret else None
    if info is None:
        raise LoginRequired()
    db.info["actor"] = info.context.actor
    request.state.web = info
    return info


WebSession = Annotated[SessionInfo, Depends(current_session)]
PageDb = Annotated[Session, Depends(get_db, scope="function")]


async def require_csrf(request: Request, info: WebSession) -> SessionInfo:
    """Every state-changing request carries the session's CSRF token (form field or header)."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        # Parsed once here and cached for the page: allow fields as large as a request may be
        # (the import page carries its file between preview and import).
        limit = request.app.state.runtime.settings.max_request_bytes
        form = await request.form(max_part_size=limit * 2)
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not secrets.compare_digest(sent, info.csrf_token):
        raise PermissionDenied(
            "the form has expired or did not come from this site; reload the page and try again"
        )
    return info


CsrfSession = Annotated[SessionInfo, Depends(require_csrf)]
