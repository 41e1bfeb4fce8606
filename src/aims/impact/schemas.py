"""The impact assessment process settings (A.5.2), with aims's defaults."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aims.access.rules import Permission, Role, has_permission
from aims.api.schemas import StrictIn
from aims.impact.rules import (
    AnswerChange,
    FriaElement,
    ImpactChange,
    ImpactLevel,
    Progress,
    Score,
    suggested_level,
)
from aims.impact.vocab import (
    Affected,
    Dimension,
    Likelihood,
    Nature,
    PeopleAffected,
    Reversibility,
    Severity,
)


class LevelSetting(BaseModel):
    """One impact level: what it means here and how often a system at it is reassessed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    level: ImpactLevel
    label: str = Field(min_length=1, max_length=80)
    description: str = Field(default="", max_length=2000)
    reassess_months: int = Field(ge=1, le=60)


class Triggers(BaseModel):
    """When an assessment is required (besides the periodic reassessment per level)."""

    model_config = ConfigDict(extra="forbid")

    new_system: bool = True
    significant_change: bool = True
    eu_ai_act_class_change: bool = True
    periodic: bool = True


class ImpactSettingsData(StrictIn):
    triggers: Triggers = Field(default_factory=Triggers)
    levels: list[LevelSetting] = Field(
        default_factory=lambda: [
            LevelSetting(level=ImpactLevel.I, label="Little to no impact", reassess_months=24),
            LevelSetting(level=ImpactLevel.II, label="Moderate impact", reassess_months=12),
            LevelSetting(level=ImpactLevel.III, label="High impact", reassess_months=12),
            LevelSetting(level=ImpactLevel.IV, label="Very high impact", reassess_months=6),
        ]
    )
    thresholds: list[float] = Field(
        default_factory=lambda: [0.25, 0.5, 0.75],
        description="Upper bounds (share of the maximum impact score) of levels I, II and III",
    )
    approver_roles: list[Role] = Field(default_factory=lambda: [Role.OWNER, Role.MANAGER])
    harm_risk_level: ImpactLevel = Field(
        default=ImpactLevel.III,
        description="Harms at or above this residual level can be sent to the risk register",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        levels = [s.level for s in self.levels]
        if sorted(levels, key=lambda lv: lv.rank) != list(ImpactLevel):
            raise ValueError("levels must list I, II, III and IV once each")
        if (
            len(self.thresholds) != 3
            or not 0 < self.thresholds[0] < self.thresholds[1] < self.thresholds[2] < 1
        ):
            raise ValueError("thresholds must be three increasing shares between 0 and 1")
        if not self.approver_roles or any(
            not has_permission(r, Permission.APPROVE) for r in self.approver_roles
        ):
            raise ValueError("approver_roles must be roles that may approve (owner, manager)")
        return self


class ImpactSettingsIn(ImpactSettingsData):
    version: int = Field(description="The version you last read (0 before the first save)")


class ImpactSettingsOut(ImpactSettingsData):
    version: int
    saved: bool = Field(description="False while the organisation still uses the defaults")


# --- The assessment record ---------------------------------------------------------------------

TEXT_LIMIT = 20_000
AnswerValue = str | list[str]


class ImpactIn(StrictIn):
    """One impact as a person records it; the server gives it a key that survives versions."""

    affected: Affected = Field(description="A.5.4 individuals or groups; A.5.5 society")
    who: str = Field(min_length=1, max_length=500, description="Who exactly is affected")
    dimension: Dimension
    charter_article: str | None = Field(
        default=None,
        max_length=120,
        pattern=r"^Art\. \d+",
        description="EU Charter article, e.g. 'Art. 21'; required for other fundamental rights",
    )
    nature: Nature
    description: str = Field(min_length=1, max_length=4000)
    likelihood: Likelihood
    severity: Severity
    reversibility: Reversibility = Reversibility.REVERSIBLE
    people: PeopleAffected = PeopleAffected.UNDER_100
    existing_measures: str = Field(default="", max_length=4000)
    planned_measures: str = Field(default="", max_length=4000)
    residual_level: ImpactLevel | None = Field(
        default=None,
        description="After the measures; for a harm it defaults to likelihood x severity",
    )

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.dimension == Dimension.OTHER_RIGHTS and not self.charter_article:
            raise ValueError("charter_article: name the EU Charter article, e.g. 'Art. 21'")
        if self.nature == Nature.HARM and self.residual_level is None:
            self.residual_level = suggested_level(self.likelihood, self.severity)
        return self


class ImpactPatch(StrictIn):
    """Change one impact of a draft; send the assessment's ``version``."""

    version: int
    affected: Affected | None = None
    who: str | None = Field(default=None, min_length=1, max_length=500)
    dimension: Dimension | None = None
    charter_article: str | None = Field(default=None, max_length=120, pattern=r"^Art\. \d+")
    nature: Nature | None = None
    description: str | None = Field(default=None, min_length=1, max_length=4000)
    likelihood: Likelihood | None = None
    severity: Severity | None = None
    reversibility: Reversibility | None = None
    people: PeopleAffected | None = None
    existing_measures: str | None = Field(default=None, max_length=4000)
    planned_measures: str | None = Field(default=None, max_length=4000)
    residual_level: ImpactLevel | None = None


class ImpactCreate(ImpactIn):
    version: int = Field(description="The assessment's version you last read")


class ImpactOut(ImpactIn):
    key: str
    referral_id: uuid.UUID | None = Field(
        default=None, description="Set once the harm was sent to the risk register"
    )


class AssessmentFields(StrictIn):
    """The content of a version, every part optional so drafts can be saved as they grow."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    scope: str | None = Field(default=None, max_length=TEXT_LIMIT)
    data_info: str | None = Field(default=None, max_length=TEXT_LIMIT)
    model_info: str | None = Field(default=None, max_length=TEXT_LIMIT)
    deployment: str | None = Field(default=None, max_length=TEXT_LIMIT)
    use_period: str | None = Field(default=None, max_length=TEXT_LIMIT)
    interested_parties: str | None = Field(default=None, max_length=TEXT_LIMIT)
    oversight: str | None = Field(default=None, max_length=TEXT_LIMIT)
    remedies: str | None = Field(default=None, max_length=TEXT_LIMIT)
    answers: dict[str, AnswerValue] | None = Field(
        default=None,
        description="Questionnaire answers by question id: an answer id, or a list for "
        "tick-all questions. Replaces the stored answers; use answers_merge to add to them.",
    )
    answers_merge: dict[str, AnswerValue | None] | None = Field(
        default=None,
        description="Answers to set (or clear with null), keeping the others",
    )


class AssessmentCreate(AssessmentFields):
    system_id: uuid.UUID


class AssessmentPatch(AssessmentFields):
    version: int = Field(description="The version you last read")


class VersionIn(StrictIn):
    version: int


class ReviewIn(StrictIn):
    version: int
    note: str = Field(default="", max_length=2000)


class ReturnIn(StrictIn):
    version: int
    note: str = Field(min_length=1, max_length=2000, description="What the author should change")


class SystemInfo(BaseModel):
    """What the inventory said about the system, as copied into this version."""

    id: uuid.UUID
    name: str
    purpose: str = ""
    description: str = ""
    intended_use: str = ""
    foreseeable_misuse: str = ""
    users_description: str = ""
    affected_persons: str = ""
    automation_level: str | None = None
    human_oversight: str = ""
    lifecycle_stage: str = ""
    operator_role: str | None = None
    risk_class: str | None = None
    components: list[str] = Field(default_factory=list)
    taken_at: str | None = None


class AssessmentSummary(BaseModel):
    id: uuid.UUID
    series_id: uuid.UUID
    revision: int
    status: str
    title: str
    system_id: uuid.UUID
    system_name: str
    level: ImpactLevel | None
    due_date: date | None
    overdue: bool
    version: int
    updated_at: datetime


class AssessmentOut(AssessmentSummary):
    scope: str
    data_info: str
    model_info: str
    deployment: str
    use_period: str
    interested_parties: str
    oversight: str
    remedies: str
    answers: dict[str, AnswerValue]
    questionnaire_version: str
    impacts: list[ImpactOut]
    score: Score | None
    progress: Progress
    system: SystemInfo
    fria_required: bool = Field(description="The system's newest EU AI Act classification says so")
    author: str | None
    approved_by: str | None
    submitted_at: datetime | None
    approved_at: datetime | None
    review_note: str
    created_at: datetime


class FriaOut(BaseModel):
    assessment_id: uuid.UUID
    fria_required: bool
    complete: bool
    missing: list[str] = Field(description="Letters of the elements still empty")
    elements: list[FriaElement]


class ReferralOut(BaseModel):
    id: uuid.UUID
    assessment_id: uuid.UUID
    series_id: uuid.UUID
    impact_key: str
    system_id: uuid.UUID
    title: str
    description: str
    dimension: Dimension
    residual_level: ImpactLevel
    status: str = Field(description="pending until the risk register takes it up, then linked")
    risk_id: uuid.UUID | None
    created_at: datetime


class CompareOut(BaseModel):
    before: AssessmentSummary
    after: AssessmentSummary
    text: list[dict[str, Any]]
    answers: list[AnswerChange]
    impacts: list[ImpactChange]
    level: tuple[ImpactLevel | None, ImpactLevel | None]


class AttentionOut(BaseModel):
    """The dashboard's impact assessment lists."""

    overdue: list[AssessmentSummary]
    unassessed: list[dict[str, Any]] = Field(
        description="Systems in scope with no approved assessment: id, name, risk_class"
    )
    reclassified: list[AssessmentSummary] = Field(
        description="Approved assessments whose system changed EU AI Act class since"
    )
