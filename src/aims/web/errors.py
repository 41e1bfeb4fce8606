"""Errors on web pages become HTML pages; API paths keep problem details."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from aims.errors import AimsError, NotAuthenticated


class LoginRequired(Exception):
    """Raised by page dependencies when no valid session cookie came with the request."""


def form_errors(exc: AimsError) -> dict[str, str]:
    """A service error keyed by the form field it names ("_form" when it names none)."""
    found = {str(e.loc[-1]): e.msg for e in exc.errors if e.loc}
    return found or {"_form": exc.detail}


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    from urllib.parse import quote

    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def html_error(request: Request, exc: AimsError) -> Response:
    if isinstance(exc, NotAuthenticated):
        return login_redirect(request)
    return html_status(request, exc.status, exc.detail, title=exc.title)


def html_status(
    request: Request, status: int, detail: str, *, title: str | None = None
) -> HTMLResponse:
    from aims.web.templating import render

    titles = {403: "Not allowed", 404: "Not found", 405: "Not allowed", 409: "Conflict"}
    return render(
        request,
        "error.html",
        {
            "status": status,
            "title": title or titles.get(status, "Something went wrong"),
            "detail": detail,
        },
        status_code=status,
    )
