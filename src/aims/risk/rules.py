"""Risk criteria, scoring and the Statement of Applicability as pure rules (6.1.2, 6.1.3).

Criteria are the organisation's own: a likelihood and a consequence scale of 3 to 6 levels, the
risk levels (lowest first) with which may be accepted and by whom, and the matrix that gives
each likelihood x consequence cell its level. A matrix must never rate a cell lower than a cell
with a lower likelihood or consequence: a likelier or worse risk is never "less" of a risk.

The SoA is derived, not ticked: a control that a risk treatment selects is applicable and its
inclusion justification lists those risks (and the impact assessments and requirements that
need it); an exclusion needs a reason, and excluding a needed control needs an override reason.
``soa_problems`` is the 6.1.3 comparison an auditor makes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aims.access.rules import Role
from aims.errors import FieldError, ValidationFailed

MIN_SCALE, MAX_SCALE = 3, 6


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class ScaleLevel(_Model):
    """One step of a likelihood or consequence scale, in the organisation's words."""

    value: int = Field(ge=1, le=MAX_SCALE)
    label: str = Field(min_length=1, max_length=80)
    description: str = Field(default="", max_length=1000)


class RiskLevel(_Model):
    """A risk level (lowest first in the criteria) and whether a residual risk at it may be
    accepted, and by whom."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    label: str = Field(min_length=1, max_length=80)
    acceptable: bool = False
    accept_roles: list[Role] = Field(default_factory=list)


def _scale_problems(name: str, scale: Sequence[ScaleLevel]) -> list[str]:
    if not MIN_SCALE <= len(scale) <= MAX_SCALE:
        return [f"{name}: a scale has {MIN_SCALE} to {MAX_SCALE} levels, not {len(scale)}"]
    values = [s.value for s in scale]
    if values != list(range(1, len(scale) + 1)):
        return [f"{name}: values must run 1, 2, ... {len(scale)} in order"]
    return []


class Criteria(_Model):
    """The organisation's risk criteria (one version of them)."""

    likelihood: list[ScaleLevel]
    consequence: list[ScaleLevel]
    levels: list[RiskLevel] = Field(min_length=2, max_length=6)
    # matrix[l - 1][c - 1] is the level id of likelihood l and consequence c.
    matrix: list[list[str]]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems = _scale_problems("likelihood", self.likelihood)
        problems += _scale_problems("consequence", self.consequence)
        ids = [lv.id for lv in self.levels]
        if len(set(ids)) != len(ids):
            problems.append("levels: each level id once")
        if problems:
            raise ValueError("; ".join(problems))
        rank = {lv: i for i, lv in enumerate(ids)}
        if len(self.matrix) != len(self.likelihood) or any(
            len(row) != len(self.consequence) for row in self.matrix
        ):
            raise ValueError(
                f"matrix: {len(self.likelihood)} rows (likelihood) of "
                f"{len(self.consequence)} cells (consequence) each"
            )
        for li, row in enumerate(self.matrix, start=1):
            for ci, cell in enumerate(row, start=1):
                if cell not in rank:
                    raise ValueError(f"matrix: cell {li}x{ci} names unknown level '{cell}'")
                if li > 1 and rank[cell] < rank[self.matrix[li - 2][ci - 1]]:
                    raise ValueError(
                        f"matrix: cell {li}x{ci} is lower than cell {li - 1}x{ci} "
                        "(a likelier risk cannot be a lower level)"
                    )
                if ci > 1 and rank[cell] < rank[row[ci - 2]]:
                    raise ValueError(
                        f"matrix: cell {li}x{ci} is lower than cell {li}x{ci - 1} "
                        "(a worse consequence cannot be a lower level)"
                    )
        for i, lv in enumerate(self.levels):
            if lv.acceptable and not lv.accept_roles:
                raise ValueError(f"levels: say who may accept a risk at '{lv.id}'")
            if lv.acceptable and any(not lower.acceptable for lower in self.levels[:i]):
                raise ValueError(
                    f"levels: '{lv.id}' is acceptable but a lower level is not; a higher level "
                    "cannot be easier to accept"
                )
        return self

    def level(self, level_id: str) -> RiskLevel:
        for lv in self.levels:
            if lv.id == level_id:
                return lv
        raise KeyError(level_id)

    def rank(self, level_id: str) -> int:
        return [lv.id for lv in self.levels].index(level_id)


def default_criteria() -> Criteria:
    """A 5 x 5 matrix with four levels: a common start that organisations then make their own."""
    likelihood = [
        ScaleLevel(value=1, label="Rare", description="Not expected in the life of the system"),
        ScaleLevel(value=2, label="Unlikely", description="Could happen, not expected yearly"),
        ScaleLevel(value=3, label="Possible", description="About once a year"),
        ScaleLevel(value=4, label="Likely", description="Several times a year"),
        ScaleLevel(value=5, label="Almost certain", description="Monthly or more often"),
    ]
    consequence = [
        ScaleLevel(value=1, label="Negligible", description="No lasting effect on anyone"),
        ScaleLevel(value=2, label="Minor", description="Inconvenience, quickly put right"),
        ScaleLevel(value=3, label="Moderate", description="Real harm to some people, remediable"),
        ScaleLevel(value=4, label="Major", description="Serious harm, regulatory breach"),
        ScaleLevel(value=5, label="Severe", description="Lasting harm to many, licence at stake"),
    ]
    levels = [
        RiskLevel(id="low", label="Low", acceptable=True,
                  accept_roles=[Role.OWNER, Role.MANAGER, Role.CONTRIBUTOR]),
        RiskLevel(id="medium", label="Medium", acceptable=True,
                  accept_roles=[Role.OWNER, Role.MANAGER]),
        RiskLevel(id="high", label="High", acceptable=True, accept_roles=[Role.OWNER]),
        RiskLevel(id="critical", label="Critical"),
    ]  # fmt: skip
    grid = [
        "low low low medium medium",
        "low low medium medium high",
        "low medium medium high high",
        "medium medium high high critical",
        "medium high high critical critical",
    ]
    return Criteria(
        likelihood=likelihood,
        consequence=consequence,
        levels=levels,
        matrix=[row.split() for row in grid],
    )


def score_problems(criteria: Criteria, likelihood: int, consequence: int) -> list[tuple[str, str]]:
    """Where a score falls off the scales, as (field, message)."""
    problems = []
    if not 1 <= likelihood <= len(criteria.likelihood):
        problems.append(
            ("likelihood", f"must be 1 to {len(criteria.likelihood)} on this organisation's scale")
        )
    if not 1 <= consequence <= len(criteria.consequence):
        problems.append(
            (
                "consequence",
                f"must be 1 to {len(criteria.consequence)} on this organisation's scale",
            )
        )
    return problems


def level_for(criteria: Criteria, likelihood: int, consequence: int, *, prefix: str = "") -> str:
    """The level id of a likelihood x consequence cell; off the scale is a 422 naming it."""
    problems = score_problems(criteria, likelihood, consequence)
    if problems:
        raise ValidationFailed(
            "; ".join(f"{prefix}{f}: {m}" for f, m in problems),
            errors=[FieldError(("body", f"{prefix}{f}"), m) for f, m in problems],
        )
    return criteria.matrix[likelihood - 1][consequence - 1]


@dataclass(frozen=True)
class Rescore:
    """What a change of criteria would do to one stored risk."""

    risk_id: str
    which: str  # inherent or residual
    before: str
    after: str | None  # None: the score no longer fits the new scales
    reason: str


def rescoring(new: Criteria, risks: Sequence[Mapping[str, object]]) -> list[Rescore]:
    """Every inherent or residual level that would change under ``new`` (nothing is applied:
    people see this list, then confirm)."""
    changes = []
    for risk in risks:
        for which in ("inherent", "residual"):
            lk, cq = risk.get(f"{which}_likelihood"), risk.get(f"{which}_consequence")
            before = risk.get(f"{which}_level")
            if not isinstance(lk, int) or not isinstance(cq, int) or not isinstance(before, str):
                continue
            if score_problems(new, lk, cq):
                reason = f"{lk}x{cq} is off the new scales; score it again"
                changes.append(Rescore(str(risk["id"]), which, before, None, reason))
                continue
            after = new.matrix[lk - 1][cq - 1]
            if after != before:
                reason = f"{lk}x{cq} is now {after}"
                changes.append(Rescore(str(risk["id"]), which, before, after, reason))
    return changes


def acceptance_refusal(criteria: Criteria, level_id: str, role: Role) -> str | None:
    """Why a person with ``role`` may not accept a residual risk at this level (None: may)."""
    level = criteria.level(level_id)
    if not level.acceptable:
        return f"a residual risk at level {level.label} may not be accepted; treat it further"
    if role not in level.accept_roles:
        names = ", ".join(r.value for r in level.accept_roles)
        return f"at level {level.label} only these roles may accept a risk: {names}"
    return None


def needs_acceptance(criteria: Criteria, level_id: str) -> bool:
    """A residual risk above the lowest level needs a named acceptance to be retained."""
    return criteria.rank(level_id) > 0


# --- Statement of Applicability ---------------------------------------------------------------


class ImplementationStatus(StrEnum):
    NOT_STARTED = "not_started"
    PLANNED = "planned"
    PARTIAL = "partially_implemented"
    IMPLEMENTED = "implemented"


@dataclass(frozen=True)
class Need:
    """Something that calls for a control: a risk's treatment, an impact assessment, a legal
    or contractual requirement."""

    kind: str  # risk, impact or requirement
    ref: str
    label: str


@dataclass(frozen=True)
class Decision:
    """What people decided for one control; everything else in the SoA row is derived."""

    applicable: bool | None = None  # None: follow the needs
    inclusion_note: str = ""
    exclusion_reason: str = ""
    override_reason: str = ""  # why it is excluded although something needs it
    status: ImplementationStatus = ImplementationStatus.NOT_STARTED
    owner: str | None = None


@dataclass(frozen=True)
class SoaRow:
    control_id: str
    title: str
    own: bool
    applicable: bool | None
    needs: list[Need]
    inclusion_justification: str
    exclusion_justification: str
    status: ImplementationStatus
    owner: str | None
    problems: list[str] = field(default_factory=list)


def _inclusion(needs: Sequence[Need], note: str) -> str:
    parts = []
    for kind, heading in (("risk", "Treats"), ("impact", "Addresses"),
                          ("requirement", "Required by")):  # fmt: skip
        labels = [n.label for n in needs if n.kind == kind]
        if labels:
            parts.append(f"{heading}: {'; '.join(labels)}.")
    if note.strip():
        parts.append(note.strip())
    return " ".join(parts)


def soa_row(
    control_id: str,
    title: str,
    needs: Sequence[Need],
    decision: Decision | None,
    *,
    own: bool = False,
) -> SoaRow:
    """One control's row: applicability follows the needs unless people decided otherwise."""
    d = decision or Decision()
    applicable = d.applicable if d.applicable is not None else (True if needs else None)
    problems: list[str] = []
    if applicable is False and needs and not d.override_reason.strip():
        listing = "; ".join(n.label for n in needs)
        problems.append(f"excluded, but needed by: {listing}")
    if applicable is False and not d.exclusion_reason.strip():
        problems.append("excluded without a justification")
    if applicable and not (d.owner or "").strip():
        problems.append("applicable, with no owner")
    if applicable and not needs and not d.inclusion_note.strip():
        problems.append("included without a justification: say why it applies")
    if applicable is None:
        problems.append("not yet decided: include it or exclude it with a reason")
    return SoaRow(
        control_id=control_id,
        title=title,
        own=own,
        applicable=applicable,
        needs=list(needs),
        inclusion_justification=_inclusion(needs, d.inclusion_note) if applicable else "",
        exclusion_justification=d.exclusion_reason.strip() if applicable is False else "",
        status=d.status,
        owner=d.owner,
        problems=problems,
    )


def exclusion_refusal(needs: Sequence[Need], *, reason: str, override_reason: str) -> str | None:
    """Why a control may not be excluded as asked (None when it may)."""
    if not reason.strip():
        return "give the reason for excluding it"
    if needs and not override_reason.strip():
        listing = "; ".join(n.label for n in needs)
        return f"it is needed by: {listing}; record an override reason to exclude it anyway"
    return None


SOA_COMPARED = ("applicable", "inclusion_justification", "exclusion_justification", "status",
                "owner")  # fmt: skip


def soa_changes(
    before: Sequence[Mapping[str, object]], after: Sequence[Mapping[str, object]]
) -> list[tuple[str, dict[str, tuple[object, object]]]]:
    """Per control, the fields that differ between two SoA snapshots (controls in order)."""
    old = {str(r["control_id"]): r for r in before}
    new = {str(r["control_id"]): r for r in after}
    order = list(dict.fromkeys([*old, *new]))
    changes = []
    for key in order:
        a, b = old.get(key, {}), new.get(key, {})
        fields = {f: (a.get(f), b.get(f)) for f in SOA_COMPARED if a.get(f) != b.get(f)}
        if fields:
            changes.append((key, fields))
    return changes
