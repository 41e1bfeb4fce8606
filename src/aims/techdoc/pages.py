"""Web pages: event-log records of every AI system (A.6.2.8) with an edit form per system, and
a system's technical documentation outline (A.6.2.7) with its PDF and DOCX downloads."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from aims.access.rules import Permission
from aims.errors import AimsError, NotFound
from aims.exports.http import attachment
from aims.regulation.schemas import RiskClass
from aims.store.listing import ListParams
from aims.techdoc import outline, present, service
from aims.techdoc.catalogue import log_catalogue
from aims.techdoc.schemas import EventLogIn
from aims.web.forms import validation_errors
from aims.web.security import CsrfSession, PageDb, WebSession
from aims.web.templating import render

router = APIRouter(include_in_schema=False)

TEXT_FIELDS = ("log_system", "location", "capture_notes", "access")


@router.get("/event-logs")
def list_logs(
    request: Request, db: PageDb, info: WebSession, q: str = "", risk_class: str = "",
    flagged: str = "",
) -> HTMLResponse:  # fmt: skip
    classes = [c.value for c in RiskClass]
    params = ListParams(limit=200, q=q or None).with_filters(
        risk_class=risk_class if risk_class in classes else None
    )
    rows = service.list_logs(db, info.context, params).items
    if flagged:
        rows = [r for r in rows if r.flags]
    return render(request, "techdoc/logs.html", {
        "rows": rows, "f": {"q": q, "risk_class": risk_class, "flagged": flagged},
        "classes": classes, "catalogue": log_catalogue(),
        "can_edit": info.context.can(Permission.EDIT),
        "deleted": request.query_params.get("deleted", ""),
    })  # fmt: skip


def _values(found: service.SystemLog) -> dict[str, Any]:
    r = found.record
    if r is None:
        return {"captures": []}
    return {
        **{name: getattr(r, name) for name in TEXT_FIELDS},
        "captures": list(r.captures),
        "retention_months": "" if r.retention_months is None else str(r.retention_months),
        "tamper_evident": "" if r.tamper_evident is None else str(r.tamper_evident).lower(),
        "last_reviewed": r.last_reviewed.isoformat() if r.last_reviewed else "",
        "version": r.version,
    }


def _form_page(
    request: Request, info: WebSession, found: service.SystemLog, *, values: dict[str, Any],
    errors: dict[str, str], status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    flags_by_field: dict[str, list[str]] = {}
    for flag in found.flags:
        flags_by_field.setdefault(flag.field or "_record", []).append(flag.message)
    return render(request, "techdoc/log_form.html", {
        "found": found, "v": values, "errors": errors, "catalogue": log_catalogue(),
        "flags": flags_by_field, "can_edit": info.context.can(Permission.EDIT),
        "saved": request.query_params.get("saved", ""),
    }, status_code=status_code)  # fmt: skip


@router.get("/event-logs/{system_id}")
def log_page(system_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> HTMLResponse:
    found = service.get_log(db, info.context, system_id)
    return _form_page(request, info, found, values=_values(found), errors={})


def _raw(form: FormData) -> dict[str, Any]:
    raw: dict[str, Any] = {name: str(form.get(name) or "") for name in TEXT_FIELDS}
    raw["captures"] = [str(v) for v in form.getlist("captures")]
    for name in ("retention_months", "tamper_evident", "last_reviewed", "version"):
        raw[name] = str(form.get(name) or "").strip() or None
    return raw


@router.post("/event-logs/{system_id}")
async def save_log(system_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession) -> object:
    info.context.require(Permission.EDIT)
    form = await request.form()
    raw = _raw(form)
    try:
        body = EventLogIn.model_validate(raw)
        with db.begin_nested():
            service.save_log(db, info.context, system_id, body)
    except (ValidationError, AimsError) as exc:
        db.expire_all()
        found = service.get_log(db, info.context, system_id)
        return _form_page(request, info, found, values=raw, errors=validation_errors(exc),
                          status_code=getattr(exc, "status", 422))  # fmt: skip
    return RedirectResponse(f"/event-logs/{system_id}?saved=1", status_code=303)


@router.post("/event-logs/{system_id}/delete")
async def delete_log(
    system_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    info.context.require(Permission.EDIT)
    form = await request.form()
    try:
        version = int(str(form.get("version") or "-1"))
    except ValueError:
        version = -1
    service.delete_log(db, info.context, system_id, version=version)
    return RedirectResponse(f"/event-logs?deleted={system_id}", status_code=303)


@router.post("/event-logs/{system_id}/restore")
async def restore_log(system_id: uuid.UUID, db: PageDb, info: CsrfSession) -> object:
    service.restore_log(db, info.context, system_id)
    return RedirectResponse(f"/event-logs/{system_id}", status_code=303)


@router.get("/systems/{system_id}/technical-documentation")
def technical_documentation(
    system_id: uuid.UUID, request: Request, db: PageDb, info: WebSession
) -> HTMLResponse:
    found = outline.build(db, info.context, system_id)
    return render(request, "techdoc/outline.html", {"o": found})


@router.get("/systems/{system_id}/technical-documentation.{fmt}")
def technical_documentation_file(
    system_id: uuid.UUID, fmt: str, db: PageDb, info: WebSession
) -> Response:
    if fmt not in ("pdf", "docx"):
        raise NotFound("the technical documentation downloads as PDF or DOCX")
    return attachment(*present.outline_file(db, info.context, system_id, fmt))
