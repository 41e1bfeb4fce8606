"""API shapes of AI objectives and their measurements."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Self

from pydantic import BaseModel, Field, model_validator

from aims.api.schemas import StrictIn
from aims.objectives.rules import Direction, Kind, State, Status, Trend

Number = Annotated[float, Field(allow_inf_nan=False)]

# Fields where an explicit null means "empty" rather than an error.
BLANKABLE = ("description", "resources", "evaluation")
REQUIRED = ("title", "kind", "annex_c", "metric", "unit", "direction", "target", "status")


class ObjectiveFields(StrictIn):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=20_000)
    kind: Kind | None = Field(
        default=None,
        description="aims (6.2), responsible_development (A.6.1.2) or responsible_use (A.9.3)",
    )
    annex_c: str | None = Field(
        default=None, max_length=80, description="The Annex C objective it serves (catalogue id)"
    )
    system_id: uuid.UUID | None = Field(default=None, description="The AI system it applies to")
    metric: str | None = Field(
        default=None,
        min_length=1,
        max_length=300,
        examples=["approval-rate parity ratio across age bands"],
    )
    unit: str | None = Field(
        default=None, min_length=1, max_length=40, examples=["ratio", "%", "count", "ms"]
    )
    direction: Direction | None = None
    target: Number | None = None
    tolerance: Number | None = Field(default=None, description="Only for direction 'within'")
    range_min: Number | None = Field(default=None, description="Lowest valid value")
    range_max: Number | None = Field(default=None, description="Highest valid value")
    baseline: Number | None = None
    due_date: date | None = None
    owner_email: str | None = Field(default=None, max_length=320)
    resources: str | None = Field(default=None, max_length=10_000)
    evaluation: str | None = Field(
        default=None, max_length=10_000, description="How results are evaluated"
    )
    status: Status | None = None

    @model_validator(mode="after")
    def _checked(self) -> Self:
        for name in REQUIRED:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name}: may not be empty")
        for name in BLANKABLE:
            if name in self.model_fields_set and getattr(self, name) is None:
                setattr(self, name, "")
        return self


class ObjectiveIn(ObjectiveFields):
    title: str = Field(min_length=1, max_length=300)
    kind: Kind
    annex_c: str = Field(max_length=80, description="The Annex C objective it serves")
    metric: str = Field(min_length=1, max_length=300)
    unit: str = Field(min_length=1, max_length=40)
    direction: Direction
    target: Number


class ObjectivePatch(ObjectiveFields):
    version: int


class MeasurementIn(StrictIn):
    value: Number
    unit: str = Field(min_length=1, max_length=40, description="Must be the objective's unit")
    measured_at: date | None = Field(default=None, description="Defaults to today")
    note: str = Field(default="", max_length=4000)


class MeasurementOut(BaseModel):
    id: uuid.UUID
    objective_id: uuid.UUID
    value: float
    unit: str
    measured_at: date
    note: str
    source: str
    source_ref: str
    meets_target: bool
    recorded_by: str | None = Field(description="The name of who recorded it")
    version: int


class ObjectiveOut(BaseModel):
    id: uuid.UUID
    code: str
    title: str
    description: str
    kind: Kind
    annex_c: str
    annex_c_title: str
    system_id: uuid.UUID | None
    system_name: str | None
    metric: str
    unit: str
    direction: Direction
    target: float
    tolerance: float | None
    range_min: float | None
    range_max: float | None
    baseline: float | None
    target_text: str = Field(examples=["≥ 0.8 ratio"])
    due_date: date | None
    owner: str | None
    resources: str
    evaluation: str
    status: Status
    state: State = Field(description="no_data, on_track, breached, achieved or abandoned")
    overdue: bool
    trend: Trend | None
    last_value: float | None
    last_measured_at: date | None
    measurements: int
    breaches: int
    version: int
    updated_at: datetime


class AttentionOut(BaseModel):
    breached: list[ObjectiveOut]
    overdue: list[ObjectiveOut]
