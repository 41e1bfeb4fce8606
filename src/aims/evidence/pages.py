"""Evidence pages: the store with filters and the add form, one item, and its download."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from aims.access import service as access
from aims.access.rules import Permission
from aims.catalog.loader import get_catalog
from aims.errors import AimsError
from aims.evidence import forms, present, service
from aims.evidence.api import download
from aims.evidence.rules import Kind, Validity
from aims.store.listing import ListParams
from aims.systems import service as systems
from aims.web.errors import form_errors, html_status
from aims.web.forms import form_version
from aims.web.security import CsrfSession, PageDb, WebSession
from aims.web.templating import render

router = APIRouter(include_in_schema=False)


def _choices(db: PageDb, info: Any) -> dict[str, Any]:
    ctx = info.context
    from aims.controls import service as controls

    return {
        "systems": systems.list_systems(db, ctx, ListParams(limit=200)).items,
        "members": access.member_emails(db, ctx),
        "controls": list(get_catalog().controls.values()),
        "own_controls": list(controls.own_controls(db, ctx).values()),
        "records": forms.record_choices(db, ctx),
        "kinds": list(Kind),
        "validities": list(Validity),
        "can_edit": ctx.can(Permission.EDIT),
    }


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
        kind=f["kind"] or None
    )
    try:
        page = service.list_items(
            db,
            ctx,
            params,
            system_id=f["system_id"] or None,
            control_id=f["control_id"].upper() or None,
            validity=Validity(f["validity"]) if f["validity"] in set(Validity) else None,
        )
    except AimsError as exc:
        return html_status(request, exc.status, exc.detail, title="Bad filter")
    return render(
        request,
        "evidence/list.html",
        {
            "page": page,
            "f": f,
            "items": present.evidence_page(db, ctx, page.items),
            "v": values or {},
            "errors": errors or {},
            "base_query": urlencode({k: v for k, v in f.items() if v}),
            "attention": service.expiring(db, ctx),
            **_choices(db, info),
        },
        status_code=status_code,
    )


@router.get("/evidence")
def evidence_list(
    request: Request,
    db: PageDb,
    info: WebSession,
    q: str = "",
    kind: str = "",
    system_id: str = "",
    control_id: str = "",
    validity: str = "",
    cursor: str | None = None,
) -> object:
    f = {
        "q": q,
        "kind": kind if kind in set(Kind) else "",
        "system_id": system_id,
        "control_id": control_id,
        "validity": validity,
    }
    return _list_page(request, db, info, f, cursor=cursor)


@router.post("/evidence/new")
async def evidence_add(request: Request, db: PageDb, info: CsrfSession) -> Response:
    form = await request.form()
    try:
        with db.begin_nested():
            item = await forms.add_from_form(db, info.context, form)
    except AimsError as exc:
        f = {"q": "", "kind": "", "system_id": "", "control_id": "", "validity": ""}
        return _list_page(
            request,
            db,
            info,
            f,
            values=forms.values_of(form),
            errors=form_errors(exc),
            status_code=exc.status,
        )
    return RedirectResponse(f"/evidence/{item.id}?created=1", status_code=303)


def _detail(
    request: Request,
    db: PageDb,
    info: Any,
    item_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    ctx = info.context
    item = service.get_item(db, ctx, item_id)
    return render(
        request,
        "evidence/detail.html",
        {
            "item": item,
            "out": present.evidence_out(db, ctx, item),
            "errors": errors or {},
            "links": [
                (lk, present.link_href(lk), present.link_label(db, ctx, lk))
                for lk in service.links_of(db, ctx, item)
            ],
            "clauses": list(get_catalog().clauses.values()),
            **_choices(db, info),
        },
        status_code=status_code,
    )


@router.get("/evidence/{item_id}")
def evidence_detail(request: Request, db: PageDb, info: WebSession, item_id: uuid.UUID) -> object:
    return _detail(request, db, info, item_id)


@router.get("/evidence/{item_id}/download")
def evidence_download(db: PageDb, info: WebSession, item_id: uuid.UUID) -> Response:
    return download(*service.file_of(db, info.context, item_id))


@router.post("/evidence/{item_id}/links")
async def evidence_link(
    request: Request, db: PageDb, info: CsrfSession, item_id: uuid.UUID
) -> Response:
    form = await request.form()
    target_type = str(form.get("target_type") or "")
    target_id = str(form.get(f"target_{target_type}") or form.get("target_id") or "")
    try:
        with db.begin_nested():
            item = service.get_item(db, info.context, item_id)
            service.link(db, info.context, item, target_type, target_id)
    except AimsError as exc:
        return _detail(request, db, info, item_id, errors=form_errors(exc), status_code=exc.status)
    return RedirectResponse(f"/evidence/{item_id}?linked=1", status_code=303)


@router.post("/evidence/{item_id}/links/remove")
async def evidence_unlink(
    request: Request, db: PageDb, info: CsrfSession, item_id: uuid.UUID
) -> Response:
    form = await request.form()
    item = service.get_item(db, info.context, item_id)
    service.unlink(
        db, info.context, item, str(form.get("target_type") or ""), str(form.get("target_id") or "")
    )
    return RedirectResponse(f"/evidence/{item_id}", status_code=303)


@router.post("/evidence/{item_id}/delete")
async def evidence_delete(
    request: Request, db: PageDb, info: CsrfSession, item_id: uuid.UUID
) -> Response:
    form = await request.form()
    item = service.get_item(db, info.context, item_id)
    service.delete_item(db, info.context, item, version=form_version(form))
    return RedirectResponse("/evidence?deleted=1", status_code=303)
