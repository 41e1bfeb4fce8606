"""`aims context list|export` and `aims scope show`, on the demo and on an empty organisation."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook


def test_context_and_scope_on_the_demo(aims: object, tmp_path: Path) -> None:
    assert aims("demo").code == 0  # type: ignore[operator]
    listed = aims("context", "list")  # type: ignore[operator]
    assert listed.code == 0, listed.err
    assert "Climate change: relevant (decided by aoife.byrne@meridian.example)" in listed.out
    # Rich wraps cells to the terminal: look for words, not whole titles.
    assert "Data-centre" in listed.out and "Central Bank of" in listed.out
    assert "EU AI Act" in listed.out and "A.6.2.7" in listed.out and "5 issue(s)" in listed.out
    assert "1 requirement(s) of interested parties not fully addressed" in listed.out
    contractual = aims("context", "list", "requirements", "--kind", "contractual")  # type: ignore[operator]
    assert "Enterprise" in contractual.out and "General" not in contractual.out
    assert "1 requirement(s)" in contractual.out and "issue(s)" not in contractual.out
    regulators = aims("context", "list", "--kind", "regulators")  # type: ignore[operator]
    assert "Central Bank of" in regulators.out and "TalentSift" not in regulators.out
    bad = aims("context", "list", "--kind", "aliens")  # type: ignore[operator]
    assert bad.code == 2 and "unknown kind 'aliens'" in bad.err
    scope = aims("scope", "show")  # type: ignore[operator]
    assert scope.code == 0 and "revision 1 (approved)" in scope.out
    assert "approved by aoife.byrne@meridian.example" in scope.out
    assert "excluded: Mortgage lending — Meridian sold its mortgage book" in scope.out
    assert "CreditLens" in scope.out and "Collections prioritisation" not in scope.out.split(
        "AI systems in scope")[1]  # fmt: skip
    target = tmp_path / "legal.xlsx"
    exported = aims("context", "export", "-o", str(target))  # type: ignore[operator]
    assert exported.code == 0 and target.exists()
    titles = [r[0] for r in load_workbook(target)["Legal requirements"].iter_rows(values_only=True)]
    assert "EU AI Act" in titles and len(titles) == 6
    soa_file = tmp_path / "soa.xlsx"
    assert aims("soa", "export", "-o", str(soa_file)).code == 0  # type: ignore[operator]
    rows = {r[0]: r for r in load_workbook(soa_file).active.iter_rows(values_only=True)}  # type: ignore[union-attr]
    assert str(rows["A.6.2.7"][3]).startswith("Required by: EU AI Act")
    assert "Enterprise API agreement" in str(rows["A.10.3"][3])
    assert aims("demo").code == 0  # type: ignore[operator]  # loading again adds nothing
    assert "5 requirement(s)" in aims("context", "list", "requirements").out  # type: ignore[operator]


def test_scope_show_without_a_scope_fails_with_one_line(aims: object) -> None:
    assert aims("init", "--email", "boss@acme.example").code == 0  # type: ignore[operator]
    shown = aims("scope", "show")  # type: ignore[operator]
    assert shown.code == 2 and "no scope statement yet" in shown.err
    listed = aims("context", "list")  # type: ignore[operator]
    assert listed.code == 0 and "NOT DECIDED" in listed.out
