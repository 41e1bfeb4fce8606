"""Web pages of the inventory: the register, a system, its components, the forms."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from aims.access.rules import Permission
from aims.errors import AimsError
from aims.exports.http import attachment
from aims.regulation import service as regulation
from aims.store.listing import ListParams
from aims.systems import bomstore, imports, service
from aims.systems.bom import BomError
from aims.systems.forms import (
    COMPONENT_FORM,
    SYSTEM_FORM,
    FormField,
    errors_by_field,
    form_values,
    read_form,
)
from aims.systems.schemas import ComponentIn, ComponentPatch, SystemIn, SystemPatch
from aims.systems.vocab import ComponentKind, LifecycleStage, OperatorRole
from aims.web.errors import form_errors
from aims.web.forms import form_version
from aims.web.security import CsrfSession, PageDb, WebSession
from aims.web.templating import render

router = APIRouter(include_in_schema=False)
RISK_CLASSES = ("prohibited", "high_risk", "limited_risk", "minimal_risk", "out_of_scope")


@router.get("/systems")
def register(
    request: Request,
    db: PageDb,
    info: WebSession,
    q: str = "",
    lifecycle_stage: str = "",
    operator_role: str = "",
    risk_class: str = "",
    in_scope: str = "",
    sort: str = "name",
    cursor: str | None = None,
) -> object:
    filters = {
        "lifecycle_stage": lifecycle_stage, "operator_role": operator_role,
        "risk_class": risk_class, "in_scope": in_scope,
    }  # fmt: skip
    params = ListParams(limit=50, cursor=cursor, q=q or None, sort=sort).with_filters(**filters)
    error = None
    try:
        page = service.list_systems(db, info.context, params)
    except AimsError as exc:
        error = exc.detail
        page = service.list_systems(db, info.context, ListParams(limit=50))
    query = {"q": q, "sort": sort, **filters}
    return render(
        request,
        "systems/list.html",
        {
            "page": page, "error": error, "f": query,
            "stages": list(LifecycleStage), "roles": list(OperatorRole), "classes": RISK_CLASSES,
            "base_query": urlencode({k: v for k, v in query.items() if v}),
            "can_edit": info.context.can(Permission.EDIT),
        },
    )  # fmt: skip


def _system_form(
    request: Request,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    system: Any = None,
    status_code: int = 200,
) -> object:
    return render(
        request,
        "systems/form.html",
        {"fields": SYSTEM_FORM, "values": values, "errors": errors, "system": system},
        status_code=status_code,
    )


def _import_page(
    request: Request,
    *,
    plan: imports.ImportPlan | None = None,
    filename: str = "",
    payload: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> object:
    return render(
        request,
        "systems/import.html",
        {"plan": plan, "filename": filename, "payload": payload, "error": error,
         "field_choices": imports.FIELD_CHOICES},
        status_code=status_code,
    )  # fmt: skip


@router.get("/systems/import")
def import_form(request: Request, info: WebSession) -> object:
    info.context.require(Permission.EDIT)
    return _import_page(request)


@router.post("/systems/import")
async def import_preview(request: Request, db: PageDb, info: CsrfSession) -> object:
    """Upload (or re-map) a spreadsheet and show what an import would do."""
    form = await request.form()  # parsed with a large enough part size by the CSRF check
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        content, filename = await upload.read(), upload.filename
    else:
        filename = str(form.get("filename") or "")
        try:
            content = base64.b64decode(str(form.get("payload") or ""), validate=True)
        except (ValueError, binascii.Error):
            content = b""
    if not filename or not content:
        return _import_page(request, error="Choose a CSV or XLSX file to import.", status_code=422)
    mapping: dict[str, str | None] | None = None
    if form.get("mapped"):
        mapping = {
            str(key).removeprefix("map:"): (str(value) or None)
            for key, value in form.multi_items()
            if str(key).startswith("map:")
        }
    payload = base64.b64encode(content).decode()
    try:
        plan = await run_in_threadpool(
            imports.plan_import, db, info.context, filename=filename, content=content,
            mapping=mapping,
        )  # fmt: skip
    except AimsError as exc:
        problems = [e.msg if not e.loc or e.loc == ("file",) else f"{e.msg}" for e in exc.errors]
        message = "; ".join(problems) or exc.detail
        return _import_page(request, error=message, status_code=422)
    if form.get("action") == "import" and plan.ok:
        created = await run_in_threadpool(
            imports.run_import, db, info.context, filename=filename, content=content,
            mapping=plan.mapping,
        )  # fmt: skip
        return RedirectResponse(f"/systems?imported={len(created)}", status_code=303)
    return _import_page(request, plan=plan, filename=filename, payload=payload,
                        status_code=200 if plan.ok else 422)  # fmt: skip


@router.get("/systems/new")
def new_system(request: Request, info: WebSession) -> object:
    info.context.require(Permission.EDIT)
    return _system_form(
        request, values={"in_scope": True, "lifecycle_stage": "inception"}, errors={}
    )


@router.post("/systems/new")
async def create_system(request: Request, db: PageDb, info: CsrfSession) -> object:
    values = read_form(await request.form(), SYSTEM_FORM)
    try:
        body = SystemIn.model_validate({k: v for k, v in values.items() if v not in ("", None, [])})
        with db.begin_nested():
            system = service.create_system(db, info.context, body.model_dump(exclude_unset=True))
    except ValidationError as exc:
        return _system_form(request, values=values, errors=errors_by_field(exc), status_code=422)
    except AimsError as exc:
        errors = form_errors(exc)
        if "_form" in errors and "already registered" in errors["_form"]:
            errors = {"name": errors["_form"]}
        return _system_form(request, values=values, errors=errors, status_code=exc.status)
    return RedirectResponse(f"/systems/{system.id}?created=1", status_code=303)


@router.get("/systems/{system_id}")
def system_detail(system_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    system = service.get_system(db, info.context, system_id)
    return render(
        request,
        "systems/detail.html",
        {
            "system": system,
            "fields": SYSTEM_FORM,
            "components": service.components_of(db, info.context, system),
            "can_edit": info.context.can(Permission.EDIT),
            "all_components": service.list_components(db, info.context, ListParams(limit=200)).items
            if info.context.can(Permission.EDIT) else [],
            "extra": _detail_extras(db, info, system),
        },
    )  # fmt: skip


def _detail_extras(db: PageDb, info: WebSession, system: Any) -> dict[str, Any]:
    """Sections other capabilities add to a system's page (EU AI Act class, impact, the legal
    requirements that touch it, its objectives)."""
    from aims.context import service as context
    from aims.controls import service as controls
    from aims.impact import service as impact
    from aims.measure import runs as measurement_runs
    from aims.objectives import service as objectives
    from aims.techdoc import service as techdoc

    goals = objectives.list_objectives(
        db, info.context, ListParams(limit=50).with_filters(system_id=str(system.id))
    ).items
    return {
        **regulation.page_context(db, info.context, system),
        **techdoc.page_context(db, info.context, system),
        **measurement_runs.page_context(db, info.context, system),
        "impact_assessments": impact.for_system(db, info.context, system),
        "requirements": context.requirements_for_system(db, info.context, system.id),
        "controls": controls.controls_for_system(db, info.context, system.id),
        "objectives": goals,
        "objective_states": objectives.assessments(db, info.context, goals),
    }


@router.get("/systems/{system_id}/edit")
def edit_system(system_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    info.context.require(Permission.EDIT)
    system = service.get_system(db, info.context, system_id)
    return _system_form(request, values=form_values(system, SYSTEM_FORM), errors={}, system=system)


@router.post("/systems/{system_id}/edit")
async def update_system(
    system_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    system = service.get_system(db, info.context, system_id)
    form = await request.form()
    values = read_form(form, SYSTEM_FORM)
    version = str(form.get("version") or "0")
    try:
        body = SystemPatch.model_validate({**values, "version": version})
        with db.begin_nested():
            service.update_system(
                db, info.context, system_id, version=body.version,
                fields=body.model_dump(exclude={"version"}),
            )  # fmt: skip
    except ValidationError as exc:
        return _system_form(
            request, values=values, errors=errors_by_field(exc), system=system, status_code=422
        )
    except AimsError as exc:
        return _system_form(
            request, values=values, errors=form_errors(exc), system=system,
            status_code=exc.status,
        )  # fmt: skip
    return RedirectResponse(f"/systems/{system_id}?saved=1", status_code=303)


@router.get("/systems/{system_id}/delete")
def confirm_delete(system_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    info.context.require(Permission.EDIT)
    system = service.get_system(db, info.context, system_id)
    return render(request, "systems/confirm_delete.html", {"system": system})


@router.post("/systems/{system_id}/delete")
async def delete_system(
    system_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    form = await request.form()
    service.delete_system(db, info.context, system_id, version=form_version(form))
    return RedirectResponse(f"/systems?deleted={system_id}", status_code=303)


@router.post("/systems/{system_id}/restore")
def restore_system(system_id: uuid.UUID, db: PageDb, info: CsrfSession) -> object:
    service.restore_system(db, info.context, system_id)
    return RedirectResponse(f"/systems/{system_id}?restored=1", status_code=303)


@router.post("/systems/{system_id}/components")
async def link_component(
    system_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    form = await request.form()
    component_id = str(form.get("component_id") or "")
    try:
        with db.begin_nested():
            service.link_component(db, info.context, system_id, component_id)
    except (AimsError, ValueError):
        return RedirectResponse(f"/systems/{system_id}?link_error=1#components", status_code=303)
    return RedirectResponse(f"/systems/{system_id}#components", status_code=303)


@router.post("/systems/{system_id}/components/{component_id}/unlink")
def unlink_component(
    system_id: uuid.UUID, component_id: uuid.UUID, db: PageDb, info: CsrfSession
) -> object:
    service.unlink_component(db, info.context, system_id, component_id)
    return RedirectResponse(f"/systems/{system_id}#components", status_code=303)


# --- components ----------------------------------------------------------------------------


@router.get("/components")
def components(
    request: Request,
    db: PageDb,
    info: WebSession,
    q: str = "",
    kind: str = "",
    cursor: str | None = None,
) -> object:
    params = ListParams(limit=50, cursor=cursor, q=q or None).with_filters(kind=kind)
    page = service.list_components(db, info.context, params)
    return render(
        request,
        "systems/components.html",
        {
            "page": page, "q": q, "kind": kind, "kinds": list(ComponentKind),
            "base_query": urlencode({k: v for k, v in {"q": q, "kind": kind}.items() if v}),
            "can_edit": info.context.can(Permission.EDIT),
        },
    )  # fmt: skip


def _component_form(
    request: Request,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    component: Any = None,
    for_system: str = "",
    status_code: int = 200,
) -> object:
    fields: tuple[FormField, ...] = COMPONENT_FORM
    return render(
        request,
        "systems/component_form.html",
        {"fields": fields, "values": values, "errors": errors, "component": component,
         "for_system": for_system},
        status_code=status_code,
    )  # fmt: skip


@router.get("/components/new")
def new_component(
    request: Request, info: WebSession, system: str = "", kind: str = "model"
) -> object:
    info.context.require(Permission.EDIT)
    return _component_form(request, values={"kind": kind}, errors={}, for_system=system)


@router.post("/components/new")
async def create_component(request: Request, db: PageDb, info: CsrfSession) -> object:
    form = await request.form()
    values = read_form(form, COMPONENT_FORM)
    for_system = str(form.get("for_system") or "")
    try:
        body = ComponentIn.model_validate({k: v for k, v in values.items() if v not in ("", None)})
        with db.begin_nested():
            component = service.create_component(
                db, info.context, body.model_dump(exclude_unset=True)
            )
            if for_system:
                service.link_component(db, info.context, for_system, component.id)
    except ValidationError as exc:
        return _component_form(request, values=values, errors=errors_by_field(exc),
                               for_system=for_system, status_code=422)  # fmt: skip
    except AimsError as exc:
        return _component_form(request, values=values, errors=form_errors(exc),
                               for_system=for_system, status_code=exc.status)  # fmt: skip
    if for_system:
        return RedirectResponse(f"/systems/{for_system}#components", status_code=303)
    return RedirectResponse(f"/components/{component.id}?created=1", status_code=303)


@router.get("/components/{component_id}")
def component_detail(
    component_id: uuid.UUID, request: Request, db: PageDb, info: WebSession
) -> object:
    component = service.get_component(db, info.context, component_id)
    return render(
        request,
        "systems/component.html",
        {"component": component, "fields": COMPONENT_FORM,
         "systems": service.systems_using(db, info.context, component),
         "can_edit": info.context.can(Permission.EDIT)},
    )  # fmt: skip


@router.get("/components/{component_id}/edit")
def edit_component(
    component_id: uuid.UUID, request: Request, db: PageDb, info: WebSession
) -> object:
    info.context.require(Permission.EDIT)
    component = service.get_component(db, info.context, component_id)
    values = form_values(component, COMPONENT_FORM)
    values["supplier_name"] = component.supplier.name if component.supplier else ""
    return _component_form(request, values=values, errors={}, component=component)


@router.post("/components/{component_id}/edit")
async def update_component(
    component_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    component = service.get_component(db, info.context, component_id)
    form = await request.form()
    values = read_form(form, COMPONENT_FORM)
    try:
        body = ComponentPatch.model_validate({**values, "version": str(form.get("version") or "0")})
        with db.begin_nested():
            service.update_component(db, info.context, component_id, version=body.version,
                                     fields=body.model_dump(exclude={"version"}))  # fmt: skip
    except ValidationError as exc:
        return _component_form(request, values=values, errors=errors_by_field(exc),
                               component=component, status_code=422)  # fmt: skip
    except AimsError as exc:
        return _component_form(request, values=values, errors=form_errors(exc),
                               component=component, status_code=exc.status)  # fmt: skip
    return RedirectResponse(f"/components/{component_id}?saved=1", status_code=303)


# --- AI bill of materials ------------------------------------------------------------------


@router.get("/systems/{system_id}/bom")
def bom_page(system_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    system = service.get_system(db, info.context, system_id)
    return render(
        request, "systems/bom.html",
        {"system": system, "components": service.components_of(db, info.context, system),
         "can_edit": info.context.can(Permission.EDIT), "problems": [], "report": None},
    )  # fmt: skip


@router.post("/systems/{system_id}/bom")
async def bom_upload(
    system_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    system = service.get_system(db, info.context, system_id)
    form = await request.form()
    upload = form.get("file")
    problems: list[str] = []
    report = None
    if not isinstance(upload, UploadFile) or not upload.filename:
        problems = ["Choose a CycloneDX JSON file."]
    else:
        raw = await upload.read()
        try:
            text = raw.decode("utf-8-sig")
            report = await run_in_threadpool(bomstore.import_bom, db, info.context, system.id, text)
        except UnicodeDecodeError:
            problems = ["The file is not UTF-8 text."]
        except BomError as exc:
            problems = exc.problems
    return render(
        request, "systems/bom.html",
        {"system": system, "components": service.components_of(db, info.context, system),
         "can_edit": True, "problems": problems, "report": report},
        status_code=422 if problems else 200,
    )  # fmt: skip


@router.get("/systems/{system_id}/bom.cdx.json")
def bom_download(system_id: uuid.UUID, db: PageDb, info: WebSession, spec: str = "1.6") -> Response:
    system = service.get_system(db, info.context, system_id)
    if spec not in ("1.5", "1.6", "1.7"):
        spec = "1.6"
    body = bomstore.bom_for(db, info.context, system, spec=spec)
    return attachment(
        body, f"application/vnd.cyclonedx+json; version={spec}", bomstore.download_name(system)
    )


@router.get("/components/{component_id}/delete")
def confirm_component_delete(
    component_id: uuid.UUID, request: Request, db: PageDb, info: WebSession
) -> object:
    info.context.require(Permission.EDIT)
    component = service.get_component(db, info.context, component_id)
    return render(
        request, "systems/confirm_component_delete.html",
        {"component": component, "systems": service.systems_using(db, info.context, component)},
    )  # fmt: skip


@router.post("/components/{component_id}/delete")
async def delete_component(
    component_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    form = await request.form()
    service.delete_component(db, info.context, component_id, version=form_version(form))
    return RedirectResponse("/components?deleted=1", status_code=303)


# --- parties -------------------------------------------------------------------------------


@router.get("/parties")
def parties(
    request: Request, db: PageDb, info: WebSession, q: str = "", cursor: str | None = None
) -> object:
    page = service.list_parties(db, info.context, ListParams(limit=50, cursor=cursor, q=q or None))
    return render(
        request, "systems/parties.html",
        {"page": page, "q": q, "base_query": urlencode({"q": q} if q else {})},
    )  # fmt: skip


@router.get("/parties/{party_id}")
def party_detail(party_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    party = service.get_party(db, info.context, party_id)
    supplied = service.list_components(
        db, info.context, ListParams(limit=200).with_filters(supplier_id=str(party.id))
    )
    return render(request, "systems/party.html", {"party": party, "components": supplied.items})
