"""API routes for the audit trail."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from aims.api.deps import Ctx, Db, Listing
from aims.api.schemas import PROBLEM_RESPONSES, Out, PageOut
from aims.audit import service

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], responses=PROBLEM_RESPONSES)


class EventOut(Out):
    id: int
    seq: int
    occurred_at: datetime
    actor_id: uuid.UUID | None
    actor_label: str
    record_type: str
    record_id: str
    action: str
    changes: dict[str, Any]
    hash: str


class ProblemOut(BaseModel):
    seq: int | None
    event_id: int | None
    reason: str


class VerifyOut(BaseModel):
    ok: bool
    checked: int
    problems: list[ProblemOut]


@router.get("/events", response_model=PageOut[EventOut], summary="The organisation's audit trail")
def list_events(
    db: Db,
    ctx: Ctx,
    listing: Listing,
    record_type: Annotated[str | None, Query()] = None,
    record_id: Annotated[str | None, Query()] = None,
    action: Annotated[str | None, Query(description="create, update, delete, restore")] = None,
    actor: Annotated[str | None, Query(description="E-mail of who acted")] = None,
    since: Annotated[datetime | None, Query(description="Events at or after this time")] = None,
    until: Annotated[datetime | None, Query(description="Events at or before this time")] = None,
) -> PageOut[EventOut]:
    params = listing.with_filters(
        record_type=record_type,
        record_id=record_id,
        action=action,
        actor=actor,
        occurred_at__gte=since.isoformat() if since else None,
        occurred_at__lte=until.isoformat() if until else None,
    )
    page = service.list_events(db, ctx, params)
    return PageOut[EventOut].of(page, EventOut.model_validate)


@router.get("/verify", response_model=VerifyOut, summary="Check the organisation's hash chain")
def verify(db: Db, ctx: Ctx) -> VerifyOut:
    report = service.verify_organisation(db, ctx)
    return VerifyOut(
        ok=report.ok,
        checked=report.checked,
        problems=[
            ProblemOut(seq=p.seq, event_id=p.row_id, reason=p.reason) for p in report.problems
        ],
    )
