"""`aims measure` as a user types it: the exact JSON shape, text output, and bad input."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import Result
from tests.measure.conftest import random_log

Cli = Callable[..., Result]
GROUP_KEYS = {"count", "selection_rate", "true_positive_rate", "false_positive_rate", "accuracy"}
ATTR_KEYS = {"groups", "demographic_parity_difference", "demographic_parity_ratio",
             "equalized_odds_difference", "four_fifths_rule_passed"}  # fmt: skip


def test_fairness_json_has_exactly_the_documented_shape(
    cli: Cli, write_log: Callable[..., Path]
) -> None:
    path = write_log(random_log(1))
    r = cli("measure", "fairness", "--data", str(path), "--prediction", "approved",
            "--truth", "repaid", "--sensitive", "sex,age_band", "--format", "json")  # fmt: skip
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert set(doc) == {"rows", "input_sha256", "by_attribute", "intersections"}
    assert doc["rows"] == 600
    assert doc["input_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert set(doc["by_attribute"]) == {"sex", "age_band"}
    assert set(doc["intersections"]) == {"sex&age_band"}
    for part in (doc["by_attribute"], doc["intersections"]):
        for attr in part.values():
            assert set(attr) == ATTR_KEYS
            assert all(set(g) == GROUP_KEYS for g in attr["groups"].values())
    assert set(doc["intersections"]["sex&age_band"]["groups"]) >= {"F&18-30", "M&51+"}
    assert isinstance(doc["by_attribute"]["sex"]["four_fifths_rule_passed"], bool)


def test_fairness_without_truth_prints_null_for_what_needs_it(
    cli: Cli, write_log: Callable[..., Path]
) -> None:
    path = write_log(random_log(2), "log.parquet")
    r = cli(
        "measure", "fairness", "--data", str(path), "--prediction", "approved", "--sensitive", "sex"
    )
    doc = json.loads(r.out)["by_attribute"]["sex"]
    assert doc["equalized_odds_difference"] is None
    assert (
        doc["groups"]["F"]["true_positive_rate"] is None and doc["groups"]["F"]["accuracy"] is None
    )
    assert doc["groups"]["F"]["selection_rate"] is not None


def test_text_format_marks_small_groups(cli: Cli, write_log: Callable[..., Path]) -> None:
    path = write_log(random_log(3, 100))
    r = cli("measure", "fairness", "--data", str(path), "--prediction", "approved", "--truth",
            "repaid", "--sensitive", "sex,age_band", "--min-group", "30", "--format", "text")  # fmt: skip
    assert r.code == 0
    assert "intersection sex&age_band" in r.out and "four-fifths rule" in r.out
    assert "fewer than 30 rows: shown, left out of the comparisons" in r.out


def test_other_commands_print_json(cli: Cli, write_log: Callable[..., Path]) -> None:
    a, b = write_log(random_log(4), "a.csv"), write_log(random_log(5), "b.parquet")
    perf = json.loads(cli("measure", "performance", "--data", str(a), "--prediction", "approved",
                          "--truth", "repaid", "--score", "score").out)  # fmt: skip
    assert 0.5 < perf["roc_auc"] <= 1 and sum(perf["confusion"].values()) == 600
    drift = json.loads(cli("measure", "drift", "--reference", str(a), "--current", str(b),
                           "--columns", "income,sex").out)  # fmt: skip
    assert set(drift["columns"]) == {"income", "sex"}
    assert drift["columns"]["income"]["kind"] == "numeric"
    quality = json.loads(cli("measure", "quality", "--data", str(a), "--ranges", "score=0:0.5",
                             "--categories", "sex=F", "--expected-columns",
                             "sex,age_band,zip").out)  # fmt: skip
    assert quality["columns"]["score"]["out_of_range"] > 0
    assert quality["columns"]["sex"]["unexpected_values"] == ["M"]
    assert quality["missing_columns"] == ["zip"] and "income" in quality["unexpected_columns"]


def test_quality_counts_missing_and_duplicates(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text("a,b\n1,x\n1,x\n,y\n3,\n")
    doc = json.loads(cli("measure", "quality", "--data", str(path)).out)
    assert doc["duplicate_rows"] == 1 and doc["rows"] == 4
    assert doc["columns"]["a"]["missing"] == 1 and doc["columns"]["b"]["missing_share"] == 0.25


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (
            None,
            ["--sensitive", "sexx"],
            "column 'sexx' is not in log.csv (did you mean 'sex'?); "
            "its columns are: sex, age_band, income, score, approved, repaid",
        ),
        (None, ["--sensitive", "sex", "--truth", "repayed"], "column 'repayed' is not in"),
        (
            "s,p\nA,approve\nB,deny\nA,refer\n",
            ["--sensitive", "s", "--prediction", "p"],
            "prediction column 'p' is not binary (values include approve, deny, refer); name the "
            "value that counts as positive with --positive",
        ),
        (
            "s,p\nA,1\nB,0\n",
            ["--sensitive", "s", "--prediction", "p", "--positive", "yes"],
            "--positive 'yes' matches no value of 'p'",
        ),
        ("", ["--sensitive", "s"], "is empty"),
        ("s,approved\n", ["--sensitive", "s"], "has a header but no rows"),
        (
            "s,approved\nA,1\nA,0\n",
            ["--sensitive", "s"],
            "sensitive column 's' has one value ('A') on all 2 rows: there are no groups to compare",
        ),
        (
            "s,approved\nA,1\nB,\n",
            ["--sensitive", "s"],
            "prediction column 'approved' is empty on 1 row(s)",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    cli: Cli, tmp_path: Path, content: str | None, args: list[str], message: str
) -> None:
    path = tmp_path / "log.csv"
    if content is None:
        random_log(1, 50).write_csv(path)
    else:
        path.write_text(content)
    base = ["measure", "fairness", "--data", str(path)]
    if "--prediction" not in args:
        base += ["--prediction", "approved"]
    r = cli(*base, *args)
    assert r.code == 2 and r.out == ""
    assert message in r.err and r.err.startswith("error: ") and r.err.count("\n") == 1


def test_corrupt_parquet_is_a_clear_error(
    cli: Cli, write_log: Callable[..., Path], tmp_path: Path
) -> None:
    good = write_log(random_log(1, 50), "good.parquet")
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    r = cli(
        "measure", "fairness", "--data", str(bad), "--prediction", "approved", "--sensitive", "sex"
    )
    assert (
        r.code == 2 and "bad.parquet cannot be read as Parquet" in r.err and r.err.count("\n") == 1
    )


def test_drift_and_quality_refuse_unknown_columns(cli: Cli, write_log: Callable[..., Path]) -> None:
    a = write_log(random_log(1, 50))
    r = cli("measure", "drift", "--reference", str(a), "--current", str(a), "--columns", "incom")
    assert r.code == 2 and "column 'incom' is not in log.csv (did you mean 'income'?)" in r.err
    r = cli("measure", "quality", "--data", str(a), "--ranges", "age=0:1")
    assert r.code == 2 and "column 'age' is not in log.csv" in r.err
    r = cli("measure", "quality", "--data", str(a), "--ranges", "score=1:0")
    assert r.code == 2 and "the minimum is above the maximum" in r.err


def test_a_missing_file_is_named(cli: Cli, tmp_path: Path) -> None:
    r = cli("measure", "performance", "--data", str(tmp_path / "nope.csv"), "--prediction", "p",
            "--truth", "t")  # fmt: skip
    assert r.code == 2 and "nope.csv: no such file" in r.err


def test_flat_metrics_and_run_record(write_log: Callable[..., Path]) -> None:
    from aims.measure import service
    from aims.measure.schemas import FairnessOptions

    options = FairnessOptions(prediction="approved", truth="repaid", sensitive=["sex", "age_band"])
    result = service.fairness(write_log(random_log(1)), options)
    flat = result.metrics()
    assert (
        flat["demographic_parity_ratio:sex"] == result.by_attribute["sex"].demographic_parity_ratio
    )
    assert "equalized_odds_difference:sex&age_band" in flat and "selection_rate:sex=F" in flat
    run = service.record(result, options)
    assert run.kind == "fairness" and run.input_sha256 == {"data": result.input_sha256}
    assert run.parameters["sensitive"] == ["sex", "age_band"] and run.tool_version
    assert run.results["rows"] == 600
    assert pl.Series(list(flat.values())).null_count() == 0


def test_progress_goes_to_stderr_and_leaves_the_json_clean(
    cli: Cli, write_log: Callable[..., Path]
) -> None:
    path = write_log(random_log(2, 80))
    r = cli("measure", "quality", "--data", str(path), "--progress")
    assert r.code == 0 and json.loads(r.out)["rows"] == 80


@pytest.mark.parametrize("args", [(), ("fairness",), ("performance",), ("drift",), ("quality",)])
def test_every_measure_command_has_help(cli: Cli, args: tuple[str, ...]) -> None:
    r = cli("measure", *args, "--help")
    assert r.code == 0 and "Usage" in r.out


def test_limits_turn_a_breach_into_exit_1(cli: Cli, write_log: Callable[..., Path]) -> None:
    path = str(write_log(random_log(1)))
    base = ["measure", "fairness", "--data", path, "--prediction", "approved", "--truth",
            "repaid", "--sensitive", "sex"]  # fmt: skip
    ok = cli(*base, "--limit", "demographic_parity_ratio=0:")
    assert ok.code == 0 and ok.err == ""
    strict = cli(*base, "--limit", "demographic_parity_ratio=0.99:", "--format", "text")
    assert strict.code == 1 and "demographic parity ratio" in strict.out
    assert "breach: demographic_parity_ratio:sex = " in strict.err and "(limit 0.99:)" in strict.err
    bad = cli(*base, "--limit", "demographic_parity_ratio")
    assert bad.code == 2 and "--limit" in bad.err
