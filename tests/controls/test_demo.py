"""The demo's controls in operation and evidence: loaded once, counted in the SoA."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aims.controls import service as controls
from aims.controls.models import ControlImplementation
from aims.demo.service import context_of, load_demo
from aims.evidence import service as evidence
from aims.risk import service as risk
from aims.store.engine import Actor, unit_of_work


def test_demo_controls_and_evidence(sessions: sessionmaker[Session], evidence_dir: Path) -> None:
    with unit_of_work(sessions, Actor(None, None, "test")) as db:
        org, _created = load_demo(db)
    with unit_of_work(sessions, Actor(None, None, "test")) as db:
        load_demo(db)  # a second load adds nothing
        ctx = context_of(db, org, "daniel.kowalski@meridian.example")
        rows = db.scalars(
            select(ControlImplementation).where(ControlImplementation.organisation_id == org.id)
        ).all()
        assert sorted((r.control_id, r.system_id is None) for r in rows) == [
            ("A.2.2", True), ("A.5.4", False), ("A.6.2.4", False), ("A.6.2.6", False),
            ("A.7.4", False)]  # fmt: skip
        assert all(r.owner_id for r in rows)
        lens = next(r.system_id for r in rows if r.system_id)
        assert lens is not None
        assert len(controls.controls_for_system(db, ctx, lens)) == 5
        soon = evidence.expiring(db, ctx, days=30)
        assert [i.title for i in soon.expiring] == ["Approval-rate parity test by age band, Q1"]
        kinds = sorted(i.kind for i in evidence.list_items(db, ctx, evidence.ListParams()).items)
        assert kinds == ["file", "link", "record", "record", "record"]  # + the measurement run
        counts = {e.row.control_id: e.evidence for e in risk.soa(db, ctx)}
        assert counts["A.6.2.4"] == 2 and counts["A.2.2"] == 1 and counts["A.5.4"] == 1
    assert any(p.is_file() for p in evidence_dir.rglob("*"))
