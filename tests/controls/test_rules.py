"""When a control's next check is due, and when it is overdue."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aims.controls import rules

SINCE = date(2026, 1, 10)


@pytest.mark.parametrize(
    ("status", "months", "last", "due"),
    [
        ("implemented", 6, None, date(2026, 7, 10)),
        ("implemented", 6, date(2026, 3, 31), date(2026, 9, 30)),
        ("implemented", 1, date(2026, 1, 31), date(2026, 2, 28)),
        ("implemented", 12, date(2024, 2, 29), date(2025, 2, 28)),
        ("planned", 3, None, date(2026, 4, 10)),
        ("not_applicable", 6, None, None),
        ("implemented", None, date(2026, 3, 1), None),
    ],
)
def test_next_check(status: str, months: int | None, last: date | None, due: date | None) -> None:
    assert rules.next_check(status=status, check_months=months, last_checked=last,
                            since=SINCE) == due  # fmt: skip


def test_overdue_only_after_the_due_day() -> None:
    assert not rules.check_overdue(date(2026, 5, 1), date(2026, 5, 1))
    assert rules.check_overdue(date(2026, 5, 1), date(2026, 5, 2))
    assert not rules.check_overdue(None, date(2030, 1, 1))


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)),
       st.integers(min_value=1, max_value=rules.MAX_CHECK_MONTHS))  # fmt: skip
def test_next_check_is_always_later_and_within_the_period(day: date, months: int) -> None:
    due = rules.next_check(status="implemented", check_months=months, last_checked=day,
                           since=SINCE)  # fmt: skip
    assert due is not None and due > day
    assert (due.year - day.year) * 12 + due.month - day.month == months
