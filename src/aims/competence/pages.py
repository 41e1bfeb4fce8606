"""Competence pages: the competence matrix with its gaps, AIMS roles and their holders, the
RACI matrix edited one cell at a time, the competence catalogue, and a person's evidence."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from aims.access.rules import Permission
from aims.competence import present, rules, service
from aims.competence.models import AimsRole, Competence
from aims.competence.schemas import (
    AssignmentIn,
    AssignmentPatch,
    CheckIn,
    CompetenceIn,
    CompetencePatch,
    EvidenceIn,
    RequirementIn,
    RoleIn,
    RolePatch,
)
from aims.errors import AimsError, FieldError, ValidationFailed
from aims.exports.http import attachment
from aims.store.listing import ListParams
from aims.web.errors import html_status
from aims.web.forms import form_version, validation_errors
from aims.web.security import CsrfSession, PageDb, WebSession
from aims.web.templating import render

router = APIRouter(include_in_schema=False)

STATUS_LABELS = {
    "met": "Met",
    "expiring": "Expiring soon",
    "unverified": "Not verified",
    "expired": "Expired",
    "missing": "Missing",
}
STATUS_BADGE = {"met": "ok", "expiring": "risk-limited_risk", "unverified": "bad",
                "expired": "bad", "missing": "bad"}  # fmt: skip


def _text(form: FormData, *names: str) -> dict[str, str]:
    return {n: str(form.get(n) or "").strip() for n in names}


def _optional(raw: dict[str, Any], *names: str) -> dict[str, Any]:
    """Blank optional fields are left out (so defaults apply)."""
    return {k: v for k, v in raw.items() if not (k in names and v in ("", None))}


def _common(db: PageDb, info: WebSession) -> dict[str, Any]:
    ctx = info.context
    return {"can_edit": ctx.can(Permission.EDIT), "labels": STATUS_LABELS, "badge": STATUS_BADGE}


# --- The competence matrix ---------------------------------------------------------------------


@router.get("/competence")
def matrix_page(
    request: Request,
    db: PageDb,
    info: WebSession,
    role: str = "",
    person: str = "",
    status: str = "",
) -> HTMLResponse:
    ctx = info.context
    if status and status not in STATUS_LABELS:
        return html_status(request, 422, f"unknown status '{status}'", title="Bad filter")
    cells = service.matrix(db, ctx)
    shown = service.filter_cells(cells, role_id=role or None, user_id=person or None,
                                 status=status or None)  # fmt: skip
    found = service.attention(db, ctx)
    return render(
        request, "competence/matrix.html",
        {**_common(db, info), "cells": shown, "all_cells": cells, "counts": rules.summary(cells),
         "gaps": found.gaps, "expiring": found.expiring, "raci_gaps": found.raci_gaps,
         "roles": service.all_roles(db, ctx), "people": service.people(db, ctx),
         "f": {"role": role, "person": person, "status": status},
         "window": rules.DEFAULT_WINDOW_DAYS},
    )  # fmt: skip


# --- Roles -------------------------------------------------------------------------------------


def _roles_page(
    request: Request,
    db: PageDb,
    info: WebSession,
    *,
    q: str = "",
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    ctx = info.context
    page = service.list_roles(db, ctx, ListParams(limit=200, q=q or None))
    details = [present.role_out(db, ctx, r) for r in page.items]
    return render(
        request, "competence/roles.html",
        {**_common(db, info), "roles": details, "all_roles": service.all_roles(db, ctx),
         "q": q, "v": values or {}, "errors": errors or {}},
        status_code=status_code,
    )  # fmt: skip


@router.get("/competence/roles")
def roles_page(request: Request, db: PageDb, info: WebSession, q: str = "") -> HTMLResponse:
    return _roles_page(request, db, info, q=q)


ROLE_TEXT = ("name", "description", "responsibilities", "authorities", "parent_id")


def _role_raw(form: FormData) -> dict[str, Any]:
    raw: dict[str, Any] = _text(form, *ROLE_TEXT)
    raw["parent_id"] = raw["parent_id"] or None
    return raw


@router.post("/competence/roles")
async def create_role(request: Request, db: PageDb, info: CsrfSession) -> Response:
    raw = _role_raw(await request.form())
    try:
        body = RoleIn.model_validate(raw)
        with db.begin_nested():
            role = service.create_role(db, info.context, body)
    except (ValidationError, AimsError) as exc:
        db.expire_all()
        return _roles_page(
            request, db, info, values=raw, errors=validation_errors(exc), status_code=422
        )
    return RedirectResponse(f"/competence/roles/{role.id}", status_code=303)


def _role_page(
    request: Request,
    db: PageDb,
    info: WebSession,
    role: AimsRole,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    which: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    ctx = info.context
    detail = present.role_out(db, ctx, role)
    v = values or {
        "name": role.name, "description": role.description,
        "responsibilities": role.responsibilities, "authorities": role.authorities,
        "parent_id": str(role.parent_id) if role.parent_id else "",
    }  # fmt: skip
    rows = service.raci(db, ctx).rows
    letters = [(r, r.cells[role.id]) for r in rows if role.id in r.cells]
    return render(
        request, "competence/role.html",
        {**_common(db, info), "role": role, "detail": detail, "v": v,
         "errors": errors or {}, "which": which, "people": service.people(db, ctx),
         "competences": service.all_competences(db, ctx),
         "others": [r for r in service.all_roles(db, ctx) if r.id != role.id],
         "letters": letters},
        status_code=status_code,
    )  # fmt: skip


@router.get("/competence/roles/{role_id}")
def role_page(role_id: str, request: Request, db: PageDb, info: WebSession) -> HTMLResponse:
    return _role_page(request, db, info, service.get_role(db, info.context, role_id))


@router.post("/competence/roles/{role_id}")
async def edit_role(role_id: str, request: Request, db: PageDb, info: CsrfSession) -> Response:
    form = await request.form()
    role = service.get_role(db, info.context, role_id)
    raw = _role_raw(form)
    try:
        body = RolePatch.model_validate({**raw, "version": form_version(form)})
        with db.begin_nested():
            service.update_role(db, info.context, role, body, version=body.version)
    except (ValidationError, AimsError) as exc:
        db.expire_all()
        return _role_page(request, db, info, role, values=raw, errors=validation_errors(exc),
                          which="role", status_code=getattr(exc, "status", 422))  # fmt: skip
    return RedirectResponse(f"/competence/roles/{role.id}?saved=1", status_code=303)


@router.post("/competence/roles/{role_id}/delete")
async def delete_role(role_id: str, request: Request, db: PageDb, info: CsrfSession) -> Response:
    form = await request.form()
    role = service.get_role(db, info.context, role_id)
    try:
        with db.begin_nested():
            service.delete_role(db, info.context, role, version=form_version(form))
    except AimsError as exc:
        db.expire_all()
        return _role_page(request, db, info, role, errors={"_form": exc.detail}, which="role",
                          status_code=exc.status)  # fmt: skip
    return RedirectResponse("/competence/roles?deleted=1", status_code=303)


@router.post("/competence/roles/{role_id}/holders")
async def assign(role_id: str, request: Request, db: PageDb, info: CsrfSession) -> Response:
    form = await request.form()
    role = service.get_role(db, info.context, role_id)
    raw = _optional(_text(form, "email", "since", "until", "note"), "until", "since")
    try:
        body = AssignmentIn.model_validate(raw)
        with db.begin_nested():
            service.assign(db, info.context, role, body)
    except (ValidationError, AimsError) as exc:
        db.expire_all()
        return _role_page(request, db, info, role, values=None,
                          errors={f"holder_{k}": m for k, m in validation_errors(exc).items()},
                          which="holder", status_code=422)  # fmt: skip
    return RedirectResponse(f"/competence/roles/{role.id}#holders", status_code=303)


@router.post("/competence/assignments/{assignment_id}/remove")
async def remove_assignment(
    assignment_id: str, request: Request, db: PageDb, info: CsrfSession
) -> Response:
    form = await request.form()
    found = service.get_assignment(db, info.context, assignment_id)
    service.remove_assignment(db, info.context, found, version=form_version(form))
    return RedirectResponse(f"/competence/roles/{found.role_id}#holders", status_code=303)


@router.post("/competence/roles/{role_id}/requirements")
async def add_requirement(
    role_id: str, request: Request, db: PageDb, info: CsrfSession
) -> Response:
    form = await request.form()
    role = service.get_role(db, info.context, role_id)
    raw = _text(form, "competence_id", "level")
    try:
        body = RequirementIn.model_validate(raw)
        with db.begin_nested():
            service.add_requirement(db, info.context, role, body)
    except (ValidationError, AimsError) as exc:
        db.expire_all()
        return _role_page(request, db, info, role,
                          errors={f"req_{k}": m for k, m in validation_errors(exc).items()},
                          which="requirement", status_code=422)  # fmt: skip
    return RedirectResponse(f"/competence/roles/{role.id}#requirements", status_code=303)


@router.post("/competence/requirements/{requirement_id}/remove")
async def remove_requirement(
    requirement_id: str, request: Request, db: PageDb, info: CsrfSession
) -> Response:
    form = await request.form()
    found = service.get_requirement(db, info.context, requirement_id)
    service.remove_requirement(db, info.context, found, version=form_version(form))
    return RedirectResponse(f"/competence/roles/{found.role_id}#requirements", status_code=303)


# --- Competences -------------------------------------------------------------------------------


def _competences_page(
    request: Request,
    db: PageDb,
    info: WebSession,
    *,
    q: str = "",
    kind: str = "",
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    ctx = info.context
    params = ListParams(limit=200, q=q or None).with_filters(kind=kind or None)
    return render(
        request, "competence/competences.html",
        {**_common(db, info), "page": service.list_competences(db, ctx, params),
         "kinds": list(rules.CompetenceKind), "f": {"q": q, "kind": kind},
         "v": values or {}, "errors": errors or {}},
        status_code=status_code,
    )  # fmt: skip


@router.get("/competence/competences")
def competences_page(
    request: Request, db: PageDb, info: WebSession, q: str = "", kind: str = ""
) -> HTMLResponse:
    return _competences_page(request, db, info, q=q, kind=kind)


@router.post("/competence/competences")
async def create_competence(request: Request, db: PageDb, info: CsrfSession) -> Response:
    form = await request.form()
    raw = _optional(_text(form, "name", "description", "kind", "validity_months"),
                    "validity_months")  # fmt: skip
    try:
        body = CompetenceIn.model_validate(raw)
        with db.begin_nested():
            service.create_competence(db, info.context, body)
    except (ValidationError, AimsError) as exc:
        db.expire_all()
        return _competences_page(request, db, info, values=raw, errors=validation_errors(exc),
                                 status_code=422)  # fmt: skip
    return RedirectResponse("/competence/competences?added=1", status_code=303)


def _competence_page(
    request: Request,
    db: PageDb,
    info: WebSession,
    found: Competence,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    ctx = info.context
    v = values or {"name": found.name, "description": found.description, "kind": found.kind,
                   "validity_months": found.validity_months or ""}  # fmt: skip
    roles = {r.id: r for r in service.all_roles(db, ctx)}
    required_by = [
        (roles[r.role_id], r.level) for r in service.requirement_rows(db, ctx)
        if r.competence_id == found.id and r.role_id in roles
    ]  # fmt: skip
    return render(
        request, "competence/competence.html",
        {**_common(db, info), "c": found, "v": v, "errors": errors or {},
         "kinds": list(rules.CompetenceKind), "required_by": required_by},
        status_code=status_code,
    )  # fmt: skip


@router.get("/competence/competences/{competence_id}")
def competence_page(
    competence_id: str, request: Request, db: PageDb, info: WebSession
) -> HTMLResponse:
    found = service.get_competence(db, info.context, competence_id)
    return _competence_page(request, db, info, found)


@router.post("/competence/competences/{competence_id}")
async def edit_competence(
    competence_id: str, request: Request, db: PageDb, info: CsrfSession
) -> Response:
    form = await request.form()
    found = service.get_competence(db, info.context, competence_id)
    raw: dict[str, Any] = _text(form, "name", "description", "kind", "validity_months")
    body_raw = {**raw, "validity_months": raw["validity_months"] or None,
                "version": form_version(form)}  # fmt: skip
    try:
        body = CompetencePatch.model_validate(body_raw)
        with db.begin_nested():
            service.update_competence(db, info.context, found, body, version=body.version)
    except (ValidationError, AimsError) as exc:
        db.expire_all()
        return _competence_page(request, db, info, found, values=raw, errors=validation_errors(exc),
                                status_code=getattr(exc, "status", 422))  # fmt: skip
    return RedirectResponse(f"/competence/competences/{found.id}?saved=1", status_code=303)


@router.post("/competence/competences/{competence_id}/delete")
async def delete_competence(
    competence_id: str, request: Request, db: PageDb, info: CsrfSession
) -> Response:
    form = await request.form()
    found = service.get_competence(db, info.context, competence_id)
    try:
        with db.begin_nested():
            service.delete_competence(db, info.context, found, version=form_version(form))
    except AimsError as exc:
        db.expire_all()
        return _competence_page(request, db, info, found, errors={"_form": exc.detail},
                                status_code=exc.status)  # fmt: skip
    return RedirectResponse("/competence/competences?deleted=1", status_code=303)


@router.post("/competence/assignments/{assignment_id}/end")
async def end_assignment(
    assignment_id: str, request: Request, db: PageDb, info: CsrfSession
) -> Response:
    """Record that someone left a role on a date (the history keeps them)."""
    form = await request.form()
    found = service.get_assignment(db, info.context, assignment_id)
    role = service.get_role(db, info.context, found.role_id)
    raw = {"version": form_version(form), "until": str(form.get("until") or "") or None}
    try:
        body = AssignmentPatch.model_validate(raw)
        if body.until is None:
            raise ValidationFailed("say when", errors=[FieldError(("body", "until"), "required")])
        with db.begin_nested():
            service.update_assignment(db, info.context, found, body)
    except (ValidationError, AimsError) as exc:
        db.expire_all()
        errors = {f"end_{found.id}": m for m in validation_errors(exc).values()}
        return _role_page(request, db, info, role, errors=errors, which="holder",
                          status_code=getattr(exc, "status", 422))  # fmt: skip
    return RedirectResponse(f"/competence/roles/{role.id}#holders", status_code=303)


# --- A person's evidence -----------------------------------------------------------------------


def _person_page(
    request: Request,
    db: PageDb,
    info: WebSession,
    user_id: str,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    check_errors: dict[str, dict[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    ctx = info.context
    member = service.person(db, ctx, user_id)
    cells = [c for c in service.matrix(db, ctx) if c.user_id == str(member.user_id)]
    return render(
        request, "competence/person.html",
        {**_common(db, info), "member": member,
         "evidence": [present.evidence_out(e) for e in service.evidence_of(db, ctx,
                                                                           member.user_id)],
         "cells": cells, "roles": service.roles_of_person(db, ctx, member.user_id),
         "competences": service.all_competences(db, ctx), "kinds": list(rules.EvidenceKind),
         "results": list(rules.CheckResult), "is_self": member.user_id == ctx.user_id,
         "v": values or {}, "errors": errors or {}, "check_errors": check_errors or {}},
        status_code=status_code,
    )  # fmt: skip


@router.get("/competence/people/{user_id}")
def person_page(user_id: str, request: Request, db: PageDb, info: WebSession) -> HTMLResponse:
    return _person_page(request, db, info, user_id)


EVIDENCE_TEXT = ("kind", "competence_id", "title", "provider", "obtained", "expires", "reference")


@router.post("/competence/people/{user_id}/evidence")
async def add_evidence(user_id: str, request: Request, db: PageDb, info: CsrfSession) -> Response:
    form = await request.form()
    member = service.person(db, info.context, user_id)
    raw = _text(form, *EVIDENCE_TEXT)
    try:
        body = EvidenceIn.model_validate(_optional(raw, "expires", "obtained", "competence_id",
                                                   "kind"))  # fmt: skip
        with db.begin_nested():
            service.add_evidence(db, info.context, member.user_id, body)
    except (ValidationError, AimsError) as exc:
        db.expire_all()
        return _person_page(request, db, info, user_id, values=raw, errors=validation_errors(exc),
                            status_code=getattr(exc, "status", 422))  # fmt: skip
    return RedirectResponse(f"/competence/people/{member.user_id}?added=1", status_code=303)


@router.post("/competence/evidence/{evidence_id}/check")
async def check_evidence(
    evidence_id: str, request: Request, db: PageDb, info: CsrfSession
) -> Response:
    form = await request.form()
    ev = service.get_evidence(db, info.context, evidence_id)
    user_id = str(ev.user_id)
    raw = _optional(_text(form, "result", "check_date", "note"), "check_date")
    try:
        body = CheckIn.model_validate({**raw, "version": form_version(form)})
        with db.begin_nested():
            service.check_evidence(db, info.context, ev, body)
    except (ValidationError, AimsError) as exc:
        db.expire_all()
        return _person_page(request, db, info, user_id,
                            check_errors={str(ev.id): validation_errors(exc)},
                            status_code=getattr(exc, "status", 422))  # fmt: skip
    return RedirectResponse(f"/competence/people/{user_id}#evidence-{ev.id}", status_code=303)


@router.post("/competence/evidence/{evidence_id}/delete")
async def delete_evidence(
    evidence_id: str, request: Request, db: PageDb, info: CsrfSession
) -> Response:
    form = await request.form()
    ev = service.get_evidence(db, info.context, evidence_id)
    service.delete_evidence(db, info.context, ev, version=form_version(form))
    return RedirectResponse(f"/competence/people/{ev.user_id}?deleted=1", status_code=303)


# --- The RACI matrix ---------------------------------------------------------------------------


def _raci_context(db: PageDb, info: WebSession) -> dict[str, Any]:
    m = service.raci(db, info.context)
    return {**_common(db, info), "m": m, "letters": list(rules.Letter)}


@router.get("/competence/raci")
def raci_page(
    request: Request, db: PageDb, info: WebSession, show: str = "", kind: str = ""
) -> HTMLResponse:
    context = _raci_context(db, info)
    rows = context["m"].rows
    if show == "gaps":
        rows = [r for r in rows if r.gap or r.problems]
    if kind in ("process", "control"):
        rows = [r for r in rows if r.kind == kind]
    return render(request, "competence/raci.html",
                  {**context, "rows": rows, "f": {"show": show, "kind": kind}})  # fmt: skip


@router.get("/competence/raci.xlsx")
def raci_export(db: PageDb, info: WebSession) -> Response:
    return attachment(*present.raci_file(db, info.context))


def _row(db: PageDb, info: WebSession, row_id: str) -> service.RaciRow:
    return service.raci_row(db, info.context, row_id)


@router.get("/competence/raci/{row_id}")
def raci_row(row_id: str, request: Request, db: PageDb, info: WebSession) -> HTMLResponse:
    return render(request, "competence/raci_row.html",
                  {**_raci_context(db, info), "row": _row(db, info, row_id)})  # fmt: skip


@router.get("/competence/raci/{row_id}/{role_id}/edit")
def raci_cell_form(
    row_id: str, role_id: str, request: Request, db: PageDb, info: WebSession
) -> HTMLResponse:
    """The row with one cell open for editing (HTMX swaps it into the table)."""
    info.context.require(Permission.EDIT)
    role = service.get_role(db, info.context, role_id)
    context = {
        **_raci_context(db, info),
        "row": _row(db, info, row_id),
        "editing": role.id,
        "editing_row": row_id,
        "errors": {},
    }
    if request.headers.get("HX-Request"):
        return render(request, "competence/raci_row.html", context)
    return render(
        request,
        "competence/raci.html",
        {**context, "rows": context["m"].rows, "f": {"show": "", "kind": ""}},
    )


class _CellForm(BaseModel):
    letter: rules.Letter | None


@router.post("/competence/raci/{row_id}/{role_id}")
async def raci_set(
    row_id: str, role_id: str, request: Request, db: PageDb, info: CsrfSession
) -> Response:
    form = await request.form()
    role = service.get_role(db, info.context, role_id)
    letter_raw = str(form.get("letter") or "").strip().upper()
    try:
        letter = _CellForm.model_validate({"letter": letter_raw or None}).letter
        with db.begin_nested():
            row = service.set_raci_cell(db, info.context, row_id, role.id, letter,
                                        version=form_version(form))  # fmt: skip
    except (ValidationError, AimsError) as exc:
        db.expire_all()
        context = {
            **_raci_context(db, info),
            "row": _row(db, info, row_id),
            "editing": role.id,
            "editing_row": row_id,
            "errors": validation_errors(exc),
            "sent": letter_raw,
        }
        if request.headers.get("HX-Request"):
            return render(request, "competence/raci_row.html", context)
        return render(request, "competence/raci.html",
                      {**context, "rows": context["m"].rows, "f": {"show": "", "kind": ""}},
                      status_code=getattr(exc, "status", 422))  # fmt: skip
    if request.headers.get("HX-Request"):
        return render(request, "competence/raci_row.html", {**_raci_context(db, info), "row": row})
    anchor = "raci-" + row_id.replace(".", "-")
    return RedirectResponse(f"/competence/raci#{anchor}", status_code=303)
