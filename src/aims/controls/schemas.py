"""API shapes of control implementations and their checks."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from aims.api.schemas import StrictIn
from aims.controls.rules import MAX_CHECK_MONTHS, CheckResult, Status


class ImplementationFieldsIn(StrictIn):
    description: str = Field(default="", max_length=20000, description="How it is implemented")
    owner_email: str | None = Field(default=None, description="A member's e-mail")
    status: Status = Status.PLANNED
    check_months: int | None = Field(
        default=None, ge=1, le=MAX_CHECK_MONTHS, description="How often it is checked, in months"
    )


class ImplementationIn(ImplementationFieldsIn):
    control_id: str = Field(
        min_length=1, max_length=40, description="An Annex A control id or one of your own codes"
    )
    system_id: str | None = Field(
        default=None, description="An AI system's id or name; none for organisation-wide"
    )


class ImplementationPatch(ImplementationFieldsIn):
    version: int


class CheckIn(StrictIn):
    version: int = Field(description="The implementation's version you last read")
    checked_on: date
    result: CheckResult
    note: str = Field(default="", max_length=4000)


class CheckOut(BaseModel):
    id: uuid.UUID
    checked_on: date
    result: CheckResult
    note: str
    recorded_at: datetime


class EvidenceBrief(BaseModel):
    id: uuid.UUID
    kind: str
    title: str
    valid_until: date | None
    validity: str


class ImplementationOut(BaseModel):
    id: uuid.UUID
    control_id: str
    control_title: str
    system_id: uuid.UUID | None
    system_name: str | None = Field(description="None when organisation-wide")
    description: str
    owner: str | None
    status: Status
    check_months: int | None
    last_checked: date | None
    last_result: CheckResult | None
    last_note: str
    next_check: date | None
    check_overdue: bool
    evidence: list[EvidenceBrief]
    version: int
    updated_at: datetime
