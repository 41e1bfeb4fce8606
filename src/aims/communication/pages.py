"""The communication plan page: the plan, adding and editing a line, recording it done."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import FormData

from aims.access import service as access
from aims.access.rules import Permission
from aims.communication import service
from aims.communication.models import CommunicationItem
from aims.communication.present import item_out
from aims.communication.rules import Direction, Frequency
from aims.communication.schemas import DoneIn, ItemIn, ItemPatch
from aims.errors import AimsError
from aims.store.listing import ListParams
from aims.web.errors import html_status
from aims.web.forms import form_version, validation_errors
from aims.web.security import CsrfSession, PageDb, WebSession
from aims.web.templating import render

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    db: PageDb,
    info: WebSession,
    *,
    f: dict[str, str],
    cursor: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    ctx = info.context
    params = ListParams(limit=50, cursor=cursor, q=f.get("q") or None,
                        sort=f.get("sort") or None).with_filters(
        direction=f.get("direction") or None)  # fmt: skip
    page = service.list_items(db, ctx, params)
    return render(
        request, "communication/list.html",
        {"page": page, "items": [item_out(i) for i in page.items], "f": f,
         "directions": list(Direction), "frequencies": list(Frequency),
         "members": access.member_emails(db, ctx),
         "can_edit": ctx.can(Permission.EDIT), "v": values or {"frequency": "quarterly"},
         "errors": errors or {}, "base_query": urlencode({k: v for k, v in f.items() if v})},
        status_code=status_code,
    )  # fmt: skip


@router.get("/communication")
def plan(
    request: Request,
    db: PageDb,
    info: WebSession,
    q: str = "",
    direction: str = "",
    sort: str = "topic",
    cursor: str | None = None,
) -> object:
    f = {"q": q, "direction": direction, "sort": sort}
    try:
        return _page(request, db, info, f=f, cursor=cursor)
    except AimsError as exc:
        return html_status(request, exc.status, exc.detail, title="Bad filter")


def _raw(form: FormData) -> dict[str, Any]:
    raw: dict[str, Any] = {k: str(form.get(k) or "") for k in
                           ("topic", "audience", "channel", "timing", "notes")}  # fmt: skip
    for key in ("direction", "frequency", "first_due", "communicator_email"):
        raw[key] = str(form.get(key) or "").strip() or None
    return raw


@router.post("/communication")
async def add_item(request: Request, db: PageDb, info: CsrfSession) -> object:
    raw = _raw(await request.form())
    try:
        body = ItemIn.model_validate({k: v for k, v in raw.items() if v is not None})
        with db.begin_nested():
            service.create_item(db, info.context, body)
    except (ValidationError, AimsError) as exc:
        return _page(request, db, info, f={}, values=raw, errors=validation_errors(exc),
                     status_code=422)  # fmt: skip
    return RedirectResponse("/communication?added=1", status_code=303)


def _edit_page(
    request: Request,
    db: PageDb,
    info: WebSession,
    item: CommunicationItem,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    members = access.member_emails(db, info.context)
    return render(
        request, "communication/edit.html",
        {"item": item_out(item), "v": values, "errors": errors or {},
         "directions": list(Direction), "frequencies": list(Frequency),
         "members": members},
        status_code=status_code,
    )  # fmt: skip


@router.get("/communication/{item_id}")
def edit_item(item_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    item = service.get_item(db, info.context, item_id)
    return _edit_page(request, db, info, item, item_out(item).model_dump(mode="json"))


@router.post("/communication/{item_id}")
async def save_item(item_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession) -> object:
    item = service.get_item(db, info.context, item_id)
    form = await request.form()
    raw = _raw(form)
    try:
        body = ItemPatch.model_validate({**raw, "version": form_version(form)})
        with db.begin_nested():
            service.update_item(db, info.context, item, body, version=body.version)
    except (ValidationError, AimsError) as exc:
        if isinstance(exc, AimsError) and exc.status == 409:
            raise
        db.refresh(item)
        return _edit_page(request, db, info, item, {**raw, "version": item.version},
                          validation_errors(exc), 422)  # fmt: skip
    return RedirectResponse("/communication?saved=1", status_code=303)


@router.post("/communication/{item_id}/done")
async def done(item_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession) -> object:
    item = service.get_item(db, info.context, item_id)
    form = await request.form()
    service.record_done(db, info.context, item, DoneIn(version=form_version(form)))
    return RedirectResponse("/communication?done=1", status_code=303)


@router.post("/communication/{item_id}/delete")
async def delete_item(
    item_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    item = service.get_item(db, info.context, item_id)
    service.delete_item(db, info.context, item, version=form_version(await request.form()))
    return RedirectResponse(f"/communication?deleted={item_id}", status_code=303)


@router.post("/communication/{item_id}/restore")
def restore_item(item_id: uuid.UUID, db: PageDb, info: CsrfSession) -> object:
    service.restore_item(db, info.context, item_id)
    return RedirectResponse("/communication?restored=1", status_code=303)
