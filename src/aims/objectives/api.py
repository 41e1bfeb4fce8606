"""API routes for AI objectives and their measurements."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from aims.access import service as access
from aims.api.deps import Ctx, Db, Listing
from aims.api.schemas import PROBLEM_RESPONSES, PageOut
from aims.exports.http import attachment
from aims.objectives import present, service
from aims.objectives.rules import Kind, State, Status
from aims.objectives.schemas import (
    AttentionOut,
    MeasurementIn,
    MeasurementOut,
    ObjectiveIn,
    ObjectiveOut,
    ObjectivePatch,
)
from aims.store.listing import ListParams

router = APIRouter(prefix="/api/v1", tags=["objectives"], responses=PROBLEM_RESPONSES)


def _filtered(
    db: Db, ctx: Ctx, listing: ListParams, *, kind: Kind | None, status_: Status | None,
    annex_c: str | None, system_id: uuid.UUID | None, owner: str | None,
) -> ListParams:  # fmt: skip
    owner_id = access.member_id(db, ctx, owner, field="owner") if owner else None
    return listing.with_filters(
        kind=kind.value if kind else None, status=status_.value if status_ else None,
        annex_c=annex_c, system_id=str(system_id) if system_id else None,
        owner_id=str(owner_id) if owner_id else None,
    )  # fmt: skip


@router.get("/objectives", response_model=PageOut[ObjectiveOut], summary="AI objectives (6.2)")
def list_objectives(
    db: Db,
    ctx: Ctx,
    listing: Listing,
    kind: Annotated[Kind | None, Query()] = None,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    state: Annotated[State | None, Query(description="The derived state")] = None,
    annex_c: Annotated[str | None, Query(description="Annex C objective id")] = None,
    system_id: Annotated[uuid.UUID | None, Query()] = None,
    owner: Annotated[str | None, Query(description="The owner's e-mail")] = None,
) -> PageOut[ObjectiveOut]:
    params = _filtered(db, ctx, listing, kind=kind, status_=status_, annex_c=annex_c,
                       system_id=system_id, owner=owner)  # fmt: skip
    page = service.list_objectives(db, ctx, params, state=state)
    return PageOut[ObjectiveOut](
        items=present.many(db, ctx, page.items), total=page.total, limit=page.limit,
        next_cursor=page.next_cursor,
    )  # fmt: skip


@router.post("/objectives", response_model=ObjectiveOut, status_code=status.HTTP_201_CREATED)
def create_objective(body: ObjectiveIn, db: Db, ctx: Ctx) -> ObjectiveOut:
    return present.one(db, ctx, service.create_objective(db, ctx, body))


@router.get(
    "/objectives/export",
    summary="The objectives with their last measurement as XLSX or CSV (same filters as the list)",
    response_class=Response,
    responses={200: {"content": {present.XLSX: {}, "text/csv": {}}}},
)
def export_objectives(
    db: Db,
    ctx: Ctx,
    listing: Listing,
    format: Annotated[Literal["xlsx", "csv"], Query()] = "xlsx",
    kind: Annotated[Kind | None, Query()] = None,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    state: Annotated[State | None, Query()] = None,
    system_id: Annotated[uuid.UUID | None, Query()] = None,
    owner: Annotated[str | None, Query()] = None,
) -> Response:
    params = _filtered(db, ctx, listing, kind=kind, status_=status_, annex_c=None,
                       system_id=system_id, owner=owner)  # fmt: skip
    return attachment(*present.objectives_file(db, ctx, format, params, state=state))


@router.get(
    "/objectives/attention",
    response_model=AttentionOut,
    summary="Active objectives whose newest value misses the target, and those overdue",
)
def attention(db: Db, ctx: Ctx) -> AttentionOut:
    found = service.attention(db, ctx)
    return AttentionOut(
        breached=[present.objective_out(f.objective, f.assessment) for f in found.breached],
        overdue=[present.objective_out(f.objective, f.assessment) for f in found.overdue],
    )


@router.get("/objectives/{objective_id}", response_model=ObjectiveOut)
def get_objective(objective_id: uuid.UUID, db: Db, ctx: Ctx) -> ObjectiveOut:
    return present.one(db, ctx, service.get_objective(db, ctx, objective_id))


@router.patch("/objectives/{objective_id}", response_model=ObjectiveOut)
def patch_objective(
    objective_id: uuid.UUID, body: ObjectivePatch, db: Db, ctx: Ctx
) -> ObjectiveOut:
    objective = service.get_objective(db, ctx, objective_id)
    service.update_objective(db, ctx, objective, body, version=body.version)
    return present.one(db, ctx, objective)


@router.delete("/objectives/{objective_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_objective(
    objective_id: uuid.UUID, db: Db, ctx: Ctx, version: Annotated[int, Query()]
) -> None:
    objective = service.get_objective(db, ctx, objective_id)
    service.delete_objective(db, ctx, objective, version=version)


@router.post(
    "/objectives/{objective_id}/restore", response_model=ObjectiveOut, summary="Undo a delete"
)
def restore_objective(objective_id: uuid.UUID, db: Db, ctx: Ctx) -> ObjectiveOut:
    return present.one(db, ctx, service.restore_objective(db, ctx, objective_id))


@router.get(
    "/objectives/{objective_id}/measurements",
    response_model=PageOut[MeasurementOut],
    summary="The objective's measurements (oldest first by default)",
)
def list_measurements(
    objective_id: uuid.UUID,
    db: Db,
    ctx: Ctx,
    listing: Listing,
    source: Annotated[str | None, Query(description="manual, or a feed's name")] = None,
) -> PageOut[MeasurementOut]:
    objective = service.get_objective(db, ctx, objective_id)
    page = service.list_measurements(db, ctx, objective, listing.with_filters(source=source))
    return PageOut[MeasurementOut](
        items=present.measurements_out(db, ctx, objective, page.items), total=page.total,
        limit=page.limit, next_cursor=page.next_cursor,
    )  # fmt: skip


@router.post(
    "/objectives/{objective_id}/measurements",
    response_model=MeasurementOut,
    status_code=status.HTTP_201_CREATED,
    summary="Record a measurement (in the objective's unit, within its range, not in the future)",
)
def add_measurement(
    objective_id: uuid.UUID, body: MeasurementIn, db: Db, ctx: Ctx
) -> MeasurementOut:
    objective = service.get_objective(db, ctx, objective_id)
    m = service.add_measurement(db, ctx, objective, body)
    return present.measurements_out(db, ctx, objective, [m])[0]


@router.delete(
    "/objectives/{objective_id}/measurements/{measurement_id}",
    status_code=status.HTTP_204_NO_CONTENT,
)
def delete_measurement(
    objective_id: uuid.UUID,
    measurement_id: uuid.UUID,
    db: Db,
    ctx: Ctx,
    version: Annotated[int, Query()],
) -> None:
    objective = service.get_objective(db, ctx, objective_id)
    service.delete_measurement(db, ctx, objective, measurement_id, version=version)


@router.post(
    "/objectives/{objective_id}/measurements/{measurement_id}/restore",
    response_model=MeasurementOut,
    summary="Undo a measurement's delete",
)
def restore_measurement(
    objective_id: uuid.UUID, measurement_id: uuid.UUID, db: Db, ctx: Ctx
) -> MeasurementOut:
    objective = service.get_objective(db, ctx, objective_id)
    m = service.restore_measurement(db, ctx, objective, measurement_id)
    return present.measurements_out(db, ctx, objective, [m])[0]
