"""API routes for change records (6.3)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from aims.access import service as access
from aims.api.deps import Ctx, Db, Listing
from aims.api.schemas import PROBLEM_RESPONSES, PageOut
from aims.changes import service
from aims.changes.present import change_out
from aims.changes.rules import ChangeStatus
from aims.changes.schemas import ChangeIn, ChangeOut, ChangePatch, MoveIn

router = APIRouter(prefix="/api/v1", tags=["changes"], responses=PROBLEM_RESPONSES)


@router.get("/changes", response_model=PageOut[ChangeOut], summary="Planned changes (6.3)")
def list_changes(
    db: Db,
    ctx: Ctx,
    listing: Listing,
    status_: Annotated[ChangeStatus | None, Query(alias="status")] = None,
    owner: Annotated[str | None, Query(description="Owner's e-mail")] = None,
) -> PageOut[ChangeOut]:
    owner_id = access.member_id(db, ctx, owner, field="owner") if owner else None
    params = listing.with_filters(
        status=status_.value if status_ else None, owner_id=str(owner_id) if owner_id else None
    )
    return PageOut[ChangeOut].of(service.list_changes(db, ctx, params), change_out)


@router.post("/changes", response_model=ChangeOut, status_code=status.HTTP_201_CREATED)
def create_change(body: ChangeIn, db: Db, ctx: Ctx) -> ChangeOut:
    return change_out(service.create_change(db, ctx, body))


@router.get("/changes/{change_id}", response_model=ChangeOut)
def get_change(change_id: uuid.UUID, db: Db, ctx: Ctx) -> ChangeOut:
    return change_out(service.get_change(db, ctx, change_id))


@router.patch("/changes/{change_id}", response_model=ChangeOut, summary="Edit a proposed plan")
def patch_change(change_id: uuid.UUID, body: ChangePatch, db: Db, ctx: Ctx) -> ChangeOut:
    change = service.get_change(db, ctx, change_id)
    return change_out(service.update_change(db, ctx, change, body, version=body.version))


@router.post(
    "/changes/{change_id}/status",
    response_model=ChangeOut,
    summary="Approve, reject, start, implement, close or cancel a change",
)
def move_change(change_id: uuid.UUID, body: MoveIn, db: Db, ctx: Ctx) -> ChangeOut:
    return change_out(service.move(db, ctx, service.get_change(db, ctx, change_id), body))


@router.delete("/changes/{change_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_change(change_id: uuid.UUID, db: Db, ctx: Ctx, version: Annotated[int, Query()]) -> None:
    service.delete_change(db, ctx, service.get_change(db, ctx, change_id), version=version)


@router.post("/changes/{change_id}/restore", response_model=ChangeOut)
def restore_change(change_id: uuid.UUID, db: Db, ctx: Ctx) -> ChangeOut:
    return change_out(service.restore_change(db, ctx, change_id))
