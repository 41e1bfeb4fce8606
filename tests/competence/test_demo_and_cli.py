"""Meridian's competence records as the demo loads them, and the `aims competence` commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker

from aims.competence import service
from aims.competence.rules import CellStatus
from aims.demo.service import context_of, load_demo
from aims.store.engine import Actor, unit_of_work

TOMAS = "Tomás Ó Briain"


def test_the_demo_has_exactly_one_gap_one_expiring_item_and_a_real_raci(
    sessions: sessionmaker[Session],
) -> None:
    with unit_of_work(sessions, Actor(None, None, "test")) as db:
        org, _created = load_demo(db)
    with unit_of_work(sessions, Actor(None, None, "test")) as db:
        load_demo(db)  # loading again adds nothing
        ctx = context_of(db, org, "marc.dubois@meridian.example")
        found = service.attention(db, ctx)
        assert [(c.person, c.competence_name, c.status) for c in found.gaps] == [
            (TOMAS, "AI ethics and fairness", CellStatus.MISSING)
        ]
        assert [(c.person, c.competence_name) for c in found.expiring] == [
            ("Aoife Byrne", "AI literacy")
        ]
        names = [r.name for r in service.all_roles(db, ctx)]
        assert len(names) == len(set(names)) == 5
        owners = [c.person for c in service.matrix(db, ctx) if c.role_name == "AI system owner"]
        assert {"Priya Raman", TOMAS} <= set(owners)
        m = service.raci(db, ctx)
        processes = [r for r in m.rows if r.kind == "process"]
        assert processes and all(not r.problems for r in processes)
        assert all(list(r.cells.values()).count("A") == 1 for r in processes)
        assert sorted(r.row_id for r in m.gaps) == ["A.10.4", "A.4.5", "A.6.2.8", "A.8.3"]


def test_cli_lists_gaps_as_a_table_and_as_json_and_exits_0(aims: Any) -> None:
    aims("demo")
    text = aims("competence", "gaps")
    assert text.code == 0, text.err
    assert "missing" in text.out and "Tomás" in text.out and "ethics" in text.out
    assert "1 gap(s), 1 expiring within 60 days" in text.out
    data = aims("competence", "gaps", "--format", "json")
    assert data.code == 0
    parsed = json.loads(data.out)
    assert [g["person"] for g in parsed["gaps"]] == [TOMAS]
    assert parsed["expiring"][0]["status"] == "expiring"
    wrong = aims("competence", "gaps", "--org", "no-such-org")
    assert wrong.code == 2 and "no-such-org" in wrong.err


def test_cli_prints_and_exports_the_raci_matrix(aims: Any, tmp_path: Path) -> None:
    aims("demo")
    printed = aims("competence", "raci", "--gaps")
    assert printed.code == 0, printed.err
    assert "TMS = Top management sponsor" in printed.out
    assert "A.10.4" in printed.out and "no A" in printed.out
    assert "internal-audit" not in printed.out  # a process row without a problem
    whole = aims("competence", "raci")
    assert "internal-audit" in whole.out and "A.3.2" in whole.out
    assert "4 of 53 row(s) with nobody accountable" in printed.out
    target = tmp_path / "raci.xlsx"
    written = aims("competence", "raci", "--export", str(target))
    assert written.code == 0 and target.exists()
    sheet = load_workbook(target)["RACI"]
    assert [c.value for c in sheet[1]][:3] == ["Row", "Kind", "Title"]
    unwritable = aims("competence", "raci", "--export", str(tmp_path / "no" / "x.xlsx"))
    assert unwritable.code == 2 and "cannot write" in unwritable.err
