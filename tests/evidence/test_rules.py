"""The evidence store's pure rules: content sniffing, refusals, links, names and validity."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aims.evidence import rules
from aims.evidence.rules import Validity
from tests.evidence import samples


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (samples.PDF, "policy.pdf", rules.PDF),
        (samples.PNG, "chart.png", rules.PNG),
        (samples.JPEG, "photo.jpeg", rules.JPEG),
        (samples.office("docx"), "minutes.docx", rules.DOCX),
        (samples.office("xlsx"), "results.xlsx", rules.XLSX),
        (samples.CSV, "rates.csv", rules.CSV),
        (b'{"a": 1}', "run.json", rules.JSON),
        (b"# Notes\n", "notes.md", rules.MARKDOWN),
        (b"plain words", "notes.txt", rules.TEXT),
        (b"plain words", "README", rules.TEXT),
        (samples.EXE, "report.pdf", None),
        (samples.plain_zip(), "bundle.docx", None),
        (b"abc\x00def", "notes.txt", None),
        (b"\xff\xfe\xfa", "notes.txt", None),
        (b"", "empty.txt", None),
    ],
)
def test_sniff_judges_the_content_not_the_name(
    data: bytes, name: str, expected: str | None
) -> None:
    assert rules.sniff(data, name) == expected


@pytest.mark.parametrize(
    ("data", "name", "declared", "refused"),
    [
        (samples.PDF, "policy.pdf", "application/pdf", False),
        (samples.PDF, "policy.pdf", "application/octet-stream", False),
        (samples.PDF, "policy.pdf", None, False),
        (samples.CSV, "rates.csv", "application/vnd.ms-excel", False),
        (samples.EXE, "report.pdf", "application/pdf", True),  # an executable named .pdf
        (samples.PNG, "report.pdf", "image/png", True),  # name says PDF, content is PNG
        (samples.PDF, "policy.pdf", "image/png", True),  # declared type disagrees
        (b"echo hi", "run.exe", "text/plain", True),  # text named as a program
    ],
)
def test_refusal(data: bytes, name: str, declared: str | None, refused: bool) -> None:
    assert (rules.refusal(rules.sniff(data, name), name, declared) is not None) is refused


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.org/report", True),
        ("http://intranet.example/x?y=1", True),
        ("javascript:alert(1)", False),
        ("file:///etc/passwd", False),
        ("ftp://example.org/a", False),
        ("https://", False),
        ("https://exa mple.org", False),
        ("", False),
    ],
)
def test_only_http_links(url: str, ok: bool) -> None:
    assert (rules.link_problem(url) is None) is ok


@pytest.mark.parametrize(
    ("name", "media", "safe"),
    [
        ("../../etc/passwd.pdf", rules.PDF, "passwd.pdf"),
        ('evil"; name=x.pdf', rules.PDF, "evil_name_x.pdf"),
        ("Résumé final.docx", rules.DOCX, "Resume_final.docx"),
        ("notes", rules.TEXT, "notes.txt"),
        ("", rules.PNG, "evidence.png"),
    ],
)
def test_safe_filename(name: str, media: str, safe: str) -> None:
    assert rules.safe_filename(name, media) == safe


@given(st.text(max_size=200))
def test_safe_filename_is_always_plain_ascii(name: str) -> None:
    safe = rules.safe_filename(name, rules.PDF)
    assert safe and safe.isascii() and '"' not in safe and "/" not in safe
    assert all(c.isalnum() or c in "._-" for c in safe)


@given(st.binary(max_size=300))
def test_sniff_never_raises_and_never_accepts_nul_text(data: bytes) -> None:
    found = rules.sniff(data, "x.txt")
    if found in rules.TEXT_TYPES:
        assert b"\x00" not in data


TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("until", "expected"),
    [
        (None, Validity.VALID),
        (TODAY - timedelta(days=1), Validity.EXPIRED),
        (TODAY, Validity.EXPIRING),
        (TODAY + timedelta(days=30), Validity.EXPIRING),
        (TODAY + timedelta(days=31), Validity.VALID),
    ],
)
def test_validity(until: date | None, expected: Validity) -> None:
    assert rules.validity(until, TODAY) == expected
