"""API shapes of stored measurement runs."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from aims.api.schemas import StrictIn
from aims.measure.schemas import TOOL


class RunIn(StrictIn):
    """A run as ``aims measure`` computed it in CI (the fields of its RunRecord), plus what to
    check it against and which control it is evidence for."""

    kind: Literal["fairness", "performance", "drift", "quality"]
    tool: str = Field(default=TOOL, max_length=80)
    tool_version: str = Field(min_length=1, max_length=40)
    input_sha256: dict[str, str] = Field(
        description='{"data": sha256}, or {"reference": ..., "current": ...} for drift'
    )
    parameters: dict[str, Any] = Field(description="The options the run used")
    results: dict[str, Any] = Field(description="The result as `--format json` prints it")
    metrics: dict[str, float | None] = Field(
        default_factory=dict, description="Optional: recomputed from the results and compared"
    )
    limits: dict[str, list[float | None]] = Field(
        default_factory=dict, description="{metric: [min, max]}; either bound may be null"
    )
    control_id: str | None = Field(
        default=None, description="A.6.2.4, A.6.2.6 or A.7.4 (default by kind)"
    )
    note: str = Field(default="", max_length=4000)


class BreachOut(BaseModel):
    metric: str
    value: float
    min: float | None
    max: float | None


class FeedNoteOut(BaseModel):
    objective: str
    metric: str
    reason: str


class FedOut(BaseModel):
    objective_id: uuid.UUID
    objective_code: str
    measurement_id: uuid.UUID
    value: float
    unit: str


class RunOut(BaseModel):
    id: uuid.UUID
    ref: str
    system_id: uuid.UUID
    system_name: str
    kind: str
    control_id: str
    input_sha256: dict[str, str]
    parameters: dict[str, Any]
    tool: str
    tool_version: str
    results: dict[str, Any]
    metrics: dict[str, float | None]
    limits: dict[str, list[float | None]]
    breaches: list[BreachOut]
    breached: bool
    source: str
    note: str
    run_date: date
    evidence_id: uuid.UUID | None
    fed: list[FedOut]
    not_fed: list[FeedNoteOut]
    version: int
    created_at: datetime
    url: str


class RunSummaryOut(BaseModel):
    id: uuid.UUID
    ref: str
    system_id: uuid.UUID
    system_name: str
    kind: str
    control_id: str
    breached: bool
    breaches: list[BreachOut]
    source: str
    run_date: date
    version: int
