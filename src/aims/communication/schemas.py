"""API shapes of the communication plan."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Self

from pydantic import BaseModel, Field, model_validator

from aims.api.schemas import StrictIn
from aims.communication.rules import Direction, Frequency


class ItemFields(StrictIn):
    topic: str | None = Field(default=None, min_length=1, max_length=300, description="What")
    audience: str | None = Field(default=None, min_length=1, max_length=500,
                                 description="With whom")  # fmt: skip
    direction: Direction | None = None
    channel: str | None = Field(default=None, max_length=300, description="How")
    timing: str | None = Field(default=None, max_length=500, description="When, in words")
    frequency: Frequency | None = None
    first_due: date | None = Field(default=None, description="The first (or only) date")
    communicator_email: str | None = Field(default=None, max_length=320, description="Who")
    notes: str | None = Field(default=None, max_length=10_000)

    @model_validator(mode="after")
    def _blanks(self) -> Self:
        for name in ("topic", "audience"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name}: may not be empty")
        for name in ("channel", "timing", "notes"):
            if name in self.model_fields_set and getattr(self, name) is None:
                setattr(self, name, "")
        return self


class ItemIn(ItemFields):
    topic: str = Field(min_length=1, max_length=300)
    audience: str = Field(min_length=1, max_length=500)


class ItemPatch(ItemFields):
    version: int


class DoneIn(StrictIn):
    version: int
    on: date | None = Field(default=None, description="When it was done (default today)")
    note: str = Field(default="", max_length=2000)


class ItemOut(BaseModel):
    id: uuid.UUID
    topic: str
    audience: str
    direction: Direction
    channel: str
    timing: str
    frequency: Frequency
    first_due: date | None
    last_done: date | None
    next_due: date | None
    overdue: bool
    communicator_email: str | None
    notes: str
    version: int
    updated_at: datetime
