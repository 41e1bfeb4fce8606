"""aims measure against the oracles: fairlearn (fairness), scikit-learn (performance, ROC AUC)
and scipy (KS, chi-square), on seeded random logs, to 1e-9."""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
from fairlearn.metrics import (
    MetricFrame,
    count,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn import metrics as skm

from aims.measure import rules, service
from aims.measure.schemas import (
    AttributeFairness,
    DriftOptions,
    FairnessOptions,
    PerformanceOptions,
)
from tests.measure.conftest import random_log

TOL = 1e-9
SEEDS = [1, 2, 3, 4, 5]


def close(a: float | None, b: float) -> bool:
    return a is not None and math.isclose(a, float(b), rel_tol=0, abs_tol=TOL)


def check_against_fairlearn(res: AttributeFairness, df: pl.DataFrame, cols: list[str]) -> None:
    y, p = df["repaid"].to_numpy(), df["approved"].to_numpy()
    sf = pd.DataFrame({c: df[c].to_numpy() for c in cols})
    frame = MetricFrame(
        metrics={"n": count, "sr": selection_rate, "tpr": true_positive_rate, "fpr": false_positive_rate,
                 "acc": skm.accuracy_score},
        y_true=y, y_pred=p, sensitive_features=sf,
    )  # fmt: skip
    by_group = frame.by_group
    assert len(res.groups) == len(by_group)
    for key, row in by_group.iterrows():
        name = "&".join(str(k) for k in (key if isinstance(key, tuple) else (key,)))
        g = res.groups[name]
        assert g.count == row["n"]
        assert close(g.selection_rate, row["sr"])
        assert close(g.true_positive_rate, row["tpr"])
        assert close(g.false_positive_rate, row["fpr"])
        assert close(g.accuracy, row["acc"])
    assert close(
        res.demographic_parity_difference,
        demographic_parity_difference(y, p, sensitive_features=sf),
    )
    assert close(
        res.demographic_parity_ratio, demographic_parity_ratio(y, p, sensitive_features=sf)
    )
    assert close(
        res.equalized_odds_difference, equalized_odds_difference(y, p, sensitive_features=sf)
    )
    assert res.four_fifths_rule_passed == (
        demographic_parity_ratio(y, p, sensitive_features=sf) >= 0.8
    )


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_fairness_matches_fairlearn_per_attribute_and_intersection(
    seed: int, fmt: str, write_log: Callable[..., Path]
) -> None:
    df = random_log(seed)
    path = write_log(df, f"log.{fmt}")
    res = service.fairness(
        path,
        FairnessOptions(prediction="approved", truth="repaid", sensitive=["sex", "age_band"],
                        min_group=1),
    )  # fmt: skip
    assert res.rows == len(df)
    check_against_fairlearn(res.by_attribute["sex"], df, ["sex"])
    check_against_fairlearn(res.by_attribute["age_band"], df, ["age_band"])
    check_against_fairlearn(res.intersections["sex&age_band"], df, ["sex", "age_band"])


def test_small_groups_are_shown_but_compared_as_fairlearn_does_without_them(
    write_log: Callable[..., Path],
) -> None:
    df = random_log(7)
    tiny = df.head(5).with_columns(pl.lit("unknown").alias("age_band"))
    log = pl.concat([df, tiny])
    res = service.fairness(
        write_log(log),
        FairnessOptions(
            prediction="approved", truth="repaid", sensitive=["age_band"], min_group=30
        ),
    )
    attr = res.by_attribute["age_band"]
    assert attr.groups["unknown"].count == 5  # reported ...
    # ... and the comparisons are fairlearn's on the groups of at least 30 rows.
    check_against_fairlearn(
        attr.model_copy(update={"groups": {k: v for k, v in attr.groups.items() if k != "unknown"}}),
        df, ["age_band"],
    )  # fmt: skip


def test_fairness_without_truth_gives_selection_rates_and_nulls(
    write_log: Callable[..., Path],
) -> None:
    df = random_log(11)
    res = service.fairness(write_log(df), FairnessOptions(prediction="approved", sensitive=["sex"]))
    attr = res.by_attribute["sex"]
    sf = df["sex"].to_numpy()
    y, p = df["repaid"].to_numpy(), df["approved"].to_numpy()
    assert close(
        attr.demographic_parity_difference,
        demographic_parity_difference(y, p, sensitive_features=sf),
    )
    assert attr.equalized_odds_difference is None
    assert all(g.true_positive_rate is None and g.accuracy is None for g in attr.groups.values())


@pytest.mark.parametrize("seed", SEEDS)
def test_performance_matches_scikit_learn(seed: int, write_log: Callable[..., Path]) -> None:
    df = random_log(seed)
    res = service.performance(
        write_log(df, "log.parquet"),
        PerformanceOptions(prediction="approved", truth="repaid", score="score"),
    )
    y, p, s = df["repaid"].to_numpy(), df["approved"].to_numpy(), df["score"].to_numpy()
    assert close(res.accuracy, skm.accuracy_score(y, p))
    assert close(res.precision, skm.precision_score(y, p))
    assert close(res.recall, skm.recall_score(y, p))
    assert close(res.f1, skm.f1_score(y, p))
    assert close(res.roc_auc, skm.roc_auc_score(y, s))  # scores have ties: half credit each


@pytest.mark.parametrize("seed", SEEDS)
def test_drift_matches_scipy_and_a_direct_psi(seed: int, write_log: Callable[..., Path]) -> None:
    ref = random_log(seed, 500)
    cur = random_log(seed + 100, 400).with_columns(
        (pl.col("income") * 1.1).alias("income"),
        pl.when(pl.col("age_band") == "18-30").then(pl.lit("51+")).otherwise(pl.col("age_band"))
        .alias("age_band"),
    )  # fmt: skip
    res = service.drift(
        write_log(ref, "ref.csv"), write_log(cur, "cur.parquet"),
        DriftOptions(columns=["income", "age_band"]),
    )  # fmt: skip
    r, c = ref["income"].to_numpy(), cur["income"].to_numpy()
    ks = stats.ks_2samp(r, c)
    inc = res.columns["income"]
    assert close(inc.ks_statistic, ks.statistic) and close(inc.ks_p_value, ks.pvalue)
    edges = np.unique(np.quantile(r, np.arange(1, 10) / 10))
    rp = np.maximum(np.histogram(r, [-np.inf, *edges, np.inf])[0] / len(r), rules.PSI_EPSILON)
    cp = np.maximum(np.histogram(c, [-np.inf, *edges, np.inf])[0] / len(c), rules.PSI_EPSILON)
    # np.histogram's bins are [a, b); ours are (a, b]: the same unless a value sits on an edge,
    # which a continuous column almost never does.
    assert close(inc.psi, float(np.sum((cp - rp) * np.log(cp / rp))))
    cats = sorted(set(ref["age_band"]) | set(cur["age_band"]))
    table = [[ref["age_band"].to_list().count(k) for k in cats],
             [cur["age_band"].to_list().count(k) for k in cats]]  # fmt: skip
    chi = stats.chi2_contingency(table)
    band = res.columns["age_band"]
    assert close(band.chi2_statistic, chi.statistic) and close(band.chi2_p_value, chi.pvalue)
    assert band.verdict == "drift" and "age_band" in res.drifted


def test_same_log_is_stable(write_log: Callable[..., Path]) -> None:
    df = random_log(3)
    a, b = write_log(df, "a.csv"), write_log(df, "b.parquet")
    res = service.drift(a, b, DriftOptions())
    assert res.drifted == [] and all(c.verdict == "stable" for c in res.columns.values())
    assert res.columns["income"].psi == 0 and res.columns["income"].ks_p_value == 1


def test_boolean_predictions_and_missing_group_values(write_log: Callable[..., Path]) -> None:
    df = pl.DataFrame(
        {
            "region": ["n", "n", None, "s", "s", None],
            "decision": [True, False, True, True, True, False],
            "outcome": [True, True, False, True, False, False],
        }
    )
    res = service.fairness(
        write_log(df, "log.parquet"),
        FairnessOptions(prediction="decision", truth="outcome", sensitive=["region"], min_group=1),
    )
    groups = res.by_attribute["region"].groups
    assert set(groups) == {"n", "s", "(missing)"}
    assert groups["s"].selection_rate == 1.0 and groups["n"].true_positive_rate == 0.5
    assert groups["(missing)"].false_positive_rate == 0.5


def test_named_positive_outcome(write_log: Callable[..., Path]) -> None:
    df = pl.DataFrame({"g": ["a", "a", "b", "b"], "d": ["approve", "refer", "approve", "decline"]})
    res = service.fairness(
        write_log(df),
        FairnessOptions(prediction="d", sensitive=["g"], positive="approve", min_group=1),
    )
    attr = res.by_attribute["g"]
    assert attr.groups["a"].selection_rate == 0.5 and attr.demographic_parity_ratio == 1.0


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c"]), st.booleans(), st.booleans()),
        min_size=2,
        max_size=80,
    )
)
def test_any_small_log_matches_fairlearn_where_defined(rows: list[tuple[str, bool, bool]]) -> None:
    df = pl.DataFrame(
        {"g": [r[0] for r in rows], "approved": [int(r[1]) for r in rows],
         "repaid": [int(r[2]) for r in rows]}
    )  # fmt: skip
    assume(df["g"].n_unique() >= 2)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.csv"
        df.write_csv(path)
        res = service.fairness(
            path,
            FairnessOptions(prediction="approved", truth="repaid", sensitive=["g"], min_group=1),
        )
    y, p, sf = df["repaid"].to_numpy(), df["approved"].to_numpy(), df["g"].to_numpy()
    frame = MetricFrame(
        metrics={"sr": selection_rate, "acc": skm.accuracy_score},
        y_true=y, y_pred=p, sensitive_features=sf,
    )  # fmt: skip
    attr = res.by_attribute["g"]
    for key, row in frame.by_group.iterrows():
        assert close(attr.groups[str(key)].selection_rate, row["sr"])
        assert close(attr.groups[str(key)].accuracy, row["acc"])
    assert close(
        attr.demographic_parity_difference,
        demographic_parity_difference(y, p, sensitive_features=sf),
    )
    expected_ratio = demographic_parity_ratio(y, p, sensitive_features=sf)
    if math.isnan(expected_ratio):  # nobody selected: undefined, null in aims
        assert attr.demographic_parity_ratio is None
    else:
        assert close(attr.demographic_parity_ratio, expected_ratio)
    # Where every group has both outcomes, TPR and FPR are defined and equalized odds matches.
    if all(len(set(y[sf == k])) == 2 for k in set(sf)):
        assert close(
            attr.equalized_odds_difference, equalized_odds_difference(y, p, sensitive_features=sf)
        )
