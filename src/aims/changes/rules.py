"""The life of a change record as pure rules: which moves are allowed, and what a change must
say before anyone may approve it (6.3: purpose, consequences, resources, responsibilities)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class ChangeStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    IN_PROGRESS = "in_progress"
    IMPLEMENTED = "implemented"
    CLOSED = "closed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


S = ChangeStatus
MOVES: dict[ChangeStatus, frozenset[ChangeStatus]] = {
    S.PROPOSED: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED}),
    S.APPROVED: frozenset({S.IN_PROGRESS, S.IMPLEMENTED, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.IMPLEMENTED, S.CANCELLED}),
    S.IMPLEMENTED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
}
# Moves that need someone who may approve (a second pair of eyes on the plan).
NEEDS_APPROVER = frozenset({S.APPROVED, S.REJECTED})
OPEN = frozenset({S.PROPOSED, S.APPROVED, S.IN_PROGRESS, S.IMPLEMENTED})

# What a plan must state before it is approved, and what the message calls it.
PLAN_FIELDS: dict[str, str] = {
    "purpose": "the purpose of the change",
    "consequences": "its potential consequences for the AIMS",
    "resources": "the resources it needs",
    "owner_id": "who is responsible",
}


def move_refusal(current: ChangeStatus, target: ChangeStatus) -> str | None:
    """Why a change in ``current`` cannot move to ``target`` (None when it can)."""
    if target == current:
        return None
    if target in MOVES[current]:
        return None
    allowed = ", ".join(sorted(s.value.replace("_", " ") for s in MOVES[current])) or "none"
    return (
        f"a {current.value.replace('_', ' ')} change cannot become "
        f"{target.value.replace('_', ' ')} (next steps: {allowed})"
    )


def plan_gaps(fields: Mapping[str, Any]) -> list[str]:
    """The fields a plan still lacks before approval, in a stable order."""
    return [name for name in PLAN_FIELDS if not fields.get(name)]


def closing_gap(target: ChangeStatus, outcome: str) -> str | None:
    """Closing a change records whether it achieved its purpose (6.3 asks for control)."""
    if target is S.CLOSED and not outcome.strip():
        return "say whether the change achieved its purpose before closing it"
    return None
