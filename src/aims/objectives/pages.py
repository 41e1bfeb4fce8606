"""Objective pages: the list with filters and sparklines, an objective with its chart and
measurements, the form, and delete with undo."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from aims.access import service as access
from aims.access.rules import Permission
from aims.catalog.loader import get_catalog
from aims.comments import service as comments
from aims.errors import AimsError, NotFound
from aims.exports.http import attachment
from aims.objectives import present, rules, service
from aims.objectives.models import Objective
from aims.objectives.rules import Kind, State
from aims.objectives.schemas import MeasurementIn, ObjectiveFields, ObjectiveIn, ObjectivePatch
from aims.store.listing import ListParams
from aims.systems import service as systems
from aims.web.errors import html_status
from aims.web.forms import form_version, validation_errors
from aims.web.security import CsrfSession, PageDb, WebSession
from aims.web.templating import render

router = APIRouter(include_in_schema=False)


def _vocab() -> dict[str, Any]:
    return {
        "kinds": list(rules.KIND_LABELS.items()),
        "kind_label": rules.KIND_LABELS,
        "directions": list(rules.DIRECTION_LABELS.items()),
        "direction_label": rules.DIRECTION_LABELS,
        "state_label": rules.STATE_LABELS,
        "states": list(rules.STATE_LABELS.items()),
        "statuses": list(rules.Status),
        "annex_c": get_catalog().objectives,
        "annex_c_title": get_catalog().annex_c_title,
        "number": rules.number,
    }


def _members(db: PageDb, info: WebSession) -> list[str]:
    return access.member_emails(db, info.context)


def _systems(db: PageDb, info: WebSession) -> list[Any]:
    return list(systems.list_systems(db, info.context, ListParams(limit=200)).items)


# --- The list ----------------------------------------------------------------------------------


def _params(
    db: PageDb, info: WebSession, f: dict[str, str], cursor: str | None = None
) -> tuple[ListParams, State | None]:
    """The list's filters as list parameters and the derived state asked for."""
    owner = f.get("owner") or ""
    owner_id = access.member_id(db, info.context, owner, field="owner") if owner else None
    kind, state = f.get("kind") or "", f.get("state") or ""
    if kind and kind not in {k.value for k in Kind}:
        raise NotFound(f"no kind '{kind}'")
    if state and state not in {s.value for s in State}:
        raise NotFound(f"no state '{state}'")
    params = ListParams(
        limit=50, cursor=cursor, q=f.get("q") or None, sort=f.get("sort") or None
    ).with_filters(
        kind=kind or None, system_id=f.get("system_id") or None,
        owner_id=str(owner_id) if owner_id else None,
    )  # fmt: skip
    return params, State(state) if state else None


@router.get("/objectives")
def objective_list(
    request: Request,
    db: PageDb,
    info: WebSession,
    q: str = "",
    kind: str = "",
    state: str = "",
    owner: str = "",
    system_id: str = "",
    sort: str = "code",
    cursor: str | None = None,
) -> object:
    ctx = info.context
    f = {"q": q, "kind": kind, "state": state, "owner": owner, "system_id": system_id,
         "sort": sort}  # fmt: skip
    try:
        params, wanted = _params(db, info, f, cursor)
        page = service.list_objectives(db, ctx, params, state=wanted)
    except AimsError as exc:
        return html_status(request, exc.status, exc.detail, title="Bad filter")
    found = service.assessments(db, ctx, page.items)
    points = service.series(db, ctx, page.items)
    rows = [
        {"o": o, "a": found[o.id], "target": present.target_text(o),
         "spark": present.sparkline(o, points[o.id]) if len(points[o.id]) > 1 else None}
        for o in page.items
    ]  # fmt: skip
    deleted = request.query_params.get("deleted")
    filters = urlencode({k: v for k, v in f.items() if v and k != "sort"})
    return render(
        request, "objectives/list.html",
        {"page": page, "rows": rows, "f": f, "systems": _systems(db, info),
         "members": _members(db, info), "can_edit": ctx.can(Permission.EDIT),
         "attention": service.attention(db, ctx), "deleted": deleted,
         "base_query": urlencode({k: v for k, v in f.items() if v}),
         "export_query": "?" + filters if filters else "", **_vocab()},
    )  # fmt: skip


@router.get("/objectives/export.{fmt}")
def export_objectives(
    fmt: str,
    request: Request,
    db: PageDb,
    info: WebSession,
    q: str = "",
    kind: str = "",
    state: str = "",
    owner: str = "",
    system_id: str = "",
) -> Response:
    """The objectives shown by the list's filters, as XLSX or CSV."""
    if fmt not in ("xlsx", "csv"):
        raise NotFound("the objectives export as XLSX or CSV")
    f = {"q": q, "kind": kind, "state": state, "owner": owner, "system_id": system_id}
    try:
        params, wanted = _params(db, info, f)
    except AimsError as exc:
        return html_status(request, exc.status, exc.detail, title="Bad filter")
    return attachment(*present.objectives_file(db, info.context, fmt, params, state=wanted))


# --- The form ----------------------------------------------------------------------------------

TEXT_FIELDS = ("title", "description", "metric", "unit", "resources", "evaluation")
CHOICE_FIELDS = ("kind", "annex_c", "system_id", "direction", "target", "tolerance", "range_min",
                 "range_max", "baseline", "due_date", "owner_email", "status")  # fmt: skip


def _raw(form: FormData) -> dict[str, Any]:
    """The form as ObjectiveFields input: blanks clear optional values; numbers stay text for
    the model to check (a word where a number belongs is a 422 beside that field)."""
    raw: dict[str, Any] = {k: str(form.get(k) or "") for k in TEXT_FIELDS}
    for key in CHOICE_FIELDS:
        value = str(form.get(key) or "").strip()
        raw[key] = value or None
    if raw["status"] is None:
        raw.pop("status")
    return raw


def _form_page(
    request: Request,
    db: PageDb,
    info: WebSession,
    *,
    objective: Objective | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request, "objectives/form.html",
        {"objective": objective, "v": values, "errors": errors or {},
         "systems": _systems(db, info), "members": _members(db, info), **_vocab()},
        status_code=status_code,
    )  # fmt: skip


@router.get("/objectives/new")
def new_objective(
    request: Request, db: PageDb, info: WebSession, system_id: str = ""
) -> HTMLResponse:
    info.context.require(Permission.EDIT)
    values = {"system_id": system_id, "kind": Kind.AIMS.value, "direction": "at_least"}
    return _form_page(request, db, info, objective=None, values=values)


@router.post("/objectives/new")
async def create_objective(request: Request, db: PageDb, info: CsrfSession) -> object:
    info.context.require(Permission.EDIT)
    raw = _raw(await request.form())
    try:
        body = ObjectiveIn.model_validate({k: v for k, v in raw.items() if v is not None})
        with db.begin_nested():
            objective = service.create_objective(db, info.context, body)
    except (ValidationError, AimsError) as exc:
        found = validation_errors(exc)
        return _form_page(request, db, info, objective=None, values=raw, errors=found,
                          status_code=getattr(exc, "status", 422))  # fmt: skip
    return RedirectResponse(f"/objectives/{objective.id}?created=1", status_code=303)


# --- One objective -----------------------------------------------------------------------------


def _detail(
    request: Request, db: PageDb, info: WebSession, objective: Objective, *,
    errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    ctx = info.context
    measurements = service.measurements_of(db, ctx, objective)
    target = service.target_of(objective)
    thread = comments.list_comments(
        db, ctx, subject_type="objective", subject_id=str(objective.id),
        params=ListParams(limit=200),
    )  # fmt: skip
    return render(
        request, "objectives/detail.html",
        {"o": objective, "out": present.objective_out(objective,
                                                       service.assess(objective, measurements)),
         "measurements": [(m, rules.meets(target, m.value)) for m in reversed(measurements)],
         "recorders": access.names_of(db, ctx, {m.created_by_id for m in measurements}),
         "chart": present.chart_of(objective, measurements), "errors": errors or {},
         "mv": values or {"unit": objective.unit, "measured_at": service.today().isoformat()},
         "today": service.today().isoformat(), "can_edit": ctx.can(Permission.EDIT),
         "thread": thread, "subject_type": "objective", "subject_id": str(objective.id),
         "back": f"/objectives/{objective.id}",
         "authors": access.names_of(db, ctx, {c.created_by_id for c in thread.items}),
         **_vocab()},
        status_code=status_code,
    )  # fmt: skip


@router.get("/objectives/{objective_id}")
def objective_detail(
    objective_id: uuid.UUID, request: Request, db: PageDb, info: WebSession
) -> HTMLResponse:
    return _detail(request, db, info, service.get_objective(db, info.context, objective_id))


@router.get("/objectives/{objective_id}/edit")
def edit_objective(
    objective_id: uuid.UUID, request: Request, db: PageDb, info: WebSession
) -> HTMLResponse:
    info.context.require(Permission.EDIT)
    o = service.get_objective(db, info.context, objective_id)
    values: dict[str, Any] = {
        k: getattr(o, k) for k in ObjectiveFields.model_fields if hasattr(o, k)
    }
    for key in ("target", "tolerance", "range_min", "range_max", "baseline"):
        values[key] = rules.number(values[key]) if values[key] is not None else None
    values["owner_email"] = o.owner.email if o.owner else None
    values["version"] = o.version
    return _form_page(request, db, info, objective=o, values=values)


@router.post("/objectives/{objective_id}/edit")
async def update_objective(
    objective_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    objective = service.get_objective(db, info.context, objective_id)
    form = await request.form()
    raw = _raw(form)
    try:
        body = ObjectivePatch.model_validate({**raw, "version": form_version(form)})
        with db.begin_nested():
            service.update_objective(db, info.context, objective, body, version=body.version)
    except (ValidationError, AimsError) as exc:
        db.expire_all()
        fresh = service.get_objective(db, info.context, objective_id)
        found = validation_errors(exc)
        return _form_page(request, db, info, objective=fresh,
                          values={**raw, "version": form.get("version")}, errors=found,
                          status_code=getattr(exc, "status", 422))  # fmt: skip
    return RedirectResponse(f"/objectives/{objective.id}?saved=1", status_code=303)


@router.get("/objectives/{objective_id}/delete")
def confirm_delete(
    objective_id: uuid.UUID, request: Request, db: PageDb, info: WebSession
) -> HTMLResponse:
    info.context.require(Permission.EDIT)
    objective = service.get_objective(db, info.context, objective_id)
    return render(request, "objectives/confirm_delete.html", {"o": objective})


@router.post("/objectives/{objective_id}/delete")
async def delete_objective(
    objective_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> RedirectResponse:
    form = await request.form()
    objective = service.get_objective(db, info.context, objective_id)
    service.delete_objective(db, info.context, objective, version=form_version(form))
    return RedirectResponse(f"/objectives?deleted={objective.id}", status_code=303)


@router.post("/objectives/{objective_id}/restore")
def restore_objective(objective_id: uuid.UUID, db: PageDb, info: CsrfSession) -> RedirectResponse:
    service.restore_objective(db, info.context, objective_id)
    return RedirectResponse(f"/objectives/{objective_id}?restored=1", status_code=303)


# --- Measurements ------------------------------------------------------------------------------


@router.post("/objectives/{objective_id}/measurements")
async def add_measurement(
    objective_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    objective = service.get_objective(db, info.context, objective_id)
    form = await request.form()
    raw = {k: str(form.get(k) or "").strip() for k in ("value", "unit", "measured_at", "note")}
    try:
        body = MeasurementIn.model_validate(
            {**raw, "value": raw["value"] or None, "measured_at": raw["measured_at"] or None}
        )
        with db.begin_nested():
            service.add_measurement(db, info.context, objective, body)
    except (ValidationError, AimsError) as exc:
        db.expire_all()
        fresh = service.get_objective(db, info.context, objective_id)
        return _detail(request, db, info, fresh, errors=validation_errors(exc), values=raw,
                       status_code=getattr(exc, "status", 422))  # fmt: skip
    return RedirectResponse(f"/objectives/{objective.id}?measured=1#measurements", status_code=303)


@router.post("/objectives/{objective_id}/measurements/{measurement_id}/delete")
async def delete_measurement(
    objective_id: uuid.UUID, measurement_id: uuid.UUID, request: Request, db: PageDb,
    info: CsrfSession,
) -> RedirectResponse:  # fmt: skip
    form = await request.form()
    objective = service.get_objective(db, info.context, objective_id)
    service.delete_measurement(db, info.context, objective, measurement_id,
                               version=form_version(form))  # fmt: skip
    return RedirectResponse(
        f"/objectives/{objective.id}?measurement_deleted={measurement_id}#measurements",
        status_code=303,
    )


@router.post("/objectives/{objective_id}/measurements/{measurement_id}/restore")
def restore_measurement(
    objective_id: uuid.UUID, measurement_id: uuid.UUID, db: PageDb, info: CsrfSession
) -> RedirectResponse:
    objective = service.get_objective(db, info.context, objective_id)
    service.restore_measurement(db, info.context, objective, measurement_id)
    return RedirectResponse(f"/objectives/{objective.id}?measurement_restored=1#measurements",
                            status_code=303)  # fmt: skip
