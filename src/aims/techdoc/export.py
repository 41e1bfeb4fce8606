"""A system's technical documentation outline as PDF (WeasyPrint) and DOCX (python-docx).

Both formats carry the same content, taken from the outline's API shape: each Annex IV section
with its guidance, what it draws on, and what is still missing, in italics. Every value is text
someone typed: the HTML is built by Jinja2 with autoescaping, WeasyPrint fetches nothing, and
characters XML cannot hold are dropped before either format sees them.
"""

from __future__ import annotations

import io
import re
import unicodedata

from docx import Document
from docx.shared import Mm, Pt
from jinja2 import DictLoader, Environment, StrictUndefined

from aims.errors import FieldError, ValidationFailed
from aims.exports.pdf import html_to_pdf
from aims.techdoc.schemas import OutlineOut

PDF_MEDIA_TYPE = "application/pdf"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = ("pdf", "docx")
HEADING = "Technical documentation (EU AI Act Annex IV, ISO/IEC 42001 A.6.2.7)"
MISSING = "Missing"

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class ExportFormatError(ValidationFailed, ValueError):
    """An unknown format was asked for (422 naming the allowed ones)."""


def _clean(text: object) -> str:
    return _NOT_XML.sub("", str(text if text is not None else ""))


def _summary(o: OutlineOut) -> str:
    return (f"{o.present} item(s) recorded, {o.missing} missing ({o.percent}% complete); "
            f"generated {o.generated_at.strftime('%Y-%m-%d %H:%M')} UTC")  # fmt: skip


_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: sans-serif; font-size: 10pt; }
h1 { font-size: 16pt; } h2 { font-size: 12pt; margin-top: 14pt; }
.guidance { color: #444; font-size: 9pt; }
table { width: 100%; border-collapse: collapse; }
td { border: 1px solid #999; padding: 3pt; vertical-align: top; }
td.label { width: 35%; font-weight: bold; }
.missing { font-style: italic; color: #8a1c1c; }
"""

_TEMPLATES = {
    "outline.html": """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ heading }}</title></head>
<body>
<h1>{{ heading }}</h1>
<p><strong>{{ c(o.system_name) }}</strong>
{% if o.risk_class %} · EU AI Act class: {{ o.risk_class.replace('_', ' ') }}{% endif %}</p>
<p>{{ summary }}</p>
{% for s in o.sections %}
<h2>{{ s.point }}. {{ s.title }} — {{ s.state }}
 ({{ s.present }} of {{ s.present + s.missing }})</h2>
<p class="guidance">{{ s.guidance }}</p>
<table>
{% for e in s.entries %}
<tr><td class="label">{{ c(e.label) }}</td>
{% if e.missing %}<td class="missing">{{ missing }}: {{ c(e.value) }}</td>
{% else %}<td>{{ c(e.value) }}</td>{% endif %}</tr>
{% endfor %}
</table>
{% endfor %}
</body></html>
""",
}

_ENV = Environment(
    loader=DictLoader(_TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(o: OutlineOut) -> str:
    """The HTML WeasyPrint lays out; Jinja2's autoescape escapes every value."""
    return _ENV.get_template("outline.html").render(
        o=o, c=_clean, heading=HEADING, summary=_summary(o), missing=MISSING
    )


def outline_pdf(o: OutlineOut) -> bytes:
    return html_to_pdf(render_html(o), _CSS)


def outline_docx(o: OutlineOut) -> bytes:
    doc = Document()
    doc.core_properties.title = HEADING
    doc.core_properties.subject = _clean(o.system_name)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(16)
    doc.styles["Normal"].font.size = Pt(10)
    doc.add_heading(HEADING, level=0)
    doc.add_paragraph(_clean(o.system_name)).runs[0].bold = True
    if o.risk_class:
        doc.add_paragraph(f"EU AI Act class: {o.risk_class.replace('_', ' ')}")
    doc.add_paragraph(_summary(o))
    for s in o.sections:
        doc.add_heading(
            f"{s.point}. {s.title} — {s.state} ({s.present} of {s.present + s.missing})", level=1
        )
        doc.add_paragraph().add_run(s.guidance).italic = True
        table = doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for e in s.entries:
            label, value = table.add_row().cells
            label.paragraphs[0].add_run(_clean(e.label)).bold = True
            run = value.paragraphs[0].add_run(
                f"{MISSING}: {_clean(e.value)}" if e.missing else _clean(e.value)
            )
            run.italic = e.missing
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    return slug or "system"


def export(o: OutlineOut, fmt: str) -> tuple[bytes, str, str]:
    """The file, its media type and a safe download name; unknown formats are a 422."""
    if fmt not in FORMATS:
        raise ExportFormatError(
            "unknown export format",
            errors=[FieldError(("format",), f"must be one of: {', '.join(FORMATS)}")],
        )
    data = outline_pdf(o) if fmt == "pdf" else outline_docx(o)
    media = PDF_MEDIA_TYPE if fmt == "pdf" else DOCX_MEDIA_TYPE
    return data, media, f"technical-documentation-{_slug(o.system_name)}.{fmt}"
