"""The approval life cycle as pure rules: allowed transitions, who may approve, comparisons."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aims.access.rules import Permission, Role, has_permission


class Status(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    SUPERSEDED = "superseded"
    RETIRED = "retired"  # withdrawn from use without a successor (a retired document)


# Which action moves a version from which status to which.
TRANSITIONS: dict[str, tuple[frozenset[Status], Status]] = {
    "submit": (frozenset({Status.DRAFT}), Status.IN_REVIEW),
    "return": (frozenset({Status.IN_REVIEW}), Status.DRAFT),
    "approve": (frozenset({Status.IN_REVIEW}), Status.APPROVED),
    "supersede": (frozenset({Status.APPROVED}), Status.SUPERSEDED),
    "retire": (frozenset({Status.APPROVED}), Status.RETIRED),
}

LOCKED = frozenset({Status.APPROVED, Status.SUPERSEDED, Status.RETIRED})
# Where a locked version may still go: an approved one is superseded or retired, no more.
LOCKED_MOVES: dict[Status, frozenset[Status]] = {
    Status.APPROVED: frozenset({Status.SUPERSEDED, Status.RETIRED}),
}
DEFAULT_APPROVER_ROLES = frozenset({Role.OWNER, Role.MANAGER})


def transition_refusal(action: str, status: Status) -> str | None:
    """Why ``action`` cannot be taken on a version in ``status`` (None when it can)."""
    sources, _target = TRANSITIONS[action]
    if status in sources:
        return None
    allowed = ", ".join(sorted(s.value.replace("_", " ") for s in sources))
    return f"cannot {action} a version that is {status.value.replace('_', ' ')} (needs: {allowed})"


def target_status(action: str) -> Status:
    return TRANSITIONS[action][1]


def edit_refusal(status: Status) -> str | None:
    """Content may change only while a version is a draft."""
    if status is Status.DRAFT:
        return None
    if status in LOCKED:
        return f"this version is {status.value} and cannot change; start a new version instead"
    return "this version is in review; return it to draft before editing"


def approval_refusal(
    *,
    approver_role: Role,
    approver_id: object,
    author_id: object | None,
    last_editor_id: object | None,
    approver_roles: frozenset[Role] = DEFAULT_APPROVER_ROLES,
    content_editor_ids: Collection[object] = (),
) -> str | None:
    """Why this person may not approve (None when they may).

    Approval is a second pair of eyes: the approver needs an approving role and must be
    neither the author of the version, nor anyone who wrote content into it, nor the last
    person who changed it.
    """
    if not has_permission(approver_role, Permission.APPROVE) or approver_role not in approver_roles:
        names = ", ".join(sorted(r.value for r in approver_roles))
        return f"approving needs one of the roles: {names}"
    if author_id is not None and approver_id == author_id:
        return "the author of a version may not approve it"
    if last_editor_id is not None and approver_id == last_editor_id:
        return "the last person to edit a version may not approve it"
    if str(approver_id) in {str(e) for e in content_editor_ids}:
        return "someone who edited a version may not approve it"
    return None


@dataclass(frozen=True)
class FieldChange:
    """One field that differs between two versions; ``diff`` holds line changes for text."""

    field: str
    before: Any
    after: Any
    diff: list[str]


def compare(
    before: Mapping[str, Any], after: Mapping[str, Any], fields: Sequence[str]
) -> list[FieldChange]:
    """The fields that differ between two versions, in ``fields`` order, with text diffs."""
    changes: list[FieldChange] = []
    for name in fields:
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        diff: list[str] = []
        if isinstance(old, str | None) and isinstance(new, str | None):
            diff = [
                line.rstrip("\n")
                for line in difflib.unified_diff(
                    (old or "").splitlines(),
                    (new or "").splitlines(),
                    fromfile="before",
                    tofile="after",
                    lineterm="",
                )
            ]
        changes.append(FieldChange(name, old, new, diff))
    return changes
