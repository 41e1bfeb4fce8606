"""API shapes of concerns, their timeline and the organisation's concern settings."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from aims.access.rules import Role
from aims.api.schemas import StrictIn
from aims.concerns import rules
from aims.concerns.vocab import Severity, Status, categories


def _known_category(value: str) -> str:
    known = [c.id for c in categories()]
    if value not in known:
        raise ValueError(f"not a category; one of: {', '.join(known)}")
    return value


class ConcernIn(StrictIn):
    """What a member (or, through the public form, anyone) tells the handlers."""

    category: str = Field(description="A category id (GET /api/v1/concerns/categories)")
    summary: str = Field(min_length=1, max_length=rules.SUMMARY_MAX)
    description: str = Field(
        min_length=1, max_length=rules.DESCRIPTION_MAX, description="What happened"
    )
    occurred: str = Field(default="", max_length=rules.OCCURRED_MAX, description="When")
    system_id: uuid.UUID | None = Field(default=None, description="The AI system, if known")
    anonymous: bool = Field(
        default=False,
        description="Keep your name from the handlers: nothing stored links you to it; follow "
        "it with the receipt code",
    )

    _category = field_validator("category")(_known_category)


class PublicConcernIn(StrictIn):
    """The public form (no account): no identifying fields, contact only if offered."""

    category: str
    summary: str = Field(min_length=1, max_length=rules.SUMMARY_MAX)
    description: str = Field(min_length=1, max_length=rules.DESCRIPTION_MAX)
    occurred: str = Field(default="", max_length=rules.OCCURRED_MAX)
    contact: str = Field(default="", max_length=rules.CONTACT_MAX)

    _category = field_validator("category")(_known_category)


class ReceiptOut(BaseModel):
    ref: str
    receipt_code: str = Field(
        description="Shown once: the reporter follows the concern with it at /report/status"
    )
    anonymous: bool


class TriageIn(StrictIn):
    """A handler's change; fields left out stay as they are."""

    version: int
    status: Status | None = None
    owner_email: str | None = Field(default=None, max_length=320)
    severity: Severity | None = None
    outcome: str | None = Field(default=None, max_length=rules.OUTCOME_MAX)
    reporter_message: str | None = Field(default=None, max_length=rules.MESSAGE_MAX)
    system_id: uuid.UUID | None = None


class NoteIn(StrictIn):
    body: str = Field(min_length=1, max_length=rules.NOTE_MAX)


class RaiseRiskIn(StrictIn):
    """The risk is visible to every member: its title and description are written by the
    handler (nothing is copied from the concern, which may name people)."""

    version: int
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=20_000)
    inherent_likelihood: int = Field(description="On your risk criteria's scale")
    inherent_consequence: int = Field(description="On your risk criteria's scale")
    owner_email: str | None = Field(default=None, max_length=320)


class NoteOut(BaseModel):
    at: datetime
    by: str | None
    kind: str
    body: str


class ConcernOut(BaseModel):
    """The handler's view."""

    view: str = Field(default="handler", description="'handler'")
    id: uuid.UUID
    ref: str
    channel: str
    anonymous: bool
    reporter: str | None = Field(description="Only for a member who chose to be named")
    contact: str
    system_id: uuid.UUID | None
    system_name: str | None
    category: str
    category_label: str
    summary: str
    description: str
    occurred: str
    status: Status
    owner: str | None
    severity: Severity | None
    outcome: str
    reporter_message: str
    risk_id: uuid.UUID | None
    risk_ref: str | None
    received_at: datetime
    updated_at: datetime
    version: int
    timeline: list[NoteOut]


class ReporterViewOut(BaseModel):
    """What the person who raised a concern sees: what they said, where it stands, and the
    message the handlers wrote for them. Nothing internal."""

    view: str = Field(default="reporter", description="'reporter'")
    id: uuid.UUID
    ref: str
    category_label: str
    summary: str
    system_name: str | None
    status: Status
    last_update: datetime
    message: str
    received_at: datetime


class ReceiptStatusIn(StrictIn):
    code: str = Field(min_length=1, max_length=64)


class ReceiptStatusOut(BaseModel):
    status: Status
    last_update: datetime
    message: str


class CategoryOut(BaseModel):
    id: str
    label: str
    help: str


class SettingsOut(BaseModel):
    anonymous_enabled: bool
    handler_roles: list[Role]
    intro: str
    link_path: str | None = Field(
        description="The public intake link (/report/...), for handlers; null until created"
    )
    version: int = Field(description="0 while the organisation uses the defaults")


class SettingsIn(StrictIn):
    version: int
    anonymous_enabled: bool
    handler_roles: list[Role] = Field(
        min_length=1, description="Roles that see and triage concerns; the owner always does"
    )
    intro: str = Field(default="", max_length=rules.INTRO_MAX)


class LinkIn(StrictIn):
    version: int
