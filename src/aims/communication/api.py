"""API routes for the communication plan (7.4)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from aims.api.deps import Ctx, Db, Listing
from aims.api.schemas import PROBLEM_RESPONSES, PageOut
from aims.communication import service
from aims.communication.present import item_out
from aims.communication.rules import Direction
from aims.communication.schemas import DoneIn, ItemIn, ItemOut, ItemPatch

router = APIRouter(prefix="/api/v1", tags=["communication"], responses=PROBLEM_RESPONSES)


@router.get("/communications", response_model=PageOut[ItemOut], summary="The plan (7.4)")
def list_items(
    db: Db,
    ctx: Ctx,
    listing: Listing,
    direction: Annotated[Direction | None, Query()] = None,
) -> PageOut[ItemOut]:
    params = listing.with_filters(direction=direction.value if direction else None)
    return PageOut[ItemOut].of(service.list_items(db, ctx, params), item_out)


@router.post("/communications", response_model=ItemOut, status_code=status.HTTP_201_CREATED)
def create_item(body: ItemIn, db: Db, ctx: Ctx) -> ItemOut:
    return item_out(service.create_item(db, ctx, body))


@router.get("/communications/{item_id}", response_model=ItemOut)
def get_item(item_id: uuid.UUID, db: Db, ctx: Ctx) -> ItemOut:
    return item_out(service.get_item(db, ctx, item_id))


@router.patch("/communications/{item_id}", response_model=ItemOut)
def patch_item(item_id: uuid.UUID, body: ItemPatch, db: Db, ctx: Ctx) -> ItemOut:
    item = service.get_item(db, ctx, item_id)
    return item_out(service.update_item(db, ctx, item, body, version=body.version))


@router.post(
    "/communications/{item_id}/done",
    response_model=ItemOut,
    summary="Record that it was communicated; the plan moves to the next date",
)
def done(item_id: uuid.UUID, body: DoneIn, db: Db, ctx: Ctx) -> ItemOut:
    return item_out(service.record_done(db, ctx, service.get_item(db, ctx, item_id), body))


@router.delete("/communications/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_item(item_id: uuid.UUID, db: Db, ctx: Ctx, version: Annotated[int, Query()]) -> None:
    service.delete_item(db, ctx, service.get_item(db, ctx, item_id), version=version)


@router.post("/communications/{item_id}/restore", response_model=ItemOut)
def restore_item(item_id: uuid.UUID, db: Db, ctx: Ctx) -> ItemOut:
    return item_out(service.restore_item(db, ctx, item_id))
