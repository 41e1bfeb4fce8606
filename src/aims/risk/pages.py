"""Risk pages: the register with its heat map, a risk with its treatment, the criteria, and the
SoA with inline editing and versions."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from aims.access import service as access
from aims.access.rules import Permission
from aims.catalog.loader import get_catalog
from aims.errors import AimsError, FieldError, NotFound, ValidationFailed
from aims.exports.http import attachment
from aims.risk import rules, service
from aims.risk.models import Risk
from aims.risk.present import register_file, risk_out, soa_file
from aims.risk.schemas import (
    ActionIn,
    ActionPatch,
    ActionStatus,
    DecisionIn,
    FromReferralIn,
    OwnControlIn,
    RiskFields,
    RiskIn,
    RiskPatch,
    RiskStatus,
    TreatmentOption,
)
from aims.store.listing import ListParams
from aims.systems import service as systems
from aims.web.errors import html_status
from aims.web.forms import form_version, validation_errors
from aims.web.security import CsrfSession, PageDb, WebSession
from aims.web.templating import render

router = APIRouter(include_in_schema=False)


def _criteria_context(db: PageDb, info: WebSession) -> dict[str, Any]:
    number, criteria, note = service.current_criteria(db, info.context)
    return {"criteria": criteria, "criteria_number": number, "criteria_note": note,
            "level_rank": {lv.id: i for i, lv in enumerate(criteria.levels)},
            "level_label": {lv.id: lv.label for lv in criteria.levels}}  # fmt: skip


# --- The register ------------------------------------------------------------------------------


@router.get("/risks")
def register(
    request: Request,
    db: PageDb,
    info: WebSession,
    q: str = "",
    system_id: str = "",
    residual_level: str = "",
    status: str = "",
    owner: str = "",
    sort: str = "ref",
    cursor: str | None = None,
) -> object:
    ctx = info.context
    f = {"q": q, "system_id": system_id, "residual_level": residual_level, "status": status,
         "owner": owner, "sort": sort}  # fmt: skip
    try:
        owner_id = access.member_id(db, ctx, owner, field="owner") if owner else None
    except AimsError as exc:
        return html_status(request, exc.status, exc.detail, title="Bad filter")
    params = ListParams(limit=50, cursor=cursor, q=q or None, sort=sort or None).with_filters(
        system_id=system_id or None,
        residual_level=residual_level or None,
        status=status or None,
        owner_id=str(owner_id) if owner_id else None,
    )
    try:
        page = service.list_risks(db, ctx, params)
    except AimsError as exc:
        return html_status(request, exc.status, exc.detail, title="Bad filter")
    return render(
        request, "risk/list.html",
        {"page": page, "f": f, "heatmap": service.heat_map(db, ctx),
         "systems": systems.list_systems(db, ctx, ListParams(limit=200)).items,
         "statuses": list(RiskStatus), "attention": service.attention(db, ctx),
         "members": access.member_emails(db, ctx),
         "referrals": service.pending_referrals(db, ctx), "can_edit": ctx.can(Permission.EDIT),
         "base_query": urlencode({k: v for k, v in f.items() if v}),
         **_criteria_context(db, info)},
    )  # fmt: skip


@router.get("/risks/export.{fmt}")
def export_register(
    fmt: str,
    db: PageDb,
    info: WebSession,
    q: str = "",
    system_id: uuid.UUID | None = None,
    residual_level: str = "",
    status: str = "",
    owner: str = "",
) -> Response:
    """The register as the page shows it: the same filters apply to the file."""
    if fmt not in ("xlsx", "csv"):
        raise NotFound("the register exports as XLSX or CSV")
    ctx = info.context
    owner_id = access.member_id(db, ctx, owner, field="owner") if owner else None
    return attachment(*register_file(db, ctx, fmt, q=q, system_id=system_id,
                                     residual_level=residual_level or None,
                                     status=status or None, owner_id=owner_id))  # fmt: skip


def _form_page(
    request: Request,
    db: PageDb,
    info: WebSession,
    *,
    risk: Risk | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    catalog = get_catalog()
    members = access.member_emails(db, info.context)
    return render(
        request, "risk/form.html",
        {"risk": risk, "v": values, "errors": errors or {},
         "systems": systems.list_systems(db, info.context, ListParams(limit=200)).items,
         "sources": catalog.risk_sources, "objectives": catalog.objectives,
         "members": members, "options": list(TreatmentOption),
         "statuses": list(RiskStatus), **_criteria_context(db, info)},
        status_code=status_code,
    )  # fmt: skip


TEXT_FIELDS = ("title", "description", "own_source", "consequences_org",
               "consequences_individuals", "consequences_society", "existing_controls")  # fmt: skip


def _risk_raw(form: FormData) -> dict[str, Any]:
    """The form as RiskFields input: blanks clear optional choices, numbers stay strings for
    the model to check."""
    raw: dict[str, Any] = {k: str(form.get(k) or "") for k in TEXT_FIELDS}
    for key in ("system_id", "source", "owner_email", "inherent_likelihood",
                "inherent_consequence", "residual_likelihood", "residual_consequence",
                "treatment_option", "next_review", "status"):  # fmt: skip
        value = str(form.get(key) or "").strip()
        raw[key] = value or None
    raw["objectives"] = [str(v) for v in form.getlist("objectives")]
    if raw["status"] is None:
        raw.pop("status")
    return raw


@router.get("/risks/new")
def new_risk(request: Request, db: PageDb, info: WebSession, system_id: str = "") -> HTMLResponse:
    info.context.require(Permission.EDIT)
    return _form_page(request, db, info, risk=None, values={"system_id": system_id})


@router.post("/risks/new")
async def create_risk(request: Request, db: PageDb, info: CsrfSession) -> object:
    raw = _risk_raw(await request.form())
    try:
        body = RiskIn.model_validate(raw)
        with db.begin_nested():
            risk = service.create_risk(db, info.context, body)
    except (ValidationError, AimsError) as exc:
        return _form_page(request, db, info, risk=None, values=raw, errors=validation_errors(exc),
                          status_code=422)  # fmt: skip
    return RedirectResponse(f"/risks/{risk.id}?created=1", status_code=303)


@router.get("/risks/criteria")
def criteria_page(request: Request, db: PageDb, info: WebSession) -> HTMLResponse:
    return render(request, "risk/criteria.html",
                  {**_criteria_context(db, info), "changes": None, "errors": [],
                   "can_edit": info.context.can(Permission.APPROVE)})  # fmt: skip


def _criteria_from(form: FormData, current: rules.Criteria) -> dict[str, Any]:
    """The criteria form: scale sizes and labels, level labels and acceptance, the grid."""
    n_l = int(str(form.get("n_likelihood") or len(current.likelihood)))
    n_c = int(str(form.get("n_consequence") or len(current.consequence)))
    if not (
        rules.MIN_SCALE <= n_l <= rules.MAX_SCALE and rules.MIN_SCALE <= n_c <= rules.MAX_SCALE
    ):
        raise ValueError("scale sizes run from 3 to 6")
    levels = []
    for i in range(len(current.levels)):
        level_id = str(form.get(f"level_id_{i}") or current.levels[i].id)
        acceptable = form.get(f"level_acceptable_{i}") == "on"
        levels.append({"id": level_id, "label": str(form.get(f"level_label_{i}") or level_id),
                       "acceptable": acceptable,
                       "accept_roles": [str(r) for r in form.getlist(f"level_roles_{i}")]
                       if acceptable else []})  # fmt: skip
    return {
        "likelihood": [{"value": v, "label": str(form.get(f"l_label_{v}") or f"L{v}"),
                        "description": str(form.get(f"l_desc_{v}") or "")}
                       for v in range(1, n_l + 1)],
        "consequence": [{"value": v, "label": str(form.get(f"c_label_{v}") or f"C{v}"),
                         "description": str(form.get(f"c_desc_{v}") or "")}
                        for v in range(1, n_c + 1)],
        "levels": levels,
        "matrix": _grid(form, n_l, n_c, [str(lv["id"]) for lv in levels]),
    }  # fmt: skip


def _grid(form: FormData, n_l: int, n_c: int, ids: list[str]) -> list[list[str]]:
    """The matrix from the form; a cell new after a resize starts at the higher of its lower
    neighbours, so a grown scale stays monotone until people change it."""
    rank = {level: i for i, level in enumerate(ids)}
    matrix: list[list[str]] = []
    for li in range(1, n_l + 1):
        row: list[str] = []
        for ci in range(1, n_c + 1):
            sent = str(form.get(f"cell_{li}_{ci}") or "")
            if not sent:
                below = [matrix[li - 2][ci - 1]] if li > 1 else []
                left = [row[ci - 2]] if ci > 1 else []
                sent = max([*below, *left, ids[0]], key=lambda x: rank.get(x, 0))
            row.append(sent)
        matrix.append(row)
    return matrix


@router.post("/risks/criteria")
async def save_criteria(request: Request, db: PageDb, info: CsrfSession) -> object:
    info.context.require(Permission.APPROVE)
    form = await request.form()
    context = _criteria_context(db, info)
    errors: list[str] = []
    typed: Any = None  # what the person sent, shown again when it is refused
    try:
        raw = _criteria_from(form, context["criteria"])
        # Not validated: the page reads the same fields from a plain copy of the form.
        typed = rules.Criteria.model_construct(**raw)
        criteria = rules.Criteria.model_validate(raw)
        with db.begin_nested():
            result = service.save_criteria(
                db, info.context, criteria, based_on=int(str(form.get("based_on") or "-1")),
                confirm=form.get("confirm") == "yes", note=str(form.get("note") or ""),
            )  # fmt: skip
    except ValidationError as exc:
        errors = [str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()]
    except AimsError as exc:
        errors = [exc.detail]
    except ValueError:
        errors = ["the scale sizes must be numbers from 3 to 6"]
    if errors:
        shown = {"criteria": typed} if typed is not None else {}
        return render(request, "risk/criteria.html",
                      {**context, **shown, "changes": None, "errors": errors, "can_edit": True},
                      status_code=422)  # fmt: skip
    if not result.applied:
        # Show what would change, with the same form to confirm.
        preview = {**context, "criteria": criteria, "changes": result.changes, "errors": [],
                   "can_edit": True, "confirming": True}  # fmt: skip
        return render(request, "risk/criteria.html", preview)
    return RedirectResponse("/risks/criteria?saved=1", status_code=303)


@router.post("/risks/referrals/{referral_id}")
def take_up(referral_id: uuid.UUID, db: PageDb, info: CsrfSession) -> RedirectResponse:
    risk = service.risk_from_referral(db, info.context, referral_id, FromReferralIn())
    return RedirectResponse(f"/risks/{risk.id}?created=1", status_code=303)


# --- One risk ----------------------------------------------------------------------------------


def _detail(
    request: Request, db: PageDb, info: WebSession, risk: Risk, *,
    errors: dict[str, str] | None = None, status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    ctx = info.context
    members = access.member_emails(db, ctx)
    return render(
        request, "risk/detail.html",
        {"r": risk, "out": risk_out(db, ctx, risk),
         "reviews": service.reviews_of(db, ctx, risk),
         "actions": service.actions_of(db, ctx, risk),
         "controls": service.controls_of(db, ctx, risk),
         "all_controls": list(get_catalog().controls.values()), "errors": errors or {},
         "own_controls": service.own_controls(db, ctx),
         "members": members, "action_statuses": list(ActionStatus),
         "can_edit": ctx.can(Permission.EDIT), "is_owner": risk.owner_id == ctx.user_id,
         "today": date.today(), **_criteria_context(db, info)},
        status_code=status_code,
    )  # fmt: skip


@router.get("/risks/{risk_id}")
def risk_detail(risk_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    return _detail(request, db, info, service.get_risk(db, info.context, risk_id))


@router.get("/risks/{risk_id}/edit")
def edit_risk(risk_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    info.context.require(Permission.EDIT)
    risk = service.get_risk(db, info.context, risk_id)
    values = {c: getattr(risk, c) for c in RiskFields.model_fields if hasattr(risk, c)}
    values["owner_email"] = risk.owner.email if risk.owner else None
    values["version"] = risk.version
    return _form_page(request, db, info, risk=risk, values=values)


@router.post("/risks/{risk_id}/edit")
async def update_risk(
    risk_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    risk = service.get_risk(db, info.context, risk_id)
    form = await request.form()
    raw = _risk_raw(form)
    try:
        body = RiskPatch.model_validate({**raw, "version": str(form.get("version") or "-1")})
        with db.begin_nested():
            service.update_risk(db, info.context, risk, body, version=body.version)
    except (ValidationError, AimsError) as exc:
        db.expire_all()
        found = validation_errors(exc)
        return _form_page(request, db, info, risk=service.get_risk(db, info.context, risk_id),
                          values={**raw, "version": form.get("version")}, errors=found,
                          status_code=getattr(exc, "status", 422))  # fmt: skip
    return RedirectResponse(f"/risks/{risk.id}?saved=1", status_code=303)


async def _act(request: Request, db: PageDb, info: WebSession, risk_id: uuid.UUID,
               action: Any) -> object:  # fmt: skip
    """Run one treatment action; a refusal shows on the risk's page, beside its form."""
    risk = service.get_risk(db, info.context, risk_id)
    form = await request.form()
    try:
        with db.begin_nested():
            action(risk, form)
    except (ValidationError, AimsError, ValueError) as exc:
        db.expire_all()
        errors = (validation_errors(exc) if isinstance(exc, ValidationError | AimsError)
                  else {"_form": "the form is out of date; reload the page"})  # fmt: skip
        return _detail(request, db, info, service.get_risk(db, info.context, risk_id),
                       errors=errors, status_code=getattr(exc, "status", 422))  # fmt: skip
    return RedirectResponse(f"/risks/{risk.id}", status_code=303)


@router.post("/risks/{risk_id}/controls")
async def select_control(
    risk_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    def run(risk: Risk, form: FormData) -> None:
        service.select_control(db, info.context, risk, str(form.get("control_id") or ""),
                               str(form.get("note") or ""))  # fmt: skip

    return await _act(request, db, info, risk_id, run)


@router.post("/risks/{risk_id}/controls/{control_id}/remove")
async def deselect_control(
    risk_id: uuid.UUID, control_id: str, request: Request, db: PageDb, info: CsrfSession
) -> object:
    def run(risk: Risk, _form: FormData) -> None:
        service.deselect_control(db, info.context, risk, control_id)

    return await _act(request, db, info, risk_id, run)


@router.post("/risks/{risk_id}/actions")
async def add_action(risk_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession) -> object:
    def run(risk: Risk, form: FormData) -> None:
        body = ActionIn.model_validate({
            "title": str(form.get("title") or ""),
            "owner_email": str(form.get("owner_email") or "") or None,
            "due_date": str(form.get("due_date") or "") or None,
        })  # fmt: skip
        service.add_action(db, info.context, risk, body)

    return await _act(request, db, info, risk_id, run)


@router.post("/risks/{risk_id}/actions/{action_id}")
async def update_action(
    risk_id: uuid.UUID, action_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    def run(risk: Risk, form: FormData) -> None:
        body = ActionPatch.model_validate(
            {"version": form_version(form), "status": str(form.get("status") or "")}
        )
        service.update_action(db, info.context, risk, action_id, body)

    return await _act(request, db, info, risk_id, run)


@router.post("/risks/{risk_id}/accept")
async def accept(risk_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession) -> object:
    def run(risk: Risk, form: FormData) -> None:
        expires = str(form.get("expires") or "")
        if not expires:
            raise ValidationFailed(
                "say until when the acceptance holds",
                errors=[FieldError(("body", "expires"), "say until when the acceptance holds")],
            )
        service.accept_risk(db, info.context, risk, reason=str(form.get("reason") or ""),
                            expires=date.fromisoformat(expires),
                            version=form_version(form))  # fmt: skip

    return await _act(request, db, info, risk_id, run)


@router.post("/risks/{risk_id}/review")
async def review(risk_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession) -> object:
    def run(risk: Risk, form: FormData) -> None:
        note = str(form.get("note") or "").strip()
        if not note:
            raise ValidationFailed(
                "say what the review found",
                errors=[FieldError(("body", "note"), "say what the review found")],
            )
        nxt = str(form.get("next_review") or "")
        service.review_risk(db, info.context, risk, note=note,
                            version=form_version(form),
                            next_review=date.fromisoformat(nxt) if nxt else None,
                            residual=None)  # fmt: skip

    return await _act(request, db, info, risk_id, run)


@router.post("/risks/{risk_id}/delete")
async def delete(risk_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession) -> object:
    risk = service.get_risk(db, info.context, risk_id)
    form = await request.form()
    service.delete_risk(db, info.context, risk, version=form_version(form))
    return RedirectResponse("/risks?deleted=1", status_code=303)


# --- The SoA -----------------------------------------------------------------------------------


def _soa_context(db: PageDb, info: WebSession) -> dict[str, Any]:
    ctx = info.context
    members = access.member_emails(db, ctx)
    entries = service.soa(db, ctx)
    return {"entries": entries, "problems": sum(1 for e in entries if e.row.problems),
            "versions": service.soa_versions(db, ctx), "statuses": list(rules.ImplementationStatus),
            "members": members, "can_edit": ctx.can(Permission.EDIT),
            "can_approve": ctx.can(Permission.APPROVE)}  # fmt: skip


@router.get("/soa")
def soa_page(request: Request, db: PageDb, info: WebSession) -> HTMLResponse:
    return render(request, "risk/soa.html", _soa_context(db, info))


@router.get("/soa/export.{fmt}")
def soa_export(fmt: str, db: PageDb, info: WebSession, version: str | None = None) -> Response:
    if fmt not in ("xlsx", "pdf"):
        raise NotFound("the SoA exports as XLSX or PDF")
    return attachment(*soa_file(db, info.context, fmt, version))


def _entry(db: PageDb, info: WebSession, control_id: str) -> service.SoaEntry:
    found = next((e for e in service.soa(db, info.context) if e.row.control_id == control_id), None)
    if found is None:
        raise NotFound(f"no Annex A control '{control_id}'")
    return found


@router.get("/soa/{control_id}/edit")
def soa_row_form(control_id: str, request: Request, db: PageDb, info: WebSession) -> HTMLResponse:
    """The inline editor of one row (HTMX swaps it into the table)."""
    context = {**_soa_context(db, info), "e": _entry(db, info, control_id), "errors": {}}
    context["v"] = service.stored_decision(db, info.context, control_id)
    return render(request, "risk/soa_row_form.html", context)


@router.get("/soa/{control_id}")
def soa_row(control_id: str, request: Request, db: PageDb, info: WebSession) -> HTMLResponse:
    return render(request, "risk/soa_row.html",
                  {**_soa_context(db, info), "e": _entry(db, info, control_id)})  # fmt: skip


@router.post("/soa/{control_id}")
async def soa_decide(
    control_id: str, request: Request, db: PageDb, info: CsrfSession
) -> HTMLResponse:
    form = await request.form()
    applicable = {"yes": True, "no": False}.get(str(form.get("applicable") or ""))
    raw = {
        "version": str(form.get("version") or "-1"), "applicable": applicable,
        "inclusion_note": str(form.get("inclusion_note") or ""),
        "exclusion_reason": str(form.get("exclusion_reason") or ""),
        "override_reason": str(form.get("override_reason") or ""),
        "status": str(form.get("status") or "not_started"),
        "owner_email": str(form.get("owner_email") or "") or None,
    }  # fmt: skip
    try:
        body = DecisionIn.model_validate(raw)
        with db.begin_nested():
            entry = service.decide(db, info.context, control_id, body)
    except (ValidationError, AimsError) as exc:
        db.expire_all()
        return render(request, "risk/soa_row_form.html",
                      {**_soa_context(db, info), "e": _entry(db, info, control_id),
                       "errors": validation_errors(exc), "v": raw},
                      status_code=200 if request.headers.get("HX-Request") else 422)  # fmt: skip
    if request.headers.get("HX-Request"):
        return render(request, "risk/soa_row.html", {**_soa_context(db, info), "e": entry})
    return HTMLResponse(status_code=303, headers={"Location": "/soa"})


@router.post("/soa-own-controls")
async def add_own_control(request: Request, db: PageDb, info: CsrfSession) -> object:
    form = await request.form()
    raw = {"code": str(form.get("code") or ""), "title": str(form.get("title") or "")}
    try:
        body = OwnControlIn.model_validate(raw)
        with db.begin_nested():
            service.create_own_control(db, info.context, code=body.code, title=body.title)
    except (ValidationError, AimsError) as exc:
        db.expire_all()
        errors = validation_errors(exc)
        return render(request, "risk/soa.html",
                      {**_soa_context(db, info), "own_errors": errors, "own_values": raw},
                      status_code=getattr(exc, "status", 422))  # fmt: skip
    return RedirectResponse("/soa#own", status_code=303)


@router.post("/soa-versions")
async def snapshot(request: Request, db: PageDb, info: CsrfSession) -> RedirectResponse:
    form = await request.form()
    service.snapshot_soa(db, info.context, str(form.get("note") or ""))
    return RedirectResponse("/soa#versions", status_code=303)


@router.post("/soa-versions/{version_id}/approve")
async def approve_version(
    version_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    form = await request.form()
    v = service.get_soa_version(db, info.context, version_id)
    try:
        with db.begin_nested():
            service.approve_soa(db, info.context, v, expected=form_version(form))
    except AimsError as exc:
        db.expire_all()
        context = _soa_context(db, info)
        return render(request, "risk/soa.html", {**context, "problem": exc.detail},
                      status_code=exc.status)  # fmt: skip
    return RedirectResponse("/soa#versions", status_code=303)


@router.get("/soa-versions/{version_id}/compare")
def compare_versions(
    version_id: uuid.UUID, request: Request, db: PageDb, info: WebSession
) -> HTMLResponse:
    other = request.query_params.get("with")
    if not other:
        raise NotFound("say which version to compare with (?with=)")
    a, b, changes = service.compare_soa(db, info.context, str(version_id), other)
    return render(request, "risk/soa_compare.html", {"a": a, "b": b, "changes": changes})
