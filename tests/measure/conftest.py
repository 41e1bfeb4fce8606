"""Fixtures for measurement: small random prediction logs and the CLI without a database."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from aims.cli.main import run
from tests.conftest import Result


def random_log(seed: int, rows: int = 600) -> pl.DataFrame:
    """A log with two sensitive columns whose groups differ in selection rate and accuracy."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["F", "M"], rows, p=[0.45, 0.55])
    age = rng.choice(["18-30", "31-50", "51+"], rows)
    truth = rng.integers(0, 2, rows)
    bias = np.where(sex == "F", 0.15, 0.0) + np.where(age == "51+", 0.1, 0.0)
    score = np.clip(0.35 * truth + rng.random(rows) * 0.65 - bias, 0, 1)
    return pl.DataFrame(
        {
            "sex": sex,
            "age_band": age,
            "income": rng.normal(40_000, 9_000, rows).round(2),
            "score": score.round(4),
            "approved": (score > 0.4).astype(int),
            "repaid": truth,
        }
    )


@pytest.fixture()
def write_log(tmp_path: Path) -> Callable[..., Path]:
    def write(df: pl.DataFrame, name: str = "log.csv") -> Path:
        path = tmp_path / name
        if name.endswith(".parquet"):
            df.write_parquet(path)
        else:
            df.write_csv(path)
        return path

    return write


@pytest.fixture()
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """``cli(*args)`` runs `aims` in-process (no database needed for `aims measure`)."""

    def call(*args: str) -> Result:
        saved = sys.argv
        sys.argv = ["aims", *args]
        code = 0
        try:
            run()
        except SystemExit as exc:
            code = int(exc.code or 0) if not isinstance(exc.code, str) else 2
        finally:
            sys.argv = saved
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return call
