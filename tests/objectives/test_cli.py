"""`aims objective` on both databases, with Meridian's demo objectives."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook


def test_demo_objectives_list_show_and_measure(aims: object, tmp_path: Path) -> None:
    assert aims("demo").code == 0  # type: ignore[operator]
    listed = aims("objective", "list", "--org", "meridian-lending")  # type: ignore[operator]
    assert listed.code == 0, listed.err
    # OBJ-001 is fed the demo's breached fairness run (parity ratio 0.72)
    assert "4 objective(s): 1 achieved, 2 breached, 1 on track" in listed.out
    assert "OBJ-001" in listed.out and "Overdue: OBJ-004" in listed.out
    breached = aims("objective", "list", "--state", "breached")  # type: ignore[operator]
    assert "2 objective(s)" in breached.out and "OBJ-004" in breached.out

    shown = aims("objective", "show", "obj-001")  # type: ignore[operator]
    assert shown.code == 0 and "approval-rate parity ratio across age bands" in shown.out
    assert "0.76 ratio  MISSES" in shown.out and shown.out.count("meets") == 5

    done = aims("objective", "measure", "OBJ-001", "0.74", "--unit", "ratio",  # type: ignore[operator]
                "--note", "new bureau feed")  # fmt: skip
    assert done.code == 0, done.err
    assert "misses the target ≥ 0.8 ratio; now breached" in done.out
    wrong = aims("objective", "measure", "OBJ-001", "0.9", "--unit", "%")  # type: ignore[operator]
    assert wrong.code == 2 and "measured in 'ratio'" in wrong.err and wrong.out == ""
    outside = aims("objective", "measure", "OBJ-001", "1.3", "--unit", "ratio")  # type: ignore[operator]
    assert outside.code == 2 and "value" in outside.err and "range" in outside.err
    future = aims("objective", "measure", "OBJ-001", "0.9", "--unit", "ratio",  # type: ignore[operator]
                  "--date", "2999-01-01")  # fmt: skip
    assert future.code == 2 and "future" in future.err
    bad_date = aims("objective", "measure", "OBJ-001", "0.9", "--unit", "ratio",  # type: ignore[operator]
                    "--date", "soon")  # fmt: skip
    assert bad_date.code == 2 and "--date" in bad_date.err
    unknown = aims("objective", "measure", "OBJ-999", "0.9", "--unit", "ratio")  # type: ignore[operator]
    assert unknown.code == 2 and "no objective" in unknown.err

    target = tmp_path / "objectives.xlsx"
    exported = aims("objective", "export", "-o", str(target))  # type: ignore[operator]
    assert exported.code == 0 and target.exists()
    rows = list(load_workbook(target)["AI objectives"].iter_rows(values_only=True))
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Code"] == "OBJ-001" and first["Last value"] == 0.74
    assert first["State"] == "breached" and first["Owner"] == "priya.raman@meridian.example"
    # loading the demo again leaves the objectives alone
    aims("demo")  # type: ignore[operator]
    assert "4 objective(s)" in aims("objective", "list").out  # type: ignore[operator]
