"""API shapes of risk criteria, risks, treatment and the SoA."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, Field, model_validator

from aims.api.schemas import StrictIn
from aims.risk.rules import Criteria, ImplementationStatus


class Origin(StrEnum):
    MANUAL = "manual"
    IMPACT_HARM = "impact_harm"
    AUDIT_FINDING = "audit_finding"
    INCIDENT = "incident"
    CONCERN = "concern"


class TreatmentOption(StrEnum):
    MODIFY = "modify"
    AVOID = "avoid"
    SHARE = "share"
    RETAIN = "retain"


class RiskStatus(StrEnum):
    OPEN = "open"
    TREATED = "treated"
    ACCEPTED = "accepted"
    CLOSED = "closed"


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class CriteriaOut(BaseModel):
    number: int = Field(description="0 while the organisation uses aims's default criteria")
    criteria: Criteria
    note: str = ""


class CriteriaIn(StrictIn):
    criteria: Criteria
    based_on: int = Field(description="The criteria number you last read")
    confirm: bool = Field(
        default=False,
        description="Apply even though stored risks change level (see the preview first)",
    )
    note: str = Field(default="", max_length=500)


class RescoreOut(BaseModel):
    risk_id: str
    ref: str
    which: str
    before: str
    after: str | None
    reason: str


class CriteriaResult(BaseModel):
    applied: bool
    number: int
    changes: list[RescoreOut]


# Text fields where an explicit null means "empty" rather than an error.
BLANKABLE = ("description", "objectives", "own_source", "consequences_org",
             "consequences_individuals", "consequences_society", "existing_controls")  # fmt: skip


class RiskFields(StrictIn):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=20_000)
    system_id: uuid.UUID | None = None
    source: str | None = Field(default=None, max_length=80, description="Annex C risk source id")
    own_source: str | None = Field(default=None, max_length=200)
    objectives: list[str] | None = Field(default=None, description="Annex C objective ids")
    consequences_org: str | None = Field(default=None, max_length=10_000)
    consequences_individuals: str | None = Field(default=None, max_length=10_000)
    consequences_society: str | None = Field(default=None, max_length=10_000)
    owner_email: str | None = Field(default=None, max_length=320)
    inherent_likelihood: int | None = None
    inherent_consequence: int | None = None
    existing_controls: str | None = Field(default=None, max_length=10_000)
    residual_likelihood: int | None = None
    residual_consequence: int | None = None
    treatment_option: TreatmentOption | None = None
    next_review: date | None = None
    status: RiskStatus | None = Field(
        default=None, description="open, treated or closed; 'accepted' comes only from /accept"
    )

    @model_validator(mode="after")
    def _checked(self) -> Self:
        if self.status == RiskStatus.ACCEPTED:
            raise ValueError("status: a risk is accepted through its owner's acceptance")
        required = ("title", "inherent_likelihood", "inherent_consequence")
        for name in required:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name}: may not be empty")
        for name in BLANKABLE:
            if name in self.model_fields_set and getattr(self, name) is None:
                setattr(self, name, [] if name == "objectives" else "")
        return self


class RiskIn(RiskFields):
    title: str = Field(min_length=1, max_length=300)
    inherent_likelihood: int
    inherent_consequence: int


class RiskPatch(RiskFields):
    version: int


class FromReferralIn(StrictIn):
    inherent_likelihood: int | None = Field(
        default=None, description="Defaults to the harm's likelihood on your scale"
    )
    inherent_consequence: int | None = Field(
        default=None, description="Defaults to the harm's severity on your scale"
    )
    owner_email: str | None = None


class ActionIn(StrictIn):
    title: str = Field(min_length=1, max_length=300)
    owner_email: str | None = None
    due_date: date | None = None
    status: ActionStatus = ActionStatus.PLANNED


class ActionPatch(StrictIn):
    version: int
    title: str | None = Field(default=None, min_length=1, max_length=300)
    owner_email: str | None = None
    due_date: date | None = None
    status: ActionStatus | None = None


class ActionOut(BaseModel):
    id: uuid.UUID
    title: str
    owner: str | None
    due_date: date | None
    status: ActionStatus
    overdue: bool
    version: int


class ControlIn(StrictIn):
    control_id: str = Field(
        min_length=2, max_length=40, description="An Annex A control (A.x.y) or your own code"
    )
    note: str = Field(default="", max_length=1000)


class AcceptIn(StrictIn):
    version: int
    reason: str = Field(min_length=1, max_length=4000)
    expires: date


class ReviewIn(StrictIn):
    version: int
    note: str = Field(min_length=1, max_length=4000)
    next_review: date | None = None
    residual_likelihood: int | None = None
    residual_consequence: int | None = None


class RiskOut(BaseModel):
    id: uuid.UUID
    ref: str
    title: str
    description: str
    system_id: uuid.UUID | None
    system_name: str | None
    source: str
    own_source: str
    objectives: list[str]
    consequences_org: str
    consequences_individuals: str
    consequences_society: str
    owner: str | None
    inherent_likelihood: int
    inherent_consequence: int
    inherent_level: str
    existing_controls: str
    residual_likelihood: int | None
    residual_consequence: int | None
    residual_level: str | None
    criteria_number: int
    origin: Origin
    origin_ref: str
    status: RiskStatus
    treatment_option: TreatmentOption | None
    next_review: date | None
    review_overdue: bool
    controls: list[str]
    actions: list[ActionOut]
    acceptance_needed: bool
    accepted_by: str | None
    accepted_at: datetime | None
    acceptance_reason: str
    acceptance_expires: date | None
    acceptance_expired: bool
    version: int
    updated_at: datetime


class NeedOut(BaseModel):
    kind: str
    ref: str
    label: str


class SoaRowOut(BaseModel):
    control_id: str
    title: str
    own: bool
    applicable: bool | None
    needs: list[NeedOut]
    inclusion_justification: str
    exclusion_justification: str
    status: ImplementationStatus
    owner: str | None
    problems: list[str]
    version: int = Field(description="The decision's version (0 before anything was decided)")
    evidence: int | None = Field(
        default=None,
        description="Valid evidence items for the control (None in versions saved before "
        "evidence was counted)",
    )


class SoaOut(BaseModel):
    rows: list[SoaRowOut]
    problems: int = Field(description="Rows with something an auditor would question")


class DecisionIn(StrictIn):
    version: int = Field(description="The row's version you last read (0 for none)")
    applicable: bool | None = None
    inclusion_note: str = Field(default="", max_length=4000)
    exclusion_reason: str = Field(default="", max_length=4000)
    override_reason: str = Field(default="", max_length=4000)
    status: ImplementationStatus = ImplementationStatus.NOT_STARTED
    owner_email: str | None = None


class SnapshotIn(StrictIn):
    note: str = Field(default="", max_length=4000, description="What this version is for")


class SoaApproveIn(StrictIn):
    version: int
    note: str = Field(default="", max_length=2000)


class SoaVersionOut(BaseModel):
    id: uuid.UUID
    revision: int
    status: str
    note: str
    problems: int
    approved_by: str | None
    approved_at: datetime | None
    version: int
    rows: list[SoaRowOut]


class OwnControlIn(StrictIn):
    code: str = Field(min_length=2, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=4000)


class OwnControlOut(BaseModel):
    id: uuid.UUID
    code: str
    title: str
    description: str
