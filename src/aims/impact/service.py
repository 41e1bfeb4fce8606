"""Impact assessment use cases: the A.5.2 settings, assessments, their workflow and referrals.

The workflow itself (draft, review, approval, versions) is ``aims.approval``'s; this module
adds what is particular to an impact assessment: the score and level derived from the answers,
the inventory snapshot, the due date that follows from the level, and harms sent to risk.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from aims.access.context import Context
from aims.access.rules import Permission
from aims.approval import service as approval
from aims.approval.rules import Status
from aims.comments import service as comments
from aims.errors import Conflict, FieldError, NotFound, StaleVersion, ValidationFailed
from aims.impact import rules
from aims.impact.models import HarmReferral, ImpactAssessment, ImpactSettings
from aims.impact.questionnaire import Questionnaire, get_questionnaire
from aims.impact.schemas import (
    AssessmentFields,
    ImpactIn,
    ImpactPatch,
    ImpactSettingsData,
    ImpactSettingsOut,
)
from aims.impact.vocab import Nature
from aims.store.listing import ListParams, ListSpec, Page, paginate
from aims.store.scoping import check_version, get_scoped, scoped
from aims.store.types import utcnow
from aims.systems import service as systems
from aims.systems.models import AISystem, Classification
from aims.systems.vocab import LifecycleStage

LABEL = "impact assessment"

# --- Process settings (A.5.2) ------------------------------------------------------------------


def _row(db: Session, ctx: Context) -> ImpactSettings | None:
    row: ImpactSettings | None = db.scalar(
        select(ImpactSettings).where(ImpactSettings.organisation_id == ctx.organisation_id)
    )
    return row


def get_settings(db: Session, ctx: Context) -> ImpactSettingsOut:
    """The organisation's settings, or aims's defaults until someone saves their own."""
    ctx.require(Permission.READ)
    row = _row(db, ctx)
    if row is None:
        return ImpactSettingsOut(**ImpactSettingsData().model_dump(), version=0, saved=False)
    data = ImpactSettingsData.model_validate(row.settings)
    return ImpactSettingsOut(**data.model_dump(), version=row.version, saved=True)


def save_settings(
    db: Session, ctx: Context, data: ImpactSettingsData, *, version: int
) -> ImpactSettingsOut:
    """Owners and managers set how impact assessments run; a stale version is a 409."""
    ctx.require(Permission.APPROVE)
    row = _row(db, ctx)
    stored = data.model_dump(mode="json", exclude={"version"})
    if row is None:
        if version != 0:  # never saved: the defaults are version 0
            raise StaleVersion("The impact assessment settings", sent=version, current=0)
        row = ImpactSettings(organisation_id=ctx.organisation_id, settings=stored)
        db.add(row)
    else:
        check_version(row, version, label="The impact assessment settings")
        row.settings = stored
    db.flush()
    return get_settings(db, ctx)


# --- Derived parts of a version ----------------------------------------------------------------


def questionnaire() -> Questionnaire:
    return get_questionnaire()


def _checked_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers if they fit the questionnaire; otherwise a 422 naming each question."""
    problems = rules.answer_problems(questionnaire(), answers)
    if problems:
        raise ValidationFailed(
            "answers do not fit the questionnaire: " + "; ".join(f"{q}: {m}" for q, m in problems),
            errors=[FieldError(("body", "answers", q), m) for q, m in problems],
        )
    return {k: (v if isinstance(v, str) else list(v)) for k, v in answers.items()}


def snapshot(db: Session, ctx: Context, system: AISystem) -> dict[str, Any]:
    """What the inventory says about the system now, to keep with the version."""
    names = [f"{c.name} {c.version_label}".strip() for c in systems.components_of(db, ctx, system)]
    return {
        "id": str(system.id), "name": system.name, "purpose": system.purpose,
        "description": system.description, "intended_use": system.intended_use,
        "foreseeable_misuse": system.foreseeable_misuse,
        "users_description": system.users_description,
        "affected_persons": system.affected_persons, "automation_level": system.automation_level,
        "human_oversight": system.human_oversight, "lifecycle_stage": system.lifecycle_stage,
        "operator_role": system.operator_role, "risk_class": system.risk_class,
        "components": names, "taken_at": utcnow().isoformat(timespec="seconds"),
    }  # fmt: skip


def _snapshot_now(
    db: Session, ctx: Context, system: AISystem, current: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The inventory now, or the stored copy when nothing in it changed (no needless write)."""
    fresh = snapshot(db, ctx, system)
    if current and {k: v for k, v in current.items() if k != "taken_at"} == {
        k: v for k, v in fresh.items() if k != "taken_at"
    }:
        return dict(current)
    return fresh


def _derived(
    db: Session,
    ctx: Context,
    system: AISystem,
    answers: Mapping[str, Any],
    current_snapshot: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Score, level and snapshot for content with these answers (written with the content)."""
    settings = get_settings(db, ctx)
    result = rules.score(questionnaire(), answers, thresholds=settings.thresholds)
    # Nothing answered yet is no level at all, not level I.
    answered = bool(answers)
    return {
        "score": result.model_dump(mode="json") if answered else None,
        "level": result.level.value if answered else None,
        "system_snapshot": _snapshot_now(db, ctx, system, current_snapshot),
    }


def score_of(record: ImpactAssessment) -> rules.Score | None:
    return rules.Score.model_validate(record.score) if record.score else None


def content_of(record: ImpactAssessment) -> dict[str, Any]:
    return {name: getattr(record, name) for name in ImpactAssessment.__approval_fields__}


# --- Assessments -------------------------------------------------------------------------------


def _content_changes(record: ImpactAssessment | None, fields: AssessmentFields) -> dict[str, Any]:
    sent = fields.model_dump(exclude_unset=True, exclude={"version", "system_id"})
    merge = sent.pop("answers_merge", None)
    content = {k: v for k, v in sent.items() if v is not None or k == "answers"}
    if "answers" in content and content["answers"] is None:
        content.pop("answers")
    if merge is not None:
        answers = dict(content.get("answers", record.answers if record else {}))
        for key, value in merge.items():
            if value is None or value == "":
                answers.pop(key, None)
            else:
                answers[key] = value
        content["answers"] = answers
    if "answers" in content:
        content["answers"] = _checked_answers(content["answers"])
    return content


def create(
    db: Session, ctx: Context, system_id: uuid.UUID | str, fields: AssessmentFields
) -> ImpactAssessment:
    """Start a system's assessment as a draft; a system has one series (start a new version)."""
    ctx.require(Permission.EDIT)
    system = systems.get_system(db, ctx, system_id)
    existing = db.scalars(
        scoped(ImpactAssessment, ctx.organisation_id).where(ImpactAssessment.system_id == system.id)
    ).first()
    if existing is not None:
        raise Conflict(
            f"{system.name} already has an impact assessment (revision {existing.revision}); "
            "edit its draft or start a new version of it"
        )
    content = {
        "title": f"Impact assessment: {system.name}",
        "questionnaire_version": questionnaire().version,
        **_content_changes(None, fields),
    }
    derived = {"system_id": system.id, **_derived(db, ctx, system, content.get("answers", {}))}
    return approval.create_first(db, ctx, ImpactAssessment, content, derived=derived)


def get(db: Session, ctx: Context, assessment_id: uuid.UUID | str) -> ImpactAssessment:
    ctx.require(Permission.READ)
    return get_scoped(db, ImpactAssessment, ctx.organisation_id, assessment_id, label=LABEL)


def update(
    db: Session, ctx: Context, record: ImpactAssessment, fields: AssessmentFields, *, version: int
) -> ImpactAssessment:
    """Save part of a draft; the score follows the answers in the same write."""
    content = _content_changes(record, fields)
    content["questionnaire_version"] = questionnaire().version
    if record.status == Status.DRAFT.value and all(
        getattr(record, k) == v for k, v in content.items()
    ):
        # Nothing new (say, a form saved again after its autosave): no write and no version
        # step; a stale version is harmless when nothing would be overwritten.
        ctx.require(Permission.EDIT)
        return record
    return approval.edit(
        db, ctx, record, version=version, content=content,
        derived=lambda r: _derived(db, ctx, r.system, r.answers, r.system_snapshot),
    )  # fmt: skip


def _impacts_edit(
    db: Session,
    ctx: Context,
    record: ImpactAssessment,
    impacts: list[dict[str, Any]],
    *,
    version: int,
) -> ImpactAssessment:
    return approval.edit(
        db, ctx, record, version=version, content={"impacts": impacts},
        derived=lambda r: {
            "system_snapshot": _snapshot_now(db, ctx, r.system, r.system_snapshot)
        },
    )  # fmt: skip


def add_impact(
    db: Session, ctx: Context, record: ImpactAssessment, impact: ImpactIn, *, version: int
) -> dict[str, Any]:
    stored = {"key": uuid.uuid4().hex[:12], **impact.model_dump(mode="json", exclude={"version"})}
    _impacts_edit(db, ctx, record, [*record.impacts, stored], version=version)
    return stored


def _find_impact(record: ImpactAssessment, key: str) -> dict[str, Any]:
    for impact in record.impacts:
        if impact.get("key") == key:
            return impact
    raise NotFound(f"no impact '{key}' in this assessment")


def update_impact(
    db: Session, ctx: Context, record: ImpactAssessment, key: str, patch: ImpactPatch
) -> dict[str, Any]:
    current = _find_impact(record, key)
    changes = patch.model_dump(mode="json", exclude_unset=True, exclude={"version"})
    merged = {k: v for k, v in {**current, **changes}.items() if k != "key"}
    if "residual_level" not in changes and any(
        f in changes for f in ("likelihood", "severity", "nature")
    ):
        merged["residual_level"] = None  # follows likelihood x severity again unless sent
    try:
        checked = ImpactIn.model_validate(merged)
    except ValidationError as exc:
        raise ValidationFailed(
            "the impact would not be valid",
            errors=[
                FieldError(("body", *(str(p) for p in e["loc"])), _message(e["msg"]))
                for e in exc.errors()
            ],
        ) from exc
    if key in referrals_of(db, ctx, record) and checked.nature != Nature.HARM:
        raise Conflict("this harm was sent to the risk register; it cannot become a benefit")
    stored = {"key": key, **checked.model_dump(mode="json")}
    impacts = [stored if i.get("key") == key else i for i in record.impacts]
    _impacts_edit(db, ctx, record, impacts, version=patch.version)
    return stored


def remove_impact(
    db: Session, ctx: Context, record: ImpactAssessment, key: str, *, version: int
) -> None:
    _find_impact(record, key)
    referred = db.scalar(
        scoped(HarmReferral, ctx.organisation_id).where(
            HarmReferral.series_id == record.series_id, HarmReferral.impact_key == key
        )
    )
    if referred is not None:
        raise Conflict("this harm was sent to the risk register; it cannot be removed")
    impacts = [i for i in record.impacts if i.get("key") != key]
    _impacts_edit(db, ctx, record, impacts, version=version)


def _message(msg: str) -> str:
    return msg.removeprefix("Value error, ")


def submit(db: Session, ctx: Context, record: ImpactAssessment, *, version: int) -> None:
    """Send a complete draft for review, scored with today's settings and inventory."""
    ctx.require(Permission.EDIT)
    check_version(record, version, label=LABEL)
    if record.status == Status.DRAFT.value:
        missing = rules.completeness_problems(content_of(record), questionnaire())
        if missing:
            raise ValidationFailed(
                "the assessment is not complete yet: " + "; ".join(m for _f, m in missing),
                errors=[FieldError(("body", f), m) for f, m in missing],
            )
        with db.no_autoflush:
            derived = _derived(db, ctx, record.system, record.answers, record.system_snapshot)
        for key, value in derived.items():
            setattr(record, key, value)
    approval.submit(db, ctx, record, version=version)


def return_to_draft(
    db: Session, ctx: Context, record: ImpactAssessment, *, version: int, note: str
) -> None:
    approval.return_to_draft(db, ctx, record, version=version, note=note)


def approve(
    db: Session, ctx: Context, record: ImpactAssessment, *, version: int, note: str = ""
) -> None:
    """Approve with the organisation's approving roles; the level sets the reassessment date."""
    settings = get_settings(db, ctx)
    # One write: the due date and the approval land together (the approval's own query
    # must not flush the due date first).
    with db.no_autoflush:
        if record.status == Status.IN_REVIEW.value and record.level:
            months = next(s.reassess_months for s in settings.levels if s.level == record.level)
            record.due_date = rules.add_months(utcnow().date(), months)
        approval.approve(
            db, ctx, record, version=version, note=note,
            approver_roles=frozenset(settings.approver_roles),
        )  # fmt: skip
    db.expire(record, ["approver"])  # loaded before approved_by_id was set


def new_version(db: Session, ctx: Context, record: ImpactAssessment) -> ImpactAssessment:
    """A new draft from an approved version, rescored on today's questionnaire and settings."""
    q = questionnaire()
    known = {question.id for question in q.questions}
    answers = {
        k: v
        for k, v in record.answers.items()
        if k in known and not rules.answer_problems(q, {k: v})
    }
    return approval.start_new_version(
        db, ctx, record,
        content={"answers": answers, "questionnaire_version": q.version},
        derived={"system_id": record.system_id, **_derived(db, ctx, record.system, answers)},
    )  # fmt: skip


def delete(db: Session, ctx: Context, record: ImpactAssessment, *, version: int) -> None:
    """Discard a draft (soft delete, restorable); approved versions are kept for the record."""
    ctx.require(Permission.EDIT)
    check_version(record, version, label=LABEL)
    if record.status != Status.DRAFT.value:
        raise Conflict(
            f"a version that is {record.status.replace('_', ' ')} cannot be deleted; "
            "only drafts can be discarded"
        )
    sent = [r for r in referrals_of(db, ctx, record).values() if r.assessment_id == record.id]
    if sent:
        raise Conflict(
            f"{len(sent)} harm(s) of this draft went to the risk register; the draft is kept "
            "so the risks can point at it"
        )
    record.mark_deleted(ctx.user_id)
    db.flush()


def restore(db: Session, ctx: Context, assessment_id: uuid.UUID | str) -> ImpactAssessment:
    ctx.require(Permission.EDIT)
    record = get_scoped(
        db, ImpactAssessment, ctx.organisation_id, assessment_id, label=LABEL, deleted=True
    )
    if record.deleted_at is None:
        return record
    if approval.open_version(db, ctx, ImpactAssessment, record.series_id) is not None:
        raise Conflict("this series has another open draft; finish or discard it first")
    later = db.scalars(
        scoped(ImpactAssessment, ctx.organisation_id).where(
            ImpactAssessment.series_id == record.series_id,
            ImpactAssessment.revision > record.revision,
        )
    ).first()
    if later is not None:
        raise Conflict(
            f"revision {later.revision} was started after this draft was discarded; "
            "it cannot come back"
        )
    other_series = db.scalars(
        scoped(ImpactAssessment, ctx.organisation_id).where(
            ImpactAssessment.system_id == record.system_id,
            ImpactAssessment.series_id != record.series_id,
        )
    ).first()
    if other_series is not None:
        raise Conflict("the system has a newer assessment; this discarded draft stays discarded")
    record.restore()
    db.flush()
    return record


def versions(db: Session, ctx: Context, record: ImpactAssessment) -> list[ImpactAssessment]:
    return approval.versions(db, ctx, ImpactAssessment, record.series_id)


@dataclass(frozen=True)
class Comparison:
    before: ImpactAssessment
    after: ImpactAssessment
    text: list[dict[str, Any]]
    answers: list[rules.AnswerChange]
    impacts: list[rules.ImpactChange]


def compare(db: Session, ctx: Context, before_id: str, after_id: str) -> Comparison:
    """Two versions of one series side by side: narrative, answers and impacts."""
    before, after = get(db, ctx, before_id), get(db, ctx, after_id)
    if before.series_id != after.series_id:
        raise ValidationFailed(
            "only two versions of the same assessment can be compared",
            errors=[FieldError(("query", "with"), "a version of another assessment")],
        )
    changes = approval.compare_versions(before, after)
    text = [
        {"field": c.field, "before": c.before, "after": c.after, "diff": c.diff}
        for c in changes
        if c.field in rules.TEXT_FIELDS or c.field == "title"
    ]
    return Comparison(
        before=before,
        after=after,
        text=text,
        answers=rules.answer_changes(before.answers, after.answers, questionnaire()),
        impacts=rules.impact_changes(before.impacts, after.impacts),
    )


def _latest_only(stmt: Select[Any], organisation_id: uuid.UUID) -> Select[Any]:
    """Keep a row only when no later revision of its series exists (deleted ones aside)."""
    other = aliased(ImpactAssessment)
    later = (
        select(other.id)
        .where(
            other.organisation_id == organisation_id,
            other.series_id == ImpactAssessment.series_id,
            other.revision > ImpactAssessment.revision,
            other.deleted_at.is_(None),
        )
        .exists()
    )
    return stmt.where(~later)


ASSESSMENT_LIST = ListSpec(
    id_column=ImpactAssessment.id,
    sortable={
        "updated_at": ImpactAssessment.updated_at,
        "title": ImpactAssessment.title,
        "due_date": ImpactAssessment.due_date,
        "created_at": ImpactAssessment.created_at,
    },
    default_sort="-updated_at",
    filterable={
        "system_id": ImpactAssessment.system_id,
        "status": ImpactAssessment.status,
        "level": ImpactAssessment.level,
    },
    searchable=(ImpactAssessment.title,),
)


def list_assessments(
    db: Session, ctx: Context, params: ListParams, *, all_versions: bool = False
) -> Page[ImpactAssessment]:
    """The newest version of each assessment (every version with ``all_versions``)."""
    ctx.require(Permission.READ)
    stmt = scoped(ImpactAssessment, ctx.organisation_id)
    if not all_versions:
        stmt = _latest_only(stmt, ctx.organisation_id)
    return paginate(db, stmt, ASSESSMENT_LIST, params)


def for_system(db: Session, ctx: Context, system: AISystem) -> list[ImpactAssessment]:
    """Every version of the system's assessment, newest first."""
    ctx.require(Permission.READ)
    stmt = scoped(ImpactAssessment, ctx.organisation_id).where(
        ImpactAssessment.system_id == system.id
    )
    return list(db.scalars(stmt.order_by(ImpactAssessment.revision.desc())))


def fria_required(db: Session, ctx: Context, system_id: uuid.UUID) -> bool:
    """Whether the system's newest EU AI Act classification calls for an Art. 27 FRIA."""
    latest = db.scalar(
        select(Classification)
        .where(
            Classification.organisation_id == ctx.organisation_id,
            Classification.system_id == system_id,
        )
        .order_by(Classification.classified_at.desc(), Classification.id.desc())
        .limit(1)
    )
    return bool(latest is not None and latest.result.get("fria_required"))


def fria(record: ImpactAssessment) -> list[rules.FriaElement]:
    return rules.fria_elements(content_of(record), record.system_snapshot or {})


def is_overdue(record: ImpactAssessment, today: date | None = None) -> bool:
    return (
        record.status == Status.APPROVED.value
        and record.due_date is not None
        and record.due_date < (today or utcnow().date())
    )


@dataclass(frozen=True)
class Attention:
    overdue: list[ImpactAssessment]
    unassessed: list[AISystem]
    reclassified: list[ImpactAssessment]


def attention(db: Session, ctx: Context, today: date | None = None) -> Attention:
    """What the dashboard lists, following the A.5.2 triggers the organisation set:
    approved assessments past their reassessment date (periodic), systems in scope and not
    retired with no approved assessment (new system), and approved assessments whose system
    changed EU AI Act class since (class change)."""
    ctx.require(Permission.READ)
    triggers = get_settings(db, ctx).triggers
    today = today or utcnow().date()
    live_system = (
        scoped(AISystem, ctx.organisation_id)
        .where(
            AISystem.id == ImpactAssessment.system_id,
            AISystem.in_scope.is_(True),
            AISystem.lifecycle_stage != LifecycleStage.RETIREMENT.value,
        )
        .exists()
    )
    current = db.scalars(
        scoped(ImpactAssessment, ctx.organisation_id)
        .where(ImpactAssessment.status == Status.APPROVED.value, live_system)
        .order_by(ImpactAssessment.due_date)
    ).all()
    overdue = [a for a in current if triggers.periodic and a.due_date and a.due_date < today]
    reclassified = [
        a
        for a in current
        if triggers.eu_ai_act_class_change
        and a.system.risk_class != (a.system_snapshot or {}).get("risk_class")
    ]
    unassessed: list[AISystem] = []
    if triggers.new_system:
        approved = (
            scoped(ImpactAssessment, ctx.organisation_id)
            .where(
                ImpactAssessment.system_id == AISystem.id,
                ImpactAssessment.status == Status.APPROVED.value,
            )
            .exists()
        )
        unassessed = list(
            db.scalars(
                scoped(AISystem, ctx.organisation_id)
                .where(
                    AISystem.in_scope.is_(True),
                    AISystem.lifecycle_stage != LifecycleStage.RETIREMENT.value,
                    ~approved,
                )
                .order_by(AISystem.name)
            ).all()
        )
    return Attention(overdue=overdue, unassessed=unassessed, reclassified=reclassified)


# --- Harms to the risk register ----------------------------------------------------------------


def referrals_of(db: Session, ctx: Context, record: ImpactAssessment) -> dict[str, HarmReferral]:
    """The series' harms already sent to the risk register, by impact key."""
    rows = db.scalars(
        scoped(HarmReferral, ctx.organisation_id).where(HarmReferral.series_id == record.series_id)
    ).all()
    return {r.impact_key: r for r in rows}


def send_harm(db: Session, ctx: Context, record: ImpactAssessment, key: str) -> HarmReferral:
    """Send one harm to the risk register, linked back to the impact (once per harm)."""
    ctx.require(Permission.EDIT)
    impact = _find_impact(record, key)
    newest = versions(db, ctx, record)[-1]
    if record.status == Status.SUPERSEDED.value or newest.id != record.id:
        raise Conflict(
            f"send harms from the newest version (revision {newest.revision}), "
            "so the risk register gets the current assessment"
        )
    threshold = get_settings(db, ctx).harm_risk_level
    refusal = rules.harm_referral_refusal(impact, threshold)
    if refusal:
        raise Conflict(refusal)
    if key in referrals_of(db, ctx, record):
        raise Conflict("this harm was already sent to the risk register")
    referral = HarmReferral(
        organisation_id=ctx.organisation_id,
        assessment_id=record.id,
        series_id=record.series_id,
        impact_key=key,
        system_id=record.system_id,
        title=f"{record.system.name}: {impact['description']}"[:300],
        description=(
            f"Harm recorded in the impact assessment (revision {record.revision}): "
            f"{impact['description']}. Affects {impact.get('who', '')}. "
            f"Existing measures: {impact.get('existing_measures') or 'none recorded'}. "
            f"Planned measures: {impact.get('planned_measures') or 'none recorded'}."
        ),
        dimension=impact["dimension"],
        residual_level=impact["residual_level"],
        status="pending",
    )
    db.add(referral)
    db.flush()
    return referral


def _comment_subject(db: Session, ctx: Context, subject_id: str) -> str:
    return str(get(db, ctx, subject_id).id)


# Reviewers and auditors discuss a version on its page, like a catalogue entry.
comments.register_subject("impact_assessment", _comment_subject)


REFERRAL_LIST = ListSpec(
    id_column=HarmReferral.id,
    sortable={"created_at": HarmReferral.created_at, "title": HarmReferral.title},
    default_sort="-created_at",
    filterable={
        "system_id": HarmReferral.system_id,
        "status": HarmReferral.status,
        "residual_level": HarmReferral.residual_level,
    },
    searchable=(HarmReferral.title, HarmReferral.description),
)


def list_referrals(db: Session, ctx: Context, params: ListParams) -> Page[HarmReferral]:
    ctx.require(Permission.READ)
    return paginate(db, scoped(HarmReferral, ctx.organisation_id), REFERRAL_LIST, params)
