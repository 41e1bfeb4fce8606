"""`aims techdoc` and `aims logs` on both databases, with Meridian's demo records."""

from __future__ import annotations

import io
from pathlib import Path

import docx
from pypdf import PdfReader

CREDITLENS = "Credit decisioning model (CreditLens)"


def test_demo_logs_flag_talentsift_and_techdoc_exports(aims: object, tmp_path: Path) -> None:
    assert aims("demo").code == 0  # type: ignore[operator]
    listed = aims("logs", "list", "--org", "meridian-lending")  # type: ignore[operator]
    assert listed.code == 0, listed.err
    assert "6 system(s), 1 flagged" in listed.out
    flagged = aims("logs", "list", "--org", "meridian-lending", "--flagged")  # type: ignore[operator]
    assert "1 system(s), 1 flagged" in flagged.out and "TalentSift" in flagged.out
    assert "CreditLens" not in flagged.out

    shown = aims("techdoc", "show", CREDITLENS, "--org", "meridian-lending")  # type: ignore[operator]
    assert shown.code == 0, shown.err
    assert "2(d). Data" in shown.out and "kept 24 months" in shown.out
    assert "MISSING EU declaration of conformity (Art. 47)" in shown.out
    talent = aims("techdoc", "show", "CV screening service (TalentSift)", "--org",  # type: ignore[operator]
                  "meridian-lending")  # fmt: skip
    assert "MISSING Event logs (A.6.2.8, Art. 12)" in talent.out

    target = tmp_path / "creditlens.docx"
    done = aims("techdoc", "export", CREDITLENS, "--format", "docx", "--output", str(target),  # type: ignore[operator]
                "--org", "meridian-lending")  # fmt: skip
    assert done.code == 0, done.err
    document = docx.Document(io.BytesIO(target.read_bytes()))
    assert CREDITLENS in [p.text for p in document.paragraphs]
    pdf = tmp_path / "creditlens.pdf"
    assert (
        aims("techdoc", "export", CREDITLENS, "-o", str(pdf), "--org", "meridian-lending").code == 0
    )  # type: ignore[operator]
    assert "Technical documentation" in PdfReader(pdf).pages[0].extract_text()

    unknown = aims("techdoc", "show", "Nope", "--org", "meridian-lending")  # type: ignore[operator]
    assert unknown.code == 2 and "no AI system" in unknown.err
    nowhere = aims("techdoc", "export", CREDITLENS, "-o", str(tmp_path / "no" / "x.pdf"),  # type: ignore[operator]
                   "--org", "meridian-lending")  # fmt: skip
    assert nowhere.code == 2 and "cannot write" in nowhere.err
    wrong = aims("techdoc", "export", CREDITLENS, "--format", "xml")  # type: ignore[operator]
    assert wrong.code == 2

    again = aims("demo")  # type: ignore[operator]
    assert again.code == 0
    assert "6 system(s), 1 flagged" in aims("logs", "list", "--org", "meridian-lending").out  # type: ignore[operator]
