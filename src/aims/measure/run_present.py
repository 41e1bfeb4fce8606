"""What a run's page shows, derived from its stored results: per-group bar charts (laid out
here, drawn as SVG by the template), the comparisons against the run's limits, and tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aims.measure.models import MeasurementRun

RATES = (
    ("selection_rate", "Selection rate"),
    ("true_positive_rate", "True-positive rate"),
    ("false_positive_rate", "False-positive rate"),
)
BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 140
PLOT_WIDTH = 300
VALUE_WIDTH = 60


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    y: int
    width: float  # of the bar, in px
    small: bool  # a group below the minimum size (shown, not compared)

    @property
    def text(self) -> str:
        return "—" if self.value is None else f"{self.value:.3f}"


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    bars: list[Bar]
    label_width: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH

    @property
    def width(self) -> int:
        return LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH

    @property
    def height(self) -> int:
        return len(self.bars) * (BAR_HEIGHT + GAP) + GAP

    @property
    def bar_height(self) -> int:
        return BAR_HEIGHT

    @property
    def description(self) -> str:
        return "; ".join(f"{b.label}: {b.text}" for b in self.bars)


@dataclass(frozen=True)
class Comparison:
    metric: str
    value: float | None
    limit: str
    verdict: str  # "breached" | "within limit" | "no limit" | "undefined"


def _bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low:g} to {high:g}"
    return f"at least {low:g}" if low is not None else f"at most {high:g}"


def comparisons(run: MeasurementRun, prefixes: tuple[str, ...] = ()) -> list[Comparison]:
    """Each metric (optionally those starting with one of ``prefixes``) against its limit."""
    limits = {k: (v[0], v[1]) for k, v in run.limits.items()}
    breached = {b["metric"] for b in run.breaches}
    found = []
    for name, value in sorted(run.metrics.items()):
        if prefixes and not name.startswith(prefixes):
            continue
        limit = limits.get(name) or limits.get(name.split(":", 1)[0])
        if value is None:
            verdict = "undefined"
        elif name in breached:
            verdict = "breached"
        elif limit is not None:
            verdict = "within limit"
        else:
            verdict = "no limit"
        found.append(Comparison(name, value, _bounds(*limit) if limit else "—", verdict))
    return found


def charts(run: MeasurementRun) -> list[BarChart]:
    """Bar charts of selection rate, TPR and FPR per group, for each attribute."""
    if run.kind != "fairness":
        return []
    min_group = int(run.parameters.get("min_group") or 1)
    found = []
    for part in ("by_attribute", "intersections"):
        for attr, res in (run.results.get(part) or {}).items():
            groups: dict[str, dict[str, Any]] = res.get("groups") or {}
            for key, title in RATES:
                values = [g.get(key) for g in groups.values()]
                if all(v is None for v in values):
                    continue
                bars = [
                    Bar(label=name, value=g.get(key), y=GAP + i * (BAR_HEIGHT + GAP),
                        width=round((g.get(key) or 0.0) * PLOT_WIDTH, 1),
                        small=int(g.get("count") or 0) < min_group)
                    for i, (name, g) in enumerate(sorted(groups.items()))
                ]  # fmt: skip
                slug = "".join(c if c.isalnum() else "-" for c in f"{attr}-{key}")
                found.append(BarChart(f"chart-{slug}", f"{title} by {attr}", bars))
    return found


def fairness_rows(run: MeasurementRun) -> list[dict[str, Any]]:
    """One row per attribute or intersection: its comparisons, four-fifths pass/fail."""
    rows = []
    for part in ("by_attribute", "intersections"):
        for attr, res in (run.results.get(part) or {}).items():
            passed = res.get("four_fifths_rule_passed")
            rows.append({
                "attribute": attr,
                "intersection": part == "intersections",
                "parity_difference": res.get("demographic_parity_difference"),
                "parity_ratio": res.get("demographic_parity_ratio"),
                "equalized_odds": res.get("equalized_odds_difference"),
                "four_fifths": "—" if passed is None else "passed" if passed else "failed",
                "groups": res.get("groups") or {},
            })  # fmt: skip
    return rows


def fmt(value: object, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) < 1e-3 and value else f"{value:.{digits}f}"
    return str(value)


def verdict_of(run: MeasurementRun) -> str:
    if run.breached:
        return "breached"
    return "within limits" if run.limits else "no limits set"
