"""API shapes of change records (6.3)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Self

from pydantic import BaseModel, Field, model_validator

from aims.api.schemas import StrictIn
from aims.changes.rules import ChangeStatus

TEXTS = ("purpose", "description", "consequences", "resources", "responsibilities", "affected")


class ChangeFields(StrictIn):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    purpose: str | None = Field(default=None, max_length=10_000, description="Why the change")
    description: str | None = Field(default=None, max_length=20_000)
    consequences: str | None = Field(
        default=None, max_length=10_000, description="What it may do to the AIMS and its outcomes"
    )
    resources: str | None = Field(default=None, max_length=10_000)
    responsibilities: str | None = Field(default=None, max_length=10_000)
    affected: str | None = Field(
        default=None, max_length=10_000, description="Processes, documents or controls it touches"
    )
    system_ids: list[uuid.UUID] | None = Field(default=None, description="AI systems it touches")
    owner_email: str | None = Field(default=None, max_length=320)
    planned_date: date | None = None

    @model_validator(mode="after")
    def _blanks(self) -> Self:
        if "title" in self.model_fields_set and self.title is None:
            raise ValueError("title: may not be empty")
        for name in TEXTS:
            if name in self.model_fields_set and getattr(self, name) is None:
                setattr(self, name, "")
        return self


class ChangeIn(ChangeFields):
    title: str = Field(min_length=1, max_length=300)


class ChangePatch(ChangeFields):
    version: int


class MoveIn(StrictIn):
    status: ChangeStatus
    version: int
    note: str = Field(default="", max_length=10_000, description="Why (approval or rejection)")
    outcome: str | None = Field(
        default=None, max_length=10_000, description="Needed to close: did it achieve its purpose"
    )
    completed_date: date | None = None


class ChangeOut(BaseModel):
    id: uuid.UUID
    ref: str
    title: str
    purpose: str
    description: str
    consequences: str
    resources: str
    responsibilities: str
    affected: str
    system_ids: list[uuid.UUID]
    owner_email: str | None
    planned_date: date | None
    completed_date: date | None
    status: ChangeStatus
    approved_by_email: str | None
    approved_at: datetime | None
    decision_note: str
    outcome: str
    plan_gaps: list[str] = Field(description="What the plan lacks before it can be approved")
    overdue: bool
    version: int
    created_at: datetime
    updated_at: datetime
