"""API routes for impact assessments (so far: the process settings of A.5.2)."""

from __future__ import annotations

from fastapi import APIRouter

from aims.api.deps import Ctx, Db
from aims.api.schemas import PROBLEM_RESPONSES
from aims.impact import service
from aims.impact.schemas import ImpactSettingsData, ImpactSettingsIn, ImpactSettingsOut

router = APIRouter(prefix="/api/v1/impact", tags=["impact assessment"], responses=PROBLEM_RESPONSES)


@router.get("/settings", response_model=ImpactSettingsOut, summary="How assessments are run")
def get_settings(db: Db, ctx: Ctx) -> ImpactSettingsOut:
    return service.get_settings(db, ctx)


@router.put("/settings", response_model=ImpactSettingsOut, summary="Set how assessments are run")
def put_settings(body: ImpactSettingsIn, db: Db, ctx: Ctx) -> ImpactSettingsOut:
    data = ImpactSettingsData.model_validate(body.model_dump(exclude={"version"}))
    return service.save_settings(db, ctx, data, version=body.version)
