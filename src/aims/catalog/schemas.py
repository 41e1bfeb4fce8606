"""Typed shape of a catalogue file; unknown keys are errors so typos never pass silently."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Framework(_Strict):
    id: str
    name: str
    amendments: list[str] = Field(default_factory=list)
    content_version: int


class AnnexCItem(_Strict):
    id: str = Field(pattern=r"^[a-z_]+$")
    title: str
    summary: str = Field(min_length=20)


class AnnexC(_Strict):
    objectives: list[AnnexCItem]
    risk_sources: list[AnnexCItem]


class _Entry(_Strict):
    title: str = Field(min_length=2)
    summary: str = Field(min_length=40)


class Clause(_Entry):
    id: str = Field(pattern=r"^(10|[4-9])(\.[1-9]){0,2}$")
    parent: str | None = None
    guidance: str = ""
    evidence: list[str] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)
    objectives: list[str] = Field(default_factory=list)
    risk_sources: list[str] = Field(default_factory=list)

    @property
    def kind(self) -> str:
        return "clause"


class Control(_Entry):
    id: str = Field(pattern=r"^A\.(10|[2-9])(\.[1-9]){1,2}$")
    guidance: str = Field(min_length=40)
    evidence: list[str] = Field(min_length=1)
    related: list[str] = Field(min_length=1)
    objectives: list[str]
    risk_sources: list[str]

    @property
    def kind(self) -> str:
        return "control"


class ControlGroup(_Strict):
    id: str = Field(pattern=r"^A\.(10|[2-9])(\.[1-9])?$")
    parent: str | None = None
    title: str
    objective: str = Field(min_length=20)
    controls: list[Control]


class CatalogFile(_Strict):
    framework: Framework
    annex_c: AnnexC
    clauses: list[Clause]
    control_groups: list[ControlGroup]
