"""Measurement run pages: the list with filters, the upload form, and one run's page."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from aims.access.rules import Permission
from aims.config import get_settings
from aims.errors import AimsError
from aims.measure import rules, run_present, runs
from aims.store.listing import ListParams
from aims.systems import service as systems
from aims.web.errors import form_errors, html_status
from aims.web.forms import form_version
from aims.web.security import CsrfSession, PageDb, WebSession
from aims.web.templating import render

router = APIRouter(include_in_schema=False)

OPTION_FIELDS = ("prediction", "truth", "score", "sensitive", "positive", "min_group", "columns",
                 "bins", "psi_warn", "psi_drift", "alpha", "ranges", "categories",
                 "expected_columns")  # fmt: skip
TEXT_FIELDS = ("kind", "system_id", "control_id", "limits", "note", *OPTION_FIELDS)


def _systems(db: PageDb, info: Any) -> list[Any]:
    return list(systems.list_systems(db, info.context, ListParams(limit=200)).items)


@router.get("/measurement-runs")
def run_list(
    request: Request,
    db: PageDb,
    info: WebSession,
    q: str = "",
    system_id: str = "",
    kind: str = "",
    breached: str = "",
    cursor: str | None = None,
) -> object:
    ctx = info.context
    f = {
        "q": q,
        "system_id": system_id,
        "kind": kind if kind in runs.KINDS else "",
        "breached": breached if breached in ("true", "false") else "",
    }
    params = ListParams(limit=50, cursor=cursor, q=q or None).with_filters(
        system_id=f["system_id"] or None, kind=f["kind"] or None, breached=f["breached"] or None
    )
    try:
        page = runs.list_runs(db, ctx, params)
    except AimsError as exc:
        return html_status(request, exc.status, exc.detail, title="Bad filter")
    return render(
        request,
        "measure/list.html",
        {
            "page": page,
            "f": f,
            "kinds": runs.KINDS,
            "systems": _systems(db, info),
            "flagged": runs.attention(db, ctx),
            "base_query": urlencode({k: v for k, v in f.items() if v}),
            "can_edit": ctx.can(Permission.EDIT),
            "verdict_of": run_present.verdict_of,
        },
    )


def _form_page(
    request: Request,
    db: PageDb,
    info: Any,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    info.context.require(Permission.EDIT)
    return render(
        request,
        "measure/new.html",
        {
            "v": values,
            "errors": errors or {},
            "kinds": runs.KINDS,
            "controls": rules.RUN_CONTROLS,
            "default_control": rules.DEFAULT_CONTROL,
            "systems": _systems(db, info),
            "max_bytes": get_settings().max_upload_bytes,
        },
        status_code=status_code,
    )


@router.get("/measurement-runs/new")
def run_new(
    request: Request, db: PageDb, info: WebSession, system_id: str = "", kind: str = "fairness"
) -> object:
    return _form_page(request, db, info, {"system_id": system_id, "kind": kind})


def _split(text: str) -> list[str] | None:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    return parts or None


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


async def _upload(form: FormData, name: str) -> runs.Upload | None:
    value = form.get(name)
    if not isinstance(value, UploadFile) or not value.filename:
        return None
    data = await value.read(get_settings().max_upload_bytes + 1)
    return runs.Upload(data, value.filename, name)


@router.post("/measurement-runs/new")
async def run_create(request: Request, db: PageDb, info: CsrfSession) -> Response:
    ctx = info.context
    form = await request.form()
    values = {k: str(form.get(k) or "").strip() for k in TEXT_FIELDS}
    try:
        ctx.require(Permission.EDIT)
        if not values["system_id"]:
            raise runs.invalid("system_id", "choose the AI system the log comes from")
        runs.get_scoped_system(db, ctx, values["system_id"])
        raw: dict[str, Any] = {k: values[k] or None for k in OPTION_FIELDS}
        for k in ("sensitive", "columns", "expected_columns"):
            raw[k] = _split(values[k])
        for k in ("ranges", "categories"):
            raw[k] = _lines(values[k])
        chosen = runs.form_options(values["kind"], raw)
        bounds = runs.parse_limits(_lines(values["limits"]))
        control = runs.choose_control(chosen.kind, values["control_id"] or None)
        uploads = runs.needed_uploads(
            chosen.kind,
            await _upload(form, "file"),
            await _upload(form, "reference"),
            await _upload(form, "current"),
        )
        record = runs.measure_upload(chosen.kind, uploads, chosen.options)
        with db.begin_nested():
            run = runs.store_run(
                db, ctx, values["system_id"], record,
                limits=bounds, control_id=control, note=values["note"], source="upload",
            )  # fmt: skip
    except AimsError as exc:
        if exc.status in (401, 403, 404) and not exc.errors:
            raise
        return _form_page(request, db, info, values, form_errors(exc), exc.status)
    return RedirectResponse(f"/measurement-runs/{run.id}?created=1", status_code=303)


@router.get("/measurement-runs/{run_id}")
def run_detail(request: Request, db: PageDb, info: WebSession, run_id: uuid.UUID) -> object:
    ctx = info.context
    run = runs.get_run(db, ctx, run_id)
    item = runs.evidence_of(db, ctx, run)
    return render(
        request,
        "measure/detail.html",
        {
            "run": run,
            "evidence": item,
            "fed": runs.fed_measurements(db, ctx, run),
            "charts": run_present.charts(run),
            "fairness": run_present.fairness_rows(run) if run.kind == "fairness" else [],
            "comparisons": run_present.comparisons(run),
            "verdict": run_present.verdict_of(run),
            "fmt": run_present.fmt,
            "can_edit": ctx.can(Permission.EDIT),
        },
    )


@router.post("/measurement-runs/{run_id}/delete")
async def run_delete(
    request: Request, db: PageDb, info: CsrfSession, run_id: uuid.UUID
) -> Response:
    form = await request.form()
    run = runs.get_run(db, info.context, run_id)
    runs.delete_run(db, info.context, run, version=form_version(form))
    return RedirectResponse("/measurement-runs?deleted=1", status_code=303)
