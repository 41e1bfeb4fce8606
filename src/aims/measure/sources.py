"""What stored measurement runs add to a system's technical documentation (A.6.2.7, EU AI Act
Annex IV): the latest run of each kind under "metrics", and fairness and performance runs as
verification under "development". Registered with techdoc's source registry."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.measure import runs
from aims.measure.models import MeasurementRun
from aims.systems.models import AISystem
from aims.techdoc.registry import Entry, register_source

HEADLINES = {
    "fairness": ("demographic_parity_ratio:", "equalized_odds_difference:"),
    "performance": ("accuracy", "f1", "roc_auc"),
    "drift": ("drifted_columns",),
    "quality": ("duplicate_share", "missing_columns"),
}


def summary(run: MeasurementRun) -> str:
    """A few headline metrics and the verdict, as plain text."""
    picked = [
        f"{name} {value:.3f}"
        for name, value in sorted(run.metrics.items())
        if value is not None and name.startswith(HEADLINES.get(run.kind, ()))
    ][:4]
    if run.breached:
        verdict = "limits breached: " + ", ".join(b["metric"] for b in run.breaches)
    else:
        verdict = "within limits" if run.limits else "no limits set"
    return f"{runs.run_date(run)}; {'; '.join([*picked, verdict])}"


def _label(run: MeasurementRun) -> str:
    return f"{run.ref} {run.kind} run ({run.control_id})"


def _measurements(db: Session, ctx: Context, system: AISystem) -> Iterator[Entry]:
    for run in runs.latest_runs(db, ctx, system.id):
        yield Entry(_label(run), summary(run), href=f"/measurement-runs/{run.id}",
                    key="measurements")  # fmt: skip


def _verification(db: Session, ctx: Context, system: AISystem) -> Iterator[Entry]:
    for run in runs.latest_runs(db, ctx, system.id):
        if run.kind in ("fairness", "performance"):
            yield Entry(f"Verification: {_label(run)}", summary(run),
                        href=f"/measurement-runs/{run.id}", key="verification")  # fmt: skip


register_source("metrics", _measurements, name="measurement runs")
register_source("development", _verification, name="measurement run verification")
