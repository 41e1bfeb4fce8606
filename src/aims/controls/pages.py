"""Control pages: the implementations with filters and the add form, one implementation with
its checks and evidence (add evidence by upload, link or record; record a check)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from aims.access import service as access
from aims.access.rules import Permission
from aims.catalog.loader import get_catalog
from aims.controls import present, service
from aims.controls.rules import CheckResult, Status
from aims.controls.service import ImplementationFields
from aims.errors import AimsError, FieldError, ValidationFailed
from aims.evidence import forms as evidence_forms
from aims.store.listing import ListParams
from aims.systems import service as systems
from aims.web.errors import form_errors, html_status
from aims.web.forms import form_version
from aims.web.security import CsrfSession, PageDb, WebSession
from aims.web.templating import render

router = APIRouter(include_in_schema=False)
FORM_FIELDS = ("control_id", "system_id", "description", "owner_email", "status", "check_months")


def _choices(db: PageDb, info: Any) -> dict[str, Any]:
    ctx = info.context
    return {
        "systems": systems.list_systems(db, ctx, ListParams(limit=200)).items,
        "members": access.member_emails(db, ctx),
        "controls": list(get_catalog().controls.values()),
        "own_controls": list(service.own_controls(db, ctx).values()),
        "statuses": list(Status),
        "results": list(CheckResult),
        "can_edit": ctx.can(Permission.EDIT),
    }


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _fields(form: FormData) -> ImplementationFields:
    months = _text(form, "check_months")
    status = _text(form, "status") or Status.PLANNED.value
    if status not in set(Status):
        raise ValidationFailed("status", errors=[FieldError(("body", "status"), "pick a status")])
    if months and not months.isdigit():
        raise ValidationFailed(
            "months", errors=[FieldError(("body", "check_months"), "a whole number of months")]
        )
    return ImplementationFields(
        description=_text(form, "description"),
        owner_email=_text(form, "owner_email") or None,
        status=Status(status),
        check_months=int(months) if months else None,
    )


def _list_page(
    request: Request,
    db: PageDb,
    info: Any,
    f: dict[str, str],
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    cursor: str | None = None,
) -> HTMLResponse:
    ctx = info.context
    params = ListParams(limit=50, cursor=cursor, q=f["q"] or None).with_filters(
        control_id=f["control_id"] or None,
        system_id=f["system_id"] or None,
        status=f["status"] or None,
    )
    try:
        page = service.list_implementations(db, ctx, params, overdue=bool(f["overdue"]))
    except AimsError as exc:
        return html_status(request, exc.status, exc.detail, title="Bad filter")
    return render(
        request,
        "controls/list.html",
        {
            "page": page,
            "f": f,
            "rows": [present.implementation_out(db, ctx, i) for i in page.items],
            "v": values or {},
            "errors": errors or {},
            "base_query": urlencode({k: v for k, v in f.items() if v}),
            "attention": service.attention(db, ctx),
            **_choices(db, info),
        },
        status_code=status_code,
    )


@router.get("/controls")
def controls_list(
    request: Request,
    db: PageDb,
    info: WebSession,
    q: str = "",
    control_id: str = "",
    system_id: str = "",
    status: str = "",
    overdue: str = "",
    cursor: str | None = None,
) -> object:
    f = {
        "q": q,
        "control_id": control_id,
        "system_id": system_id,
        "status": status if status in set(Status) else "",
        "overdue": "1" if overdue else "",
    }
    return _list_page(request, db, info, f, cursor=cursor)


@router.post("/controls/new")
async def controls_add(request: Request, db: PageDb, info: CsrfSession) -> Response:
    form = await request.form()
    try:
        with db.begin_nested():
            impl = service.create_implementation(
                db,
                info.context,
                _text(form, "control_id"),
                _text(form, "system_id") or None,
                _fields(form),
            )
    except AimsError as exc:
        f = {"q": "", "control_id": "", "system_id": "", "status": "", "overdue": ""}
        errors = form_errors(exc)
        return _list_page(
            request,
            db,
            info,
            f,
            values={k: _text(form, k) for k in FORM_FIELDS},
            errors=errors,
            status_code=exc.status,
        )
    return RedirectResponse(f"/controls/{impl.id}?created=1", status_code=303)


def _detail(
    request: Request,
    db: PageDb,
    info: Any,
    impl_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    ctx = info.context
    impl = service.get_implementation(db, ctx, impl_id)
    from aims.evidence import service as evidence

    return render(
        request,
        "controls/detail.html",
        {
            "impl": impl,
            "out": present.implementation_out(db, ctx, impl),
            "checks": service.checks_of(db, ctx, impl),
            "errors": errors or {},
            "v": values or {},
            "records": evidence_forms.record_choices(db, ctx),
            "direct": evidence.items_for(db, ctx, "control", [impl.control_id]),
            "today": date.today(),
            **_choices(db, info),
        },
        status_code=status_code,
    )


@router.get("/controls/{impl_id}")
def controls_detail(request: Request, db: PageDb, info: WebSession, impl_id: uuid.UUID) -> object:
    return _detail(request, db, info, impl_id)


@router.post("/controls/{impl_id}")
async def controls_edit(
    request: Request, db: PageDb, info: CsrfSession, impl_id: uuid.UUID
) -> Response:
    form = await request.form()
    try:
        with db.begin_nested():
            impl = service.get_implementation(db, info.context, impl_id)
            service.update_implementation(
                db, info.context, impl, _fields(form), version=form_version(form)
            )
    except AimsError as exc:
        return _detail(request, db, info, impl_id, errors=form_errors(exc), status_code=exc.status)
    return RedirectResponse(f"/controls/{impl_id}?saved=1", status_code=303)


@router.post("/controls/{impl_id}/checks")
async def controls_check(
    request: Request, db: PageDb, info: CsrfSession, impl_id: uuid.UUID
) -> Response:
    form = await request.form()
    try:
        with db.begin_nested():
            impl = service.get_implementation(db, info.context, impl_id)
            raw_result = _text(form, "result")
            if raw_result not in set(CheckResult):
                raise ValidationFailed(
                    "result", errors=[FieldError(("body", "result"), "pick what the check found")]
                )
            try:
                checked_on = date.fromisoformat(_text(form, "checked_on"))
            except ValueError as exc:
                raise ValidationFailed(
                    "date",
                    errors=[FieldError(("body", "checked_on"), "give the date of the check")],
                ) from exc
            service.record_check(
                db,
                info.context,
                impl,
                checked_on=checked_on,
                result=CheckResult(raw_result),
                note=_text(form, "note"),
                version=form_version(form),
            )
    except AimsError as exc:
        return _detail(request, db, info, impl_id, errors=form_errors(exc), status_code=exc.status)
    return RedirectResponse(f"/controls/{impl_id}?checked=1", status_code=303)


@router.post("/controls/{impl_id}/evidence")
async def controls_evidence(
    request: Request, db: PageDb, info: CsrfSession, impl_id: uuid.UUID
) -> Response:
    form = await request.form()
    try:
        with db.begin_nested():
            service.get_implementation(db, info.context, impl_id)
            await evidence_forms.add_from_form(db, info.context, form, implementation_id=impl_id)
    except AimsError as exc:
        return _detail(
            request,
            db,
            info,
            impl_id,
            errors=form_errors(exc),
            values=evidence_forms.values_of(form),
            status_code=exc.status,
        )
    return RedirectResponse(f"/controls/{impl_id}?evidence=1", status_code=303)


@router.post("/controls/{impl_id}/delete")
async def controls_delete(
    request: Request, db: PageDb, info: CsrfSession, impl_id: uuid.UUID
) -> Response:
    form = await request.form()
    impl = service.get_implementation(db, info.context, impl_id)
    service.delete_implementation(db, info.context, impl, version=form_version(form))
    return RedirectResponse("/controls?deleted=1", status_code=303)
