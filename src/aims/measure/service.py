"""The measurement engine: one grouped pass over a log (Polars, streaming), metrics from rules.

The API the rest of aims calls::

    result = service.fairness(path, FairnessOptions(prediction="approved", sensitive=["sex"]))
    result.to_json(); result.metrics(); service.record(result, options)
"""

from __future__ import annotations

import functools
import itertools
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import polars as pl
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
)

from aims.measure import rules
from aims.measure.logs import Log, bad, sha256_of
from aims.measure.rules import Counts
from aims.measure.schemas import (
    AttributeFairness,
    ColumnDrift,
    ColumnQuality,
    DriftOptions,
    DriftResult,
    FairnessOptions,
    FairnessResult,
    GroupMetrics,
    PerformanceOptions,
    PerformanceResult,
    QualityOptions,
    QualityResult,
    Result,
    RunRecord,
)

MISSING = "(missing)"
JOIN = "&"
N = "__n"

Step = Callable[[str], None]


# ---------------------------------------------------------------------------------- progress


@contextmanager
def _progress(show: bool, paths: Sequence[Path]) -> Iterator[tuple[list[Future[str]], Step]]:
    """Hash the inputs in a background thread (hashlib frees the GIL) while the query runs;
    with ``show``, a Rich progress bar on stderr for the hashing and a spinner per step."""
    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=not show,
    )
    with bar, ThreadPoolExecutor(max_workers=1) as pool:
        stop = threading.Event()

        def advance(task: TaskID, n: int) -> None:
            if stop.is_set():  # the measurement failed: stop reading a large file for nothing
                raise _Stopped
            bar.advance(task, n)

        futures = []
        for path in paths:
            task = bar.add_task(f"hashing {path.name}", total=path.stat().st_size)
            futures.append(pool.submit(sha256_of, path, functools.partial(advance, task)))
        current: list[TaskID] = []

        def step(text: str) -> None:
            for t in current:
                bar.update(t, visible=False)
            current[:] = [bar.add_task(text, total=None)]

        try:
            yield futures, step
        except BaseException:
            stop.set()
            raise


class _Stopped(Exception):
    pass


def show_progress_default() -> bool:
    return sys.stderr.isatty()


# ---------------------------------------------------------------------------------- fairness


def fairness(
    path: Path | str, options: FairnessOptions, *, progress: bool = False
) -> FairnessResult:
    """Selection rate, TPR, FPR and accuracy per group of each sensitive attribute and of each
    intersection, and the comparisons between groups of at least ``min_group`` rows."""
    o = options
    if len(set(o.sensitive)) != len(o.sensitive):
        raise bad("sensitive", "a sensitive column is named twice")
    keys = [*o.sensitive, o.prediction] + ([o.truth] if o.truth else [])
    log = Log(path, text=keys)
    log.require("prediction", [o.prediction])
    if o.truth:
        log.require("truth", [o.truth])
    if o.score:
        log.require("score", [o.score])
    log.require("sensitive", o.sensitive)
    with _progress(progress, [log.path]) as (hashes, step):
        step("counting predictions per group")
        table = _grouped_counts(log, o.sensitive, o.prediction, o.truth)
        step("comparing groups")
        rows = int(table[N].sum()) if table.height else 0
        if rows == 0:
            raise bad("data", f"{log.path.name} has a header but no rows: nothing to measure")
        pred_pos = _positives(table, "prediction", o.prediction, o.positive)
        truth_pos = _positives(table, "truth", o.truth, o.positive) if o.truth else frozenset()
        cells: dict[tuple[str, ...], Counts] = {}
        for rec in table.iter_rows():
            group = tuple(MISSING if v is None else str(v) for v in rec[: len(o.sensitive)])
            p = rec[len(o.sensitive)] in pred_pos
            n = int(rec[-1])
            if o.truth:
                t = rec[len(o.sensitive) + 1] in truth_pos
                c = Counts(
                    tp=n * (p and t),
                    fp=n * (p and not t),
                    tn=n * (not p and not t),
                    fn=n * (not p and t),
                )
            else:
                c = Counts(tp=n * p, tn=n * (not p))
            cells[group] = cells.get(group, Counts()) + c
        for i, attr in enumerate(o.sensitive):
            values = {g[i] for g in cells}
            if len(values) < 2:
                raise bad(
                    "sensitive",
                    f"sensitive column {attr!r} has one value ({next(iter(values))!r}) on all "
                    f"{rows} rows: there are no groups to compare",
                )
        by_attribute: dict[str, AttributeFairness] = {}
        intersections: dict[str, AttributeFairness] = {}
        idx = range(len(o.sensitive))
        for size in range(1, len(o.sensitive) + 1):
            for combo in itertools.combinations(idx, size):
                name = JOIN.join(o.sensitive[i] for i in combo)
                groups: dict[str, Counts] = {}
                for g, c in cells.items():
                    key = JOIN.join(g[i] for i in combo)
                    groups[key] = groups.get(key, Counts()) + c
                res = _compare(groups, o.min_group, has_truth=o.truth is not None)
                (by_attribute if size == 1 else intersections)[name] = res
        digest = hashes[0].result()
    return FairnessResult(
        rows=rows, input_sha256=digest, by_attribute=by_attribute, intersections=intersections
    )


def _grouped_counts(
    log: Log, sensitive: Sequence[str], prediction: str, truth: str | None
) -> pl.DataFrame:
    """The one pass: rows per (sensitive values..., prediction, truth), then read as text.

    The group-by runs on the columns as stored (casting a million values first would cost
    more than the grouping); only the few result rows are turned into text."""
    keys = [*sensitive, prediction] + ([truth] if truth else [])
    query = log.frame.group_by(keys).agg(pl.len().alias(N))
    return log.collect(query).with_columns(pl.col(keys).cast(pl.String))


def _positives(
    table: pl.DataFrame, field: str, column: str, positive: str | None
) -> frozenset[str]:
    values = table[column].unique().to_list()
    if None in values:
        missing = int(table.filter(pl.col(column).is_null())[N].sum())
        raise bad(
            field, f"{field} column {column!r} is empty on {missing} row(s); every row needs one"
        )
    texts = [str(v) for v in values]
    try:
        found = rules.positive_values(texts, positive)
    except ValueError as exc:
        raise bad(
            "positive",
            f"{field} column {column!r} is not binary (values include {exc}); "
            "name the value that counts as positive with --positive",
        ) from exc
    if positive is not None and not found and field == "prediction":
        shown = ", ".join(sorted(texts)[:10])
        raise bad(
            "positive", f"--positive {positive!r} matches no value of {column!r} (values: {shown})"
        )
    return found


def _compare(groups: dict[str, Counts], min_group: int, *, has_truth: bool) -> AttributeFairness:
    shown = {
        k: GroupMetrics(
            count=c.total,
            selection_rate=rules.selection_rate(c),
            true_positive_rate=rules.true_positive_rate(c) if has_truth else None,
            false_positive_rate=rules.false_positive_rate(c) if has_truth else None,
            accuracy=rules.accuracy(c) if has_truth else None,
        )
        for k, c in sorted(groups.items())
    }
    comp = rules.comparable(groups, min_group)
    rates = [rules.selection_rate(c) for c in comp.values()]
    ratio = rules.min_over_max(rates)
    return AttributeFairness(
        groups=shown,
        demographic_parity_difference=rules.spread(rates),
        demographic_parity_ratio=ratio,
        equalized_odds_difference=(
            rules.equalized_odds_difference(list(comp.values())) if has_truth else None
        ),
        four_fifths_rule_passed=rules.four_fifths_passed(ratio),
    )


# ------------------------------------------------------------------------------- performance


def performance(
    path: Path | str, options: PerformanceOptions, *, progress: bool = False
) -> PerformanceResult:
    """Accuracy, precision, recall, F1, and ROC AUC when a score column is given."""
    o = options
    log = Log(path, text=[o.prediction, o.truth])
    log.require("prediction", [o.prediction])
    log.require("truth", [o.truth])
    if o.score:
        log.require("score", [o.score])
    with _progress(progress, [log.path]) as (hashes, step):
        step("counting predictions")
        table = _grouped_counts(log, [], o.prediction, o.truth)
        rows = int(table[N].sum()) if table.height else 0
        if rows == 0:
            raise bad("data", f"{log.path.name} has a header but no rows: nothing to measure")
        pred_pos = _positives(table, "prediction", o.prediction, o.positive)
        truth_pos = _positives(table, "truth", o.truth, o.positive)
        c = Counts()
        for pred, truth, n in table.iter_rows():
            p, t = pred in pred_pos, truth in truth_pos
            c = c + Counts(
                tp=n * (p and t),
                fp=n * (p and not t),
                tn=n * (not p and not t),
                fn=n * (not p and t),
            )
        auc = None
        if o.score:
            step("ranking scores")
            auc = rules.roc_auc(_score_counts(log, o.score, o.truth, truth_pos))
        digest = hashes[0].result()
    return PerformanceResult(
        rows=rows,
        input_sha256=digest,
        accuracy=rules.accuracy(c),
        precision=rules.precision(c),
        recall=rules.recall(c),
        f1=rules.f1(c),
        roc_auc=auc,
        confusion={"tp": c.tp, "fp": c.fp, "tn": c.tn, "fn": c.fn},
    )


def _score_counts(
    log: Log, score: str, truth: str, truth_pos: frozenset[str]
) -> list[tuple[float, int, int]]:
    value = pl.col(score).cast(pl.Float64, strict=False)
    positive = pl.col(truth).cast(pl.String).is_in(list(truth_pos))
    query = (
        log.frame.select(value.alias("s"), positive.alias("p"), pl.col(score).is_null().alias("e"))
        .group_by("s")
        .agg(
            pl.col("p").sum().alias("pos"),
            (~pl.col("p")).sum().alias("neg"),
            pl.col("e").all().alias("empty"),
        )
    )
    table = log.collect(query)
    bad_rows = table.filter(pl.col("s").is_null() & ~pl.col("empty"))
    if bad_rows.height:
        raise bad("score", f"score column {score!r} has values that are not numbers")
    table = table.filter(pl.col("s").is_not_null())
    return [(float(s), int(p), int(n)) for s, p, n, _ in table.iter_rows()]


# ------------------------------------------------------------------------------------- drift


def drift(
    reference: Path | str, current: Path | str, options: DriftOptions, *, progress: bool = False
) -> DriftResult:
    """PSI (quantile bins of the reference) and KS for numeric columns, PSI and chi-square for
    categorical ones, and a verdict per column."""
    o = options
    if o.psi_warn > o.psi_drift:
        raise bad("psi_warn", "the PSI warning threshold is above the drift threshold")
    ref = Log(reference, field="reference")
    cur = Log(current, field="current")
    columns = o.columns or [c for c in ref.columns if c in cur.columns]
    if not columns:
        raise bad("columns", "the reference and current logs have no column in common")
    ref.require("columns", columns)
    cur.require("columns", columns)
    ref_schema, cur_schema = ref.collect_schema(), cur.collect_schema()
    numeric = [c for c in columns if _is_number(ref_schema[c]) and _is_number(cur_schema[c])]
    categorical = [c for c in columns if c not in numeric]
    out: dict[str, ColumnDrift] = {}
    with _progress(progress, [ref.path, cur.path]) as (hashes, step):
        step("reading numeric columns")
        ref_num = ref.collect(ref.frame.select([pl.col(c).cast(pl.Float64) for c in numeric]))
        cur_num = cur.collect(cur.frame.select([pl.col(c).cast(pl.Float64) for c in numeric]))
        ref_rows = ref_num.height if numeric else _count(ref)
        cur_rows = cur_num.height if numeric else _count(cur)
        if ref_rows == 0 or cur_rows == 0:
            which = ref.path.name if ref_rows == 0 else cur.path.name
            raise bad("reference" if ref_rows == 0 else "current", f"{which} has no rows")
        for col in numeric:
            step(f"comparing {col}")
            out[col] = _numeric_drift(ref_num[col], cur_num[col], o)
        if categorical:
            step("counting categories")
            ref_counts = _category_counts(ref, categorical)
            cur_counts = _category_counts(cur, categorical)
            for col in categorical:
                out[col] = _categorical_drift(ref_counts[col], cur_counts[col], o)
        digests = [h.result() for h in hashes]
    ordered = {c: out[c] for c in columns}
    return DriftResult(
        reference_rows=ref_rows,
        current_rows=cur_rows,
        reference_sha256=digests[0],
        current_sha256=digests[1],
        columns=ordered,
        drifted=[c for c, d in ordered.items() if d.verdict == "drift"],
    )


def _is_number(dtype: pl.DataType) -> bool:
    return dtype.is_numeric() and dtype != pl.Boolean


def _count(log: Log) -> int:
    return int(log.collect(log.frame.select(pl.len()))[0, 0])


def _numeric_drift(ref: pl.Series, cur: pl.Series, o: DriftOptions) -> ColumnDrift:
    r = ref.drop_nulls().drop_nans().to_numpy()
    c = cur.drop_nulls().drop_nans().to_numpy()
    missing = (len(ref) - len(r), len(cur) - len(c))
    if len(r) == 0 or len(c) == 0:
        return ColumnDrift(
            kind="numeric",
            reference_missing=missing[0],
            current_missing=missing[1],
            psi=None,
            verdict="unknown",
        )
    edges = np.unique(np.quantile(r, [i / o.bins for i in range(1, o.bins)]))
    r_hist = np.bincount(np.searchsorted(edges, r, side="left"), minlength=len(edges) + 1)
    c_hist = np.bincount(np.searchsorted(edges, c, side="left"), minlength=len(edges) + 1)
    psi = rules.psi(r_hist.tolist(), c_hist.tolist())
    from scipy import stats  # imported on use: it takes half a second

    ks = stats.ks_2samp(r, c)
    stat, p = float(ks.statistic), float(ks.pvalue)
    return ColumnDrift(
        kind="numeric",
        reference_missing=missing[0],
        current_missing=missing[1],
        psi=psi,
        ks_statistic=stat,
        ks_p_value=p,
        verdict=rules.drift_verdict(
            psi, p, psi_warn=o.psi_warn, psi_drift=o.psi_drift, alpha=o.alpha
        ),
    )


def _category_counts(log: Log, columns: Sequence[str]) -> dict[str, dict[str | None, int]]:
    queries = [
        log.frame.select(pl.col(c).cast(pl.String).alias("v")).group_by("v").agg(pl.len())
        for c in columns
    ]
    frames = log.run(lambda: pl.collect_all(queries, engine="streaming"))
    return {c: dict(f.iter_rows()) for c, f in zip(columns, frames, strict=True)}


def _categorical_drift(
    ref: dict[str | None, int], cur: dict[str | None, int], o: DriftOptions
) -> ColumnDrift:
    missing = (ref.pop(None, 0), cur.pop(None, 0))
    cats = sorted(set(ref) | set(cur), key=str)
    r = [ref.get(k, 0) for k in cats]
    c = [cur.get(k, 0) for k in cats]
    psi = rules.psi(r, c)
    chi2 = p = None
    if len(cats) >= 2 and sum(r) > 0 and sum(c) > 0:
        from scipy import stats

        test = stats.chi2_contingency(np.array([r, c]))
        chi2, p = float(test.statistic), float(test.pvalue)
    return ColumnDrift(
        kind="categorical",
        reference_missing=missing[0],
        current_missing=missing[1],
        psi=psi,
        chi2_statistic=chi2,
        chi2_p_value=p,
        verdict=rules.drift_verdict(
            psi, p, psi_warn=o.psi_warn, psi_drift=o.psi_drift, alpha=o.alpha
        ),
    )


# ----------------------------------------------------------------------------------- quality


def quality(path: Path | str, options: QualityOptions, *, progress: bool = False) -> QualityResult:
    """Missing share per column, values outside declared ranges, unexpected categories,
    duplicate rows, and columns missing from or unexpected in the declared list."""
    o = options
    log = Log(path, text=list(o.categories))
    log.require("ranges", o.ranges)
    log.require("categories", o.categories)
    schema = log.collect_schema()
    aggs: list[pl.Expr] = [pl.len().alias(N)]
    for i, col in enumerate(log.columns):
        miss = pl.col(col).is_null()
        if schema[col].is_float():
            miss = miss | pl.col(col).is_nan()
        aggs.append(miss.sum().alias(f"m{i}"))
    for i, (col, (lo, hi)) in enumerate(o.ranges.items()):
        v = pl.col(col).cast(pl.Float64, strict=False)
        outside = v.is_null() | v.is_nan()
        if lo is not None:
            outside = outside | (v < lo)
        if hi is not None:
            outside = outside | (v > hi)
        aggs.append((pl.col(col).is_not_null() & outside).sum().alias(f"r{i}"))
    for i, (col, allowed) in enumerate(o.categories.items()):
        v = pl.col(col).cast(pl.String)
        aggs.append((v.is_not_null() & ~v.is_in(allowed)).sum().alias(f"c{i}"))
    # Duplicates by a 64-bit hash of each row: 8 bytes a row, not the rows themselves.
    aggs.append(pl.struct(pl.all()).hash().n_unique().alias("distinct"))
    with _progress(progress, [log.path]) as (hashes, step):
        step("checking the log")
        got = log.collect(log.frame.select(aggs)).row(0, named=True)
        unexpected_values: dict[str, list[str]] = {}
        for col, allowed in o.categories.items():
            v = pl.col(col).cast(pl.String)
            q = log.frame.select(v).filter(v.is_not_null() & ~v.is_in(allowed)).unique().head(20)
            unexpected_values[col] = sorted(log.collect(q)[col].to_list())
        digest = hashes[0].result()
    rows = int(got[N])
    if rows == 0:
        raise bad("data", f"{log.path.name} has a header but no rows: nothing to check")
    columns = {
        col: ColumnQuality(missing=int(got[f"m{i}"]), missing_share=rules.ratio(got[f"m{i}"], rows))
        for i, col in enumerate(log.columns)
    }
    for i, col in enumerate(o.ranges):
        columns[col] = columns[col].model_copy(update={"out_of_range": int(got[f"r{i}"])})
    for i, col in enumerate(o.categories):
        columns[col] = columns[col].model_copy(
            update={
                "unexpected_categories": int(got[f"c{i}"]),
                "unexpected_values": unexpected_values[col],
            }
        )
    duplicates = rows - int(got["distinct"])
    expected = o.expected_columns
    return QualityResult(
        rows=rows,
        input_sha256=digest,
        columns=columns,
        duplicate_rows=duplicates,
        duplicate_share=rules.ratio(duplicates, rows),
        missing_columns=[c for c in expected if c not in log.columns] if expected else [],
        unexpected_columns=[c for c in log.columns if c not in expected] if expected else [],
    )


# ------------------------------------------------------------------------------------ record


def record(
    result: Result,
    options: FairnessOptions | PerformanceOptions | DriftOptions | QualityOptions,
) -> RunRecord:
    """A run as evidence: input hash(es), parameters, tool version, results, flat metrics."""
    if isinstance(result, DriftResult):
        inputs = {"reference": result.reference_sha256, "current": result.current_sha256}
        kind = "drift"
    else:
        inputs = {"data": result.input_sha256}
        kind = {
            FairnessResult: "fairness",
            PerformanceResult: "performance",
            QualityResult: "quality",
        }[type(result)]
    return RunRecord(
        kind=kind,
        input_sha256=inputs,
        parameters=options.model_dump(mode="json"),
        results=result.model_dump(mode="json"),
        metrics=result.metrics(),
    )
