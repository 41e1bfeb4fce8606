"""The leadership page: what top management approved and the resources it committed."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import FormData

from aims.access import service as access
from aims.access.rules import Permission, Role
from aims.errors import AimsError
from aims.leadership import service
from aims.leadership.present import commitment_out
from aims.leadership.rules import CommitmentStatus, ResourceKind
from aims.leadership.schemas import CommitmentIn, CommitmentPatch
from aims.store.listing import ListParams
from aims.web.errors import html_status
from aims.web.forms import form_version, validation_errors
from aims.web.security import CsrfSession, PageDb, WebSession
from aims.web.templating import render

router = APIRouter(include_in_schema=False)


def _approvers(db: PageDb, info: WebSession) -> list[str]:
    return [m.user.email for m in access.list_members(db, info.context, ListParams(limit=200)).items
            if m.role in (Role.OWNER.value, Role.MANAGER.value)]  # fmt: skip


def _page(
    request: Request,
    db: PageDb,
    info: WebSession,
    *,
    kind: str = "",
    status: str = "",
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    ctx = info.context
    params = ListParams(limit=200).with_filters(kind=kind or None, status=status or None)
    approvals = service.approvals(db, ctx)
    return render(
        request, "leadership/page.html",
        {"commitments": [commitment_out(r)
                         for r in service.list_commitments(db, ctx, params).items],
         "top": [a for a in approvals if a.approved_by_role == Role.OWNER.value],
         "others": [a for a in approvals if a.approved_by_role != Role.OWNER.value],
         "kinds": list(ResourceKind), "statuses": list(CommitmentStatus),
         "f": {"kind": kind, "status": status}, "approvers": _approvers(db, info),
         "can_edit": ctx.can(Permission.EDIT), "v": values or {}, "errors": errors or {}},
        status_code=status_code,
    )  # fmt: skip


@router.get("/leadership")
def leadership(
    request: Request, db: PageDb, info: WebSession, kind: str = "", status: str = ""
) -> object:
    try:
        return _page(request, db, info, kind=kind, status=status)
    except AimsError as exc:
        return html_status(request, exc.status, exc.detail, title="Bad filter")


def _raw(form: FormData) -> dict[str, Any]:
    raw: dict[str, Any] = {k: str(form.get(k) or "") for k in ("description", "amount", "purpose")}
    for key in ("kind", "committed_by_email", "committed_on", "starts", "until", "status"):
        raw[key] = str(form.get(key) or "").strip() or None
    return raw


@router.post("/leadership/commitments")
async def add_commitment(request: Request, db: PageDb, info: CsrfSession) -> object:
    raw = _raw(await request.form())
    try:
        body = CommitmentIn.model_validate({k: v for k, v in raw.items() if v is not None})
        with db.begin_nested():
            service.create_commitment(db, info.context, body)
    except (ValidationError, AimsError) as exc:
        return _page(request, db, info, values=raw, errors=validation_errors(exc),
                     status_code=422)  # fmt: skip
    return RedirectResponse("/leadership?added=1#commitments", status_code=303)


def _edit(
    request: Request,
    db: PageDb,
    info: WebSession,
    row_id: uuid.UUID,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    row = commitment_out(service.get_commitment(db, info.context, row_id))
    return render(
        request, "leadership/edit.html",
        {"c": row, "v": values or row.model_dump(mode="json"), "errors": errors or {},
         "kinds": list(ResourceKind), "statuses": list(CommitmentStatus),
         "approvers": _approvers(db, info)},
        status_code=status_code,
    )  # fmt: skip


@router.get("/leadership/commitments/{row_id}")
def edit_commitment(row_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    return _edit(request, db, info, row_id)


@router.post("/leadership/commitments/{row_id}")
async def save_commitment(
    row_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    row = service.get_commitment(db, info.context, row_id)
    form = await request.form()
    raw = _raw(form)
    try:
        body = CommitmentPatch.model_validate({**raw, "version": form_version(form)})
        with db.begin_nested():
            service.update_commitment(db, info.context, row, body, version=body.version)
    except (ValidationError, AimsError) as exc:
        if isinstance(exc, AimsError) and exc.status == 409:
            raise
        db.refresh(row)
        return _edit(request, db, info, row_id, {**raw, "version": row.version},
                     validation_errors(exc), 422)  # fmt: skip
    return RedirectResponse("/leadership?saved=1#commitments", status_code=303)


@router.post("/leadership/commitments/{row_id}/delete")
async def delete_commitment(
    row_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    row = service.get_commitment(db, info.context, row_id)
    service.delete_commitment(db, info.context, row, version=form_version(await request.form()))
    return RedirectResponse(f"/leadership?deleted={row_id}#commitments", status_code=303)


@router.post("/leadership/commitments/{row_id}/restore")
def restore_commitment(row_id: uuid.UUID, db: PageDb, info: CsrfSession) -> object:
    service.restore_commitment(db, info.context, row_id)
    return RedirectResponse("/leadership?restored=1#commitments", status_code=303)
