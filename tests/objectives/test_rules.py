"""Objectives as pure rules: meeting a target, state, trend, overdue, checks and the chart."""

from __future__ import annotations

import ast
import math
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from aims.objectives import rules as rules_module
from aims.objectives.rules import (
    Direction,
    Point,
    State,
    Status,
    Target,
    Trend,
    assess,
    chart,
    measurement_problems,
    meets,
    number,
    objective_problems,
    target_text,
    trend,
)

AT_LEAST = Target(Direction.AT_LEAST, 0.8, range_min=0, range_max=1)
AT_MOST = Target(Direction.AT_MOST, 5.0)
WITHIN = Target(Direction.WITHIN, 100.0, tolerance=2.0)
TODAY = date(2026, 6, 30)


def pts(*values: float, start: date = date(2026, 1, 31)) -> list[Point]:
    return [Point(start + timedelta(days=30 * i), v) for i, v in enumerate(values)]


@pytest.mark.parametrize(
    ("target", "value", "met"),
    [
        (AT_LEAST, 0.8, True),
        (AT_LEAST, 0.81, True),
        (AT_LEAST, 0.79, False),
        (AT_LEAST, 0.1 + 0.7, True),  # 0.7999999999999999 counts as 0.8
        (AT_MOST, 5.0, True),
        (AT_MOST, 4.0, True),
        (AT_MOST, 5.01, False),
        (WITHIN, 100.0, True),
        (WITHIN, 102.0, True),
        (WITHIN, 98.0, True),
        (WITHIN, 102.5, False),
        (WITHIN, 97.9, False),
        (Target(Direction.WITHIN, 1.0, tolerance=0.0), 1.0, True),
    ],
)
def test_meets(target: Target, value: float, met: bool) -> None:
    assert meets(target, value) is met


@pytest.mark.parametrize(
    ("target", "unit", "text"),
    [
        (AT_LEAST, "ratio", "≥ 0.8 ratio"),
        (AT_MOST, "%", "≤ 5 %"),
        (WITHIN, "ms", "100 ± 2 ms"),
        (Target(Direction.AT_LEAST, 0.1 + 0.7), "", "≥ 0.8"),
    ],
)
def test_target_text(target: Target, unit: str, text: str) -> None:
    assert target_text(target, unit) == text


@pytest.mark.parametrize(
    ("values", "status", "due", "state", "overdue"),
    [
        ((), Status.ACTIVE, None, State.NO_DATA, False),
        ((), Status.ACTIVE, date(2026, 6, 1), State.NO_DATA, True),
        ((0.82, 0.85), Status.ACTIVE, None, State.ON_TRACK, False),
        ((0.82, 0.76), Status.ACTIVE, None, State.BREACHED, False),
        ((0.76, 0.82), Status.ACTIVE, None, State.ON_TRACK, False),
        # the newest value met on or after the due date: achieved, not overdue
        ((0.7, 0.9), Status.ACTIVE, date(2026, 2, 28), State.ACHIEVED, False),
        # met, but only before a due date that has passed: overdue
        ((0.9,), Status.ACTIVE, date(2026, 3, 1), State.ON_TRACK, True),
        # breached after the due date: overdue and breached
        ((0.9, 0.7), Status.ACTIVE, date(2026, 2, 1), State.BREACHED, True),
        # met when it was due (Mar 2), slipped afterwards: breached, not overdue ("not met")
        ((0.7, 0.9, 0.7), Status.ACTIVE, date(2026, 3, 2), State.BREACHED, False),
        # people marked it achieved and the newest value meets the target
        ((0.9,), Status.ACHIEVED, date(2026, 12, 31), State.ACHIEVED, False),
        # marked achieved but the newest value misses: the data wins
        ((0.7,), Status.ACHIEVED, None, State.BREACHED, False),
        ((0.7,), Status.ABANDONED, date(2026, 1, 1), State.ABANDONED, False),
        # due in the future: not overdue
        ((0.7,), Status.ACTIVE, date(2026, 12, 31), State.BREACHED, False),
    ],
)
def test_assess_state_and_overdue(
    values: tuple[float, ...], status: Status, due: date | None, state: State, overdue: bool
) -> None:
    found = assess(AT_LEAST, pts(*values), status=status, due_date=due, today=TODAY)
    assert (found.state, found.overdue) == (state, overdue)
    assert found.measured == len(values)


def test_assess_reads_the_newest_point_whatever_the_order() -> None:
    shuffled = [Point(date(2026, 3, 1), 0.7), Point(date(2026, 1, 1), 0.9)]
    found = assess(AT_LEAST, shuffled, status=Status.ACTIVE, due_date=None, today=TODAY)
    assert found.last == Point(date(2026, 3, 1), 0.7) and found.last_met is False
    assert found.trend == Trend.WORSENING and found.breaches == 1


@pytest.mark.parametrize(
    ("target", "values", "expected"),
    [
        (AT_LEAST, (0.7,), None),
        (AT_LEAST, (0.7, 0.8), Trend.IMPROVING),
        (AT_LEAST, (0.8, 0.7), Trend.WORSENING),
        (AT_LEAST, (0.8, 0.8), Trend.STEADY),
        (AT_MOST, (6, 4), Trend.IMPROVING),
        (AT_MOST, (4, 6), Trend.WORSENING),
        (WITHIN, (95, 101), Trend.IMPROVING),  # closer to 100
        (WITHIN, (99, 104), Trend.WORSENING),
        (WITHIN, (98, 102), Trend.STEADY),  # as far on the other side
    ],
)
def test_trend(target: Target, values: tuple[float, ...], expected: Trend | None) -> None:
    assert trend(target, pts(*values)) == expected


@pytest.mark.parametrize(
    ("target", "extra", "fields"),
    [
        (AT_LEAST, {}, set()),
        (Target(Direction.AT_LEAST, 1.2, range_min=0, range_max=1), {}, {"target"}),
        (Target(Direction.AT_LEAST, -1, range_min=0), {}, {"target"}),
        (Target(Direction.AT_LEAST, 0.5, range_min=1, range_max=0), {}, {"range_max"}),
        (Target(Direction.AT_LEAST, 0.5, range_min=1, range_max=1), {}, {"range_max"}),
        (AT_LEAST, {"baseline": 1.5}, {"baseline"}),
        (AT_LEAST, {"baseline": 0.5}, set()),
        (Target(Direction.WITHIN, 1), {}, {"tolerance"}),
        (Target(Direction.WITHIN, 1, tolerance=-1), {}, {"tolerance"}),
        (Target(Direction.AT_MOST, 1, tolerance=1), {}, {"tolerance"}),
        (Target(Direction.AT_MOST, float("inf")), {}, {"target"}),
        (AT_LEAST, {"unit": " "}, {"unit"}),
        (AT_LEAST, {"metric": ""}, {"metric"}),
        (Target(Direction.AT_MOST, 5, range_max=10), {}, set()),  # one-sided range
    ],
)
def test_objective_problems(target: Target, extra: dict[str, object], fields: set[str]) -> None:
    kwargs: dict[str, object] = {"unit": "ratio", "metric": "parity", **extra}
    found = objective_problems(target, **kwargs)  # type: ignore[arg-type]
    assert {name for name, _msg in found} == fields


@pytest.mark.parametrize(
    ("value", "unit", "when", "fields"),
    [
        (0.9, "ratio", TODAY, set()),
        (0.9, "RATIO ", TODAY, set()),
        (0.9, "%", TODAY, {"unit"}),
        (1.1, "ratio", TODAY, {"value"}),
        (-0.1, "ratio", TODAY, {"value"}),
        (0.9, "ratio", TODAY + timedelta(days=1), {"measured_at"}),
        (2.0, "%", TODAY + timedelta(days=1), {"value", "unit", "measured_at"}),
        (float("nan"), "ratio", TODAY, {"value"}),
    ],
)
def test_measurement_problems(value: float, unit: str, when: date, fields: set[str]) -> None:
    found = measurement_problems(
        AT_LEAST, objective_unit="ratio", value=value, unit=unit, measured_at=when, today=TODAY
    )
    assert {name for name, _msg in found} == fields


def test_number_drops_float_noise() -> None:
    assert (number(0.1 + 0.7), number(12.0), number(0.76), number(1234567.0)) == (
        "0.8", "12", "0.76", "1234567",
    )  # fmt: skip
    assert (number(0.0), number(-0.0), number(2.5e-7), number(-3.25)) == ("0", "0", "2.5e-07",
                                                                          "-3.25")  # fmt: skip


# --- the chart -----------------------------------------------------------------------------------


def test_chart_geometry_for_the_demo_series() -> None:
    c = chart(AT_LEAST, pts(0.81, 0.83, 0.76, 0.8, 0.82, 0.84))
    assert len(c.points) == 6 and c.first_date == date(2026, 1, 31)
    assert [p.met for p in c.points] == [True, True, False, True, True, True]
    assert c.points[0].x == c.left and c.points[-1].x == c.right
    # the declared range 0..1 sets the scale: 1 at the top, 0 at the bottom
    assert c.ticks[0].label == "0" and c.ticks[-1].label == "1"
    assert c.ticks[0].y == c.bottom and c.ticks[-1].y == c.top
    assert c.target_y == pytest.approx(c.bottom - 0.8 * (c.bottom - c.top), abs=0.01)
    breach = c.points[2]
    assert breach.y > c.target_y  # drawn below the target line
    assert c.path.count(",") == 6 and c.band is None


def test_chart_with_one_point_sits_in_the_middle() -> None:
    c = chart(AT_MOST, [Point(date(2026, 1, 1), 5.0)])
    assert c.points[0].x == (c.left + c.right) / 2
    assert c.top <= c.points[0].y <= c.bottom  # value equals target: no division by zero


def test_chart_without_points_still_shows_the_target() -> None:
    c = chart(AT_LEAST, [])
    assert c.points == [] and c.path == "" and c.top <= c.target_y <= c.bottom
    assert c.first_date is None


def test_chart_band_for_a_tolerance() -> None:
    c = chart(WITHIN, pts(99, 103))
    assert c.band is not None
    top, bottom = c.band
    assert top < c.target_y < bottom
    assert not c.points[1].met and c.points[1].y < top  # 103 lies above the band


values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(
    st.lists(st.tuples(st.integers(min_value=0, max_value=2000), values), max_size=30),
    values,
    st.sampled_from([Direction.AT_LEAST, Direction.AT_MOST]),
)
def test_chart_points_stay_inside_the_plot(
    raw: list[tuple[int, float]], target: float, direction: Direction
) -> None:
    t = Target(direction, target)
    points = [Point(date(2025, 1, 1) + timedelta(days=d), v) for d, v in raw]
    c = chart(t, points)
    eps = 0.02
    for p in c.points:
        assert c.left - eps <= p.x <= c.right + eps
        assert c.top - eps <= p.y <= c.bottom + eps
        assert p.met == meets(t, p.value)
    assert c.top - eps <= c.target_y <= c.bottom + eps
    xs = [p.x for p in c.points]
    assert xs == sorted(xs)  # time runs left to right


@given(values, values, values)
def test_higher_values_are_drawn_higher(a: float, b: float, target: float) -> None:
    assume(a != b)
    c = chart(Target(Direction.AT_LEAST, target), [Point(date(2026, 1, 1), a),
                                                  Point(date(2026, 2, 1), b)])  # fmt: skip
    first, second = c.points
    # never drawn lower (positions are rounded to 0.01, so close values may share a height)
    assert first.y <= second.y if a > b else first.y >= second.y
    if abs(a - b) > max(1e-3, 0.01 * (max(a, b, target) - min(a, b, target))):
        assert first.y != second.y


@given(values, st.floats(min_value=0, max_value=1e3), values)
def test_within_meets_exactly_inside_the_tolerance(
    target: float, tolerance: float, value: float
) -> None:
    t = Target(Direction.WITHIN, target, tolerance=tolerance)
    if abs(value - target) < tolerance:
        assert meets(t, value)
    if abs(value - target) > tolerance + 1e-6:
        assert not meets(t, value)


@given(values, values)
def test_at_least_and_at_most_agree_at_the_target(target: float, value: float) -> None:
    up, down = Target(Direction.AT_LEAST, target), Target(Direction.AT_MOST, target)
    assert meets(up, value) or meets(down, value)
    if abs(value - target) > 1e-6:
        assert meets(up, value) != meets(down, value)


@given(
    st.lists(st.tuples(st.integers(min_value=0, max_value=400), values), max_size=12),
    st.sampled_from(list(Status)),
    st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
)
def test_assessment_is_consistent(
    raw: list[tuple[int, float]], status: Status, due_in: int | None
) -> None:
    t = Target(Direction.AT_LEAST, 0.0)
    start = date(2026, 1, 1)
    points = [Point(start + timedelta(days=d), v) for d, v in raw]
    due = start + timedelta(days=due_in) if due_in is not None else None
    found = assess(t, points, status=status, due_date=due, today=start + timedelta(days=200))
    assert found.measured == len(points)
    assert found.breaches == sum(1 for p in points if not meets(t, p.value))
    if found.state == State.BREACHED:
        assert found.last_met is False
    if found.state in (State.ON_TRACK, State.ACHIEVED):
        assert found.last_met is True
    if found.overdue:
        assert status == Status.ACTIVE and found.state != State.ACHIEVED
    assert (found.state == State.NO_DATA) == (not points and status != Status.ABANDONED)


@given(
    st.lists(st.tuples(st.integers(min_value=0, max_value=400), values), max_size=12),
    st.sampled_from(list(Status)),
    st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
    st.sampled_from([AT_LEAST, AT_MOST, WITHIN]),
)
def test_overdue_means_the_target_was_not_met_when_due(
    raw: list[tuple[int, float]], status: Status, due_in: int | None, t: Target
) -> None:
    """Overdue: still active, the due date passed, and no measurement on or after it met the
    target, whatever the direction and tolerance."""
    start, today = date(2026, 1, 1), date(2026, 7, 20)
    points = [Point(start + timedelta(days=d), v) for d, v in raw]
    due = start + timedelta(days=due_in) if due_in is not None else None
    found = assess(t, points, status=status, due_date=due, today=today)
    met_when_due = due is not None and any(
        p.measured_at >= due and meets(t, p.value) for p in points
    )
    expected = status == Status.ACTIVE and due is not None and due < today and not met_when_due
    assert found.overdue == expected
    if found.state == State.ACHIEVED and status == Status.ACTIVE:
        assert not found.overdue


big = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(
    st.lists(st.tuples(st.integers(min_value=0, max_value=40000), big), max_size=8),
    big,
    st.sampled_from(list(Direction)),
    st.floats(min_value=0, max_value=1e12),
)
def test_chart_coordinates_are_finite_for_every_accepted_number(
    raw: list[tuple[int, float]], target: float, direction: Direction, tolerance: float
) -> None:
    """Any target, tolerance and value the checks accept draws: no NaN in the SVG."""
    t = Target(direction, target, tolerance=tolerance if direction == Direction.WITHIN else None)
    assert objective_problems(t, unit="ratio", metric="m") == []
    points = [Point(date(1900, 1, 1) + timedelta(days=d), v) for d, v in raw]
    c = chart(t, points)
    coords = [c.target_y, *(p.x for p in c.points), *(p.y for p in c.points)]
    coords += [tick.y for tick in c.ticks] + list(c.band or ())
    assert all(math.isfinite(v) for v in coords)
    assert all("nan" not in tick.label and "inf" not in tick.label for tick in c.ticks)


@pytest.mark.parametrize("value", [1e13, -1e13, 1e308, -1e308])
def test_numbers_too_large_to_draw_are_refused_on_their_field(value: float) -> None:
    t = Target(Direction.AT_LEAST, value)
    assert ("target", rules_module._TOO_LARGE) in objective_problems(t, unit="u", metric="m")
    refused = measurement_problems(
        AT_MOST, objective_unit="%", value=value, unit="%", measured_at=TODAY, today=TODAY
    )
    assert [f for f, _ in refused] == ["value"]


ALLOWED_IMPORTS = {"__future__", "math", "collections.abc", "dataclasses", "datetime", "enum"}


def test_rules_import_nothing_that_does_io() -> None:
    tree = ast.parse(Path(rules_module.__file__).read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names} | {
        n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
    }
    assert "datetime" in imported and imported <= ALLOWED_IMPORTS, imported - ALLOWED_IMPORTS


def test_a_sparkline_zooms_into_the_data_instead_of_the_range() -> None:
    series = pts(0.81, 0.76, 0.84)
    full = chart(AT_LEAST, series)
    zoomed = chart(AT_LEAST, series, use_range=False)
    spread = [p.y for p in full.points]
    zoomed_spread = [p.y for p in zoomed.points]
    assert max(zoomed_spread) - min(zoomed_spread) > 3 * (max(spread) - min(spread))
    low, high = float(zoomed.ticks[0].label), float(zoomed.ticks[-1].label)
    assert 0 <= low < 0.76 and 0.84 < high <= 1  # some room, inside the declared range
    edge = chart(AT_LEAST, pts(0.0, 1.0), use_range=False)
    assert (edge.ticks[0].label, edge.ticks[-1].label) == ("0", "1")  # clamped to the range


@pytest.mark.parametrize(
    ("values", "ticks"),
    [
        ((0.81, 0.76, 0.84), ["0.7", "0.75", "0.8", "0.85", "0.9"]),
        ((62, 71, 78), ["50", "60", "70", "80", "90", "100"]),  # up to the target of 90
        ((0.0, 1.0), ["0", "0.2", "0.4", "0.6", "0.8", "1"]),
    ],
)
def test_ticks_fall_on_round_numbers(values: tuple[float, ...], ticks: list[str]) -> None:
    target = AT_LEAST if max(values) <= 1 else Target(Direction.AT_LEAST, 90, range_min=0,
                                                      range_max=100)  # fmt: skip
    c = chart(target, pts(*values), use_range=False)
    assert [t.label for t in c.ticks] == ticks
    assert (
        c.top - 0.01 <= min(t.y for t in c.ticks) and max(t.y for t in c.ticks) <= c.bottom + 0.01
    )


@given(st.floats(min_value=1e-12, max_value=1e-6), st.floats(min_value=1e-13, max_value=1e-6))
def test_tiny_values_keep_their_ticks_inside_the_plot(a: float, b: float) -> None:
    c = chart(Target(Direction.AT_MOST, a), [Point(date(2026, 1, 1), b)])
    assert c.ticks and all(c.top - 0.01 <= t.y <= c.bottom + 0.01 for t in c.ticks)
