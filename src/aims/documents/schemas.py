"""API shapes of controlled documents, their versions, the AI policy and acknowledgements."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field, field_validator

from aims.access.rules import Role
from aims.api.schemas import StrictIn
from aims.documents.rules import Classification, Kind

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$"
MAX_BODY = 200_000


def _check_roles(roles: list[Role]) -> list[Role]:
    """Only roles that hold the approve permission can be named as approvers."""
    refused = [r.value for r in roles if r not in (Role.OWNER, Role.MANAGER)]
    if refused:
        raise ValueError(f"only owner and manager can approve; not {', '.join(refused)}")
    return list(dict.fromkeys(roles))


class ChecklistMark(StrictIn):
    addressed: bool = False
    section: str = Field(default="", max_length=200, description="Where the version does it")


class DocumentFields(StrictIn):
    code: str = Field(pattern=CODE_PATTERN, description="The document's identifier, e.g. POL-001")
    title: str = Field(min_length=1, max_length=200)
    kind: Kind
    classification: Classification = Classification.INTERNAL
    owner_email: str | None = Field(default=None, description="A member of the organisation")
    review_interval_months: int = Field(default=12, ge=1, le=120)
    retention_months: int | None = Field(default=None, ge=1, le=1200)
    approver_roles: list[Role] = Field(
        default_factory=list, description="Who may approve (empty: owner and manager)"
    )
    quorum: int = Field(default=1, ge=1, le=10, description="Distinct approvals needed")
    is_ai_policy: bool = Field(default=False, description="The organisation's AI policy (5.2)")

    @field_validator("approver_roles")
    @classmethod
    def _approving_roles(cls, roles: list[Role]) -> list[Role]:
        return _check_roles(roles)


class DocumentIn(DocumentFields):
    body: str = Field(default="", max_length=MAX_BODY, description="Markdown of revision 1")
    change_summary: str = Field(default="", max_length=500)
    effective_date: date | None = None


class DocumentPatch(StrictIn):
    version: int
    code: str | None = Field(default=None, pattern=CODE_PATTERN)
    title: str | None = Field(default=None, min_length=1, max_length=200)
    kind: Kind | None = None
    classification: Classification | None = None
    owner_email: str | None = None
    review_interval_months: int | None = Field(default=None, ge=1, le=120)
    retention_months: int | None = Field(default=None, ge=1, le=1200)
    approver_roles: list[Role] | None = None
    quorum: int | None = Field(default=None, ge=1, le=10)
    is_ai_policy: bool | None = None

    @field_validator("approver_roles")
    @classmethod
    def _approving_roles(cls, roles: list[Role] | None) -> list[Role] | None:
        return None if roles is None else _check_roles(roles)


class VersionEdit(StrictIn):
    version: int = Field(description="The version's own version number, from VersionOut")
    body: str | None = Field(default=None, max_length=MAX_BODY)
    change_summary: str | None = Field(default=None, max_length=500)
    effective_date: date | None = None
    checklist: dict[str, ChecklistMark] | None = None


class VersionAction(StrictIn):
    version: int
    note: str = Field(default="", max_length=2000)


class DocumentAction(StrictIn):
    version: int = Field(description="The document's version number, from DocumentOut")
    note: str = Field(default="", max_length=2000)


class ReviewIn(StrictIn):
    version: int
    reviewed_on: date | None = Field(default=None, description="Default: today")


class LinkIn(StrictIn):
    target_id: uuid.UUID
    note: str = Field(default="", max_length=4000, description="How the two documents align")


class PublishIn(StrictIn):
    everyone: bool = Field(default=False, description="Every member of the organisation")
    people: list[str] = Field(default_factory=list, description="Members by e-mail")
    roles: list[Role] = Field(default_factory=list)
    note: str = Field(default="", max_length=2000)


# --- Out ------------------------------------------------------------------------------------------


class ApprovalOut(BaseModel):
    approver: str | None
    approver_name: str | None
    role: str
    approved_at: datetime
    note: str


class QuorumOut(BaseModel):
    given: int
    needed: int
    met: bool


class ChecklistItemOut(BaseModel):
    id: str
    title: str
    guidance: str
    source: str
    addressed: bool
    section: str


class VersionSummary(BaseModel):
    id: uuid.UUID
    revision: int
    status: str
    change_summary: str
    effective_date: date | None
    author: str | None
    approved_by: str | None
    approved_at: datetime | None
    version: int


class VersionOut(VersionSummary):
    document_id: uuid.UUID
    body: str
    rendered_html: str = Field(description="The body as sanitised HTML")
    checklist: dict[str, ChecklistMark]
    submitted_at: datetime | None
    superseded_at: datetime | None
    review_note: str
    approvals: list[ApprovalOut]
    quorum: QuorumOut


class LinkOut(BaseModel):
    id: uuid.UUID
    target_id: uuid.UUID
    target_code: str
    target_title: str
    target_status: str
    note: str


class ReminderOut(BaseModel):
    sent_at: datetime
    outstanding: int


class PublicationOut(BaseModel):
    id: uuid.UUID
    version_id: uuid.UUID
    revision: int
    everyone: bool
    people: list[str]
    roles: list[str]
    note: str
    published_at: datetime
    ended_at: datetime | None
    ended_reason: str
    acknowledged: int
    targeted: int
    percent: int
    outstanding: list[str] = Field(description="E-mails of people who still owe it")
    reminders: list[ReminderOut]


class DocumentSummary(BaseModel):
    id: uuid.UUID
    code: str
    title: str
    kind: Kind
    classification: Classification
    owner: str | None
    status: str
    is_ai_policy: bool
    next_review_on: date | None
    review_overdue: bool
    version: int
    updated_at: datetime


class DocumentOut(DocumentSummary):
    review_interval_months: int
    retention_months: int | None
    approver_roles: list[str]
    quorum: int
    last_reviewed_on: date | None
    retired_at: datetime | None
    effective_date: date | None = Field(description="When the approved version took effect")
    versions: list[VersionSummary]
    current: VersionOut | None = Field(description="The approved version in force")
    open: VersionOut | None = Field(description="The draft or version in review")
    links: list[LinkOut]
    publications: list[PublicationOut]


class CompareOut(BaseModel):
    a: VersionSummary
    b: VersionSummary
    unified_diff: str
    added: int
    removed: int
    changed_fields: list[str]


class AcknowledgementOut(BaseModel):
    id: uuid.UUID
    document_id: uuid.UUID
    code: str
    title: str
    revision: int
    publication_id: uuid.UUID
    published_at: datetime
    acknowledged_at: datetime | None


class PersonCompletionOut(BaseModel):
    email: str
    name: str
    owed: list[AcknowledgementOut]


class ReviewScheduleOut(BaseModel):
    interval_months: int
    last_reviewed_on: date | None
    next_review_on: date | None
    overdue: bool


class AiPolicyOut(BaseModel):
    document: DocumentSummary | None
    version_id: uuid.UUID | None
    revision: int | None
    checklist: list[ChecklistItemOut]
    gaps: list[str] = Field(description="Checklist items the version does not address")
    links: list[LinkOut]
    review: ReviewScheduleOut | None
    leadership: list[ApprovalOut] = Field(description="Who approved the version in force (5.1)")
