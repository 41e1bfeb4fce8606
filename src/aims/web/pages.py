"""Sign-in, sign-out, the dashboard and the section pages that follow the standard."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from aims.access import service as access
from aims.api.runtime import Runtime
from aims.errors import NotAuthenticated, NotFound, TooManyAttempts
from aims.store.listing import ListParams
from aims.web import attention
from aims.web.security import (
    PRELOGIN_COOKIE,
    SESSION_COOKIE,
    CsrfSession,
    PageDb,
    WebSession,
)
from aims.web.templating import NAV, SECTION_LINKS, render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only local paths are followed after sign-in (no open redirect)."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _secure(request: Request) -> bool:
    runtime: Runtime = request.app.state.runtime
    return runtime.settings.cookie_secure or request.url.scheme == "https"


FORM_EXPIRED = "The sign-in form expired; please try again."


def _login_page(
    request: Request,
    *,
    next: str | None,
    email: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The sign-in form with a fresh double-submit CSRF token in a cookie and a field."""
    token = secrets.token_urlsafe(32)
    page = render(
        request,
        "login.html",
        {"csrf": token, "next": _safe_next(next), "email": email, "error": error},
        status_code=status_code,
    )
    page.set_cookie(
        PRELOGIN_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request), max_age=3600
    )
    return page


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return _login_page(request, next=next)


@router.post("/login")
def login(
    request: Request,
    db: PageDb,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    expected = request.cookies.get(PRELOGIN_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, csrf_token):
        return _login_page(request, next=next, email=email, error=FORM_EXPIRED, status_code=400)
    try:
        user = access.authenticate(db, email=email, password=password)
        secret, _csrf = access.start_web_session(db, user=user)
    except (NotAuthenticated, TooManyAttempts) as exc:
        # The failure is counted even though the page only re-renders: keep that write.
        db.commit()
        return _login_page(request, next=next, email=email, error=exc.detail, status_code=401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        max_age=request.app.state.runtime.settings.session_hours * 3600,
    )
    response.delete_cookie(PRELOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, db: PageDb, _info: CsrfSession) -> RedirectResponse:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        access.end_web_session(db, secret)
    response = RedirectResponse("/login?signed_out=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def dashboard(request: Request, db: PageDb, info: WebSession) -> object:
    runtime: Runtime = request.app.state.runtime
    org = access.get_organisation(db, info.context)
    catalog = runtime.catalog
    return render(
        request,
        "dashboard.html",
        {
            "org": org,
            "sections": [(slug, title, catalog.clauses[num]) for slug, title, num in NAV],
            "control_count": len(catalog.controls),
            "clause_count": len([c for c in catalog.clauses.values() if c.parent]),
            "members": access.list_members(db, info.context, ListParams(limit=1)).total,
            "notices": attention.notices(db, info.context),
        },
    )


@router.get("/sections/{slug}")
def section(slug: str, request: Request, info: WebSession) -> object:
    runtime: Runtime = request.app.state.runtime
    match = next((n for n in NAV if n[0] == slug), None)
    if match is None:
        raise NotFound(f"no section '{slug}'")
    _slug, title, number = match
    catalog = runtime.catalog
    clauses = [
        c for c in catalog.clauses.values() if c.id == number or c.id.startswith(number + ".")
    ]
    return render(
        request,
        "section.html",
        {
            "title": title,
            "number": number,
            "clauses": clauses[1:],
            "head": clauses[0],
            "links": SECTION_LINKS.get(slug, []),
        },
    )


@router.get("/reports")
def reports(request: Request, info: WebSession) -> object:
    return render(request, "placeholder.html", {"title": "Reports", "kind": "reports"})
