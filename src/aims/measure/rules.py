"""Pure arithmetic of measurement: every metric from counts, no I/O.

The engine makes one grouped pass over a log and hands these functions the counts it found
(a confusion matrix per group, a histogram per column); everything a user sees is derived
here, so it can be checked against fairlearn, scikit-learn and scipy on small tables.

A metric whose denominator is zero is ``None`` (undefined), never a division error.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

#: Values read as the positive outcome when ``--positive`` is not given (case-insensitive).
POSITIVE_WORDS = frozenset({"1", "1.0", "true", "t", "yes", "y"})
#: Values read as the negative outcome when ``--positive`` is not given (case-insensitive).
NEGATIVE_WORDS = frozenset({"0", "0.0", "false", "f", "no", "n"})
#: The four-fifths rule: the lowest selection rate is at least 80% of the highest.
FOUR_FIFTHS = 0.8
#: Proportion used in place of an empty bin, so that PSI stays finite.
PSI_EPSILON = 1e-4


@dataclass(frozen=True)
class Counts:
    """A confusion matrix. Without a truth column only ``predicted_positive`` is meaningful."""

    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0

    @property
    def total(self) -> int:
        return self.tp + self.fp + self.tn + self.fn

    @property
    def predicted_positive(self) -> int:
        return self.tp + self.fp

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.tp + other.tp, self.fp + other.fp, self.tn + other.tn, self.fn + other.fn
        )


def ratio(num: float, den: float) -> float | None:
    """``num / den``, or ``None`` when the denominator is zero."""
    return None if den == 0 else num / den


def selection_rate(c: Counts) -> float | None:
    return ratio(c.predicted_positive, c.total)


def true_positive_rate(c: Counts) -> float | None:
    return ratio(c.tp, c.tp + c.fn)


def false_positive_rate(c: Counts) -> float | None:
    return ratio(c.fp, c.fp + c.tn)


def accuracy(c: Counts) -> float | None:
    return ratio(c.tp + c.tn, c.total)


def precision(c: Counts) -> float | None:
    return ratio(c.tp, c.tp + c.fp)


def recall(c: Counts) -> float | None:
    return true_positive_rate(c)


def f1(c: Counts) -> float | None:
    return ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn)


def spread(values: Iterable[float | None]) -> float | None:
    """Largest minus smallest of the defined values; ``None`` with fewer than two."""
    defined = [v for v in values if v is not None]
    if len(defined) < 2:
        return None
    return max(defined) - min(defined)


def min_over_max(values: Iterable[float | None]) -> float | None:
    """Smallest over largest of the defined values; ``None`` with fewer than two.

    When every value is zero the ratio is undefined (``None``; fairlearn gives NaN)."""
    defined = [v for v in values if v is not None]
    if len(defined) < 2:
        return None
    top = max(defined)
    if top == 0:
        return None
    return min(defined) / top


def equalized_odds_difference(groups: Sequence[Counts]) -> float | None:
    """The larger of the true-positive-rate and false-positive-rate spreads."""
    parts = [
        spread(true_positive_rate(g) for g in groups),
        spread(false_positive_rate(g) for g in groups),
    ]
    defined = [p for p in parts if p is not None]
    return max(defined) if defined else None


def four_fifths_passed(parity_ratio: float | None) -> bool | None:
    return None if parity_ratio is None else parity_ratio >= FOUR_FIFTHS


def comparable(groups: Mapping[str, Counts], min_group: int) -> dict[str, Counts]:
    """The groups large enough to be compared (the others are reported, not compared)."""
    return {k: c for k, c in groups.items() if c.total >= min_group}


def positive_values(values: Iterable[str], positive: str | None) -> frozenset[str]:
    """Which of a column's distinct (text) values count as the positive outcome.

    With ``positive`` given, the values equal to it (as text, or as numbers: 1 matches 1.0);
    without it, the column must be binary in a usual spelling (1/0, true/false, yes/no).
    Raises ``ValueError`` with the values found when the column is not binary."""
    found = [v for v in values]
    if positive is not None:
        return frozenset(v for v in found if same_value(v, positive))
    unknown = sorted(v for v in found if v.lower() not in POSITIVE_WORDS | NEGATIVE_WORDS)
    if unknown:
        raise ValueError(", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else ""))
    return frozenset(v for v in found if v.lower() in POSITIVE_WORDS)


def same_value(value: str, wanted: str) -> bool:
    if value == wanted or value.lower() == wanted.lower():
        return True
    try:
        return float(value) == float(wanted)
    except ValueError:
        return False


def roc_auc(by_score: Sequence[tuple[float, int, int]]) -> float | None:
    """Area under the ROC curve from ``(score, positives, negatives)`` per distinct score.

    The probability that a random positive scores above a random negative, ties counting a
    half (the same as scikit-learn's ``roc_auc_score``); ``None`` without both classes."""
    pos = sum(p for _, p, _ in by_score)
    neg = sum(n for _, _, n in by_score)
    if pos == 0 or neg == 0:
        return None
    below = 0
    area = 0.0
    for _, p, n in sorted(by_score, key=lambda t: t[0]):
        area += p * (below + 0.5 * n)
        below += n
    return area / (pos * neg)


def psi(reference: Sequence[int], current: Sequence[int]) -> float | None:
    """Population stability index between two histograms over the same bins.

    Empty bins count as a proportion of ``PSI_EPSILON``; ``None`` when either side is empty."""
    r_total, c_total = sum(reference), sum(current)
    if r_total == 0 or c_total == 0 or len(reference) != len(current):
        return None
    value = 0.0
    for r, c in zip(reference, current, strict=True):
        rp = max(r / r_total, PSI_EPSILON)
        cp = max(c / c_total, PSI_EPSILON)
        value += (cp - rp) * math.log(cp / rp)
    return value


def drift_verdict(
    psi_value: float | None,
    p_value: float | None,
    *,
    psi_warn: float,
    psi_drift: float,
    alpha: float,
) -> str:
    """``drift`` when PSI reaches the drift threshold; ``warning`` when PSI reaches the warning
    threshold or the test rejects "same distribution" at ``alpha``; otherwise ``stable``."""
    if psi_value is None and p_value is None:
        return "unknown"
    if psi_value is not None and psi_value >= psi_drift:
        return "drift"
    if (psi_value is not None and psi_value >= psi_warn) or (
        p_value is not None and p_value < alpha
    ):
        return "warning"
    return "stable"


def bin_index(edges: Sequence[float], value: float) -> int:
    """The bin of ``value`` for bins ``(-inf, e0], (e0, e1], ..., (e_last, inf)``."""
    lo, hi = 0, len(edges)
    while lo < hi:
        mid = (lo + hi) // 2
        if value <= edges[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


def parse_range(text: str) -> tuple[str, float | None, float | None]:
    """``col=min:max`` (either end may be empty) → (col, min, max); ``ValueError`` if bad."""
    col, sep, rng = text.partition("=")
    lo, sep2, hi = rng.partition(":")
    if not sep or not sep2 or not col.strip():
        raise ValueError(f"{text!r} is not col=min:max")
    low = float(lo) if lo.strip() else None
    high = float(hi) if hi.strip() else None
    if low is not None and high is not None and low > high:
        raise ValueError(f"{text!r}: the minimum is above the maximum")
    return col.strip(), low, high


def parse_categories(text: str) -> tuple[str, list[str]]:
    """``col=a|b|c`` → (col, [a, b, c]); ``ValueError`` if bad."""
    col, sep, rest = text.partition("=")
    values = [v for v in rest.split("|") if v != ""]
    if not sep or not col.strip() or not values:
        raise ValueError(f"{text!r} is not col=a|b|c")
    return col.strip(), values


@dataclass(frozen=True)
class Breach:
    """A metric outside the limits set for it."""

    metric: str
    value: float
    minimum: float | None
    maximum: float | None


def breaches(
    metrics: Mapping[str, float | None],
    limits: Mapping[str, tuple[float | None, float | None]],
) -> list[Breach]:
    """The metrics outside their ``(minimum, maximum)`` limits.

    A limit's name is a metric's full name (``demographic_parity_ratio:age_band``) or its
    stem (``demographic_parity_ratio``), which applies to every subject; the full name wins.
    Undefined (``None``) metrics breach nothing."""
    found = []
    for name, value in sorted(metrics.items()):
        limit = limits.get(name) or limits.get(name.split(":", 1)[0])
        if limit is None or value is None:
            continue
        low, high = limit
        if (low is not None and value < low) or (high is not None and value > high):
            found.append(Breach(name, value, low, high))
    return found


# ------------------------------------------------------------------------------ stored runs

#: The control a run is evidence for when none is chosen, by kind of run.
DEFAULT_CONTROL = {
    "fairness": "A.6.2.4",
    "performance": "A.6.2.4",
    "drift": "A.6.2.6",
    "quality": "A.7.4",
}
RUN_CONTROLS = ("A.6.2.4", "A.6.2.6", "A.7.4")
_NAME_CHARS = "A-Za-z0-9_:=&"


def names_metric(text: str, metric: str) -> bool:
    """Whether ``text`` (an objective's metric) names ``metric`` as a whole token: neither
    preceded nor followed by a character a metric name could continue with, so
    ``demographic_parity_ratio`` is not named by ``demographic_parity_ratio:age_band``."""
    pattern = rf"(?<![{_NAME_CHARS}]){re.escape(metric)}(?![{_NAME_CHARS}])"
    return re.search(pattern, text) is not None


def metric_for(text: str, metrics: Iterable[str]) -> str | None:
    """The metric an objective's text names (the longest, when it names several)."""
    named = [m for m in metrics if names_metric(text, m)]
    return max(named, key=lambda m: (len(m), m)) if named else None


def limit_problems(limits: Mapping[str, Sequence[float | None]]) -> list[tuple[str, str]]:
    """(metric, problem) for each limit that is not [min, max] with min ≤ max and a bound."""
    found = []
    for name, bounds in limits.items():
        if not name.strip() or len(name) > 200:
            found.append((name, "a limit needs a metric name of 1 to 200 characters"))
        elif len(bounds) != 2:
            found.append((name, "a limit is [min, max] (either may be null)"))
        elif bounds[0] is None and bounds[1] is None:
            found.append((name, "a limit needs a minimum or a maximum"))
        elif bounds[0] is not None and bounds[1] is not None and bounds[0] > bounds[1]:
            found.append((name, "the minimum is above the maximum"))
    return found
