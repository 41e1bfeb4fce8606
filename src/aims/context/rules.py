"""Pure rules of the context capability (ISO/IEC 42001 4.1-4.3): the climate determination,
which legal requirements call for controls, scope items and the in-scope systems."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aims.context.vocab import Addressed, RequirementKind, RequirementStatus

# Kinds of requirement that bind the organisation: an active one makes its controls needed in
# the SoA. A voluntary commitment is recorded, but excluding its controls is the
# organisation's own choice to make.
BINDING_KINDS = frozenset(
    {RequirementKind.LEGAL, RequirementKind.REGULATORY, RequirementKind.CONTRACTUAL}
)
RETIRED_STAGE = "retirement"


def climate_state(relevant: bool | None) -> str:
    """How the organisation-level climate-change determination (4.1, Amd 1:2024) reads."""
    if relevant is None:
        return "undecided"
    return "relevant" if relevant else "not_relevant"


def climate_problem(relevant: bool | None, reasoning: str) -> str | None:
    """Why a determination cannot be recorded as given (None when it can)."""
    if relevant is not None and not reasoning.strip():
        return "say why: a decision on climate change needs its reasoning"
    return None


def calls_for_controls(kind: str, status: str) -> bool:
    """Whether a requirement's Annex A controls count as needs in the SoA."""
    return status == RequirementStatus.ACTIVE.value and kind in {k.value for k in BINDING_KINDS}


def unknown_controls(ids: Iterable[str], known: Iterable[str]) -> list[str]:
    """The ids that are not Annex A controls, in the order given, each once."""
    catalogue = set(known)
    seen: list[str] = []
    for control_id in ids:
        if control_id not in catalogue and control_id not in seen:
            seen.append(control_id)
    return seen


def normalised_controls(ids: Iterable[str]) -> list[str]:
    """Control ids trimmed, with 'a.6.2.7' written 'A.6.2.7', duplicates dropped."""
    result: list[str] = []
    for raw in ids:
        value = raw.strip()
        if value[:2].lower() == "a.":
            value = "A." + value[2:]
        if value and value not in result:
            result.append(value)
    return result


def item_problems(kind: str, items: Sequence[Mapping[str, Any]]) -> list[tuple[int, str, str]]:
    """(index, field, message) for scope items that cannot stand: an item needs a name, and an
    exclusion needs its reason (an auditor asks why something is left out)."""
    problems: list[tuple[int, str, str]] = []
    for i, entry in enumerate(items):
        item = str(entry.get("item") or "").strip()
        reason = str(entry.get("reason") or "").strip()
        if not item:
            problems.append((i, "item", f"{kind} {i + 1} has no name"))
        elif kind == "exclusion" and not reason:
            problems.append((i, "reason", f"the exclusion '{item}' needs a reason"))
    return problems


def in_scope_systems(systems: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The inventory's systems that make up the scope: marked in scope and not retired,
    as (id, name, risk class), by name."""
    chosen = [
        {"id": str(s["id"]), "name": s["name"], "risk_class": s.get("risk_class")}
        for s in systems
        if s.get("in_scope") and s.get("lifecycle_stage") != RETIRED_STAGE
    ]
    return sorted(chosen, key=lambda s: (str(s["name"]).lower(), s["id"]))


def unaddressed(requirements: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Requirements of interested parties the AIMS does not fully meet (partly or no)."""
    return [r for r in requirements if r.get("addressed") != Addressed.YES.value]


@dataclass(frozen=True)
class ListChange:
    """One scope entry added, removed or changed between two versions."""

    change: str  # added, removed, changed
    name: str
    before: str | None
    after: str | None


def list_changes(
    before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]], *, key: str, value: str
) -> list[ListChange]:
    """Entries of two lists matched by ``key``: what was added, removed, or changed ``value``."""
    old = {str(e.get(key)): e for e in before}
    new = {str(e.get(key)): e for e in after}
    changes: list[ListChange] = []
    for name, entry in new.items():
        if name not in old:
            changes.append(ListChange("added", name, None, _text(entry.get(value))))
        elif old[name].get(value) != entry.get(value):
            changes.append(
                ListChange("changed", name, _text(old[name].get(value)), _text(entry.get(value)))
            )
    for name, entry in old.items():
        if name not in new:
            changes.append(ListChange("removed", name, _text(entry.get(value)), None))
    return changes


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
