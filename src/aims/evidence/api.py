"""API routes for the evidence store: upload (multipart), links, records, downloads."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status

from aims.access import service as access
from aims.api.deps import Ctx, Db, Listing
from aims.api.schemas import PROBLEM_RESPONSES, PageOut, Problem
from aims.config import get_settings
from aims.evidence import present, service
from aims.evidence.rules import Kind, Validity
from aims.evidence.schemas import (
    EvidenceLinkIn,
    EvidenceOut,
    EvidenceRecordIn,
    ExpiringOut,
    ItemPatch,
    LinkTargetIn,
)
from aims.evidence.service import ItemFields

router = APIRouter(prefix="/api/v1", tags=["evidence"], responses=PROBLEM_RESPONSES)

UPLOAD_PROBLEMS: dict[int | str, dict[str, object]] = {
    413: {"model": Problem, "description": "The file is over the upload limit; nothing stored"},
    415: {
        "model": Problem,
        "description": "The content is not an accepted type, or disagrees "
        "with its name or declared type; nothing stored",
    },
}


def download(content: bytes, media_type: str, filename: str) -> Response:
    """A stored file as a download: the detected type, a sanitised name, no sniffing."""
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/evidence", response_model=PageOut[EvidenceOut], summary="The evidence store")
def list_items(
    db: Db,
    ctx: Ctx,
    listing: Listing,
    kind: Annotated[Kind | None, Query()] = None,
    system_id: Annotated[uuid.UUID | None, Query()] = None,
    control_id: Annotated[str | None, Query()] = None,
    validity: Annotated[Validity | None, Query()] = None,
    owner: Annotated[str | None, Query()] = None,
) -> PageOut[EvidenceOut]:
    owner_id = access.member_id(db, ctx, owner, field="owner") if owner else None
    params = listing.with_filters(
        kind=kind.value if kind else None, owner_id=str(owner_id) if owner_id else None
    )
    page = service.list_items(
        db,
        ctx,
        params,
        system_id=str(system_id) if system_id else None,
        control_id=control_id.strip().upper() if control_id else None,
        validity=validity,
    )
    items = present.evidence_page(db, ctx, page.items)
    return PageOut[EvidenceOut](
        items=items, total=page.total, limit=page.limit, next_cursor=page.next_cursor
    )


@router.post(
    "/evidence/files",
    response_model=EvidenceOut,
    status_code=status.HTTP_201_CREATED,
    summary="Upload a file as evidence (multipart)",
    responses=UPLOAD_PROBLEMS,
)
async def upload(
    db: Db,
    ctx: Ctx,
    file: Annotated[UploadFile, File()],
    title: Annotated[str, Form(min_length=1, max_length=300)],
    evidence_date: Annotated[date | None, Form()] = None,
    valid_until: Annotated[date | None, Form()] = None,
    owner_email: Annotated[str | None, Form()] = None,
    description: Annotated[str, Form(max_length=10000)] = "",
    control_id: Annotated[str | None, Form(description="Link to this control")] = None,
    implementation_id: Annotated[str | None, Form()] = None,
    system_id: Annotated[str | None, Form()] = None,
    clause_id: Annotated[str | None, Form()] = None,
) -> EvidenceOut:
    data = await file.read(get_settings().max_upload_bytes + 1)
    item = service.add_file(
        db,
        ctx,
        ItemFields(title, evidence_date, valid_until, owner_email or None, description),
        data=data,
        filename=file.filename or "",
        declared_type=file.content_type,
    )
    for target_type, target_id in (
        ("control", control_id),
        ("implementation", implementation_id),
        ("system", system_id),
        ("clause", clause_id),
    ):
        if target_id:
            service.link(db, ctx, item, target_type, target_id)
    return present.evidence_out(db, ctx, item)


def _link_all(db: Db, ctx: Ctx, item_id: uuid.UUID, links: list[LinkTargetIn]) -> None:
    item = service.get_item(db, ctx, item_id)
    for lk in links:
        service.link(db, ctx, item, lk.target_type, lk.target_id)


@router.post(
    "/evidence/links",
    response_model=EvidenceOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add a link (http/https) as evidence",
)
def add_link(body: EvidenceLinkIn, db: Db, ctx: Ctx) -> EvidenceOut:
    fields = ItemFields(
        body.title, body.evidence_date, body.valid_until, body.owner_email, body.description
    )
    item = service.add_link(db, ctx, fields, url=body.url)
    _link_all(db, ctx, item.id, body.links)
    return present.evidence_out(db, ctx, item)


@router.post(
    "/evidence/records",
    response_model=EvidenceOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add a record in aims (an approved assessment, SoA version...) as evidence",
)
def add_record(body: EvidenceRecordIn, db: Db, ctx: Ctx) -> EvidenceOut:
    fields = ItemFields(
        body.title, body.evidence_date, body.valid_until, body.owner_email, body.description
    )
    item = service.add_record(
        db, ctx, fields, record_type=body.record_type, record_id=body.record_id
    )
    _link_all(db, ctx, item.id, body.links)
    return present.evidence_out(db, ctx, item)


@router.get(
    "/evidence/expiring",
    response_model=ExpiringOut,
    summary="Expired items and items expiring within N days",
)
def expiring(db: Db, ctx: Ctx, days: Annotated[int, Query(ge=0, le=3660)] = 30) -> ExpiringOut:
    found = service.expiring(db, ctx, days=days)
    return ExpiringOut(
        days=days,
        expired=[present.evidence_out(db, ctx, i) for i in found.expired],
        expiring=[present.evidence_out(db, ctx, i) for i in found.expiring],
    )


@router.get(
    "/evidence/counts",
    response_model=dict[str, int],
    summary="Valid evidence items per control (as the SoA counts them)",
)
def counts(db: Db, ctx: Ctx) -> dict[str, int]:
    return service.evidence_counts(db, ctx)


@router.get("/evidence/{item_id}", response_model=EvidenceOut)
def get_item(item_id: uuid.UUID, db: Db, ctx: Ctx) -> EvidenceOut:
    return present.evidence_out(db, ctx, service.get_item(db, ctx, item_id))


@router.get(
    "/evidence/{item_id}/download",
    response_class=Response,
    summary="The stored file",
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download_file(item_id: uuid.UUID, db: Db, ctx: Ctx) -> Response:
    return download(*service.file_of(db, ctx, item_id))


@router.patch("/evidence/{item_id}", response_model=EvidenceOut)
def patch_item(item_id: uuid.UUID, body: ItemPatch, db: Db, ctx: Ctx) -> EvidenceOut:
    item = service.get_item(db, ctx, item_id)
    fields = ItemFields(
        body.title, body.evidence_date, body.valid_until, body.owner_email, body.description
    )
    return present.evidence_out(
        db, ctx, service.update_item(db, ctx, item, fields, version=body.version)
    )


@router.delete("/evidence/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_item(item_id: uuid.UUID, db: Db, ctx: Ctx, version: Annotated[int, Query()]) -> None:
    service.delete_item(db, ctx, service.get_item(db, ctx, item_id), version=version)


@router.post("/evidence/{item_id}/restore", response_model=EvidenceOut)
def restore_item(item_id: uuid.UUID, db: Db, ctx: Ctx) -> EvidenceOut:
    return present.evidence_out(db, ctx, service.restore_item(db, ctx, item_id))


@router.post(
    "/evidence/{item_id}/links",
    response_model=EvidenceOut,
    summary="Link the item to an implementation, control, clause or system",
)
def add_links(item_id: uuid.UUID, body: LinkTargetIn, db: Db, ctx: Ctx) -> EvidenceOut:
    _link_all(db, ctx, item_id, [body])
    return present.evidence_out(db, ctx, service.get_item(db, ctx, item_id))


@router.delete("/evidence/{item_id}/links/{target_type}/{target_id}", response_model=EvidenceOut)
def remove_link(
    item_id: uuid.UUID, target_type: str, target_id: str, db: Db, ctx: Ctx
) -> EvidenceOut:
    item = service.get_item(db, ctx, item_id)
    service.unlink(db, ctx, item, target_type, target_id)
    return present.evidence_out(db, ctx, item)
