"""The pure arithmetic of measurement: tables and properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from aims.measure import rules
from aims.measure.rules import Counts

counts = st.builds(Counts, *(st.integers(0, 10_000) for _ in range(4)))


@pytest.mark.parametrize(
    ("c", "sel", "tpr", "fpr", "acc", "prec", "f1"),
    [
        (Counts(tp=3, fp=1, tn=4, fn=2), 0.4, 0.6, 0.2, 0.7, 0.75, 6 / 9),
        (Counts(tp=0, fp=0, tn=5, fn=0), 0.0, None, 0.0, 1.0, None, None),
        (Counts(), None, None, None, None, None, None),  # an empty group: no division by zero
        (Counts(tp=2, fn=2), 0.5, 0.5, None, 0.5, 1.0, 2 / 3),
    ],
)
def test_rates_from_a_confusion_matrix(
    c: Counts, sel: float | None, tpr: float | None, fpr: float | None,
    acc: float | None, prec: float | None, f1: float | None,
) -> None:  # fmt: skip
    assert rules.selection_rate(c) == sel
    assert rules.true_positive_rate(c) == tpr
    assert rules.false_positive_rate(c) == fpr
    assert rules.accuracy(c) == acc
    assert rules.precision(c) == prec
    assert rules.f1(c) == pytest.approx(f1) if f1 is not None else rules.f1(c) is None


@pytest.mark.parametrize(
    ("values", "spread", "ratio"),
    [
        ([0.5, 0.4, None], pytest.approx(0.1), 0.8),
        ([0.3], None, None),  # one comparable group: nothing to compare
        ([None, None], None, None),
        ([0.0, 0.0], 0.0, None),  # nobody selected anywhere: the ratio is undefined
        ([0.0, 0.2], 0.2, 0.0),
    ],
)
def test_comparisons_between_groups(
    values: list[float | None], spread: object, ratio: float | None
) -> None:
    assert rules.spread(values) == spread
    assert rules.min_over_max(values) == ratio


@pytest.mark.parametrize(
    ("ratio", "passed"), [(0.8, True), (0.7999, False), (1.0, True), (None, None)]
)
def test_four_fifths_rule(ratio: float | None, passed: bool | None) -> None:
    assert rules.four_fifths_passed(ratio) is passed


@given(st.lists(counts, min_size=1, max_size=6))
def test_comparisons_are_bounded_and_consistent(groups: list[Counts]) -> None:
    rates = [rules.selection_rate(g) for g in groups]
    d, r = rules.spread(rates), rules.min_over_max(rates)
    if d is not None:
        assert 0 <= d <= 1
    if r is not None:
        assert 0 <= r <= 1
        assert (r == 1) == (d == 0)
    eod = rules.equalized_odds_difference(groups)
    assert eod is None or 0 <= eod <= 1


@given(st.lists(counts, min_size=2, max_size=5))
def test_adding_counts_is_pooling_rows(groups: list[Counts]) -> None:
    total = sum(groups, Counts())
    assert total.total == sum(g.total for g in groups)
    rate = rules.selection_rate(total)
    defined = [rules.selection_rate(g) for g in groups if g.total]
    if rate is not None:  # a pooled rate lies between the groups' rates
        assert min(defined) - 1e-12 <= rate <= max(defined) + 1e-12


@pytest.mark.parametrize(
    ("values", "positive", "found"),
    [
        (["0", "1"], None, {"1"}),
        (["true", "false"], None, {"true"}),
        (["No", "Yes"], None, {"Yes"}),
        (["1.0", "0.0"], None, {"1.0"}),
        (["1"], None, {"1"}),
        (["approve", "deny"], "approve", {"approve"}),
        (["1.0", "0.0"], "1", {"1.0"}),  # 1 names the same number as 1.0
        (["A", "B", "C"], "c", {"C"}),
    ],
)
def test_which_values_are_positive(
    values: list[str], positive: str | None, found: set[str]
) -> None:
    assert rules.positive_values(values, positive) == found


def test_a_non_binary_column_needs_a_positive_value() -> None:
    with pytest.raises(ValueError, match="approve, deny, refer"):
        rules.positive_values(["approve", "deny", "refer", "0"], None)


@given(
    st.lists(
        st.tuples(st.integers(0, 20).map(lambda i: i / 20), st.booleans()), min_size=2, max_size=60
    )
)
def test_roc_auc_from_score_counts_is_scikit_learns(rows: list[tuple[float, bool]]) -> None:
    labels = [int(t) for _, t in rows]
    by: dict[float, list[int]] = {}
    for s, t in rows:
        by.setdefault(s, [0, 0])[0 if t else 1] += 1
    auc = rules.roc_auc([(s, p, n) for s, (p, n) in by.items()])
    if len(set(labels)) < 2:
        assert auc is None
    else:
        assert auc == pytest.approx(roc_auc_score(labels, [s for s, _ in rows]), abs=1e-12)


@pytest.mark.parametrize(
    ("ref", "cur", "expected"),
    [
        ([10, 10], [10, 10], 0.0),
        (
            [50, 50],
            [25, 75],
            (0.25 - 0.5) * math.log(0.25 / 0.5) + (0.75 - 0.5) * math.log(0.75 / 0.5),
        ),
        ([0, 10], [0, 10], 0.0),
        ([], [], None),
        ([0, 0], [1, 1], None),  # an empty reference: undefined, not a division by zero
    ],
)
def test_psi_table(ref: list[int], cur: list[int], expected: float | None) -> None:
    got = rules.psi(ref, cur)
    assert got == (pytest.approx(expected) if expected is not None else None)


@given(st.lists(st.integers(0, 1000), min_size=2, max_size=12), st.data())
def test_psi_is_non_negative_and_zero_on_itself(ref: list[int], data: st.DataObject) -> None:
    cur = data.draw(st.lists(st.integers(0, 1000), min_size=len(ref), max_size=len(ref)))
    value = rules.psi(ref, cur)
    if sum(ref) and sum(cur):
        assert value is not None and value >= -1e-12
        assert rules.psi(ref, ref) == pytest.approx(0.0)


@given(
    st.lists(st.floats(-100, 100), min_size=1, max_size=9).map(sorted),
    st.floats(-150, 150),
)
def test_bin_index_is_searchsorted_left(edges: list[float], value: float) -> None:
    assert rules.bin_index(edges, value) == int(np.searchsorted(edges, value, side="left"))


@pytest.mark.parametrize(
    ("psi", "p", "verdict"),
    [
        (0.3, 0.5, "drift"),
        (0.12, 0.5, "warning"),
        (0.01, 0.001, "warning"),
        (0.01, 0.5, "stable"),
        (None, None, "unknown"),
    ],
)
def test_drift_verdict(psi: float | None, p: float | None, verdict: str) -> None:
    assert rules.drift_verdict(psi, p, psi_warn=0.1, psi_drift=0.25, alpha=0.05) == verdict


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("age=18:99", ("age", 18.0, 99.0)), ("x=:5", ("x", None, 5.0)), ("x=0:", ("x", 0.0, None))],
)
def test_parse_range(text: str, parsed: tuple[str, float | None, float | None]) -> None:
    assert rules.parse_range(text) == parsed


@pytest.mark.parametrize("text", ["age", "age=5", "=1:2", "age=9:1", "age=a:b"])
def test_parse_range_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        rules.parse_range(text)


def test_parse_categories() -> None:
    assert rules.parse_categories("sex=F|M|X") == ("sex", ["F", "M", "X"])
    with pytest.raises(ValueError):
        rules.parse_categories("sex=")


def test_breaches_by_full_name_or_stem() -> None:
    metrics = {
        "demographic_parity_ratio:sex": 0.7,
        "demographic_parity_ratio:age_band": 0.9,
        "demographic_parity_ratio:region": None,
        "equalized_odds_difference:sex": 0.12,
    }
    limits = {
        "demographic_parity_ratio": (0.8, None),
        "equalized_odds_difference:sex": (None, 0.1),
    }
    found = rules.breaches(metrics, limits)
    assert [(b.metric, b.value) for b in found] == [
        ("demographic_parity_ratio:sex", 0.7),
        ("equalized_odds_difference:sex", 0.12),
    ]
    assert (
        rules.breaches(metrics, {"demographic_parity_ratio:age_band": (0.95, 1.0)})[0].value == 0.9
    )
