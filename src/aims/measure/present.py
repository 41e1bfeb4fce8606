"""Plain-text views of measurement results for the terminal."""

from __future__ import annotations

from aims.measure.schemas import (
    AttributeFairness,
    DriftResult,
    FairnessResult,
    PerformanceResult,
    QualityResult,
)


def num(value: float | bool | None, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "passed" if value else "FAILED"
    return f"{value:.{digits}f}"


def fairness_text(r: FairnessResult, min_group: int) -> list[str]:
    lines = [f"{r.rows} rows, sha256 {r.input_sha256}"]
    for title, part in (("attribute", r.by_attribute), ("intersection", r.intersections)):
        for name, res in part.items():
            lines += ["", f"{title} {name}", *_attribute(res, min_group)]
    return lines


def _attribute(res: AttributeFairness, min_group: int) -> list[str]:
    lines = [f"  {'group':<24} {'count':>9} {'selected':>9} {'TPR':>7} {'FPR':>7} {'accuracy':>9}"]
    small = []
    for value, g in res.groups.items():
        mark = " *" if g.count < min_group else ""
        if mark:
            small.append(value)
        lines.append(
            f"  {value[:24]:<24} {g.count:>9} {num(g.selection_rate):>9} "
            f"{num(g.true_positive_rate):>7} {num(g.false_positive_rate):>7} "
            f"{num(g.accuracy):>9}{mark}"
        )
    if small:
        lines.append(f"  * fewer than {min_group} rows: shown, left out of the comparisons")
    lines += [
        f"  demographic parity difference {num(res.demographic_parity_difference)}",
        f"  demographic parity ratio      {num(res.demographic_parity_ratio)}",
        f"  equalized odds difference     {num(res.equalized_odds_difference)}",
        f"  four-fifths rule              {num(res.four_fifths_rule_passed)}",
    ]
    if res.demographic_parity_difference is None:
        lines.append(f"  (fewer than two groups with at least {min_group} rows to compare)")
    return lines


def performance_text(r: PerformanceResult) -> list[str]:
    c = r.confusion
    return [
        f"{r.rows} rows, sha256 {r.input_sha256}",
        f"accuracy  {num(r.accuracy)}",
        f"precision {num(r.precision)}",
        f"recall    {num(r.recall)}",
        f"F1        {num(r.f1)}",
        f"ROC AUC   {num(r.roc_auc)}",
        f"confusion tp {c['tp']}  fp {c['fp']}  tn {c['tn']}  fn {c['fn']}",
    ]


def drift_text(r: DriftResult) -> list[str]:
    lines = [
        f"reference {r.reference_rows} rows (sha256 {r.reference_sha256})",
        f"current   {r.current_rows} rows (sha256 {r.current_sha256})",
        f"{'column':<24} {'kind':<12} {'PSI':>7} {'statistic':>10} {'p-value':>9}  verdict",
    ]
    for name, c in r.columns.items():
        stat = c.ks_statistic if c.kind == "numeric" else c.chi2_statistic
        p = c.ks_p_value if c.kind == "numeric" else c.chi2_p_value
        lines.append(
            f"{name[:24]:<24} {c.kind:<12} {num(c.psi):>7} {num(stat):>10} {num(p, 4):>9}  "
            f"{c.verdict}"
        )
    lines.append(f"drifted: {', '.join(r.drifted) or 'none'}")
    return lines


def quality_text(r: QualityResult) -> list[str]:
    lines = [
        f"{r.rows} rows, sha256 {r.input_sha256}",
        f"duplicate rows {r.duplicate_rows} ({num(r.duplicate_share)})",
    ]
    if r.missing_columns:
        lines.append(f"missing columns: {', '.join(r.missing_columns)}")
    if r.unexpected_columns:
        lines.append(f"unexpected columns: {', '.join(r.unexpected_columns)}")
    lines.append(
        f"{'column':<24} {'missing':>9} {'share':>7} {'out of range':>13} {'unexpected':>11}"
    )
    for name, c in r.columns.items():
        oor = "—" if c.out_of_range is None else str(c.out_of_range)
        unx = "—" if c.unexpected_categories is None else str(c.unexpected_categories)
        lines.append(
            f"{name[:24]:<24} {c.missing:>9} {num(c.missing_share):>7} {oor:>13} {unx:>11}"
        )
        if c.unexpected_values:
            lines.append(f"  unexpected values: {', '.join(c.unexpected_values)}")
    return lines
