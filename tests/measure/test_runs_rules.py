"""Pure rules of stored runs: which objective text names which metric, limit checks, the
default control by kind."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aims.measure import rules

METRICS = [
    "demographic_parity_ratio:age_band",
    "demographic_parity_ratio:age_band&sex",
    "demographic_parity_ratio:sex",
    "selection_rate:age_band=60+",
    "accuracy",
]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("approval-rate parity (demographic_parity_ratio:age_band)", "demographic_parity_ratio:age_band"),
        ("demographic_parity_ratio:age_band", "demographic_parity_ratio:age_band"),
        ("ratio demographic_parity_ratio:age_band&sex across both", "demographic_parity_ratio:age_band&sex"),
        ("demographic_parity_ratio:age_bands", None),  # not a whole token
        ("demographic_parity_ratio of applicants", None),  # the stem names no subject
        ("selection_rate:age_band=60+ of older applicants", "selection_rate:age_band=60+"),
        ("model accuracy, on hold-out data", "accuracy"),
        ("inaccuracy of forecasts", None),
        ("", None),
    ],
)  # fmt: skip
def test_an_objective_names_a_metric_as_a_whole_token(text: str, named: str | None) -> None:
    assert rules.metric_for(text, METRICS) == named


@given(st.text(alphabet=" ,;()[]-", max_size=5), st.text(alphabet=" ,;()[].", max_size=5))
def test_a_metric_between_separators_is_always_named(before: str, after: str) -> None:
    assert rules.names_metric(f"{before}demographic_parity_ratio:sex{after}",
                              "demographic_parity_ratio:sex")  # fmt: skip


@pytest.mark.parametrize(
    ("limits", "problem"),
    [
        ({"accuracy": [0.9, None]}, None),
        ({"accuracy": [None, 0.2]}, None),
        ({"accuracy": [None, None]}, "a minimum or a maximum"),
        ({"accuracy": [0.9, 0.1]}, "above the maximum"),
        ({"accuracy": [0.9]}, "[min, max]"),
        ({" ": [0.9, None]}, "metric name"),
    ],
)
def test_limit_problems(limits: dict[str, list[float | None]], problem: str | None) -> None:
    found = rules.limit_problems(limits)
    assert (found[0][1] if found else None) == problem or (problem and problem in found[0][1])


def test_default_control_by_kind() -> None:
    assert rules.DEFAULT_CONTROL == {"fairness": "A.6.2.4", "performance": "A.6.2.4",
                                     "drift": "A.6.2.6", "quality": "A.7.4"}  # fmt: skip
    assert set(rules.DEFAULT_CONTROL.values()) == set(rules.RUN_CONTROLS)
