"""Pure rules of technical documentation and event logs: the shapes of the data files, which
high-risk systems' log records fall short of the EU AI Act, and how complete each section of a
system's Annex IV outline is. No database, web or file access here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# --- The data files -------------------------------------------------------------------------


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CaptureItem(_Data):
    """One thing an event log can capture (our wording); ``required_for`` says when Art. 12
    expects it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=3)
    guidance: str = Field(min_length=3)
    required_for: Literal["high_risk", "remote_biometric"] | None = None


class LogPolicy(_Data):
    min_retention_months: int = Field(ge=0, le=1200)
    retention_basis: str


class LogCatalogue(_Data):
    policy: LogPolicy
    captures: tuple[CaptureItem, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> LogCatalogue:
        ids = [c.id for c in self.captures]
        if len(ids) != len(set(ids)):
            raise ValueError("capture ids must be unique")
        return self

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.captures)

    def label(self, capture_id: str) -> str:
        return next((c.label for c in self.captures if c.id == capture_id), capture_id)

    def required(self, *, high_risk: bool, biometric: bool) -> tuple[CaptureItem, ...]:
        """The capture items Art. 12 expects of such a system, in the file's order."""
        if not high_risk:
            return ()
        return tuple(
            c
            for c in self.captures
            if c.required_for == "high_risk" or (c.required_for == "remote_biometric" and biometric)
        )


class SectionDef(_Data):
    """One section of the Annex IV outline."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    point: str
    title: str = Field(min_length=3)
    guidance: str = Field(min_length=3)


class AnnexIV(_Data):
    sections: tuple[SectionDef, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> AnnexIV:
        ids = [s.id for s in self.sections]
        if len(ids) != len(set(ids)):
            raise ValueError("section ids must be unique")
        return self

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sections)


# --- Event-log flags ------------------------------------------------------------------------


class FlagCode(StrEnum):
    NO_RECORD = "no_record"
    NO_RETENTION = "no_retention"
    SHORT_RETENTION = "short_retention"
    MISSING_CAPTURES = "missing_captures"


@dataclass(frozen=True)
class LogFacts:
    """What the rule needs of a log record."""

    captures: frozenset[str]
    retention_months: int | None


@dataclass(frozen=True)
class LogFlag:
    code: FlagCode
    field: str | None  # the form field the flag is about (None: the record as a whole)
    message: str
    missing: tuple[str, ...] = ()  # capture ids, for MISSING_CAPTURES


def log_flags(
    *, high_risk: bool, biometric: bool, record: LogFacts | None, catalogue: LogCatalogue
) -> list[LogFlag]:
    """Where a system's event-log record falls short of the EU AI Act (Art. 12, 19, 26(6)).

    Only high-risk systems are held to it; others are never flagged."""
    if not high_risk:
        return []
    if record is None:
        return [
            LogFlag(
                FlagCode.NO_RECORD,
                None,
                "High-risk system with no record of where its event logs are kept (Art. 12)",
            )
        ]
    flags: list[LogFlag] = []
    minimum = catalogue.policy.min_retention_months
    if record.retention_months is None:
        flags.append(
            LogFlag(
                FlagCode.NO_RETENTION,
                "retention_months",
                f"Retention not recorded; keep logs at least {minimum} months",
            )
        )
    elif record.retention_months < minimum:
        flags.append(
            LogFlag(
                FlagCode.SHORT_RETENTION,
                "retention_months",
                f"Logs kept {record.retention_months} months, less than the "
                f"{minimum} months the Act asks for",
            )
        )
    missing = tuple(
        c.id
        for c in catalogue.required(high_risk=True, biometric=biometric)
        if c.id not in record.captures
    )
    if missing:
        names = "; ".join(catalogue.label(m) for m in missing)
        flags.append(
            LogFlag(
                FlagCode.MISSING_CAPTURES,
                "captures",
                f"Logs do not capture what Art. 12 asks for: {names}",
                missing,
            )
        )
    return flags


# --- Completeness of the outline --------------------------------------------------------------


class SectionState(StrEnum):
    COMPLETE = "complete"
    PARTIAL = "partial"
    MISSING = "missing"


@dataclass(frozen=True)
class Mark:
    """An entry as completeness sees it: an optional key and whether it is missing."""

    key: str | None
    missing: bool


@dataclass(frozen=True)
class Completeness:
    present: int
    missing: int
    state: SectionState

    @property
    def total(self) -> int:
        return self.present + self.missing

    @property
    def percent(self) -> int:
        return round(100 * self.present / self.total) if self.total else 0


def settled(marks: Sequence[Mark]) -> list[bool]:
    """For each entry, whether it still counts: a missing entry with a key drops out when
    another entry with the same key is present (a later source filled the gap)."""
    filled = {m.key for m in marks if m.key is not None and not m.missing}
    return [not (m.missing and m.key is not None and m.key in filled) for m in marks]


def completeness(marks: Sequence[Mark]) -> Completeness:
    """How complete one section is: complete when nothing counted is missing and something is
    there; missing when nothing is there; partial otherwise."""
    counted = [m for m, keep in zip(marks, settled(marks), strict=True) if keep]
    present = sum(1 for m in counted if not m.missing)
    missing = len(counted) - present
    if present == 0:
        state = SectionState.MISSING
    elif missing:
        state = SectionState.PARTIAL
    else:
        state = SectionState.COMPLETE
    return Completeness(present, missing, state)


def overall(sections: Sequence[Completeness]) -> Completeness:
    """The whole outline: complete only when every section is."""
    present = sum(s.present for s in sections)
    missing = sum(s.missing for s in sections)
    if sections and all(s.state == SectionState.COMPLETE for s in sections):
        state = SectionState.COMPLETE
    elif present == 0:
        state = SectionState.MISSING
    else:
        state = SectionState.PARTIAL
    return Completeness(present, missing, state)
