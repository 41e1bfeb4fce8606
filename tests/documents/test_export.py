"""PDF and DOCX exports of a document version: metadata, body, approval block, and a body's
script kept harmless in both files."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime

import docx
from fastapi.testclient import TestClient
from pypdf import PdfReader

from aims.access.rules import Role
from aims.documents import export as ex
from tests.conftest import Org
from tests.documents.test_api import API, approved

BODY = (
    "# Purpose\n\nWe use AI **carefully**.\n\n- one point\n- two points\n\n"
    "<script>alert('pdf')</script>\n\n<img src=x onerror=alert(2)>\n\n"
    "[home](https://example.org) and [trap](javascript:alert(3))\n"
)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    chunks = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            chunks.extend(cell.text for cell in row.cells)
    return " ".join(" ".join(chunks).split())


def content(**overrides: object) -> ex.Content:
    fields: dict[str, object] = dict(
        organisation="Acme Credit",
        code="POL-001",
        title="AI policy",
        kind="Policy",
        classification="internal",
        owner="Manager of Acme",
        revision=2,
        status="approved",
        effective=date(2026, 1, 1),
        next_review=date(2027, 1, 1),
        retention_months=72,
        change_summary="Second edition",
        body=BODY,
        author="Contributor of Acme",
        approvals=[("Owner of Acme", "owner", datetime(2026, 1, 2, 9, 0, tzinfo=UTC), "Go")],
        approved=True,
        quorum=1,
    )
    fields.update(overrides)
    return ex.content_of(**fields)  # type: ignore[arg-type]


def test_pdf_carries_metadata_body_and_approval_with_script_inert() -> None:
    data, media, name = ex.render(content(), "pdf")
    assert media == "application/pdf" and name == "pol-001-r2.pdf"
    text = pdf_text(data)
    for expected in (
        "POL-001 AI policy",
        "Classification Internal",
        "Retention 72 months",
        "Effective from 2026-01-01",
        "We use AI carefully",
        "one point",
        "Owner of Acme",
        "Approved (1 of 1 approvals needed)",
    ):
        assert expected in text, expected
    # The script is visible as text (raw HTML is not rendered), and the PDF has no scripts.
    assert "<script>alert('pdf')</script>" in text
    assert b"/JavaScript" not in data and b"/JS" not in data
    html = ex.render_html(content())
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert 'rel="noopener noreferrer"' in html


def test_docx_carries_the_same_with_no_markup_reaching_word() -> None:
    data, media, name = ex.render(content(approved=False, approvals=[]), "docx")
    assert media.endswith("wordprocessingml.document") and name == "pol-001-r2.docx"
    text = docx_text(data)
    assert "We use AI carefully." in text and "one point" in text and "Purpose" in text
    assert "Not approved: 0 of 1 approvals given so far." in text
    assert "<script>alert('pdf')</script>" in text  # literal text, escaped by the XML writer
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "<script" not in xml and "&lt;script&gt;" in xml
    bold = [r.text for p in docx.Document(io.BytesIO(data)).paragraphs for r in p.runs if r.bold]
    assert "carefully" in bold


def test_exports_through_the_api_and_the_format_check(client: TestClient, org: Org) -> None:
    doc = approved(client, org, body=BODY)
    ver = doc["current"]["id"]
    url = f"{API}/{doc['id']}/versions/{ver}/export"
    pdf = client.get(url, params={"format": "pdf"}, headers=org.headers(Role.AUDITOR))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert 'filename="pol-001-r1.pdf"' in pdf.headers["content-disposition"]
    text = pdf_text(pdf.content)
    assert "Information security policy" in text and org.emails[Role.MANAGER] not in text
    assert "Manager of Acme Credit" in text  # the approver, by name, in the approval block
    word = client.get(url, params={"format": "docx"}, headers=org.headers(Role.AUDITOR))
    assert word.status_code == 200 and "<script>alert('pdf')</script>" in docx_text(word.content)
    assert client.get(url, params={"format": "txt"}, headers=org.headers()).status_code == 422
