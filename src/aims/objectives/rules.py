"""AI objectives as pure rules (6.2, A.6.1.2, A.9.3): checking an objective and a measurement,
whether a value meets the target, the objective's state and trend, and the geometry of the
progress chart. No database, web or I/O here.

The state of an objective, from its status, its due date and its measurements:

- ``abandoned``: the objective was given up (its status says so);
- ``no_data``: nothing measured yet;
- ``breached``: the newest measurement misses the target;
- ``achieved``: the newest measurement meets the target and either it was taken on or after
  the due date (the target held when it was due) or people marked the objective achieved;
- ``on_track``: the newest measurement meets the target, before the due date (or no due date).

An objective is **overdue** when it is still active, its due date has passed and it is not
achieved: no measurement on or after the due date met the target. (One that met the target when
it was due and slipped afterwards is breached, not overdue.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    AIMS = "aims"  # 6.2: an objective of the management system
    DEVELOPMENT = "responsible_development"  # A.6.1.2
    USE = "responsible_use"  # A.9.3


KIND_LABELS: dict[str, str] = {
    Kind.AIMS: "AIMS objective (6.2)",
    Kind.DEVELOPMENT: "Responsible development (A.6.1.2)",
    Kind.USE: "Responsible use (A.9.3)",
}


class Direction(StrEnum):
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    WITHIN = "within"  # equal to the target within a tolerance


DIRECTION_LABELS: dict[str, str] = {
    Direction.AT_LEAST: "at least",
    Direction.AT_MOST: "at most",
    Direction.WITHIN: "equal within a tolerance",
}


class Status(StrEnum):
    ACTIVE = "active"
    ACHIEVED = "achieved"
    ABANDONED = "abandoned"


class State(StrEnum):
    NO_DATA = "no_data"
    ON_TRACK = "on_track"
    BREACHED = "breached"
    ACHIEVED = "achieved"
    ABANDONED = "abandoned"


STATE_LABELS: dict[str, str] = {
    State.NO_DATA: "no data",
    State.ON_TRACK: "on track",
    State.BREACHED: "breached",
    State.ACHIEVED: "achieved",
    State.ABANDONED: "abandoned",
}


class Trend(StrEnum):
    IMPROVING = "improving"
    WORSENING = "worsening"
    STEADY = "steady"


# Two floats closer than this count as equal (measurements are typed in by people).
EPSILON = 1e-9

# The largest size a target, bound or measured value may have: beyond it the differences the
# chart and the trend compute overflow (1e308 - -1e308 is infinite).
MAX_MAGNITUDE = 1e12
_TOO_LARGE = "must be between -1000000000000 and 1000000000000 (use a larger unit)"


@dataclass(frozen=True)
class Target:
    """What an objective asks of its metric."""

    direction: Direction
    target: float
    tolerance: float | None = None
    range_min: float | None = None
    range_max: float | None = None


@dataclass(frozen=True)
class Point:
    measured_at: date
    value: float


@dataclass(frozen=True)
class Assessment:
    state: State
    overdue: bool
    last: Point | None
    last_met: bool | None
    trend: Trend | None
    measured: int
    breaches: int


def target_text(t: Target, unit: str = "") -> str:
    """The target as people read it: "≥ 0.8 ratio", "≤ 5 %", "100 ± 2 ms"."""
    suffix = f" {unit}" if unit else ""
    value = number(t.target)
    if t.direction == Direction.AT_LEAST:
        return f"≥ {value}{suffix}"
    if t.direction == Direction.AT_MOST:
        return f"≤ {value}{suffix}"
    return f"{value} ± {number(t.tolerance or 0)}{suffix}"


def number(value: float) -> str:
    """A value without float noise: 0.8 not 0.8000000000000002, 12 not 12.0, 1250000 not
    1.25e+06 (six decimals at most; tiny values keep six significant digits)."""
    if (value != 0 and abs(value) < 1e-4) or abs(value) >= 1e15:
        return f"{value:.6g}"
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def meets(t: Target, value: float) -> bool:
    """Whether one measured value meets the target in its direction."""
    if t.direction == Direction.AT_LEAST:
        return value >= t.target - EPSILON
    if t.direction == Direction.AT_MOST:
        return value <= t.target + EPSILON
    return abs(value - t.target) <= (t.tolerance or 0.0) + EPSILON


def _distance(t: Target, value: float) -> float:
    """How far a value is from meeting the target, in the direction that matters (negative is
    better): used for the trend."""
    if t.direction == Direction.AT_LEAST:
        return t.target - value
    if t.direction == Direction.AT_MOST:
        return value - t.target
    return abs(value - t.target)


def trend(t: Target, points: Sequence[Point]) -> Trend | None:
    """The newest measurement against the one before it (None with fewer than two)."""
    ordered = sorted(points, key=lambda p: p.measured_at)
    if len(ordered) < 2:
        return None
    before, after = _distance(t, ordered[-2].value), _distance(t, ordered[-1].value)
    if abs(after - before) <= EPSILON:
        return Trend.STEADY
    return Trend.IMPROVING if after < before else Trend.WORSENING


def assess(
    t: Target,
    points: Sequence[Point],
    *,
    status: Status,
    due_date: date | None,
    today: date,
) -> Assessment:
    """The state, overdue flag, newest value and trend of an objective (see the module doc)."""
    ordered = sorted(points, key=lambda p: p.measured_at)
    last = ordered[-1] if ordered else None
    last_met = meets(t, last.value) if last else None
    breaches = sum(1 for p in ordered if not meets(t, p.value))
    if status == Status.ABANDONED:
        state = State.ABANDONED
    elif last is None:
        state = State.NO_DATA
    elif not last_met:
        state = State.BREACHED
    elif status == Status.ACHIEVED or (due_date is not None and last.measured_at >= due_date):
        state = State.ACHIEVED
    else:
        state = State.ON_TRACK
    overdue = (
        status == Status.ACTIVE
        and due_date is not None
        and due_date < today
        and state != State.ACHIEVED
        and not any(p.measured_at >= due_date and meets(t, p.value) for p in ordered)
    )
    return Assessment(
        state=state, overdue=overdue, last=last, last_met=last_met,
        trend=trend(t, ordered), measured=len(ordered), breaches=breaches,
    )  # fmt: skip


# --- Checks ------------------------------------------------------------------------------------


def objective_problems(
    t: Target, *, baseline: float | None = None, unit: str = "", metric: str = ""
) -> list[tuple[str, str]]:
    """(field, message) for every inconsistency in an objective's numbers; empty when sound."""
    found: list[tuple[str, str]] = []
    for name, value in (
        ("target", t.target),
        ("tolerance", t.tolerance),
        ("range_min", t.range_min),
        ("range_max", t.range_max),
        ("baseline", baseline),
    ):
        if value is not None and not math.isfinite(value):
            found.append((name, "must be a finite number"))
        elif value is not None and abs(value) > MAX_MAGNITUDE:
            found.append((name, _TOO_LARGE))
    if found:
        return found
    if not unit.strip():
        found.append(("unit", "say what the metric is measured in (ratio, %, count, ms...)"))
    if not metric.strip():
        found.append(("metric", "name the metric that is measured"))
    if t.direction == Direction.WITHIN:
        if t.tolerance is None:
            found.append(("tolerance", "an 'equal within' target needs a tolerance"))
        elif t.tolerance < 0:
            found.append(("tolerance", "the tolerance cannot be negative"))
    elif t.tolerance is not None:
        found.append(("tolerance", "a tolerance applies only to an 'equal within' target"))
    low, high = t.range_min, t.range_max
    if low is not None and high is not None and not low < high:
        found.append(("range_max", "the range maximum must be above the minimum"))
        return found
    for name, value, what in (("target", t.target, "target"), ("baseline", baseline, "baseline")):
        if value is None:
            continue
        if low is not None and value < low:
            found.append((name, f"the {what} is below the declared range ({number(low)})"))
        elif high is not None and value > high:
            found.append((name, f"the {what} is above the declared range ({number(high)})"))
    return found


def same_unit(a: str, b: str) -> bool:
    """Units compare without case or surrounding spaces ("Ratio" is "ratio")."""
    return a.strip().casefold() == b.strip().casefold()


def measurement_problems(
    t: Target,
    *,
    objective_unit: str,
    value: float,
    unit: str,
    measured_at: date,
    today: date,
) -> list[tuple[str, str]]:
    """(field, message) for a measurement that cannot be recorded against this objective."""
    found: list[tuple[str, str]] = []
    if not math.isfinite(value):
        found.append(("value", "must be a finite number"))
    elif abs(value) > MAX_MAGNITUDE:
        found.append(("value", _TOO_LARGE))
    elif t.range_min is not None and value < t.range_min:
        found.append(("value", f"below the declared range of {number(t.range_min)} to "
                               f"{_bound(t.range_max)}"))  # fmt: skip
    elif t.range_max is not None and value > t.range_max:
        found.append(("value", f"above the declared range of {_bound(t.range_min)} to "
                               f"{number(t.range_max)}"))  # fmt: skip
    if not same_unit(unit, objective_unit):
        found.append(("unit", f"this objective is measured in '{objective_unit}', not '{unit}'"))
    if measured_at > today:
        found.append(("measured_at", "a measurement cannot be dated in the future"))
    return found


def _bound(value: float | None) -> str:
    return "any" if value is None else number(value)


# --- The progress chart ------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    value: float
    measured_at: date
    met: bool


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    """Everything a template needs to draw the chart: coordinates in the SVG's own units."""

    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    points: list[ChartPoint]
    path: str  # the polyline's "x,y x,y ..." points
    target_y: float
    band: tuple[float, float] | None  # the tolerance band (top y, bottom y) for 'within'
    ticks: list[Tick]
    first_date: date | None
    last_date: date | None


def _nice_scale(
    low: float, high: float, ticks: int, range_min: float | None, range_max: float | None
) -> tuple[float, float, list[float]] | None:
    """The scale widened to round steps (1, 2 or 5 times a power of ten) and the ticks on it;
    never past the declared range. None when the numbers are too extreme to round."""
    try:
        raw = (high - low) / max(ticks, 1)
        power = 10.0 ** math.floor(math.log10(raw))
        step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))
        first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    except (ValueError, OverflowError, ZeroDivisionError):
        return None
    if not (math.isfinite(step) and step > 0) or last - first > 4 * ticks:
        return None
    new_low, new_high = first * step, last * step
    if range_min is not None:
        new_low = max(new_low, min(range_min, low))
    if range_max is not None:
        new_high = min(new_high, max(range_max, high))
    values = [float(f"{k * step:.12g}") for k in range(first, last + 1)]
    slack = step * 1e-6
    return new_low, new_high, [v for v in values if new_low - slack <= v <= new_high + slack]


def chart(
    t: Target,
    points: Sequence[Point],
    *,
    width: float = 640,
    height: float = 240,
    margin: tuple[float, float, float, float] = (16, 16, 32, 56),
    ticks: int = 5,
    use_range: bool = True,
) -> Chart:
    """The geometry of a progress chart: values over time, the target as a line (and its band).

    ``margin`` is (top, right, bottom, left). The vertical scale covers the values, the target
    (and band) and, when ``use_range``, the declared range (otherwise it zooms into the data
    with a margin that stays inside the range); x follows the dates (one point sits in the
    middle). Higher values are drawn higher (smaller y).
    """
    top_m, right_m, bottom_m, left_m = margin
    left, right = left_m, width - right_m
    top, bottom = top_m, height - bottom_m
    ordered = sorted(points, key=lambda p: p.measured_at)
    values = [p.value for p in ordered] + [t.target]
    if t.direction == Direction.WITHIN and t.tolerance is not None:
        values += [t.target - t.tolerance, t.target + t.tolerance]
    low, high = min(values), max(values)
    if use_range and t.range_min is not None and t.range_max is not None:
        low, high = min(low, t.range_min), max(high, t.range_max)
    elif high - low > EPSILON:
        # Zoomed into the data: some room above and below, never past the declared range.
        pad = (high - low) * 0.15
        low = low - pad if t.range_min is None else max(min(t.range_min, low), low - pad)
        high = high + pad if t.range_max is None else min(max(t.range_max, high), high + pad)
    if high - low <= EPSILON:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    nice = _nice_scale(low, high, ticks, t.range_min, t.range_max)
    if nice is not None:
        low, high, tick_values = nice
    else:
        steps = max(ticks - 1, 1)
        tick_values = [low + (high - low) * i / steps for i in range(steps + 1)]

    def y_of(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    first = ordered[0].measured_at if ordered else None
    last = ordered[-1].measured_at if ordered else None
    span = (last - first).days if first and last else 0

    def x_of(day: date) -> float:
        if span == 0 or first is None:
            return (left + right) / 2
        return left + (day - first).days / span * (right - left)

    placed = [
        ChartPoint(x=round(x_of(p.measured_at), 2), y=round(y_of(p.value), 2), value=p.value,
                   measured_at=p.measured_at, met=meets(t, p.value))
        for p in ordered
    ]  # fmt: skip
    band = None
    if t.direction == Direction.WITHIN and t.tolerance:
        band = (round(y_of(t.target + t.tolerance), 2), round(y_of(t.target - t.tolerance), 2))
    tick_list = [Tick(y=round(y_of(v), 2), label=number(v)) for v in tick_values]
    return Chart(
        width=width, height=height, left=left, right=right, top=top, bottom=bottom,
        points=placed, path=" ".join(f"{p.x},{p.y}" for p in placed),
        target_y=round(y_of(t.target), 2), band=band, ticks=tick_list,
        first_date=first, last_date=last,
    )  # fmt: skip
