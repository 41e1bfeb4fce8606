"""`aims doc list|show|approve|export` as a user runs them."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from pypdf import PdfReader

from aims.access.rules import Role
from tests.conftest import Org
from tests.documents.test_api import act, approved, create


def test_doc_commands(client: TestClient, org: Org, aims: object, tmp_path: Path) -> None:
    approved(client, org, code="POL-002", effective_date="2020-01-01")
    doc = create(client, org, quorum=2)
    act(client, org, doc, "submit", Role.CONTRIBUTOR)
    run = aims  # the fixture's callable
    listed = run("doc", "list", "--org", "acme-credit")  # type: ignore[operator]
    assert listed.code == 0 and "POL-001" in listed.out and "POL-002" in listed.out
    overdue = run("doc", "list", "--org", "acme-credit", "--overdue")  # type: ignore[operator]
    assert "POL-002" in overdue.out and "POL-001" not in overdue.out

    author = run(
        "doc",
        "approve",
        "POL-001",
        "--as",
        org.emails[Role.CONTRIBUTOR],  # type: ignore[operator]
        "--org",
        "acme-credit",
    )
    assert author.code == 2 and "roles" in author.err
    first = run(
        "doc",
        "approve",
        "POL-001",
        "--as",
        org.emails[Role.MANAGER],  # type: ignore[operator]
        "--note",
        "ok",
        "--org",
        "acme-credit",
    )
    assert first.code == 0 and "1 of 2 approvals" in first.out
    second = run(
        "doc",
        "approve",
        "POL-001",
        "--as",
        org.emails[Role.OWNER],  # type: ignore[operator]
        "--org",
        "acme-credit",
    )
    assert second.code == 0 and "approved" in second.out
    again = run(
        "doc",
        "approve",
        "POL-001",
        "--as",
        org.emails[Role.OWNER],  # type: ignore[operator]
        "--org",
        "acme-credit",
    )
    assert again.code == 2 and "no version in review" in again.err
    stranger = run(
        "doc",
        "approve",
        "POL-002",
        "--as",
        "nobody@example.org",  # type: ignore[operator]
        "--org",
        "acme-credit",
    )
    assert stranger.code == 2

    shown = run("doc", "show", "POL-001", "--org", "acme-credit")  # type: ignore[operator]
    assert shown.code == 0 and "revision 1: approved" in shown.out
    missing = run("doc", "show", "NOPE-9", "--org", "acme-credit")  # type: ignore[operator]
    assert missing.code == 2 and "NOPE-9" in missing.err

    target = tmp_path / "policy.pdf"
    exported = run("doc", "export", "POL-001", "--output", str(target), "--org", "acme-credit")  # type: ignore[operator]
    assert exported.code == 0 and target.exists()
    assert "Information security policy" in (PdfReader(str(target)).pages[0].extract_text() or "")
    word = tmp_path / "policy.docx"
    as_docx = run(
        "doc",
        "export",
        "POL-001",
        "--format",
        "docx",
        "-o",
        str(word),  # type: ignore[operator]
        "--org",
        "acme-credit",
    )
    assert as_docx.code == 0 and word.read_bytes()[:2] == b"PK"
