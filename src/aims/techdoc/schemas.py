"""API shapes of event-log records and the technical documentation outline."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aims.api.schemas import StrictIn
from aims.store.types import utcnow


class EventLogIn(StrictIn):
    """Where a system's event logs are kept and what they hold. Send ``version`` when changing
    an existing record (a stale one is refused with 409)."""

    log_system: str = Field("", max_length=200, description="The tool or platform, e.g. Splunk")
    location: str = Field("", max_length=500, description="Index, bucket, table or path")
    captures: list[str] = Field(
        default_factory=list, description="Capture item ids (GET /event-logs/captures)"
    )
    capture_notes: str = Field("", max_length=5000, description="Anything else they capture")
    retention_months: int | None = Field(None, ge=0, le=1200)
    access: str = Field("", max_length=5000, description="Who can read the logs")
    tamper_evident: bool | None = None
    last_reviewed: date | None = None
    version: int | None = Field(None, ge=1, description="The version you read, when changing")

    @field_validator("captures")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @field_validator("last_reviewed")
    @classmethod
    def _not_future(cls, value: date | None) -> date | None:
        if value is not None and value > utcnow().date():
            raise ValueError("the last review cannot be in the future")
        return value


class EventLogOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    system_id: uuid.UUID
    log_system: str
    location: str
    captures: list[str]
    capture_notes: str
    retention_months: int | None
    access: str
    tamper_evident: bool | None
    last_reviewed: date | None
    version: int
    updated_at: datetime


class FlagOut(BaseModel):
    code: str
    field: str | None
    message: str
    missing: list[str] = Field(default_factory=list)


class SystemLogOut(BaseModel):
    """One AI system, its event-log record (null when there is none) and the flags on it."""

    system_id: uuid.UUID
    system_name: str
    risk_class: str | None
    high_risk: bool
    record: EventLogOut | None
    flags: list[FlagOut]


class CaptureOut(BaseModel):
    id: str
    label: str
    guidance: str
    required_for: str | None


class CapturesOut(BaseModel):
    min_retention_months: int
    retention_basis: str
    captures: list[CaptureOut]


class EntryOut(BaseModel):
    label: str
    value: str
    href: str | None
    missing: bool
    key: str | None
    source: str


class SectionOut(BaseModel):
    id: str
    point: str
    title: str
    guidance: str
    state: str = Field(description="complete, partial or missing")
    present: int
    missing: int
    percent: int
    entries: list[EntryOut]


class OutlineOut(BaseModel):
    system_id: uuid.UUID
    system_name: str
    risk_class: str | None
    generated_at: datetime
    state: str
    present: int
    missing: int
    percent: int
    sections: list[SectionOut]
