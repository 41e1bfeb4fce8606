"""The demo's measurement run: a breached fairness run on CreditLens, evidence for its A.6.2.4
implementation, feeding OBJ-001, flagged; loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aims.config import get_settings
from aims.controls.models import ControlImplementation
from aims.demo import runs as demo_runs
from aims.demo.service import context_of, load_demo
from aims.evidence import service as evidence
from aims.measure import runs
from aims.measure.models import MeasurementRun
from aims.store.engine import Actor, unit_of_work


def test_the_demo_log_is_seeded_and_skewed_against_the_over_60s(tmp_path: Path) -> None:
    import polars as pl

    first = demo_runs.write_log(tmp_path)
    data = first.read_bytes()
    assert demo_runs.write_log(tmp_path).read_bytes() == data  # the same bytes every time
    frame = pl.read_csv(first)
    assert frame.height == 3000
    assert {"age_band", "sex", "approved", "repaid", "score"} <= set(frame.columns)


def test_demo_run_is_breached_evidence_that_feeds_obj_001(
    sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIMS_EVIDENCE_DIR", str(tmp_path / "evidence"))
    get_settings.cache_clear()
    with unit_of_work(sessions, Actor(None, None, "test")) as db:
        org, _ = load_demo(db)
    with unit_of_work(sessions, Actor(None, None, "test")) as db:
        load_demo(db)  # a second load adds nothing
        ctx = context_of(db, org, "daniel.kowalski@meridian.example")
        run = db.scalars(
            select(MeasurementRun).where(MeasurementRun.organisation_id == org.id)
        ).one()
        ratio = run.metrics["demographic_parity_ratio:age_band"]
        assert ratio == pytest.approx(0.72, abs=0.01)
        assert run.breached and run.control_id == "A.6.2.4"
        assert [r.id for r in runs.attention(db, ctx)] == [run.id]
        item = runs.evidence_of(db, ctx, run)
        assert item is not None
        impl = db.scalars(
            select(ControlImplementation).where(
                ControlImplementation.organisation_id == org.id,
                ControlImplementation.control_id == "A.6.2.4",
            )
        ).one()
        targets = {(lk.target_type, lk.target_id) for lk in evidence.links_of(db, ctx, item)}
        assert ("implementation", str(impl.id)) in targets
        assert [o.code for _, o in runs.fed_measurements(db, ctx, run)] == ["OBJ-001"]
        assert run.feed_notes == []
    get_settings.cache_clear()
