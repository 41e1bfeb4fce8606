"""measure fairness|performance|drift|quality: metrics from a prediction log. Without
``--record`` no database is touched; with ``--record SYSTEM`` the run is stored as evidence."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from aims.cli.common import OrgOpt, err, fail, out
from aims.measure import present, rules
from aims.measure.schemas import (
    DriftOptions,
    FairnessOptions,
    PerformanceOptions,
    QualityOptions,
    Result,
)

Options = FairnessOptions | PerformanceOptions | DriftOptions | QualityOptions

Limit = tuple[float | None, float | None]

app = typer.Typer(
    help="Measure fairness, performance, drift and data quality from prediction logs "
    "(CSV or Parquet).",
    no_args_is_help=True,
)


class Format(StrEnum):
    json = "json"
    text = "text"


DataOpt = Annotated[Path, typer.Option("--data", help="The prediction log (CSV or Parquet).")]
FormatOpt = Annotated[Format, typer.Option("--format", help="json or text.")]
ProgressOpt = Annotated[
    bool | None,
    typer.Option(
        "--progress/--no-progress",
        help="Progress bar on stderr (default: when stderr is a terminal).",
        show_default=False,
    ),
]
PositiveOpt = Annotated[
    str | None,
    typer.Option(help="The value that counts as the positive outcome (default 1/true/yes)."),
]


LimitOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--limit",
        help="metric=min:max (repeat; a metric's full name or its stem, e.g. "
        "demographic_parity_ratio=0.8:). Any breach is listed on stderr and the exit code is 1.",
    ),
]
EXIT_BREACH = 1
RecordOpt = Annotated[
    str | None,
    typer.Option(
        "--record",
        help="Store the run in the database for this AI system (name or id), as evidence; "
        "the --limit options become the run's limits.",
    ),
]
ControlOpt = Annotated[
    str | None,
    typer.Option(
        "--control",
        help="With --record: the control the run is evidence for (A.6.2.4, A.6.2.6 or A.7.4; "
        "default by kind).",
    ),
]
NoteOpt = Annotated[str, typer.Option("--note", help="With --record: a note kept with the run.")]


class Store:
    """Where (and whether) to store a run: ``--record``, ``--control``, ``--note``, ``--org``."""

    def __init__(self, system: str | None, control: str | None, note: str, org: str | None):
        if system is None and (control or note):
            fail("--control and --note need --record SYSTEM")
        self.system, self.control, self.note, self.org = system, control, note, org

    def check(self, kind: str) -> None:
        """Refuse a bad --control before measuring a large log."""
        if self.system is not None:
            from aims.measure.rules import DEFAULT_CONTROL, RUN_CONTROLS

            chosen = (self.control or DEFAULT_CONTROL[kind]).strip().upper()
            if chosen not in RUN_CONTROLS:
                fail(f"--control must be one of: {', '.join(RUN_CONTROLS)}")

    def save(self, result: Result, options: Options, limits: dict[str, Limit]) -> None:
        if self.system is None:
            return
        from aims.cli.common import operator_context, organisation, work
        from aims.measure import runs, service
        from aims.systems import service as systems

        with work() as db:
            ctx = operator_context(db, organisation(db, self.org))
            system = systems.find_system(db, ctx, self.system)
            run = runs.store_run(
                db, ctx, system.id, service.record(result, options),
                limits={k: [lo, hi] for k, (lo, hi) in limits.items()},
                control_id=self.control, note=self.note, source="cli",
            )  # fmt: skip
            fed = [o.code for _, o in runs.fed_measurements(db, ctx, run)]
            line = (
                f"stored {run.ref} for {system.name}: evidence for {run.control_id}"
                f"{'; limits breached' if run.breached else ''}"
                f"{'; fed ' + ', '.join(fed) if fed else ''}"
            )
            notes = [f"{n['objective']} not fed: {n['reason']}" for n in run.feed_notes]
        err.print(line, markup=False)
        for note in notes:
            err.print(note, markup=False)


def _limits(texts: list[str] | None) -> dict[str, tuple[float | None, float | None]]:
    try:
        return {c: (lo, hi) for c, lo, hi in map(rules.parse_range, texts or [])}
    except ValueError as exc:
        fail(f"--limit {exc}")


def _emit(
    result: Result,
    lines: list[str],
    format: Format,
    limits: dict[str, Limit],
    store: Store | None = None,
    options: Options | None = None,
) -> None:
    """Print the result, store it with ``--record``, then check it against the limits (exit 1
    on a breach)."""
    if format is Format.json:
        typer.echo(result.to_json())
    else:
        _print(lines)
    if store is not None and options is not None:
        store.save(result, options, limits)
    found = rules.breaches(result.metrics(), limits)
    for b in found:
        bounds = (
            f"{'' if b.minimum is None else b.minimum}:{'' if b.maximum is None else b.maximum}"
        )
        err.print(f"breach: {b.metric} = {b.value:.6g} (limit {bounds})", markup=False)
    if found:
        raise typer.Exit(EXIT_BREACH)


def _show(progress: bool | None) -> bool:
    return sys.stderr.isatty() if progress is None else progress


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def _print(lines: list[str]) -> None:
    for line in lines:
        out.print(line, markup=False)


@app.command("fairness")
def fairness_cmd(
    data: DataOpt,
    prediction: Annotated[str, typer.Option(help="Column with the model's decision.")],
    sensitive: Annotated[
        str, typer.Option(help="Sensitive column(s), comma-separated (intersections too).")
    ],
    truth: Annotated[str | None, typer.Option(help="Column with the true outcome.")] = None,
    score: Annotated[
        str | None,
        typer.Option(help="Column with the model's score (checked and recorded; not needed here)."),
    ] = None,
    positive: PositiveOpt = None,
    min_group: Annotated[
        int, typer.Option("--min-group", help="Smaller groups are shown, not compared.")
    ] = 30,
    format: FormatOpt = Format.json,
    progress: ProgressOpt = None,
    limit: LimitOpt = None,
    record: RecordOpt = None,
    control: ControlOpt = None,
    note: NoteOpt = "",
    org: OrgOpt = None,
) -> None:
    """Selection rate, TPR, FPR, accuracy per group; parity, equalized odds, four-fifths."""
    limit_map = _limits(limit)
    store = Store(record, control, note, org)
    store.check("fairness")
    columns = _split(sensitive)
    if not columns:
        fail("--sensitive names no column")
    options = FairnessOptions(
        prediction=prediction,
        truth=truth,
        score=score,
        sensitive=columns,
        positive=positive,
        min_group=min_group,
    )
    from aims.measure import service  # Polars and numpy load only when measuring

    result = service.fairness(data, options, progress=_show(progress))
    _emit(result, present.fairness_text(result, min_group), format, limit_map, store, options)


@app.command("performance")
def performance_cmd(
    data: DataOpt,
    prediction: Annotated[str, typer.Option(help="Column with the model's decision.")],
    truth: Annotated[str, typer.Option(help="Column with the true outcome.")],
    score: Annotated[
        str | None, typer.Option(help="Column with the model's score (for ROC AUC).")
    ] = None,
    positive: PositiveOpt = None,
    format: FormatOpt = Format.json,
    progress: ProgressOpt = None,
    limit: LimitOpt = None,
    record: RecordOpt = None,
    control: ControlOpt = None,
    note: NoteOpt = "",
    org: OrgOpt = None,
) -> None:
    """Accuracy, precision, recall, F1, and ROC AUC with a score column."""
    limit_map = _limits(limit)
    store = Store(record, control, note, org)
    store.check("performance")
    options = PerformanceOptions(prediction=prediction, truth=truth, score=score, positive=positive)
    from aims.measure import service  # Polars and numpy load only when measuring

    result = service.performance(data, options, progress=_show(progress))
    _emit(result, present.performance_text(result), format, limit_map, store, options)


@app.command("drift")
def drift_cmd(
    reference: Annotated[Path, typer.Option(help="The reference log (CSV or Parquet).")],
    current: Annotated[Path, typer.Option(help="The current log (CSV or Parquet).")],
    columns: Annotated[
        str | None, typer.Option(help="Columns to compare, comma-separated (default: shared).")
    ] = None,
    bins: Annotated[int, typer.Option(help="Quantile bins of the reference for PSI.")] = 10,
    psi_warn: Annotated[float, typer.Option("--psi-warn", help="PSI warning threshold.")] = 0.1,
    psi_drift: Annotated[float, typer.Option("--psi-drift", help="PSI drift threshold.")] = 0.25,
    alpha: Annotated[
        float, typer.Option("--alpha", help="p-value below which a test flags a warning.")
    ] = 0.05,
    format: FormatOpt = Format.json,
    progress: ProgressOpt = None,
    limit: LimitOpt = None,
    record: RecordOpt = None,
    control: ControlOpt = None,
    note: NoteOpt = "",
    org: OrgOpt = None,
) -> None:
    """PSI and KS (numeric), PSI and chi-square (categorical), with a verdict per column."""
    limit_map = _limits(limit)
    store = Store(record, control, note, org)
    store.check("drift")
    options = DriftOptions(
        columns=_split(columns) or None,
        bins=bins,
        psi_warn=psi_warn,
        psi_drift=psi_drift,
        alpha=alpha,
    )
    from aims.measure import service  # Polars and numpy load only when measuring

    result = service.drift(reference, current, options, progress=_show(progress))
    _emit(result, present.drift_text(result), format, limit_map, store, options)


@app.command("quality")
def quality_cmd(
    data: DataOpt,
    ranges: Annotated[
        list[str] | None,
        typer.Option("--ranges", help="col=min:max (repeat; an end may be empty)."),
    ] = None,
    categories: Annotated[
        list[str] | None, typer.Option("--categories", help="col=a|b|c (repeat).")
    ] = None,
    expected_columns: Annotated[
        str | None, typer.Option("--expected-columns", help="The columns the log should have.")
    ] = None,
    format: FormatOpt = Format.json,
    progress: ProgressOpt = None,
    limit: LimitOpt = None,
    record: RecordOpt = None,
    control: ControlOpt = None,
    note: NoteOpt = "",
    org: OrgOpt = None,
) -> None:
    """Missing share, out-of-range values, unexpected categories and columns, duplicates."""
    limit_map = _limits(limit)
    store = Store(record, control, note, org)
    store.check("quality")
    try:
        parsed_ranges = {c: (lo, hi) for c, lo, hi in map(rules.parse_range, ranges or [])}
        parsed_cats = dict(map(rules.parse_categories, categories or []))
    except ValueError as exc:
        fail(str(exc))
    options = QualityOptions(
        ranges=parsed_ranges,
        categories=parsed_cats,
        expected_columns=_split(expected_columns) or None,
    )
    from aims.measure import service  # Polars and numpy load only when measuring

    result = service.quality(data, options, progress=_show(progress))
    _emit(result, present.quality_text(result), format, limit_map, store, options)
