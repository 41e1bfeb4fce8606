"""Turn every error into one problem-details response (RFC 9457)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from aims.errors import AimsError, StaleVersion, Unavailable
from aims.store.dberrors import translate

log = logging.getLogger("aims.api")
MEDIA = "application/problem+json"


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    slug: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "errors": errors or [],
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=MEDIA, headers=headers)


def from_error(exc: AimsError) -> JSONResponse:
    extra: dict[str, Any] = {}
    if isinstance(exc, StaleVersion):
        extra["current_version"] = exc.current_version
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return problem(
        exc.status,
        exc.title,
        exc.detail,
        slug=exc.type_slug,
        errors=[{"loc": list(e.loc), "msg": e.msg, "type": e.type} for e in exc.errors],
        headers=headers,
        **extra,
    )


def _validation(exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        first = next(e for e in errors if e.get("type") == "json_invalid")
        where = first.get("ctx", {}).get("error", "")
        return problem(
            400,
            "Malformed request",
            f"the request body is not valid JSON{': ' + where if where else ''}",
            slug="malformed-json",
        )
    fields = [
        {
            "loc": [p for p in e.get("loc", ()) if isinstance(p, str | int)],
            "msg": "unknown field" if e.get("type") == "extra_forbidden" else str(e.get("msg")),
            "type": str(e.get("type")),
        }
        for e in errors
    ]
    names = ", ".join(".".join(str(p) for p in f["loc"][1:] or f["loc"]) for f in fields)
    return problem(
        422,
        "Validation failed",
        f"invalid or unknown fields: {names}",
        slug="validation-failed",
        errors=fields,
    )


def install(app: FastAPI) -> None:
    """Register the handlers: problem details for the API, HTML pages for the web."""

    async def _aims(request: Request, exc: Exception) -> Any:
        from aims.web.errors import html_error, wants_html

        assert isinstance(exc, AimsError)
        if wants_html(request):
            return html_error(request, exc)
        return from_error(exc)

    app.add_exception_handler(AimsError, _aims)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _validation(exc)

    async def _database(request: Request, exc: Exception) -> Any:
        error = translate(exc)
        if error is None:
            return await _unexpected(request, exc)
        if isinstance(error, Unavailable):
            log.error("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return await _aims(request, error)

    for kind in (StaleDataError, OperationalError, IntegrityError, DataError):
        app.add_exception_handler(kind, _database)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Any:
        from aims.web.errors import html_status, wants_html

        if wants_html(request):
            return html_status(request, exc.status_code, str(exc.detail))
        titles = {404: "Not found", 405: "Method not allowed", 413: "Request too large"}
        return problem(
            exc.status_code,
            titles.get(exc.status_code, "Error"),
            str(exc.detail),
            slug=titles.get(exc.status_code, "error").lower().replace(" ", "-"),
            headers=getattr(exc, "headers", None),
        )

    async def _unexpected(request: Request, exc: Exception) -> Any:
        from aims.web.errors import html_status, wants_html

        log.exception("unhandled error on %s %s", request.method, request.url.path)
        detail = "something went wrong on our side; nothing was saved"
        if wants_html(request):
            return html_status(request, 500, detail)
        return problem(500, "Internal error", detail, slug="internal-error")

    app.add_exception_handler(Exception, _unexpected)
