"""`aims measure ... --record SYSTEM` stores the run in the database as evidence; without
--record the command stays database-free (tests/measure/test_cli.py)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from aims.measure.models import MeasurementRun
from tests.measure.test_runs_api import skewed_log


def test_record_stores_the_run_with_its_limits(
    aims: object, engine: Engine, tmp_path: Path
) -> None:
    log = tmp_path / "log.csv"
    skewed_log().write_csv(log)
    assert aims("init", "--email", "boss@acme.example").code == 0  # type: ignore[operator]
    assert aims("systems", "add", "CreditLens").code == 0  # type: ignore[operator]
    args = ["measure", "fairness", "--data", str(log), "--prediction", "approved",
            "--sensitive", "age_band", "--min-group", "5"]  # fmt: skip
    stored = aims(*args, "--limit", "demographic_parity_ratio=0.8:", "--record", "CreditLens",  # type: ignore[operator]
                  "--note", "nightly CI")  # fmt: skip
    assert stored.code == 1, stored.err  # the breach still fails the build
    assert "stored RUN-001 for CreditLens: evidence for A.6.2.4; limits breached" in stored.err
    assert '"by_attribute"' in stored.out  # stdout stays the JSON result
    with Session(engine) as db:
        run = db.scalars(select(MeasurementRun)).one()
        assert run.source == "cli" and run.note == "nightly CI" and run.breached
        assert run.limits == {"demographic_parity_ratio": [0.8, None]}
    quality = aims("measure", "quality", "--data", str(log), "--record", "CreditLens")  # type: ignore[operator]
    assert quality.code == 0 and "stored RUN-002 for CreditLens: evidence for A.7.4" in quality.err
    unknown = aims(*args, "--record", "NoSuchSystem")  # type: ignore[operator]
    assert unknown.code == 2 and "NoSuchSystem" in unknown.err
    wrong = aims(*args, "--record", "CreditLens", "--control", "A.5.2")  # type: ignore[operator]
    assert wrong.code == 2 and "--control must be one of" in wrong.err
    orphan = aims(*args, "--note", "x")  # type: ignore[operator]
    assert orphan.code == 2 and "need --record" in orphan.err
    with Session(engine) as db:
        assert len(db.scalars(select(MeasurementRun)).all()) == 2
