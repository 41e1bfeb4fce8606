"""When a planned communication falls due next (pure)."""

from __future__ import annotations

import calendar
from datetime import date
from enum import StrEnum


class Frequency(StrEnum):
    ONCE = "once"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"
    ON_EVENT = "on_event"  # when something happens (an incident, a new policy version)


MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.HALF_YEARLY: 6,
          Frequency.YEARLY: 12}  # fmt: skip


class Direction(StrEnum):
    INTERNAL = "internal"
    EXTERNAL = "external"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_due(
    frequency: Frequency, *, last_done: date | None, first_due: date | None
) -> date | None:
    """The next date a communication is owed.

    A recurring one is due one period after it was last done, or on its first date while it
    has never been done; a one-off is due on its date until done; an event-driven one has no
    date of its own.
    """
    if frequency is Frequency.ON_EVENT:
        return None
    if frequency is Frequency.ONCE:
        return None if last_done is not None else first_due
    if last_done is None:
        return first_due
    return add_months(last_done, MONTHS[frequency])


def overdue(due: date | None, today: date) -> bool:
    return due is not None and due < today
