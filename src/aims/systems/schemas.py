"""API shapes for AI systems, components and parties."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import Field, field_validator, model_validator

from aims.api.schemas import Out, StrictIn
from aims.systems.vocab import (
    AIRole,
    AutomationLevel,
    ComponentKind,
    DecisionRole,
    LifecycleStage,
    OperatorRole,
    PartyKind,
    VulnerableGroup,
)

TEXT = 20_000


class SystemFields(StrictIn):
    """Every field of a system a person can set (all optional here; see SystemIn)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    purpose: str | None = Field(default=None, max_length=TEXT)
    description: str | None = Field(default=None, max_length=TEXT)
    intended_use: str | None = Field(default=None, max_length=TEXT)
    foreseeable_misuse: str | None = Field(default=None, max_length=TEXT)
    owner_email: str | None = Field(default=None, max_length=320, description="A member's e-mail")
    business_unit: str | None = Field(default=None, max_length=200)
    lifecycle_stage: LifecycleStage | None = None
    ai_roles: list[AIRole] | None = Field(default=None, description="ISO/IEC 22989 roles")
    operator_role: OperatorRole | None = Field(default=None, description="EU AI Act role")
    used_in_eu: bool | None = Field(
        default=None, description="Placed on the EU market, put into service or used in the EU"
    )
    users_description: str | None = Field(default=None, max_length=TEXT)
    affected_persons: str | None = Field(default=None, max_length=TEXT)
    vulnerable_groups: list[VulnerableGroup] | None = None
    automation_level: AutomationLevel | None = None
    human_oversight: str | None = Field(default=None, max_length=TEXT)
    decisions_about_people: DecisionRole | None = None
    personal_data: bool | None = None
    special_category_data: bool | None = None
    biometric_data: bool | None = None
    in_scope: bool | None = None
    scope_reason: str | None = Field(default=None, max_length=TEXT)
    review_date: date | None = None


class SystemIn(SystemFields):
    """A new system. (A system out of scope needs scope_reason: the service checks it, so the
    rule holds for every face and the error names the field.)"""

    name: str = Field(min_length=1, max_length=200)


class SystemPatch(SystemFields):
    version: int = Field(description="The version you last read; a stale one is a 409")

    @field_validator("name", "lifecycle_stage", "in_scope", "ai_roles", "vulnerable_groups")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Leaving a field out keeps it; sending null for one that must hold a value is a 422.
        if value is None:
            raise ValueError("may not be empty")
        return value


class SystemOut(Out):
    id: uuid.UUID
    name: str
    purpose: str
    description: str
    intended_use: str
    foreseeable_misuse: str
    owner_email: str | None
    business_unit: str
    lifecycle_stage: LifecycleStage
    ai_roles: list[AIRole]
    operator_role: OperatorRole | None
    used_in_eu: bool | None
    users_description: str
    affected_persons: str
    vulnerable_groups: list[VulnerableGroup]
    automation_level: AutomationLevel | None
    human_oversight: str
    decisions_about_people: DecisionRole | None
    personal_data: bool | None
    special_category_data: bool | None
    biometric_data: bool | None
    in_scope: bool
    scope_reason: str
    review_date: date | None
    risk_class: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class PartyIn(StrictIn):
    name: str = Field(min_length=1, max_length=200)
    kind: PartyKind = PartyKind.SUPPLIER
    website: str = Field(default="", max_length=500)
    contact: str = Field(default="", max_length=500)
    country: str = Field(default="", max_length=80)
    notes: str = Field(default="", max_length=TEXT)


class PartyOut(Out):
    id: uuid.UUID
    name: str
    kind: PartyKind
    website: str
    contact: str
    country: str
    notes: str
    version: int


class ComponentFields(StrictIn):
    kind: ComponentKind | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    version_label: str | None = Field(default=None, max_length=100, description="e.g. 2.3.0")
    description: str | None = Field(default=None, max_length=TEXT)
    supplier_name: str | None = Field(
        default=None, max_length=200, description="The party that supplies it (created if new)"
    )
    licence: str | None = Field(default=None, max_length=500)
    model_type: str | None = Field(default=None, max_length=200)
    general_purpose: bool | None = None
    training_compute_flop: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    data_source: str | None = Field(default=None, max_length=TEXT)
    acquisition: str | None = Field(default=None, max_length=200)
    personal_data: bool | None = None
    collection_start: date | None = None
    collection_end: date | None = None
    provenance_notes: str | None = Field(default=None, max_length=TEXT)
    quality_notes: str | None = Field(default=None, max_length=TEXT)

    @model_validator(mode="after")
    def _period(self) -> ComponentFields:
        if (
            self.collection_start
            and self.collection_end
            and self.collection_end < self.collection_start
        ):
            raise ValueError("collection_end is before collection_start")
        return self


class ComponentIn(ComponentFields):
    kind: ComponentKind
    name: str = Field(min_length=1, max_length=200)


class ComponentPatch(ComponentFields):
    version: int

    @field_validator("kind", "name")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be empty")
        return value


class ComponentOut(Out):
    id: uuid.UUID
    kind: ComponentKind
    name: str
    version_label: str
    description: str
    supplier: PartyOut | None
    licence: str
    model_type: str
    general_purpose: bool | None
    training_compute_flop: float | None
    data_source: str
    acquisition: str
    personal_data: bool | None
    collection_start: date | None
    collection_end: date | None
    provenance_notes: str
    quality_notes: str
    bom: dict[str, Any]
    version: int


class LinkIn(StrictIn):
    component_id: uuid.UUID
    notes: str = Field(default="", max_length=500)
