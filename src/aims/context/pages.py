"""Context pages: issues, the climate determination and interested parties (/context), the legal
register (/context/requirements) and the scope statement (/scope)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from aims.access import service as access
from aims.access.rules import Permission
from aims.approval.rules import Status
from aims.catalog.loader import get_catalog
from aims.context import present, service
from aims.context.models import ScopeStatement
from aims.context.schemas import (
    IssueIn,
    IssuePatch,
    LegalIn,
    LegalPatch,
    PartyIn,
    PartyPatch,
    RequirementIn,
    RequirementPatch,
    ScopeFields,
    ScopePatch,
)
from aims.context.vocab import (
    Addressed,
    Direction,
    RequirementKind,
    RequirementStatus,
    get_vocabulary,
)
from aims.errors import AimsError, NotFound, ValidationFailed
from aims.exports.http import attachment
from aims.store.listing import ListParams
from aims.systems import service as systems
from aims.web.errors import html_status
from aims.web.forms import form_version
from aims.web.security import CsrfSession, PageDb, WebSession
from aims.web.templating import render

router = APIRouter(include_in_schema=False)
BLANK_ROWS = 2  # empty inclusion/exclusion rows offered below the filled ones


def _errors(exc: ValidationError | AimsError) -> dict[str, str]:
    """Errors keyed by form field: ``exclusions_0_reason`` for a list row, else the name."""
    found: dict[str, str] = {}
    if isinstance(exc, AimsError):
        for e in exc.errors:
            parts = [str(p) for p in e.loc if p not in ("body", "query")]
            found.setdefault("_".join(parts) or "_form", e.msg)
        return found or {"_form": exc.detail}
    for detail in exc.errors():
        name = "_".join(str(p) for p in detail["loc"]) or "_form"
        found.setdefault(name, str(detail["msg"]).removeprefix("Value error, "))
    return found


def _text(form: FormData, name: str) -> str:
    return str(form.get(name) or "").strip()


def _optional(form: FormData, name: str) -> str | None:
    return _text(form, name) or None


def _members(db: PageDb, info: WebSession) -> list[str]:
    members = access.member_emails(db, info.context)
    return members


def _systems(db: PageDb, info: WebSession) -> list[Any]:
    return systems.list_systems(db, info.context, ListParams(limit=200)).items


async def _save(
    request: Request,
    db: PageDb,
    build: Callable[[], BaseModel],
    write: Callable[[Any], Any],
    again: Callable[[dict[str, str], int], HTMLResponse],
) -> Any:
    """Validate the form, run the service in a savepoint, or show the form again with errors
    beside the fields (422, or 409 for a stale version)."""
    try:
        body = build()
        with db.begin_nested():
            return write(body)
    except (ValidationError, AimsError) as exc:
        db.expire_all()
        return again(_errors(exc), getattr(exc, "status", 422))


# --- The context page: climate, issues, parties ------------------------------------------------


@router.get("/context")
def context_page(
    request: Request,
    db: PageDb,
    info: WebSession,
    q: str = "",
    direction: str = "",
    category: str = "",
    climate: str = "",
    party_q: str = "",
    kind: str = "",
    cursor: str | None = None,
) -> object:
    ctx = info.context
    f = {"q": q, "direction": direction, "category": category, "climate": climate,
         "party_q": party_q, "kind": kind}  # fmt: skip
    params = ListParams(limit=50, cursor=cursor, q=q or None).with_filters(
        direction=direction or None, category=category or None,
        climate_related="true" if climate == "yes" else None,
    )  # fmt: skip
    try:
        issues = service.list_issues(db, ctx, params)
        parties = service.list_parties(
            db, ctx, ListParams(limit=200, q=party_q or None).with_filters(kind=kind or None)
        )
    except AimsError as exc:
        return html_status(request, exc.status, exc.detail, title="Bad filter")
    return render(
        request, "context/index.html",
        {"issues": issues, "parties": parties.items,
         "requirements": service.requirements_of(db, ctx, parties.items),
         "climate": present.climate_out(service.get_climate(db, ctx)),
         "unaddressed": service.unaddressed_requirements(db, ctx), "f": f,
         "vocab": get_vocabulary(), "directions": list(Direction),
         "can_edit": ctx.can(Permission.EDIT), "can_decide": ctx.can(Permission.APPROVE),
         "overdue": service.review_overdue, "errors": {},
         "base_query": urlencode({k: v for k, v in f.items() if v})},
    )  # fmt: skip


@router.get("/context/climate")
def climate_form(request: Request, db: PageDb, info: WebSession) -> HTMLResponse:
    info.context.require(Permission.APPROVE)
    climate = present.climate_out(service.get_climate(db, info.context))
    values = {"relevant": climate.relevant, "reasoning": climate.reasoning,
              "version": climate.version}  # fmt: skip
    return render(request, "context/climate_form.html", {"v": values, "errors": {}})


@router.post("/context/climate")
async def save_climate(request: Request, db: PageDb, info: CsrfSession) -> object:
    form = await request.form()
    choice = _text(form, "relevant")
    relevant = {"yes": True, "no": False}.get(choice)
    values = {"relevant": relevant, "reasoning": _text(form, "reasoning"),
              "version": form_version(form)}  # fmt: skip
    try:
        with db.begin_nested():
            service.save_climate(
                db, info.context, relevant=relevant, reasoning=str(values["reasoning"]),
                version=int(values["version"] or 0),
            )  # fmt: skip
    except AimsError as exc:
        return render(request, "context/climate_form.html",
                      {"v": values, "errors": _errors(exc)}, status_code=exc.status)  # fmt: skip
    return RedirectResponse("/context?saved=climate", status_code=303)


# --- Issues ------------------------------------------------------------------------------------


def _issue_raw(form: FormData) -> dict[str, Any]:
    return {"title": _text(form, "title"), "direction": _optional(form, "direction"),
            "category": _optional(form, "category"), "description": _text(form, "description"),
            "effect": _text(form, "effect"), "owner_email": _optional(form, "owner_email"),
            "review_date": _optional(form, "review_date"),
            "climate_related": form.get("climate_related") == "on"}  # fmt: skip


def _issue_form(
    request: Request, db: PageDb, info: WebSession, *, issue_id: uuid.UUID | None,
    values: dict[str, Any], errors: dict[str, str] | None = None, status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    return render(
        request, "context/issue_form.html",
        {"issue_id": issue_id, "v": values, "errors": errors or {}, "vocab": get_vocabulary(),
         "directions": list(Direction), "members": _members(db, info)},
        status_code=status_code,
    )  # fmt: skip


@router.get("/context/issues/new")
def new_issue(request: Request, db: PageDb, info: WebSession) -> HTMLResponse:
    info.context.require(Permission.EDIT)
    return _issue_form(request, db, info, issue_id=None, values={"direction": "external"})


@router.post("/context/issues/new")
async def create_issue(request: Request, db: PageDb, info: CsrfSession) -> object:
    raw = _issue_raw(await request.form())
    result = await _save(
        request, db, lambda: IssueIn.model_validate(raw),
        lambda body: service.create_issue(db, info.context, body),
        lambda errors, code: _issue_form(request, db, info, issue_id=None, values=raw,
                                         errors=errors, status_code=code),
    )  # fmt: skip
    if isinstance(result, Response):
        return result
    return RedirectResponse("/context?saved=issue#issues", status_code=303)


@router.get("/context/issues/{issue_id}/edit")
def edit_issue(issue_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    info.context.require(Permission.EDIT)
    issue = service.get_issue(db, info.context, issue_id)
    out = present.issue_out(issue)
    values = {**out.model_dump(), "owner_email": out.owner, "direction": out.direction.value}
    return _issue_form(request, db, info, issue_id=issue.id, values=values)


@router.post("/context/issues/{issue_id}/edit")
async def update_issue(
    issue_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    issue = service.get_issue(db, info.context, issue_id)
    form = await request.form()
    raw = {**_issue_raw(form), "version": form_version(form)}
    result = await _save(
        request, db, lambda: IssuePatch.model_validate(raw),
        lambda body: service.update_issue(db, info.context, issue, body, version=body.version),
        lambda errors, code: _issue_form(request, db, info, issue_id=issue_id, values=raw,
                                         errors=errors, status_code=code),
    )  # fmt: skip
    if isinstance(result, Response):
        return result
    return RedirectResponse("/context?saved=issue#issues", status_code=303)


def _deleted(kind: str, record_id: uuid.UUID, anchor: str, base: str = "/context") -> str:
    return f"{base}?{urlencode({'deleted': kind, 'id': str(record_id)})}#{anchor}"


@router.post("/context/issues/{issue_id}/delete")
async def delete_issue(
    issue_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> RedirectResponse:
    issue = service.get_issue(db, info.context, issue_id)
    service.delete_issue(db, info.context, issue, version=form_version(await request.form()))
    return RedirectResponse(_deleted("issue", issue_id, "issues"), status_code=303)


@router.post("/context/issues/{issue_id}/restore")
def restore_issue(issue_id: uuid.UUID, db: PageDb, info: CsrfSession) -> RedirectResponse:
    service.restore_issue(db, info.context, issue_id)
    return RedirectResponse("/context?saved=restored#issues", status_code=303)


# --- Interested parties and their requirements -------------------------------------------------


def _party_raw(form: FormData) -> dict[str, Any]:
    return {"name": _text(form, "name"), "kind": _optional(form, "kind"),
            "description": _text(form, "description")}  # fmt: skip


def _requirement_raw(form: FormData) -> dict[str, Any]:
    return {"text": _text(form, "text"), "addressed": _optional(form, "addressed") or "no",
            "response": _text(form, "response"),
            "climate_related": form.get("climate_related") == "on",
            "legal_requirement_id": _optional(form, "legal_requirement_id")}  # fmt: skip


def _legal_choices(db: PageDb, info: WebSession) -> list[Any]:
    return service.list_legal(db, info.context, ListParams(limit=200)).items


def _party_form(
    request: Request, db: PageDb, info: WebSession, *, party_id: uuid.UUID | None,
    values: dict[str, Any], errors: dict[str, str] | None = None, status_code: int = 200,
    req_values: dict[str, Any] | None = None, req_errors: dict[str, str] | None = None,
) -> HTMLResponse:  # fmt: skip
    party = service.get_party(db, info.context, party_id) if party_id else None
    requirements = service.requirements_of(db, info.context, [party])[party.id] if party else []
    return render(
        request, "context/party_form.html",
        {"party_id": party_id, "v": values, "errors": errors or {}, "vocab": get_vocabulary(),
         "requirements": requirements, "rv": req_values or {"addressed": "no"},
         "rerrors": req_errors or {}, "addressed": list(Addressed),
         "legal": _legal_choices(db, info), "can_edit": info.context.can(Permission.EDIT)},
        status_code=status_code,
    )  # fmt: skip


@router.get("/context/parties/new")
def new_party(request: Request, db: PageDb, info: WebSession) -> HTMLResponse:
    info.context.require(Permission.EDIT)
    return _party_form(request, db, info, party_id=None, values={})


@router.post("/context/parties/new")
async def create_party(request: Request, db: PageDb, info: CsrfSession) -> object:
    raw = _party_raw(await request.form())
    result = await _save(
        request, db, lambda: PartyIn.model_validate(raw),
        lambda body: service.create_party(db, info.context, body),
        lambda errors, code: _party_form(request, db, info, party_id=None, values=raw,
                                         errors=errors, status_code=code),
    )  # fmt: skip
    if isinstance(result, Response):
        return result
    return RedirectResponse(f"/context/parties/{result.id}?saved=1", status_code=303)


@router.get("/context/parties/{party_id}")
def party_page(party_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    party = service.get_party(db, info.context, party_id)
    values = {"name": party.name, "kind": party.kind, "description": party.description,
              "version": party.version}  # fmt: skip
    return _party_form(request, db, info, party_id=party.id, values=values)


@router.post("/context/parties/{party_id}")
async def update_party(
    party_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    party = service.get_party(db, info.context, party_id)
    form = await request.form()
    raw = {**_party_raw(form), "version": form_version(form)}
    result = await _save(
        request, db, lambda: PartyPatch.model_validate(raw),
        lambda body: service.update_party(db, info.context, party, body, version=body.version),
        lambda errors, code: _party_form(request, db, info, party_id=party_id, values=raw,
                                         errors=errors, status_code=code),
    )  # fmt: skip
    if isinstance(result, Response):
        return result
    return RedirectResponse(f"/context/parties/{party_id}?saved=1", status_code=303)


@router.post("/context/parties/{party_id}/delete")
async def delete_party(
    party_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> RedirectResponse:
    party = service.get_party(db, info.context, party_id)
    service.delete_party(db, info.context, party, version=form_version(await request.form()))
    return RedirectResponse(_deleted("party", party_id, "parties"), status_code=303)


@router.post("/context/parties/{party_id}/restore")
def restore_party(party_id: uuid.UUID, db: PageDb, info: CsrfSession) -> RedirectResponse:
    service.restore_party(db, info.context, party_id)
    return RedirectResponse(f"/context/parties/{party_id}?saved=1", status_code=303)


@router.post("/context/parties/{party_id}/requirements")
async def add_requirement(
    party_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    party = service.get_party(db, info.context, party_id)
    raw = _requirement_raw(await request.form())
    values = {"name": party.name, "kind": party.kind, "description": party.description,
              "version": party.version}  # fmt: skip
    result = await _save(
        request, db, lambda: RequirementIn.model_validate(raw),
        lambda body: service.add_requirement(db, info.context, party, body),
        lambda errors, code: _party_form(request, db, info, party_id=party_id, values=values,
                                         req_values=raw, req_errors=errors, status_code=code),
    )  # fmt: skip
    if isinstance(result, Response):
        return result
    return RedirectResponse(f"/context/parties/{party_id}?saved=requirement#requirements",
                            status_code=303)  # fmt: skip


def _requirement_form(
    request: Request, db: PageDb, info: WebSession, requirement_id: uuid.UUID, *,
    values: dict[str, Any], errors: dict[str, str] | None = None, status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    found = service.get_requirement(db, info.context, requirement_id)
    return render(
        request, "context/requirement_form.html",
        {"r": found, "v": values, "errors": errors or {}, "addressed": list(Addressed),
         "legal": _legal_choices(db, info)},
        status_code=status_code,
    )  # fmt: skip


@router.get("/context/party-requirements/{requirement_id}/edit")
def edit_requirement(
    requirement_id: uuid.UUID, request: Request, db: PageDb, info: WebSession
) -> HTMLResponse:
    info.context.require(Permission.EDIT)
    found = service.get_requirement(db, info.context, requirement_id)
    values = {"text": found.text, "addressed": found.addressed, "response": found.response,
              "climate_related": found.climate_related,
              "legal_requirement_id": str(found.legal_requirement_id or ""),
              "version": found.version}  # fmt: skip
    return _requirement_form(request, db, info, requirement_id, values=values)


@router.post("/context/party-requirements/{requirement_id}/edit")
async def update_requirement(
    requirement_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    found = service.get_requirement(db, info.context, requirement_id)
    form = await request.form()
    raw = {**_requirement_raw(form), "version": form_version(form)}
    result = await _save(
        request, db, lambda: RequirementPatch.model_validate(raw),
        lambda body: service.update_requirement(db, info.context, found, body,
                                                version=body.version),
        lambda errors, code: _requirement_form(request, db, info, requirement_id, values=raw,
                                               errors=errors, status_code=code),
    )  # fmt: skip
    if isinstance(result, Response):
        return result
    return RedirectResponse(f"/context/parties/{found.party_id}?saved=requirement#requirements",
                            status_code=303)  # fmt: skip


@router.post("/context/party-requirements/{requirement_id}/delete")
async def delete_requirement(
    requirement_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> RedirectResponse:
    found = service.get_requirement(db, info.context, requirement_id)
    version = form_version(await request.form())
    service.delete_requirement(db, info.context, found, version=version)
    return RedirectResponse(f"/context/parties/{found.party_id}?saved=removed#requirements",
                            status_code=303)  # fmt: skip


# --- The legal register ------------------------------------------------------------------------


@router.get("/context/requirements")
def legal_register(
    request: Request,
    db: PageDb,
    info: WebSession,
    q: str = "",
    kind: str = "",
    status: str = "",
    system_id: str = "",
    cursor: str | None = None,
) -> object:
    ctx = info.context
    f = {"q": q, "kind": kind, "status": status, "system_id": system_id}
    params = ListParams(limit=50, cursor=cursor, q=q or None).with_filters(
        kind=kind or None, status=status or None
    )
    try:
        page = service.list_legal(db, ctx, params, system_id=system_id or None)
    except AimsError as exc:
        return html_status(request, exc.status, exc.detail, title="Bad filter")
    return render(
        request, "context/legal_list.html",
        {"page": page, "systems_of": service.systems_of(db, ctx, page.items), "f": f,
         "kinds": list(RequirementKind), "statuses": list(RequirementStatus),
         "systems": _systems(db, info), "can_edit": ctx.can(Permission.EDIT),
         "base_query": urlencode({k: v for k, v in f.items() if v}),
         "export_query": urlencode({k: v for k, v in f.items() if v and k in ("kind",
                                                                              "system_id")})},
    )  # fmt: skip


@router.get("/context/requirements/export.xlsx")
def export_legal(db: PageDb, info: WebSession, kind: str = "", system_id: str = "") -> Response:
    try:
        key = uuid.UUID(system_id) if system_id else None
    except ValueError as exc:
        raise NotFound("no such AI system") from exc
    return attachment(*present.legal_file(db, info.context, kind=kind or None, system_id=key))


def _legal_raw(form: FormData) -> dict[str, Any]:
    return {"title": _text(form, "title"), "kind": _optional(form, "kind"),
            "jurisdiction": _text(form, "jurisdiction"), "reference": _text(form, "reference"),
            "obligations": _text(form, "obligations"),
            "owner_email": _optional(form, "owner_email"),
            "status": _optional(form, "status") or "identified",
            "applies_from": _optional(form, "applies_from"),
            "system_ids": [str(v) for v in form.getlist("system_ids") if v],
            "controls": [str(v) for v in form.getlist("controls") if v]}  # fmt: skip


def _legal_form(
    request: Request, db: PageDb, info: WebSession, *, legal_id: uuid.UUID | None,
    values: dict[str, Any], errors: dict[str, str] | None = None, status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    return render(
        request, "context/legal_form.html",
        {"legal_id": legal_id, "v": values, "errors": errors or {},
         "kinds": list(RequirementKind), "statuses": list(RequirementStatus),
         "systems": _systems(db, info), "controls": list(get_catalog().controls.values()),
         "members": _members(db, info)},
        status_code=status_code,
    )  # fmt: skip


@router.get("/context/requirements/new")
def new_legal(request: Request, db: PageDb, info: WebSession) -> HTMLResponse:
    info.context.require(Permission.EDIT)
    return _legal_form(request, db, info, legal_id=None,
                       values={"kind": "legal", "status": "identified"})  # fmt: skip


@router.post("/context/requirements/new")
async def create_legal(request: Request, db: PageDb, info: CsrfSession) -> object:
    raw = _legal_raw(await request.form())
    result = await _save(
        request, db, lambda: LegalIn.model_validate(raw),
        lambda body: service.create_legal(db, info.context, body),
        lambda errors, code: _legal_form(request, db, info, legal_id=None, values=raw,
                                         errors=errors, status_code=code),
    )  # fmt: skip
    if isinstance(result, Response):
        return result
    return RedirectResponse("/context/requirements?saved=1", status_code=303)


@router.get("/context/requirements/{legal_id}/edit")
def edit_legal(legal_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    info.context.require(Permission.EDIT)
    row = service.get_legal(db, info.context, legal_id)
    out = present.legal_out(row, service.systems_of(db, info.context, [row])[row.id])
    values = {**out.model_dump(mode="json"), "owner_email": out.owner,
              "system_ids": [str(s.id) for s in out.systems]}  # fmt: skip
    return _legal_form(request, db, info, legal_id=row.id, values=values)


@router.post("/context/requirements/{legal_id}/edit")
async def update_legal(
    legal_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    row = service.get_legal(db, info.context, legal_id)
    form = await request.form()
    raw = {**_legal_raw(form), "version": form_version(form)}
    result = await _save(
        request, db, lambda: LegalPatch.model_validate(raw),
        lambda body: service.update_legal(db, info.context, row, body, version=body.version),
        lambda errors, code: _legal_form(request, db, info, legal_id=legal_id, values=raw,
                                         errors=errors, status_code=code),
    )  # fmt: skip
    if isinstance(result, Response):
        return result
    return RedirectResponse("/context/requirements?saved=1", status_code=303)


@router.post("/context/requirements/{legal_id}/delete")
async def delete_legal(
    legal_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> RedirectResponse:
    row = service.get_legal(db, info.context, legal_id)
    service.delete_legal(db, info.context, row, version=form_version(await request.form()))
    return RedirectResponse(_deleted("requirement", legal_id, "register",
                                     base="/context/requirements"), status_code=303)  # fmt: skip


@router.post("/context/requirements/{legal_id}/restore")
def restore_legal(legal_id: uuid.UUID, db: PageDb, info: CsrfSession) -> RedirectResponse:
    service.restore_legal(db, info.context, legal_id)
    return RedirectResponse("/context/requirements?saved=restored", status_code=303)


# --- Scope (4.3) -------------------------------------------------------------------------------


def _scope_page(
    request: Request, db: PageDb, info: WebSession, record: ScopeStatement | None, *,
    problem: str | None = None, status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    ctx = info.context
    return render(
        request, "context/scope.html",
        {"s": record, "out": present.scope_out(db, ctx, record) if record else None,
         "versions": service.scope_versions(db, ctx, record) if record else [],
         "live": service.live_systems(db, ctx), "problem": problem,
         "can_edit": ctx.can(Permission.EDIT), "can_approve": ctx.can(Permission.APPROVE)},
        status_code=status_code,
    )  # fmt: skip


@router.get("/scope")
def scope_page(request: Request, db: PageDb, info: WebSession) -> HTMLResponse:
    return _scope_page(request, db, info, service.current_scope(db, info.context))


def _items(form: FormData, name: str) -> list[dict[str, str]]:
    """The rows of an inclusion or exclusion table; fully blank rows are dropped."""
    rows: list[dict[str, str]] = []
    for item, reason in zip(form.getlist(f"{name}_item"), form.getlist(f"{name}_reason"),
                            strict=False):  # fmt: skip
        entry = {"item": str(item).strip(), "reason": str(reason).strip()}
        if entry["item"] or entry["reason"]:
            rows.append(entry)
    return rows


def _scope_raw(form: FormData) -> dict[str, Any]:
    return {"boundaries": _text(form, "boundaries"), "units": _text(form, "units"),
            "interfaces": _text(form, "interfaces"), "inclusions": _items(form, "inclusions"),
            "exclusions": _items(form, "exclusions")}  # fmt: skip


def _scope_form(
    request: Request, db: PageDb, info: WebSession, record: ScopeStatement | None, *,
    values: dict[str, Any], errors: dict[str, str] | None = None, status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    blank = {"item": "", "reason": ""}
    rows = {name: [*values.get(name, []), *[blank] * BLANK_ROWS]
            for name in ("inclusions", "exclusions")}  # fmt: skip
    return render(
        request, "context/scope_form.html",
        {"s": record, "v": values, "rows": rows, "errors": errors or {},
         "live": service.live_systems(db, info.context)},
        status_code=status_code,
    )  # fmt: skip


@router.get("/scope/new")
def new_scope(request: Request, db: PageDb, info: WebSession) -> Response:
    info.context.require(Permission.EDIT)
    if service.current_scope(db, info.context) is not None:
        return RedirectResponse("/scope", status_code=303)  # one series per organisation
    return _scope_form(request, db, info, None, values={})


@router.post("/scope/new")
async def create_scope(request: Request, db: PageDb, info: CsrfSession) -> object:
    raw = _scope_raw(await request.form())
    result = await _save(
        request, db, lambda: ScopeFields.model_validate(raw),
        lambda body: service.create_scope(db, info.context, body),
        lambda errors, code: _scope_form(request, db, info, None, values=raw, errors=errors,
                                         status_code=code),
    )  # fmt: skip
    if isinstance(result, Response):
        return result
    return RedirectResponse("/scope?saved=1", status_code=303)


@router.get("/scope/{scope_id}")
def scope_version(scope_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    return _scope_page(request, db, info, service.get_scope(db, info.context, scope_id))


@router.get("/scope/{scope_id}/edit")
def edit_scope(scope_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    info.context.require(Permission.EDIT)
    record = service.get_scope(db, info.context, scope_id)
    values = {name: getattr(record, name) for name in ScopeStatement.__approval_fields__}
    return _scope_form(request, db, info, record, values={**values, "version": record.version})


@router.post("/scope/{scope_id}/edit")
async def update_scope(
    scope_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    record = service.get_scope(db, info.context, scope_id)
    form = await request.form()
    raw = {**_scope_raw(form), "version": form_version(form)}
    result = await _save(
        request, db, lambda: ScopePatch.model_validate(raw),
        lambda body: service.update_scope(db, info.context, record, body, version=body.version),
        lambda errors, code: _scope_form(request, db, info, record, values=raw, errors=errors,
                                         status_code=code),
    )  # fmt: skip
    if isinstance(result, Response):
        return result
    return RedirectResponse(f"/scope/{scope_id}?saved=1", status_code=303)


@router.get("/scope/{scope_id}/compare")
def compare_scope(
    scope_id: uuid.UUID, request: Request, db: PageDb, info: WebSession, with_: str = ""
) -> object:
    ctx = info.context
    record = service.get_scope(db, ctx, scope_id)
    other = request.query_params.get("with") or with_
    all_versions = service.scope_versions(db, ctx, record)
    if not other:
        earlier = [v for v in all_versions if v.revision < record.revision]
        if not earlier:
            return _scope_page(request, db, info, record,
                               problem="there is no earlier version to compare with")  # fmt: skip
        other = str(earlier[-1].id)
    result = service.compare_scope(db, ctx, record.id, other)
    return render(request, "context/scope_compare.html",
                  {"c": result, "s": record, "versions": all_versions})  # fmt: skip


@router.post("/scope/{scope_id}/{action}")
async def scope_workflow(
    scope_id: uuid.UUID, action: str, request: Request, db: PageDb, info: CsrfSession
) -> object:
    """Submit, return, approve, start a new version or discard: refusals show on the page."""
    ctx = info.context
    record = service.get_scope(db, ctx, scope_id)
    form = await request.form()
    version, note = form_version(form), _text(form, "note")
    target = f"/scope/{record.id}"
    try:
        with db.begin_nested():
            if action == "submit":
                service.submit_scope(db, ctx, record, version=version)
            elif action == "return":
                service.return_scope(db, ctx, record, version=version, note=note)
            elif action == "approve":
                service.approve_scope(db, ctx, record, version=version, note=note)
            elif action == "new-version":
                target = f"/scope/{service.new_scope_version(db, ctx, record).id}/edit"
            elif action == "delete":
                service.delete_scope(db, ctx, record, version=version)
                target = "/scope?deleted=1"
            else:
                raise NotFound(f"no action '{action}'")
    except NotFound:
        raise
    except AimsError as exc:
        db.expire_all()
        detail = exc.detail
        if isinstance(exc, ValidationFailed) and exc.errors:
            detail = exc.errors[0].msg
        return _scope_page(request, db, info, record, problem=detail, status_code=exc.status)
    if record.status == Status.APPROVED.value and action == "approve":
        target += "?approved=1"
    return RedirectResponse(target, status_code=303)
