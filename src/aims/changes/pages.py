"""Change record pages: the list, a change with its life cycle, and the plan form."""

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
from aims.changes import rules, service
from aims.changes.models import ChangeRecord
from aims.changes.present import change_out
from aims.changes.rules import ChangeStatus
from aims.changes.schemas import ChangeIn, ChangePatch, MoveIn
from aims.errors import AimsError
from aims.store.listing import ListParams
from aims.systems import service as systems
from aims.web.errors import html_status
from aims.web.forms import form_version, validation_errors
from aims.web.security import CsrfSession, PageDb, WebSession
from aims.web.templating import render

router = APIRouter(include_in_schema=False)


def _members(db: PageDb, info: WebSession) -> list[str]:
    return access.member_emails(db, info.context)


@router.get("/changes")
def change_list(
    request: Request,
    db: PageDb,
    info: WebSession,
    q: str = "",
    status: str = "",
    owner: str = "",
    sort: str = "-ref",
    cursor: str | None = None,
) -> object:
    ctx = info.context
    f = {"q": q, "status": status, "owner": owner, "sort": sort}
    try:
        owner_id = access.member_id(db, ctx, owner, field="owner") if owner else None
        params = ListParams(limit=50, cursor=cursor, q=q or None, sort=sort or None).with_filters(
            status=status or None, owner_id=str(owner_id) if owner_id else None
        )
        page = service.list_changes(db, ctx, params)
    except AimsError as exc:
        return html_status(request, exc.status, exc.detail, title="Bad filter")
    return render(
        request, "changes/list.html",
        {"page": page, "f": f, "statuses": list(ChangeStatus), "members": _members(db, info),
         "overdue": {c.id for c in page.items if service.overdue(c)},
         "can_edit": ctx.can(Permission.EDIT),
         "base_query": urlencode({k: v for k, v in f.items() if v})},
    )  # fmt: skip


def _form(
    request: Request,
    db: PageDb,
    info: WebSession,
    *,
    change: ChangeRecord | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request, "changes/form.html",
        {"change": change, "v": values, "errors": errors or {}, "members": _members(db, info),
         "systems": systems.list_systems(db, info.context, ListParams(limit=200)).items},
        status_code=status_code,
    )  # fmt: skip


TEXTS = ("title", "purpose", "description", "consequences", "resources", "responsibilities",
         "affected")  # fmt: skip


def _raw(form: FormData) -> dict[str, Any]:
    raw: dict[str, Any] = {k: str(form.get(k) or "") for k in TEXTS}
    raw["owner_email"] = str(form.get("owner_email") or "").strip() or None
    raw["planned_date"] = str(form.get("planned_date") or "").strip() or None
    raw["system_ids"] = [str(v) for v in form.getlist("system_ids")]
    return raw


@router.get("/changes/new")
def new_change(request: Request, db: PageDb, info: WebSession) -> HTMLResponse:
    info.context.require(Permission.EDIT)
    return _form(request, db, info, change=None, values={})


@router.post("/changes/new")
async def create_change(request: Request, db: PageDb, info: CsrfSession) -> object:
    raw = _raw(await request.form())
    try:
        body = ChangeIn.model_validate(raw)
        with db.begin_nested():
            change = service.create_change(db, info.context, body)
    except (ValidationError, AimsError) as exc:
        return _form(request, db, info, change=None, values=raw,
                     errors=validation_errors(exc), status_code=422)  # fmt: skip
    return RedirectResponse(f"/changes/{change.id}?created=1", status_code=303)


@router.get("/changes/{change_id}")
def change_detail(change_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    ctx = info.context
    change = service.get_change(db, ctx, change_id)
    names = {str(s.id): s.name for s in systems.list_systems(db, ctx, ListParams(limit=200)).items}
    return render(
        request, "changes/detail.html",
        {"c": change_out(change), "change": change, "systems": names,
         "moves": sorted(rules.MOVES[ChangeStatus(change.status)], key=list(ChangeStatus).index),
         "needs_approver": rules.NEEDS_APPROVER, "labels": rules.PLAN_FIELDS,
         "can_edit": ctx.can(Permission.EDIT), "can_approve": ctx.can(Permission.APPROVE),
         "errors": {}},
    )  # fmt: skip


@router.get("/changes/{change_id}/edit")
def edit_change(change_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    info.context.require(Permission.EDIT)
    change = service.get_change(db, info.context, change_id)
    values = change_out(change).model_dump(mode="json")
    return _form(request, db, info, change=change, values=values)


@router.post("/changes/{change_id}/edit")
async def save_change(
    change_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    change = service.get_change(db, info.context, change_id)
    form = await request.form()
    raw = _raw(form)
    try:
        body = ChangePatch.model_validate({**raw, "version": form_version(form)})
        with db.begin_nested():
            service.update_change(db, info.context, change, body, version=body.version)
    except (ValidationError, AimsError) as exc:
        if isinstance(exc, AimsError) and exc.status == 409:
            raise
        raw["version"] = change.version
        return _form(request, db, info, change=change, values=raw,
                     errors=validation_errors(exc), status_code=422)  # fmt: skip
    return RedirectResponse(f"/changes/{change.id}?saved=1", status_code=303)


@router.post("/changes/{change_id}/status")
async def move_change(
    change_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    ctx = info.context
    change = service.get_change(db, ctx, change_id)
    form = await request.form()
    outcome = str(form.get("outcome") or "").strip()
    try:
        body = MoveIn.model_validate(
            {"status": str(form.get("status") or ""), "version": form_version(form),
             "note": str(form.get("note") or ""), "outcome": outcome or None}
        )  # fmt: skip
        with db.begin_nested():
            service.move(db, ctx, change, body)
    except (ValidationError, AimsError) as exc:
        if isinstance(exc, AimsError) and exc.status in (403, 409):
            raise
        db.refresh(change)
        names = {str(s.id): s.name
                 for s in systems.list_systems(db, ctx, ListParams(limit=200)).items}  # fmt: skip
        return render(
            request, "changes/detail.html",
            {"c": change_out(change), "change": change, "systems": names,
             "moves": sorted(rules.MOVES[ChangeStatus(change.status)],
                             key=list(ChangeStatus).index),
             "needs_approver": rules.NEEDS_APPROVER, "labels": rules.PLAN_FIELDS,
             "can_edit": ctx.can(Permission.EDIT), "can_approve": ctx.can(Permission.APPROVE),
             "errors": validation_errors(exc)},
            status_code=422,
        )  # fmt: skip
    return RedirectResponse(f"/changes/{change.id}?moved=1", status_code=303)


@router.post("/changes/{change_id}/delete")
async def delete_change(
    change_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    change = service.get_change(db, info.context, change_id)
    service.delete_change(db, info.context, change, version=form_version(await request.form()))
    return RedirectResponse(f"/changes?deleted={change_id}", status_code=303)


@router.post("/changes/{change_id}/restore")
def restore_change(change_id: uuid.UUID, db: PageDb, info: CsrfSession) -> object:
    service.restore_change(db, info.context, change_id)
    return RedirectResponse(f"/changes/{change_id}?restored=1", status_code=303)
