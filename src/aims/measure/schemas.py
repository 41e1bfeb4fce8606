"""Options and results of a measurement; what the rest of aims stores as a run.

Each result has ``to_json()`` (the shape the CLI prints) and ``metrics()``: a flat
``{"metric:subject": value}`` view that objectives and thresholds can name, for example
``demographic_parity_ratio:age_band`` or ``psi:income``."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

import aims

TOOL = "aims measure"


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FairnessOptions(_Options):
    prediction: str
    sensitive: list[str] = Field(min_length=1)
    truth: str | None = None
    score: str | None = None
    positive: str | None = None
    min_group: int = Field(default=30, ge=1)


class PerformanceOptions(_Options):
    prediction: str
    truth: str
    score: str | None = None
    positive: str | None = None


class DriftOptions(_Options):
    columns: list[str] | None = None
    bins: int = Field(default=10, ge=2, le=100)
    psi_warn: float = Field(default=0.1, gt=0)
    psi_drift: float = Field(default=0.25, gt=0)
    alpha: float = Field(default=0.05, gt=0, lt=1)


class QualityOptions(_Options):
    ranges: dict[str, tuple[float | None, float | None]] = Field(default_factory=dict)
    categories: dict[str, list[str]] = Field(default_factory=dict)
    expected_columns: list[str] | None = None


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=indent)

    def metrics(self) -> dict[str, float | None]:
        raise NotImplementedError


class GroupMetrics(BaseModel):
    count: int
    selection_rate: float | None
    true_positive_rate: float | None
    false_positive_rate: float | None
    accuracy: float | None


class AttributeFairness(BaseModel):
    groups: dict[str, GroupMetrics]
    demographic_parity_difference: float | None
    demographic_parity_ratio: float | None
    equalized_odds_difference: float | None
    four_fifths_rule_passed: bool | None


class FairnessResult(_Result):
    rows: int
    input_sha256: str
    by_attribute: dict[str, AttributeFairness]
    intersections: dict[str, AttributeFairness]

    def metrics(self) -> dict[str, float | None]:
        flat: dict[str, float | None] = {}
        for part in (self.by_attribute, self.intersections):
            for attr, res in part.items():
                flat[f"demographic_parity_difference:{attr}"] = res.demographic_parity_difference
                flat[f"demographic_parity_ratio:{attr}"] = res.demographic_parity_ratio
                flat[f"equalized_odds_difference:{attr}"] = res.equalized_odds_difference
                passed = res.four_fifths_rule_passed
                flat[f"four_fifths_rule_passed:{attr}"] = None if passed is None else float(passed)
                for value, g in res.groups.items():
                    flat[f"selection_rate:{attr}={value}"] = g.selection_rate
        return flat


class PerformanceResult(_Result):
    rows: int
    input_sha256: str
    accuracy: float | None
    precision: float | None
    recall: float | None
    f1: float | None
    roc_auc: float | None
    confusion: dict[str, int]

    def metrics(self) -> dict[str, float | None]:
        return {
            "accuracy": self.accuracy,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "roc_auc": self.roc_auc,
        }


class ColumnDrift(BaseModel):
    kind: Literal["numeric", "categorical"]
    reference_missing: int
    current_missing: int
    psi: float | None
    ks_statistic: float | None = None
    ks_p_value: float | None = None
    chi2_statistic: float | None = None
    chi2_p_value: float | None = None
    verdict: Literal["stable", "warning", "drift", "unknown"]


class DriftResult(_Result):
    reference_rows: int
    current_rows: int
    reference_sha256: str
    current_sha256: str
    columns: dict[str, ColumnDrift]
    drifted: list[str]

    def metrics(self) -> dict[str, float | None]:
        flat: dict[str, float | None] = {"drifted_columns": float(len(self.drifted))}
        for name, c in self.columns.items():
            flat[f"psi:{name}"] = c.psi
            if c.kind == "numeric":
                flat[f"ks_statistic:{name}"] = c.ks_statistic
                flat[f"ks_p_value:{name}"] = c.ks_p_value
            else:
                flat[f"chi2_p_value:{name}"] = c.chi2_p_value
        return flat


class ColumnQuality(BaseModel):
    missing: int
    missing_share: float | None
    out_of_range: int | None = None
    unexpected_categories: int | None = None
    unexpected_values: list[str] = Field(default_factory=list)


class QualityResult(_Result):
    rows: int
    input_sha256: str
    columns: dict[str, ColumnQuality]
    duplicate_rows: int
    duplicate_share: float | None
    missing_columns: list[str]
    unexpected_columns: list[str]

    def metrics(self) -> dict[str, float | None]:
        flat: dict[str, float | None] = {
            "duplicate_share": self.duplicate_share,
            "missing_columns": float(len(self.missing_columns)),
            "unexpected_columns": float(len(self.unexpected_columns)),
        }
        for name, c in self.columns.items():
            flat[f"missing_share:{name}"] = c.missing_share
            if c.out_of_range is not None:
                flat[f"out_of_range:{name}"] = float(c.out_of_range)
            if c.unexpected_categories is not None:
                flat[f"unexpected_categories:{name}"] = float(c.unexpected_categories)
        return flat


Result = FairnessResult | PerformanceResult | DriftResult | QualityResult


class RunRecord(BaseModel):
    """Everything to store a run as evidence: what was measured, on which bytes, by which
    tool version, with which parameters, and what came out (full and flat)."""

    kind: Literal["fairness", "performance", "drift", "quality"]
    tool: str = TOOL
    tool_version: str = aims.__version__
    input_sha256: dict[str, str]
    parameters: dict[str, Any]
    results: dict[str, Any]
    metrics: dict[str, float | None]
