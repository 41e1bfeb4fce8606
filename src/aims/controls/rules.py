"""Pure rules of control implementations: statuses, check results and when the next check is
due (clause 9.1 asks that controls are monitored; each implementation says how often)."""

from __future__ import annotations

import calendar
from datetime import date
from enum import StrEnum


class Status(StrEnum):
    """How far a control is put into practice in one scope."""

    PLANNED = "planned"
    PARTIAL = "partially_implemented"
    IMPLEMENTED = "implemented"
    NOT_APPLICABLE = "not_applicable"


class CheckResult(StrEnum):
    """What the last check of an implementation found."""

    EFFECTIVE = "effective"
    PARTLY = "partly_effective"
    NOT_EFFECTIVE = "not_effective"


MAX_CHECK_MONTHS = 60


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_check(
    *, status: str, check_months: int | None, last_checked: date | None, since: date
) -> date | None:
    """When the implementation is next checked.

    Nothing is due for a control that is not applicable, or that has no check frequency.
    A control never checked is due one period after it was recorded (``since``); otherwise one
    period after its last check.
    """
    if status == Status.NOT_APPLICABLE or not check_months:
        return None
    return add_months(last_checked or since, check_months)


def check_overdue(due: date | None, today: date) -> bool:
    """A check is overdue the day after its due date."""
    return due is not None and due < today
