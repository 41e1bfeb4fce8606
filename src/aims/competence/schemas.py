"""API shapes of AIMS roles, the RACI matrix, role holders, competences and evidence."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Self

from pydantic import BaseModel, Field, model_validator

from aims.api.schemas import StrictIn
from aims.competence.rules import CellStatus, CheckResult, CompetenceKind, EvidenceKind, Letter


def _no_null(model: BaseModel, names: tuple[str, ...]) -> None:
    for name in names:
        if name in model.model_fields_set and getattr(model, name) is None:
            raise ValueError(f"{name}: may not be empty")


# --- Roles -------------------------------------------------------------------------------------


class RoleFields(StrictIn):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    responsibilities: str | None = Field(default=None, max_length=20_000)
    authorities: str | None = Field(default=None, max_length=20_000)
    parent_id: uuid.UUID | None = Field(default=None, description="The role this one reports to")

    @model_validator(mode="after")
    def _checked(self) -> Self:
        _no_null(self, ("name",))
        for name in ("description", "responsibilities", "authorities"):
            if name in self.model_fields_set and getattr(self, name) is None:
                setattr(self, name, "")
        return self


class RoleIn(RoleFields):
    name: str = Field(min_length=1, max_length=200)


class RolePatch(RoleFields):
    version: int


class HolderOut(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    email: str
    name: str
    since: date
    until: date | None
    active: bool
    note: str
    version: int


class RequirementOut(BaseModel):
    id: uuid.UUID
    competence_id: uuid.UUID
    competence: str
    level: str
    version: int


class RoleOut(BaseModel):
    id: uuid.UUID
    name: str
    description: str
    responsibilities: str
    authorities: str
    parent_id: uuid.UUID | None
    parent: str | None
    holders: list[HolderOut]
    requirements: list[RequirementOut]
    version: int


# --- People in roles ---------------------------------------------------------------------------


class AssignmentIn(StrictIn):
    email: str = Field(min_length=3, max_length=320, description="A member of the organisation")
    since: date
    until: date | None = None
    note: str = Field(default="", max_length=500)


class AssignmentPatch(StrictIn):
    version: int
    since: date | None = None
    until: date | None = None
    note: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _checked(self) -> Self:
        _no_null(self, ("since",))
        return self


# --- Competences -------------------------------------------------------------------------------


class CompetenceFields(StrictIn):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    kind: CompetenceKind | None = None
    validity_months: int | None = Field(
        default=None, ge=1, le=240, description="How long evidence counts; none: for good"
    )

    @model_validator(mode="after")
    def _checked(self) -> Self:
        _no_null(self, ("name", "kind"))
        if "description" in self.model_fields_set and self.description is None:
            self.description = ""
        return self


class CompetenceIn(CompetenceFields):
    name: str = Field(min_length=1, max_length=200)
    kind: CompetenceKind = CompetenceKind.KNOWLEDGE


class CompetencePatch(CompetenceFields):
    version: int


class CompetenceOut(BaseModel):
    id: uuid.UUID
    name: str
    description: str
    kind: CompetenceKind
    validity_months: int | None
    version: int


class RequirementIn(StrictIn):
    competence_id: uuid.UUID
    level: str = Field(default="", max_length=100)


# --- Evidence ----------------------------------------------------------------------------------


class EvidenceFields(StrictIn):
    kind: EvidenceKind | None = None
    competence_id: uuid.UUID | None = None
    title: str | None = Field(default=None, min_length=1, max_length=300)
    provider: str | None = Field(default=None, max_length=200)
    obtained: date | None = None
    expires: date | None = Field(
        default=None, description="Defaults to obtained + the competence's validity"
    )
    reference: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _checked(self) -> Self:
        _no_null(self, ("kind", "competence_id", "title", "obtained"))
        for name in ("provider", "reference"):
            if name in self.model_fields_set and getattr(self, name) is None:
                setattr(self, name, "")
        return self


class EvidenceIn(EvidenceFields):
    kind: EvidenceKind
    competence_id: uuid.UUID
    title: str = Field(min_length=1, max_length=300)
    obtained: date


class EvidencePatch(EvidenceFields):
    version: int


class CheckIn(StrictIn):
    version: int
    result: CheckResult
    check_date: date | None = Field(default=None, description="Defaults to today")
    note: str = Field(default="", max_length=5_000)


class EvidenceOut(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    person: str
    kind: EvidenceKind
    competence_id: uuid.UUID
    competence: str
    title: str
    provider: str
    obtained: date
    expires: date | None
    reference: str
    check_result: CheckResult
    check_date: date | None
    checked_by: str | None
    check_note: str
    status: CellStatus = Field(description="What this evidence alone shows today")
    version: int


# --- Matrices ----------------------------------------------------------------------------------


class MatrixCellOut(BaseModel):
    role_id: uuid.UUID
    role: str
    competence_id: uuid.UUID
    competence: str
    level: str
    user_id: uuid.UUID | None
    person: str | None
    status: CellStatus
    reason: str
    evidence_id: uuid.UUID | None
    expires: date | None


class MatrixOut(BaseModel):
    cells: list[MatrixCellOut]
    counts: dict[str, int]
    window_days: int


class GapsOut(BaseModel):
    gaps: list[MatrixCellOut]
    expiring: list[MatrixCellOut]
    window_days: int


class RaciRoleOut(BaseModel):
    id: uuid.UUID
    name: str


class RaciRowOut(BaseModel):
    row_id: str
    kind: str = Field(description="process or control")
    title: str
    clauses: list[str]
    cells: dict[str, str] = Field(description="Role id → R, A, C or I (absent: empty)")
    versions: dict[str, int] = Field(description="Role id → the cell's version (0: never set)")
    problems: list[str]
    gap: bool


class RaciOut(BaseModel):
    roles: list[RaciRoleOut]
    rows: list[RaciRowOut]
    gaps: int


class RaciCellIn(StrictIn):
    letter: Letter | None = Field(description="R, A, C, I, or null to clear the cell")
    version: int = Field(description="The cell's version you read (0 for a cell never set)")


class ProcessOut(BaseModel):
    id: str
    title: str
    summary: str
    clauses: list[str]
