"""API routes for event-log records (A.6.2.8) and technical documentation (A.6.2.7)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from aims.api.deps import Ctx, Db, Listing
from aims.api.schemas import PROBLEM_RESPONSES, PageOut
from aims.exports.http import attachment
from aims.regulation.schemas import RiskClass
from aims.techdoc import outline, present, service
from aims.techdoc.schemas import CapturesOut, EventLogIn, OutlineOut, SystemLogOut

router = APIRouter(prefix="/api/v1", tags=["technical documentation"], responses=PROBLEM_RESPONSES)


@router.get(
    "/event-logs",
    response_model=PageOut[SystemLogOut],
    summary="Every AI system with its event-log record and flags",
)
def list_logs(
    db: Db,
    ctx: Ctx,
    listing: Listing,
    risk_class: Annotated[RiskClass | None, Query()] = None,
) -> PageOut[SystemLogOut]:
    params = listing.with_filters(risk_class=risk_class.value if risk_class else None)
    return PageOut.of(service.list_logs(db, ctx, params), present.system_log_out)


@router.get(
    "/event-logs/captures",
    response_model=CapturesOut,
    summary="What a log can capture, which items Art. 12 asks for, and the minimum retention",
)
def captures() -> CapturesOut:
    return present.captures_out()


@router.get(
    "/event-logs/attention",
    response_model=list[SystemLogOut],
    summary="High-risk systems whose event-log record is missing or falls short",
)
def attention(db: Db, ctx: Ctx) -> list[SystemLogOut]:
    return [present.system_log_out(f) for f in service.attention(db, ctx)]


@router.get("/event-logs/{system_id}", response_model=SystemLogOut, summary="One system's logs")
def get_log(system_id: uuid.UUID, db: Db, ctx: Ctx) -> SystemLogOut:
    return present.system_log_out(service.get_log(db, ctx, system_id))


@router.put(
    "/event-logs/{system_id}",
    response_model=SystemLogOut,
    summary="Record or change where a system's event logs are kept (send version to change)",
)
def put_log(system_id: uuid.UUID, body: EventLogIn, db: Db, ctx: Ctx) -> SystemLogOut:
    service.save_log(db, ctx, system_id, body)
    return present.system_log_out(service.get_log(db, ctx, system_id))


@router.delete(
    "/event-logs/{system_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a system's event-log record (it can be restored)",
)
def delete_log(
    system_id: uuid.UUID, db: Db, ctx: Ctx, version: Annotated[int, Query(ge=1)]
) -> Response:
    service.delete_log(db, ctx, system_id, version=version)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/event-logs/{system_id}/restore",
    response_model=SystemLogOut,
    summary="Restore a system's deleted event-log record",
)
def restore_log(system_id: uuid.UUID, db: Db, ctx: Ctx) -> SystemLogOut:
    service.restore_log(db, ctx, system_id)
    return present.system_log_out(service.get_log(db, ctx, system_id))


@router.get(
    "/systems/{system_id}/technical-documentation",
    response_model=OutlineOut,
    summary="The system's Annex IV outline (JSON), or the file with ?format=pdf|docx",
    responses={
        200: {
            "content": {
                "application/pdf": {},
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {},
            }
        }
    },
)
def technical_documentation(
    system_id: uuid.UUID,
    db: Db,
    ctx: Ctx,
    format: Annotated[Literal["json", "pdf", "docx"], Query()] = "json",
) -> OutlineOut | Response:
    if format == "json":
        return outline.outline_out(outline.build(db, ctx, system_id))
    return attachment(*present.outline_file(db, ctx, system_id, format))
