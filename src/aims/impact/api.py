"""API routes for impact assessments: settings (A.5.2), assessments (A.5.3-A.5.5), FRIA, exports."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from aims.api.deps import Ctx, Db, Listing
from aims.api.schemas import PROBLEM_RESPONSES, PageOut
from aims.approval.rules import Status
from aims.exports.http import attachment
from aims.impact import present, service
from aims.impact.questionnaire import Questionnaire
from aims.impact.rules import ImpactLevel
from aims.impact.schemas import (
    AssessmentCreate,
    AssessmentOut,
    AssessmentPatch,
    AssessmentSummary,
    AttentionOut,
    CompareOut,
    FriaOut,
    ImpactCreate,
    ImpactOut,
    ImpactPatch,
    ImpactSettingsData,
    ImpactSettingsIn,
    ImpactSettingsOut,
    ReferralOut,
    ReturnIn,
    ReviewIn,
    VersionIn,
)

router = APIRouter(prefix="/api/v1/impact", tags=["impact assessment"], responses=PROBLEM_RESPONSES)


@router.get("/settings", response_model=ImpactSettingsOut, summary="How assessments are run")
def get_settings(db: Db, ctx: Ctx) -> ImpactSettingsOut:
    return service.get_settings(db, ctx)


@router.put("/settings", response_model=ImpactSettingsOut, summary="Set how assessments are run")
def put_settings(body: ImpactSettingsIn, db: Db, ctx: Ctx) -> ImpactSettingsOut:
    data = ImpactSettingsData.model_validate(body.model_dump(exclude={"version"}))
    return service.save_settings(db, ctx, data, version=body.version)


@router.get(
    "/questionnaire", response_model=Questionnaire, summary="The questions an assessment answers"
)
def get_questionnaire(ctx: Ctx) -> Questionnaire:
    return service.questionnaire()


@router.get(
    "/assessments",
    response_model=PageOut[AssessmentSummary],
    summary="Assessments (the newest version of each)",
)
def list_assessments(
    db: Db,
    ctx: Ctx,
    listing: Listing,
    system_id: Annotated[uuid.UUID | None, Query()] = None,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    level: Annotated[ImpactLevel | None, Query()] = None,
    all_versions: Annotated[
        bool,
        Query(description="Every version; otherwise filters apply to the newest of each"),
    ] = False,
) -> PageOut[AssessmentSummary]:
    params = listing.with_filters(
        system_id=str(system_id) if system_id else None,
        status=status_.value if status_ else None,
        level=level.value if level else None,
    )
    page = service.list_assessments(db, ctx, params, all_versions=all_versions)
    return PageOut[AssessmentSummary].of(page, present.summary)


@router.post("/assessments", response_model=AssessmentOut, status_code=status.HTTP_201_CREATED)
def create_assessment(body: AssessmentCreate, db: Db, ctx: Ctx) -> AssessmentOut:
    return present.detail(db, ctx, service.create(db, ctx, body.system_id, body))


@router.get("/assessments/{assessment_id}", response_model=AssessmentOut)
def get_assessment(assessment_id: uuid.UUID, db: Db, ctx: Ctx) -> AssessmentOut:
    return present.detail(db, ctx, service.get(db, ctx, assessment_id))


@router.patch(
    "/assessments/{assessment_id}",
    response_model=AssessmentOut,
    summary="Save part of a draft (answers are checked against the questionnaire)",
)
def patch_assessment(
    assessment_id: uuid.UUID, body: AssessmentPatch, db: Db, ctx: Ctx
) -> AssessmentOut:
    record = service.get(db, ctx, assessment_id)
    return present.detail(db, ctx, service.update(db, ctx, record, body, version=body.version))


@router.delete("/assessments/{assessment_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_assessment(
    assessment_id: uuid.UUID, db: Db, ctx: Ctx, version: Annotated[int, Query()]
) -> None:
    service.delete(db, ctx, service.get(db, ctx, assessment_id), version=version)


@router.post("/assessments/{assessment_id}/restore", response_model=AssessmentOut)
def restore_assessment(assessment_id: uuid.UUID, db: Db, ctx: Ctx) -> AssessmentOut:
    return present.detail(db, ctx, service.restore(db, ctx, assessment_id))


@router.post(
    "/assessments/{assessment_id}/impacts",
    response_model=ImpactOut,
    status_code=status.HTTP_201_CREATED,
)
def add_impact(assessment_id: uuid.UUID, body: ImpactCreate, db: Db, ctx: Ctx) -> ImpactOut:
    record = service.get(db, ctx, assessment_id)
    return ImpactOut.model_validate(service.add_impact(db, ctx, record, body, version=body.version))


@router.patch("/assessments/{assessment_id}/impacts/{key}", response_model=ImpactOut)
def patch_impact(
    assessment_id: uuid.UUID, key: str, body: ImpactPatch, db: Db, ctx: Ctx
) -> ImpactOut:
    record = service.get(db, ctx, assessment_id)
    return ImpactOut.model_validate(service.update_impact(db, ctx, record, key, body))


@router.delete("/assessments/{assessment_id}/impacts/{key}", status_code=status.HTTP_204_NO_CONTENT)
def delete_impact(
    assessment_id: uuid.UUID, key: str, db: Db, ctx: Ctx, version: Annotated[int, Query()]
) -> None:
    service.remove_impact(db, ctx, service.get(db, ctx, assessment_id), key, version=version)


@router.post(
    "/assessments/{assessment_id}/impacts/{key}/risk",
    response_model=ReferralOut,
    status_code=status.HTTP_201_CREATED,
    summary="Send a harm to the risk register",
)
def send_harm(assessment_id: uuid.UUID, key: str, db: Db, ctx: Ctx) -> ReferralOut:
    record = service.get(db, ctx, assessment_id)
    return present.referral(service.send_harm(db, ctx, record, key))


@router.post("/assessments/{assessment_id}/submit", response_model=AssessmentOut)
def submit(assessment_id: uuid.UUID, body: VersionIn, db: Db, ctx: Ctx) -> AssessmentOut:
    record = service.get(db, ctx, assessment_id)
    service.submit(db, ctx, record, version=body.version)
    return present.detail(db, ctx, record)


@router.post("/assessments/{assessment_id}/return", response_model=AssessmentOut)
def return_to_draft(assessment_id: uuid.UUID, body: ReturnIn, db: Db, ctx: Ctx) -> AssessmentOut:
    record = service.get(db, ctx, assessment_id)
    service.return_to_draft(db, ctx, record, version=body.version, note=body.note)
    return present.detail(db, ctx, record)


@router.post(
    "/assessments/{assessment_id}/approve",
    response_model=AssessmentOut,
    summary="Approve (an approving role, and never the author or an editor of the version)",
)
def approve(assessment_id: uuid.UUID, body: ReviewIn, db: Db, ctx: Ctx) -> AssessmentOut:
    record = service.get(db, ctx, assessment_id)
    service.approve(db, ctx, record, version=body.version, note=body.note)
    return present.detail(db, ctx, record)


@router.post(
    "/assessments/{assessment_id}/new-version",
    response_model=AssessmentOut,
    status_code=status.HTTP_201_CREATED,
    summary="Start a new draft from an approved version",
)
def new_version(assessment_id: uuid.UUID, db: Db, ctx: Ctx) -> AssessmentOut:
    draft = service.new_version(db, ctx, service.get(db, ctx, assessment_id))
    return present.detail(db, ctx, draft)


@router.get("/assessments/{assessment_id}/versions", response_model=list[AssessmentSummary])
def versions(assessment_id: uuid.UUID, db: Db, ctx: Ctx) -> list[AssessmentSummary]:
    record = service.get(db, ctx, assessment_id)
    return [present.summary(v) for v in service.versions(db, ctx, record)]


@router.get("/assessments/{assessment_id}/compare", response_model=CompareOut)
def compare(
    assessment_id: uuid.UUID,
    db: Db,
    ctx: Ctx,
    with_: Annotated[uuid.UUID, Query(alias="with", description="The other version's id")],
) -> CompareOut:
    result = service.compare(db, ctx, str(with_), str(assessment_id))
    before, after = result.before, result.after
    if before.revision > after.revision:
        result = service.compare(db, ctx, str(assessment_id), str(with_))
    return CompareOut(
        before=present.summary(result.before),
        after=present.summary(result.after),
        text=result.text,
        answers=result.answers,
        impacts=result.impacts,
        level=(
            ImpactLevel(result.before.level) if result.before.level else None,
            ImpactLevel(result.after.level) if result.after.level else None,
        ),
    )


@router.get("/assessments/{assessment_id}/fria", response_model=FriaOut)
def fria(assessment_id: uuid.UUID, db: Db, ctx: Ctx) -> FriaOut:
    return present.fria(db, ctx, service.get(db, ctx, assessment_id))


@router.get(
    "/assessments/{assessment_id}/export",
    summary="The assessment (or its FRIA view) as PDF or DOCX",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "application/octet-stream": {}}}},
)
def export(
    assessment_id: uuid.UUID,
    db: Db,
    ctx: Ctx,
    format: Annotated[Literal["pdf", "docx"], Query()] = "pdf",
    view: Annotated[Literal["assessment", "fria"], Query()] = "assessment",
) -> Response:
    return attachment(*present.render_export(db, ctx, assessment_id, format, view))


@router.get("/attention", response_model=AttentionOut, summary="Overdue and missing assessments")
def attention(db: Db, ctx: Ctx) -> AttentionOut:
    found = service.attention(db, ctx)
    return AttentionOut(
        overdue=[present.summary(r) for r in found.overdue],
        unassessed=[
            {"id": str(s.id), "name": s.name, "risk_class": s.risk_class} for s in found.unassessed
        ],
        reclassified=[present.summary(r) for r in found.reclassified],
    )


@router.get(
    "/referrals", response_model=PageOut[ReferralOut], summary="Harms sent to the risk register"
)
def referrals(
    db: Db,
    ctx: Ctx,
    listing: Listing,
    system_id: Annotated[uuid.UUID | None, Query()] = None,
    status_: Annotated[str | None, Query(alias="status")] = None,
) -> PageOut[ReferralOut]:
    params = listing.with_filters(system_id=str(system_id) if system_id else None, status=status_)
    return PageOut[ReferralOut].of(service.list_referrals(db, ctx, params), present.referral)
