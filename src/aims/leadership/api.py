"""API routes for leadership: resource commitments and approvals by top management."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from aims.access.rules import Role
from aims.api.deps import Ctx, Db, Listing
from aims.api.schemas import PROBLEM_RESPONSES, PageOut
from aims.leadership import service
from aims.leadership.present import approval_out, commitment_out
from aims.leadership.rules import CommitmentStatus, ResourceKind
from aims.leadership.schemas import ApprovalOut, CommitmentIn, CommitmentOut, CommitmentPatch

router = APIRouter(prefix="/api/v1", tags=["leadership"], responses=PROBLEM_RESPONSES)


@router.get(
    "/leadership/approvals",
    response_model=list[ApprovalOut],
    summary="Versions approved in the organisation, newest first (5.1)",
)
def approvals(
    db: Db,
    ctx: Ctx,
    role: Annotated[Role | None, Query(description="Only approvals by this role")] = None,
) -> list[ApprovalOut]:
    roles = frozenset({role}) if role else None
    return [approval_out(a) for a in service.approvals(db, ctx, roles=roles)]


@router.get("/leadership/commitments", response_model=PageOut[CommitmentOut])
def list_commitments(
    db: Db,
    ctx: Ctx,
    listing: Listing,
    kind: Annotated[ResourceKind | None, Query()] = None,
    status_: Annotated[CommitmentStatus | None, Query(alias="status")] = None,
) -> PageOut[CommitmentOut]:
    params = listing.with_filters(kind=kind.value if kind else None,
                                  status=status_.value if status_ else None)  # fmt: skip
    return PageOut[CommitmentOut].of(service.list_commitments(db, ctx, params), commitment_out)


@router.post(
    "/leadership/commitments", response_model=CommitmentOut, status_code=status.HTTP_201_CREATED
)
def create_commitment(body: CommitmentIn, db: Db, ctx: Ctx) -> CommitmentOut:
    return commitment_out(service.create_commitment(db, ctx, body))


@router.get("/leadership/commitments/{row_id}", response_model=CommitmentOut)
def get_commitment(row_id: uuid.UUID, db: Db, ctx: Ctx) -> CommitmentOut:
    return commitment_out(service.get_commitment(db, ctx, row_id))


@router.patch("/leadership/commitments/{row_id}", response_model=CommitmentOut)
def patch_commitment(row_id: uuid.UUID, body: CommitmentPatch, db: Db, ctx: Ctx) -> CommitmentOut:
    row = service.get_commitment(db, ctx, row_id)
    return commitment_out(service.update_commitment(db, ctx, row, body, version=body.version))


@router.delete("/leadership/commitments/{row_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_commitment(
    row_id: uuid.UUID, db: Db, ctx: Ctx, version: Annotated[int, Query()]
) -> None:
    service.delete_commitment(db, ctx, service.get_commitment(db, ctx, row_id), version=version)


@router.post("/leadership/commitments/{row_id}/restore", response_model=CommitmentOut)
def restore_commitment(row_id: uuid.UUID, db: Db, ctx: Ctx) -> CommitmentOut:
    return commitment_out(service.restore_commitment(db, ctx, row_id))
