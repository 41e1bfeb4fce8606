"""API shapes of resource commitments and the leadership overview."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Self

from pydantic import BaseModel, Field, model_validator

from aims.api.schemas import StrictIn
from aims.leadership.rules import CommitmentStatus, ResourceKind


class CommitmentFields(StrictIn):
    kind: ResourceKind | None = None
    description: str | None = Field(default=None, min_length=1, max_length=500)
    amount: str | None = Field(default=None, max_length=200, description='e.g. "2 FTE"')
    purpose: str | None = Field(default=None, max_length=10_000)
    committed_by_email: str | None = Field(
        default=None, max_length=320, description="The member of top management who committed it"
    )
    committed_on: date | None = None
    starts: date | None = None
    until: date | None = None
    status: CommitmentStatus | None = None

    @model_validator(mode="after")
    def _blanks(self) -> Self:
        for name in ("kind", "description", "committed_by_email", "committed_on", "status"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name}: may not be empty")
        for name in ("amount", "purpose"):
            if name in self.model_fields_set and getattr(self, name) is None:
                setattr(self, name, "")
        return self


class CommitmentIn(CommitmentFields):
    kind: ResourceKind
    description: str = Field(min_length=1, max_length=500)
    committed_by_email: str = Field(max_length=320)
    committed_on: date


class CommitmentPatch(CommitmentFields):
    version: int


class CommitmentOut(BaseModel):
    id: uuid.UUID
    kind: ResourceKind
    description: str
    amount: str
    purpose: str
    committed_by_email: str | None
    committed_on: date
    starts: date | None
    until: date | None
    status: CommitmentStatus
    lapsed: bool
    version: int
    updated_at: datetime


class ApprovalOut(BaseModel):
    """A record top management approved: commitment shown by signature."""

    record: str
    label: str
    approved_by_email: str
    approved_at: datetime
    link: str
