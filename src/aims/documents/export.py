"""A document version as PDF (WeasyPrint) and DOCX (python-docx), with its metadata and
approval block.

The body is Markdown someone typed. The PDF gets the same sanitised HTML the page shows
(raw HTML in the source stays text, nh3 keeps only an allow-list, WeasyPrint fetches nothing);
the DOCX is built from the parsed Markdown as plain runs, so no markup ever reaches Word.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from jinja2 import DictLoader, Environment, StrictUndefined
from markupsafe import Markup

from aims.documents.rules import markdown_tokens, render_markdown
from aims.exports.pdf import html_to_pdf

PDF_MEDIA_TYPE = "application/pdf"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = ("pdf", "docx")

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: object) -> str:
    return _NOT_XML.sub("", str(text if text is not None else ""))


def _when(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


@dataclass(frozen=True)
class Content:
    """Everything one export shows; the two layouts add no facts of their own."""

    heading: str
    subtitle: str
    rows: list[tuple[str, str]]
    body: str
    approvals: list[tuple[str, str, str, str]]  # name, role, when, note
    approval_note: str
    filename_stem: str


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    return slug or "document"


def content_of(
    *,
    organisation: str,
    code: str,
    title: str,
    kind: str,
    classification: str,
    owner: str,
    revision: int,
    status: str,
    effective: date | None,
    next_review: date | None,
    retention_months: int | None,
    change_summary: str,
    body: str,
    author: str,
    approvals: list[tuple[str, str, datetime, str]],
    approved: bool,
    quorum: int,
) -> Content:
    retention = f"{retention_months} months" if retention_months else "Not set"
    rows = [
        ("Organisation", organisation),
        ("Identifier", code),
        ("Title", title),
        ("Kind", kind),
        ("Classification", classification.capitalize()),
        ("Owner", owner or "Not assigned"),
        ("Revision", str(revision)),
        ("Status", status.replace("_", " ").capitalize()),
        ("Effective from", _when(effective) or "Not in effect"),
        ("Next review", _when(next_review) or "Not scheduled"),
        ("Retention", retention),
        ("Author", author or "Unknown"),
        ("Changes in this revision", change_summary or "None recorded"),
        ("Generated", _when(datetime.now(UTC))),
    ]
    if approved:
        note = f"Approved ({len(approvals)} of {quorum} approvals needed)."
    else:
        note = f"Not approved: {len(approvals)} of {quorum} approvals given so far."
    return Content(
        heading=_clean(f"{code} {title}"),
        subtitle=_clean(f"Revision {revision}, {organisation}"),
        rows=[(label, _clean(value)) for label, value in rows],
        body=_clean(body),
        approvals=[
            (_clean(name), _clean(role), _when(when), _clean(n))
            for name, role, when, n in approvals
        ],
        approval_note=note,
        filename_stem=f"{_slug(code)}-r{revision}",
    )


# --- PDF -----------------------------------------------------------------------------------------

_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm;
  @bottom-left { content: string(heading); font-size: 7.5pt; color: #555; }
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 7.5pt; color: #555; } }
html { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; line-height: 1.45; color: #111; }
h1.title { font-size: 16pt; margin: 0 0 2mm; string-set: heading content(); }
.subtitle { color: #555; margin-bottom: 4mm; }
h2.part { font-size: 12pt; margin: 7mm 0 2mm; border-bottom: 0.75pt solid #999; }
table { width: 100%; border-collapse: collapse; margin: 0 0 3mm; }
th, td { border: 0.5pt solid #aaa; padding: 2pt 4pt; text-align: left; vertical-align: top; }
td.label { width: 30%; font-weight: bold; }
.body h1 { font-size: 14pt; } .body h2 { font-size: 12pt; } .body h3 { font-size: 10.5pt; }
.body pre { white-space: pre-wrap; background: #f4f4f4; padding: 2mm; }
.note { border-left: 2pt solid #999; padding-left: 3mm; }
"""

_TEMPLATES = {
    "document.html": """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ c.heading }}</title></head>
<body>
<h1 class="title">{{ c.heading }}</h1>
<p class="subtitle">{{ c.subtitle }}</p>
<table>
{% for label, value in c.rows %}
  <tr><td class="label">{{ label }}</td><td>{{ value }}</td></tr>
{% endfor %}
</table>
<h2 class="part">Text</h2>
<div class="body">{{ body }}</div>
<h2 class="part">Approval</h2>
<p class="note">{{ c.approval_note }}</p>
{% if c.approvals %}
<table>
  <tr><th>Approved by</th><th>Role</th><th>When</th><th>Note</th></tr>
  {% for name, role, when, note in c.approvals %}
  <tr><td>{{ name }}</td><td>{{ role }}</td><td>{{ when }}</td><td>{{ note }}</td></tr>
  {% endfor %}
</table>
{% endif %}
</body>
</html>
""",
}

_ENV = Environment(
    loader=DictLoader(_TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(content: Content) -> str:
    """The HTML WeasyPrint lays out: metadata escaped by autoescape, the body sanitised."""
    body = Markup(render_markdown(content.body))  # noqa: S704 - sanitised by nh3 just now
    return _ENV.get_template("document.html").render(c=content, body=body)


def to_pdf(content: Content) -> bytes:
    return html_to_pdf(render_html(content), _CSS)


# --- DOCX ----------------------------------------------------------------------------------------


def _inline(paragraph: Paragraph, token: Any) -> None:
    """Inline Markdown as runs: bold and italic kept, links as 'text (address)', no markup."""
    bold = italic = code = False
    href: str | None = None
    for child in token.children or []:
        kind = child.type
        if kind == "strong_open":
            bold = True
        elif kind == "strong_close":
            bold = False
        elif kind == "em_open":
            italic = True
        elif kind == "em_close":
            italic = False
        elif kind == "link_open":
            href = str(child.attrGet("href") or "")
        elif kind == "link_close":
            if href:
                paragraph.add_run(f" ({_clean(href)})")
            href = None
        elif kind in ("softbreak", "hardbreak"):
            paragraph.add_run("\n" if kind == "hardbreak" else " ")
        elif kind in ("text", "code_inline", "html_inline"):
            code = kind == "code_inline"
            run = paragraph.add_run(_clean(child.content))
            run.bold, run.italic = bold, italic
            if code:
                run.font.name = "Courier New"


def _body_docx(doc: DocxDocument, body: str) -> None:
    tokens = markdown_tokens(body)
    lists: list[str] = []
    quote = 0
    pending_style: str | None = None
    for token in tokens:
        kind = token.type
        if kind == "heading_open":
            pending_style = f"heading{min(int(token.tag[1]), 4) + 1}"
        elif kind == "bullet_list_open":
            lists.append("List Bullet")
        elif kind == "ordered_list_open":
            lists.append("List Number")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "inline":
            if pending_style and pending_style.startswith("heading"):
                paragraph = doc.add_heading(level=int(pending_style[7:]))
                pending_style = None
            elif lists:
                paragraph = doc.add_paragraph(style=lists[-1])
            elif quote:
                paragraph = doc.add_paragraph(style="Quote")
            else:
                paragraph = doc.add_paragraph()
            _inline(paragraph, token)
        elif kind in ("fence", "code_block", "html_block"):
            run = doc.add_paragraph().add_run(_clean(token.content).rstrip("\n"))
            run.font.name = "Courier New"
        elif kind == "hr":
            doc.add_paragraph("—" * 20)


def to_docx(content: Content) -> bytes:
    doc = new_docx()
    doc.core_properties.title = content.heading
    doc.core_properties.subject = content.subtitle
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(16)
    doc.styles["Normal"].font.size = Pt(10)
    section.footer.paragraphs[0].add_run(f"{content.heading} — {content.subtitle}")
    doc.add_heading(content.heading, level=0)
    doc.add_paragraph(content.subtitle)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in content.rows:
        left, right = table.add_row().cells
        left.paragraphs[0].add_run(label).bold = True
        right.paragraphs[0].add_run(value)
    doc.add_heading("Text", level=1)
    _body_docx(doc, content.body)
    doc.add_heading("Approval", level=1)
    doc.add_paragraph(content.approval_note)
    if content.approvals:
        grid = doc.add_table(rows=1, cols=4)
        grid.style = "Table Grid"
        for cell, text in zip(
            grid.rows[0].cells, ("Approved by", "Role", "When", "Note"), strict=True
        ):
            cell.paragraphs[0].add_run(text).bold = True
        for row in content.approvals:
            for cell, text in zip(grid.add_row().cells, row, strict=True):
                cell.text = text
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render(content: Content, fmt: str) -> tuple[bytes, str, str]:
    """The file, its media type and a safe ASCII download name."""
    if fmt == "pdf":
        return to_pdf(content), PDF_MEDIA_TYPE, f"{content.filename_stem}.pdf"
    return to_docx(content), DOCX_MEDIA_TYPE, f"{content.filename_stem}.docx"
