"""Resource commitments as pure rules: kinds, states and when one needs attention."""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class ResourceKind(StrEnum):
    PEOPLE = "people"
    BUDGET = "budget"
    TOOLING = "tooling"
    COMPUTING = "computing"
    DATA = "data"
    TRAINING = "training"
    EXTERNAL_EXPERTISE = "external_expertise"


class CommitmentStatus(StrEnum):
    COMMITTED = "committed"  # promised by top management
    PROVIDED = "provided"  # in place
    WITHDRAWN = "withdrawn"


def lapsed(status: CommitmentStatus, until: date | None, today: date) -> bool:
    """A promise still open after the date it covered: someone should look at it."""
    return status is CommitmentStatus.COMMITTED and until is not None and until < today


def period_refusal(start: date | None, until: date | None) -> str | None:
    if start is not None and until is not None and until < start:
        return "the end of the period comes before its start"
    return None
