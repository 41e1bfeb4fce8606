"""API shapes of the context register: issues, the climate determination, interested parties
and their requirements, legal requirements and the scope statement."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Self

from pydantic import BaseModel, Field, model_validator

from aims.api.schemas import StrictIn
from aims.context.vocab import Addressed, Direction, RequirementKind, RequirementStatus


def _blank_nulls(model: BaseModel, required: tuple[str, ...], blankable: tuple[str, ...]) -> None:
    """An explicit null on a required field is an error; on a text field it means empty."""
    for name in required:
        if name in model.model_fields_set and getattr(model, name) is None:
            raise ValueError(f"{name}: may not be empty")
    for name in blankable:
        if name in model.model_fields_set and getattr(model, name) is None:
            setattr(model, name, "")


# --- Issues (4.1) ------------------------------------------------------------------------------


class IssueFields(StrictIn):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    direction: Direction | None = Field(default=None, description="internal or external")
    category: str | None = Field(
        default=None, max_length=40, description="An id from GET /api/v1/context/vocabulary"
    )
    description: str | None = Field(default=None, max_length=20_000)
    effect: str | None = Field(
        default=None, max_length=20_000, description="How it affects the AIMS and its outcomes"
    )
    owner_email: str | None = Field(default=None, max_length=320)
    review_date: date | None = None
    climate_related: bool | None = None

    @model_validator(mode="after")
    def _checked(self) -> Self:
        _blank_nulls(self, ("title", "direction", "category", "climate_related"),
                     ("description", "effect"))  # fmt: skip
        return self


class IssueIn(IssueFields):
    title: str = Field(min_length=1, max_length=300)
    direction: Direction
    category: str = Field(max_length=40)


class IssuePatch(IssueFields):
    version: int


class IssueOut(BaseModel):
    id: uuid.UUID
    title: str
    direction: Direction
    category: str
    category_label: str
    description: str
    effect: str
    owner: str | None
    review_date: date | None
    review_overdue: bool
    climate_related: bool
    version: int
    updated_at: datetime


# --- Climate change (4.1, Amd 1:2024) ----------------------------------------------------------


class ClimateIn(StrictIn):
    relevant: bool | None = Field(description="true, false, or null for not decided yet")
    reasoning: str = Field(default="", max_length=10_000)
    version: int = Field(description="The version you read; 0 while nothing was decided")


class ClimateOut(BaseModel):
    state: str = Field(description="undecided, relevant or not_relevant")
    relevant: bool | None
    reasoning: str
    decided_by: str | None
    decided_at: datetime | None
    version: int


# --- Interested parties (4.2) ------------------------------------------------------------------


class PartyFields(StrictIn):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: str | None = Field(
        default=None, max_length=40, description="An id from GET /api/v1/context/vocabulary"
    )
    description: str | None = Field(default=None, max_length=20_000)

    @model_validator(mode="after")
    def _checked(self) -> Self:
        _blank_nulls(self, ("name", "kind"), ("description",))
        return self


class PartyIn(PartyFields):
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(max_length=40)


class PartyPatch(PartyFields):
    version: int


class RequirementFields(StrictIn):
    text: str | None = Field(default=None, min_length=1, max_length=10_000)
    climate_related: bool | None = None
    addressed: Addressed | None = Field(default=None, description="yes, partly or no")
    response: str | None = Field(
        default=None, max_length=10_000, description="How the AIMS meets it, or why not"
    )
    legal_requirement_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _checked(self) -> Self:
        _blank_nulls(self, ("text", "climate_related", "addressed"), ("response",))
        return self


class RequirementIn(RequirementFields):
    text: str = Field(min_length=1, max_length=10_000)


class RequirementPatch(RequirementFields):
    version: int


class RequirementOut(BaseModel):
    id: uuid.UUID
    party_id: uuid.UUID
    party_name: str
    text: str
    climate_related: bool
    addressed: Addressed
    response: str
    legal_requirement_id: uuid.UUID | None
    legal_requirement_title: str | None
    version: int


class PartyOut(BaseModel):
    id: uuid.UUID
    name: str
    kind: str
    kind_label: str
    description: str
    requirements: list[RequirementOut]
    version: int
    updated_at: datetime


# --- Legal, regulatory and contractual requirements --------------------------------------------


class LegalFields(StrictIn):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    kind: RequirementKind | None = None
    jurisdiction: str | None = Field(default=None, max_length=120)
    reference: str | None = Field(
        default=None, max_length=300, examples=["Regulation (EU) 2024/1689"]
    )
    obligations: str | None = Field(default=None, max_length=20_000)
    owner_email: str | None = Field(default=None, max_length=320)
    status: RequirementStatus | None = None
    applies_from: date | None = None
    system_ids: list[uuid.UUID] | None = Field(
        default=None, description="AI systems from the inventory it touches"
    )
    controls: list[str] | None = Field(
        default=None, description="Annex A control ids it calls for, e.g. A.6.2.7"
    )

    @model_validator(mode="after")
    def _checked(self) -> Self:
        _blank_nulls(self, ("title", "kind", "status"),
                     ("jurisdiction", "reference", "obligations"))  # fmt: skip
        for name in ("system_ids", "controls"):
            if name in self.model_fields_set and getattr(self, name) is None:
                setattr(self, name, [])
        return self


class LegalIn(LegalFields):
    title: str = Field(min_length=1, max_length=300)
    kind: RequirementKind


class LegalPatch(LegalFields):
    version: int


class SystemRef(BaseModel):
    id: uuid.UUID
    name: str


class LegalOut(BaseModel):
    id: uuid.UUID
    title: str
    kind: RequirementKind
    jurisdiction: str
    reference: str
    obligations: str
    owner: str | None
    status: RequirementStatus
    applies_from: date | None
    systems: list[SystemRef]
    controls: list[str]
    calls_for_controls: bool = Field(
        description="Whether its controls count as needs in the Statement of Applicability"
    )
    version: int
    updated_at: datetime


# --- Scope (4.3) -------------------------------------------------------------------------------


class ScopeItem(StrictIn):
    item: str = Field(default="", max_length=300)
    reason: str = Field(default="", max_length=2000)


class ScopeFields(StrictIn):
    boundaries: str | None = Field(default=None, max_length=20_000)
    units: str | None = Field(
        default=None, max_length=20_000, description="Organisational units and locations"
    )
    inclusions: list[ScopeItem] | None = None
    exclusions: list[ScopeItem] | None = Field(
        default=None, description="Each with the reason it is left out"
    )
    interfaces: str | None = Field(
        default=None, max_length=20_000, description="Interfaces and dependencies"
    )

    @model_validator(mode="after")
    def _checked(self) -> Self:
        _blank_nulls(self, (), ("boundaries", "units", "interfaces"))
        for name in ("inclusions", "exclusions"):
            if name in self.model_fields_set and getattr(self, name) is None:
                setattr(self, name, [])
        return self


class ScopePatch(ScopeFields):
    version: int


class VersionIn(StrictIn):
    version: int


class ReviewIn(StrictIn):
    version: int
    note: str = Field(default="", max_length=2000)


class ScopeSystem(BaseModel):
    id: str
    name: str
    risk_class: str | None


class ScopeOut(BaseModel):
    id: uuid.UUID
    series_id: uuid.UUID
    revision: int
    status: str
    boundaries: str
    units: str
    inclusions: list[ScopeItem]
    exclusions: list[ScopeItem]
    interfaces: str
    systems: list[ScopeSystem]
    systems_live: bool = Field(
        description="true: read from the inventory now (a draft); false: as approved"
    )
    author: str | None
    approved_by: str | None
    approved_at: datetime | None
    review_note: str
    version: int


class ScopeChangeOut(BaseModel):
    part: str
    change: str
    name: str
    before: str | None
    after: str | None


class ScopeCompareOut(BaseModel):
    before_revision: int
    after_revision: int
    changes: list[ScopeChangeOut]


class TermOut(BaseModel):
    id: str
    label: str
    hint: str


class VocabularyOut(BaseModel):
    issue_categories: list[TermOut]
    party_kinds: list[TermOut]
    requirement_kinds: list[str]
    requirement_statuses: list[str]


class AttentionOut(BaseModel):
    climate_undecided: bool = Field(
        description="No decision yet on whether climate change is relevant"
    )
    overdue_issues: list[IssueOut] = Field(description="Issues past their review date")
    unaddressed: list[RequirementOut] = Field(
        description="Requirements of interested parties met only partly or not at all"
    )
    scope_unapproved: bool = Field(description="No approved scope statement yet")
