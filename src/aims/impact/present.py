"""An assessment as every face shows it (API, CLI, pages, exports): one conversion, not four."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.impact import rules, service
from aims.impact.models import HarmReferral, ImpactAssessment
from aims.impact.schemas import (
    AssessmentOut,
    AssessmentSummary,
    FriaOut,
    ImpactOut,
    ReferralOut,
    SystemInfo,
)


def summary(record: ImpactAssessment) -> AssessmentSummary:
    return AssessmentSummary(
        id=record.id, series_id=record.series_id, revision=record.revision,
        status=record.status, title=record.title, system_id=record.system_id,
        system_name=record.system.name if record.system else "",
        level=rules.ImpactLevel(record.level) if record.level else None,
        due_date=record.due_date, overdue=service.is_overdue(record), version=record.version,
        updated_at=record.updated_at,
    )  # fmt: skip


def system_info(record: ImpactAssessment) -> SystemInfo:
    snap: dict[str, Any] = dict(record.system_snapshot or {})
    snap.setdefault("id", record.system_id)
    snap.setdefault("name", record.system.name if record.system else "")
    return SystemInfo.model_validate(snap)


def detail(db: Session, ctx: Context, record: ImpactAssessment) -> AssessmentOut:
    referred = service.referrals_of(db, ctx, record)
    impacts = [
        ImpactOut.model_validate(
            {**i, "referral_id": referred[i["key"]].id if i["key"] in referred else None}
        )
        for i in record.impacts
    ]
    return AssessmentOut(
        **summary(record).model_dump(),
        scope=record.scope, data_info=record.data_info, model_info=record.model_info,
        deployment=record.deployment, use_period=record.use_period,
        interested_parties=record.interested_parties, oversight=record.oversight,
        remedies=record.remedies, answers=record.answers,
        questionnaire_version=record.questionnaire_version, impacts=impacts,
        score=service.score_of(record),
        progress=rules.progress(service.content_of(record), service.questionnaire()),
        system=system_info(record),
        fria_required=service.fria_required(db, ctx, record.system_id),
        author=record.author.email if record.author else None,
        approved_by=record.approver.email if record.approver else None,
        submitted_at=record.submitted_at, approved_at=record.approved_at,
        review_note=record.review_note, created_at=record.created_at,
    )  # fmt: skip


def fria(db: Session, ctx: Context, record: ImpactAssessment) -> FriaOut:
    elements = service.fria(record)
    missing = [e.letter for e in elements if not e.filled]
    return FriaOut(
        assessment_id=record.id,
        fria_required=service.fria_required(db, ctx, record.system_id),
        complete=not missing,
        missing=missing,
        elements=elements,
    )


def referral(row: HarmReferral) -> ReferralOut:
    return ReferralOut.model_validate(row, from_attributes=True)


def render_export(
    db: Session, ctx: Context, assessment_id: uuid.UUID | str, fmt: str, view: str
) -> tuple[bytes, str, str]:
    """The file for one export; shared by the API, the pages and the CLI."""
    from aims.impact import export as exporter

    record = service.get(db, ctx, assessment_id)
    return exporter.export(
        detail(db, ctx, record),
        fria(db, ctx, record),
        fmt=fmt,
        view=view,
        organisation=access.get_organisation(db, ctx).name,
        questionnaire=service.questionnaire(),
    )
