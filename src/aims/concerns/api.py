"""API routes for concerns (A.3.3): intake, the reporter's view, the handlers' queue and
triage, the settings, and the receipt-code status (no account needed)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from aims.api.deps import Ctx, Db, Listing
from aims.api.schemas import PROBLEM_RESPONSES, PageOut
from aims.concerns import present, service
from aims.concerns.schemas import (
    CategoryOut,
    ConcernIn,
    ConcernOut,
    LinkIn,
    NoteIn,
    RaiseRiskIn,
    ReceiptOut,
    ReceiptStatusIn,
    ReceiptStatusOut,
    ReporterViewOut,
    SettingsIn,
    SettingsOut,
    TriageIn,
)
from aims.concerns.vocab import Severity, Status, categories

router = APIRouter(prefix="/api/v1", tags=["concerns"], responses=PROBLEM_RESPONSES)


@router.get("/concerns/categories", response_model=list[CategoryOut])
def list_categories(ctx: Ctx) -> list[CategoryOut]:
    return [CategoryOut(id=c.id, label=c.label, help=c.help) for c in categories()]


@router.post(
    "/concerns",
    response_model=ReceiptOut,
    status_code=status.HTTP_201_CREATED,
    summary="Raise a concern (any member); the receipt code is shown only in this answer",
)
def raise_concern(body: ConcernIn, db: Db, ctx: Ctx) -> ReceiptOut:
    concern, code = service.raise_concern(db, ctx, body)
    return ReceiptOut(ref=concern.ref, receipt_code=code, anonymous=concern.anonymous)


@router.get(
    "/concerns/mine",
    response_model=list[ReporterViewOut],
    summary="Concerns you raised under your name",
)
def my_concerns(db: Db, ctx: Ctx) -> list[ReporterViewOut]:
    return [present.reporter_view(c) for c in service.my_concerns(db, ctx)]


@router.get("/concerns/counts", response_model=dict[str, int], summary="Concerns per status")
def counts(db: Db, ctx: Ctx) -> dict[str, int]:
    return service.counts(db, ctx)


@router.get("/concerns/settings", response_model=SettingsOut)
def get_settings(db: Db, ctx: Ctx) -> SettingsOut:
    return present.settings_out(service.get_settings(db, ctx))


@router.put("/concerns/settings", response_model=SettingsOut, summary="Owners only")
def put_settings(body: SettingsIn, db: Db, ctx: Ctx) -> SettingsOut:
    return present.settings_out(service.save_settings(db, ctx, body))


@router.post(
    "/concerns/settings/link",
    response_model=SettingsOut,
    summary="A new public link; the old one stops working",
)
def regenerate_link(body: LinkIn, db: Db, ctx: Ctx) -> SettingsOut:
    return present.settings_out(service.regenerate_link(db, ctx, version=body.version))


@router.post(
    "/concerns/receipt",
    response_model=ReceiptStatusOut,
    summary="Where a concern stands, by its receipt code (no token needed)",
    openapi_extra={"security": []},
)
def receipt(body: ReceiptStatusIn, db: Db) -> ReceiptStatusOut:
    found = service.receipt_status(db, body.code)
    return ReceiptStatusOut(status=found.status, last_update=found.last_update,
                            message=found.message)  # fmt: skip


@router.get("/concerns", response_model=PageOut[ConcernOut], summary="The triage queue")
def list_concerns(
    db: Db,
    ctx: Ctx,
    listing: Listing,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    category: Annotated[str | None, Query(max_length=30)] = None,
    system_id: Annotated[uuid.UUID | None, Query()] = None,
    owner: Annotated[str | None, Query(description="The owner's e-mail", max_length=320)] = None,
    severity: Annotated[Severity | None, Query()] = None,
) -> PageOut[ConcernOut]:
    from aims.access import service as access

    service.require_handler(db, ctx)
    owner_id = access.member_id(db, ctx, owner, field="owner") if owner else None
    params = listing.with_filters(
        status=status_.value if status_ else None, category=category,
        system_id=str(system_id) if system_id else None,
        owner_id=str(owner_id) if owner_id else None,
        severity=severity.value if severity else None,
    )  # fmt: skip
    page = service.list_concerns(db, ctx, params)
    return PageOut[ConcernOut].of(page, lambda c: present.concern_out(db, ctx, c))


@router.get(
    "/concerns/{concern_id}",
    response_model=ConcernOut | ReporterViewOut,
    summary="A concern: the handler's view, or the reporter's view for who raised it",
)
def get_concern(concern_id: uuid.UUID, db: Db, ctx: Ctx) -> ConcernOut | ReporterViewOut:
    concern, handler = service.open_concern(db, ctx, concern_id)
    return present.concern_out(db, ctx, concern) if handler else present.reporter_view(concern)


@router.patch("/concerns/{concern_id}", response_model=ConcernOut, summary="Triage (handlers)")
def patch_concern(concern_id: uuid.UUID, body: TriageIn, db: Db, ctx: Ctx) -> ConcernOut:
    concern = service.get_concern(db, ctx, concern_id)
    return present.concern_out(db, ctx, service.triage(db, ctx, concern, body))


@router.post(
    "/concerns/{concern_id}/notes",
    response_model=ConcernOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add an internal note to the timeline",
)
def add_note(concern_id: uuid.UUID, body: NoteIn, db: Db, ctx: Ctx) -> ConcernOut:
    concern = service.get_concern(db, ctx, concern_id)
    service.add_note(db, ctx, concern, body)
    return present.concern_out(db, ctx, concern)


@router.post(
    "/concerns/{concern_id}/risk",
    response_model=ConcernOut,
    status_code=status.HTTP_201_CREATED,
    summary="Raise the concern as a risk in the register (origin 'concern')",
)
def raise_risk(concern_id: uuid.UUID, body: RaiseRiskIn, db: Db, ctx: Ctx) -> ConcernOut:
    concern = service.get_concern(db, ctx, concern_id)
    return present.concern_out(db, ctx, service.raise_as_risk(db, ctx, concern, body))


@router.delete("/concerns/{concern_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_concern(
    concern_id: uuid.UUID, db: Db, ctx: Ctx, version: Annotated[int, Query()]
) -> None:
    service.delete_concern(db, ctx, service.get_concern(db, ctx, concern_id), version=version)


@router.post(
    "/concerns/{concern_id}/restore", response_model=ConcernOut, summary="Undo a delete (owners)"
)
def restore_concern(concern_id: uuid.UUID, db: Db, ctx: Ctx) -> ConcernOut:
    return present.concern_out(db, ctx, service.restore_concern(db, ctx, concern_id))
