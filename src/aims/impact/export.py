"""An impact assessment and its FRIA as PDF (WeasyPrint) and DOCX (python-docx) files.

Auditors and approvers want a document they can file, print and sign, so both formats carry
the same content, built once as plain rows below and then laid out twice. Every field is text
a person typed: the HTML is built by Jinja2 with autoescaping, WeasyPrint may fetch nothing,
and characters XML cannot hold are dropped before they reach either format.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from jinja2 import DictLoader, Environment, StrictUndefined

from aims.errors import FieldError, ValidationFailed
from aims.exports.pdf import html_to_pdf
from aims.impact.questionnaire import QuestionKind, Questionnaire
from aims.impact.rules import MITIGATION_THRESHOLD, REDUCTION, TEXT_PARTS, Score
from aims.impact.schemas import AssessmentOut, FriaOut, ImpactOut, SystemInfo
from aims.impact.vocab import Affected, Dimension, Nature, Reversibility

PDF_MEDIA_TYPE = "application/pdf"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = ("pdf", "docx")
VIEWS = ("assessment", "fria")

ASSESSMENT_HEADING = "AI system impact assessment"
FRIA_HEADING = "Fundamental rights impact assessment (EU AI Act Art. 27)"
NOT_WRITTEN = "Not written yet"
NOT_RECORDED = "Not recorded"
NOT_ANSWERED = "Questionnaire not answered yet"
SIGN_LINES = ("Approver's name", "Signature", "Date")  # blank lines until approved

_AFFECTED = {
    Affected.INDIVIDUALS: "Individuals (A.5.4)",
    Affected.GROUPS: "Groups of people (A.5.4)",
    Affected.SOCIETY: "Society as a whole (A.5.5)",
}
_NATURE = {Nature.HARM: "Harm", Nature.BENEFIT: "Benefit"}
_REVERSIBILITY = {
    Reversibility.REVERSIBLE: "Can be reversed",
    Reversibility.HARD_TO_REVERSE: "Hard to reverse",
    Reversibility.IRREVERSIBLE: "Cannot be reversed",
}
_KIND = {QuestionKind.IMPACT: "Impact", QuestionKind.MITIGATION: "Mitigation"}

# Characters XML 1.0 cannot carry; python-docx refuses them and they mean nothing in print.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class ExportOptionError(ValidationFailed, ValueError):
    """An unknown format or view was asked for; the API answers 422 with the allowed ones."""


# --- Content, built once for both formats ------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One label and its value; ``empty`` values are shown in italics as a placeholder."""

    label: str
    value: str
    empty: bool = False


@dataclass(frozen=True)
class Part:
    """A narrative part of the record (or a FRIA element): a heading and its paragraphs."""

    title: str
    paragraphs: list[str]
    placeholder: str = ""  # shown in italics when there are no paragraphs
    note: str = ""  # a small line under the heading, e.g. where the text comes from


@dataclass(frozen=True)
class ScoreView:
    sections: list[tuple[str, str, int, int]]  # title, kind, score, maximum
    totals: list[Row]


@dataclass(frozen=True)
class AnswerGroup:
    title: str
    items: list[tuple[str, list[str]]]  # question text, chosen answer labels


@dataclass(frozen=True)
class ImpactView:
    heading: str
    rows: list[Row]


@dataclass(frozen=True)
class SignOff:
    rows: list[Row]
    approved: bool


@dataclass(frozen=True)
class Content:
    """Everything one export shows, in reading order; the layouts add no facts of their own."""

    heading: str
    subtitle: str  # system, revision and organisation; also the page footer
    title_rows: list[Row]
    notes: list[str] = field(default_factory=list)
    system_rows: list[Row] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    score: ScoreView | None = None
    answers: list[AnswerGroup] = field(default_factory=list)
    answers_note: str = ""
    impacts: list[ImpactView] = field(default_factory=list)
    signoff: SignOff | None = None
    fria: bool = False


def _clean(text: object) -> str:
    """User text without the control characters neither XML nor a printed page can hold."""
    return _NOT_XML.sub("", str(text if text is not None else ""))


def _paragraphs(text: str) -> list[str]:
    """Blank lines separate paragraphs; single line breaks stay inside one."""
    blocks = re.split(r"\n[ \t]*\n", _clean(text).replace("\r\n", "\n").strip())
    return [b.strip("\n") for b in blocks if b.strip()]


def _row(label: str, value: object, placeholder: str = NOT_RECORDED) -> Row:
    text = _clean(value).strip()
    return Row(label, text, empty=False) if text else Row(label, placeholder, empty=True)


def _when(value: datetime | date | None) -> str:
    """Dates as ISO (unambiguous everywhere); times in UTC when the zone is known."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _percent(share: float) -> str:
    return f"{round(share * 100, 1):g} %"


def _words(value: str | None) -> str:
    """A stored code such as ``human_in_the_loop`` as words, for the inventory's enum fields."""
    return (value or "").replace("_", " ").strip()


def _status(status: str) -> str:
    return _words(status).capitalize()


def _level(a: AssessmentOut) -> str:
    return f"Level {a.level.value}" if a.level else "Not determined yet"


def _title_rows(a: AssessmentOut, organisation: str, *, questionnaire: bool) -> list[Row]:
    rows = [
        _row("Organisation", organisation),
        _row("Assessment", a.title),
        _row("AI system", a.system.name or a.system_name),
        Row("Revision", str(a.revision)),
        Row("Status", _status(a.status)),
        Row("Impact level", _level(a)),
        _row("Next review due", _when(a.due_date), "No date set"),
    ]
    if questionnaire:
        rows.append(_row("Questionnaire version", a.questionnaire_version))
    rows.append(Row("Generated", _when(datetime.now(UTC))))
    return rows


def _taken(value: str | None) -> str:
    """The snapshot time as the other times read; left as stored when it is not ISO."""
    try:
        return _when(datetime.fromisoformat(value)) if value else ""
    except ValueError:
        return value or ""


def _system_rows(s: SystemInfo) -> list[Row]:
    return [
        _row("Name", s.name),
        _row("Purpose", s.purpose),
        _row("Description", s.description),
        _row("Intended use", s.intended_use),
        _row("Foreseeable misuse", s.foreseeable_misuse),
        _row("Users", s.users_description),
        _row("Affected persons", s.affected_persons),
        _row("Level of automation", _words(s.automation_level)),
        _row("Human oversight", s.human_oversight),
        _row("Life cycle stage", _words(s.lifecycle_stage)),
        _row("Our role (EU AI Act)", _words(s.operator_role)),
        _row("EU AI Act classification", _words(s.risk_class)),
        _row("Components", ", ".join(_clean(c) for c in s.components)),
        _row("Copied from the inventory", _taken(s.taken_at), "Date not recorded"),
    ]


def _score_view(score: Score) -> ScoreView:
    threshold = _percent(float(MITIGATION_THRESHOLD))
    reduction = _percent(float(REDUCTION))
    applied = (
        f"Applied: mitigation reached {threshold} of its maximum"
        if score.reduction_applied
        else f"Not applied: mitigation is below {threshold} of its maximum"
    )
    totals = [
        Row("Raw impact score", f"{score.raw_impact} of {score.max_impact}"),
        Row(
            "Mitigation score",
            f"{score.mitigation} of {score.max_mitigation} ({_percent(score.mitigation_share)})",
        ),
        Row(f"Reduction by {reduction}", applied),
        Row("Impact score after reduction", _number(score.adjusted_impact)),
        Row("Share of the maximum impact score", _percent(score.impact_share)),
        Row("Resulting level", f"Level {score.level.value}"),
    ]
    if score.unanswered:
        totals.append(Row("Questions not answered (count as 0)", str(len(score.unanswered))))
    totals.append(
        Row(
            "Scored with",
            f"questionnaire {score.questionnaire_id} {score.questionnaire_version}, "
            f"rules {score.rules_version}",
        )
    )
    return ScoreView(
        sections=[(_clean(s.title), _KIND[s.kind], s.score, s.max) for s in score.sections],
        totals=totals,
    )


def _labels(questionnaire: Questionnaire, question_id: str, value: str | list[str]) -> list[str]:
    chosen = [value] if isinstance(value, str) else list(value)
    if not chosen:
        return ["None of these apply"]
    try:
        question = questionnaire.question(question_id)
    except KeyError:
        return [_clean(v) for v in chosen]
    labels = []
    for answer_id in chosen:
        option = question.answer(answer_id)
        labels.append(_clean(option.label if option else answer_id))
    return labels


def _answer_groups(a: AssessmentOut, questionnaire: Questionnaire) -> list[AnswerGroup]:
    """Answered questions by section in questionnaire order; unknown ids are kept, not lost."""
    groups = []
    for section in questionnaire.sections:
        items = [
            (_clean(q.text), _labels(questionnaire, q.id, a.answers[q.id]))
            for q in questionnaire.questions
            if q.section == section.id and q.id in a.answers
        ]
        if items:
            groups.append(AnswerGroup(_clean(section.title), items))
    known = {q.id for q in questionnaire.questions}
    others = [
        (_clean(qid), _labels(questionnaire, qid, value))
        for qid, value in a.answers.items()
        if qid not in known
    ]
    if others:
        groups.append(AnswerGroup("Questions no longer in the questionnaire", others))
    return groups


def _impact_view(number: int, i: ImpactOut) -> ImpactView:
    dimension = Dimension(i.dimension).label
    if i.charter_article:
        dimension = f"{dimension} ({_clean(i.charter_article)})"
    nature = _NATURE[Nature(i.nature)]
    return ImpactView(
        heading=f"Impact {number}: {nature} — {Dimension(i.dimension).label}",
        rows=[
            Row("Affected", _AFFECTED[Affected(i.affected)]),
            _row("Who", i.who),
            Row("Dimension", dimension),
            Row("Nature", nature),
            _row("Description", i.description),
            Row("Likelihood", i.likelihood.label.capitalize()),
            Row("Severity", i.severity.label.capitalize()),
            Row("Reversibility", _REVERSIBILITY[Reversibility(i.reversibility)]),
            Row("People affected", i.people.label.capitalize()),
            _row("Measures in place", i.existing_measures, "None recorded"),
            _row("Measures planned", i.planned_measures, "None recorded"),
            _row(
                "Residual level",
                f"Level {i.residual_level.value}" if i.residual_level else "",
                "Not set",
            ),
            Row(
                "Risk register",
                f"Sent to the risk register (referral {i.referral_id})"
                if i.referral_id
                else "Not sent",
            ),
        ],
    )


def _signoff(a: AssessmentOut) -> SignOff:
    approved = a.approved_at is not None
    return SignOff(
        rows=[
            _row("Author", a.author, "Unknown"),
            _row("Submitted for review", _when(a.submitted_at), "Not submitted yet"),
            _row("Approved by", a.approved_by, "Not approved yet"),
            _row("Approved on", _when(a.approved_at), "Not approved yet"),
            _row("Review note", a.review_note, "None"),
        ],
        approved=approved,
    )


def _subtitle(a: AssessmentOut, organisation: str) -> str:
    return _clean(f"{a.system.name or a.system_name}, revision {a.revision}, {organisation}")


def assessment_content(
    a: AssessmentOut, *, organisation: str, questionnaire: Questionnaire
) -> Content:
    """The assessment export's content; public so other faces can reuse the same wording."""
    notes = []
    if a.questionnaire_version != questionnaire.version:
        notes.append(
            f"The answers were given against questionnaire version "
            f"{_clean(a.questionnaire_version)}; question and answer wording below is from "
            f"version {questionnaire.version}."
        )
    return Content(
        heading=ASSESSMENT_HEADING,
        subtitle=_subtitle(a, organisation),
        title_rows=_title_rows(a, organisation, questionnaire=True),
        notes=notes,
        system_rows=_system_rows(a.system),
        parts=[
            Part(title, _paragraphs(getattr(a, name)), placeholder=NOT_WRITTEN)
            for name, title, _hint in TEXT_PARTS
        ],
        score=_score_view(a.score) if a.score else None,
        answers=_answer_groups(a, questionnaire),
        answers_note="" if a.answers else "No questions answered yet.",
        impacts=[_impact_view(n, i) for n, i in enumerate(a.impacts, start=1)],
        signoff=_signoff(a),
    )


def fria_content(a: AssessmentOut, f: FriaOut, *, organisation: str) -> Content:
    """The FRIA export's content: each Art. 27(1) element, and what is still to be written."""
    required = (
        "The system's latest EU AI Act classification requires a fundamental rights impact "
        "assessment before first use (Art. 27)."
        if f.fria_required
        else "The system's latest EU AI Act classification does not require a fundamental "
        "rights impact assessment; this one is kept voluntarily."
    )
    filled = sum(e.filled for e in f.elements)
    if f.complete:
        summary = f"Complete: all {len(f.elements)} elements are filled."
    else:
        missing = ", ".join(f"({_clean(m)})" for m in f.missing)
        summary = (
            f"Incomplete: {filled} of {len(f.elements)} elements filled; still empty: {missing}."
        )
    return Content(
        heading=FRIA_HEADING,
        subtitle=_subtitle(a, organisation),
        title_rows=_title_rows(a, organisation, questionnaire=False),
        notes=[required, summary],
        parts=[
            Part(
                f"({e.letter}) {_clean(e.title)}",
                [p for text in e.paragraphs for p in _paragraphs(text)],
                placeholder=f"Still empty — complete: {_clean(e.source)}",
                note=f"Taken from: {_clean(e.source)}",
            )
            for e in f.elements
        ],
        signoff=_signoff(a),
        fria=True,
    )


# --- PDF -----------------------------------------------------------------------------------------

_CSS = """
@page {
  size: A4;
  margin: 18mm 16mm 20mm 16mm;
  font-family: "DejaVu Sans", sans-serif;
  @bottom-left { content: string(heading) " — " string(subtitle); font-size: 7.5pt;
                 color: #555; }
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 7.5pt; color: #555; }
}
html { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; line-height: 1.4; color: #111; }
h1 { font-size: 16pt; margin: 0 0 2mm; string-set: heading content(); }
h2 { font-size: 12pt; margin: 7mm 0 2mm; border-bottom: 0.75pt solid #999;
     break-after: avoid; }
h3 { font-size: 10pt; margin: 4mm 0 1.5mm; break-after: avoid; }
p { margin: 0 0 2mm; }
.subtitle { string-set: subtitle content(); color: #555; margin-bottom: 4mm; }
.text { white-space: pre-wrap; }
.empty { font-style: italic; color: #666; }
.source { font-size: 8pt; color: #555; margin-bottom: 1mm; break-after: avoid; }
.note { border-left: 2pt solid #999; padding-left: 3mm; }
table { width: 100%; border-collapse: collapse; margin: 0 0 3mm; }
th, td { border: 0.5pt solid #aaa; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #eee; }
tr { break-inside: avoid; }
td.label { width: 32%; font-weight: bold; }
td.num, th.num { text-align: right; width: 14%; }
td.kind { width: 16%; }
tr.total td { background: #f6f6f6; }
.answers td.question { width: 58%; }
.sign { margin-top: 4mm; width: 70%; break-inside: avoid; }
.sign td { border: none; padding: 8mm 4pt 0; }
.sign td.label { width: 30%; font-weight: normal; }
.sign td.line { border-bottom: 0.75pt solid #000; }
"""

_TEMPLATES = {
    "macros.html": """
{% macro rows_table(rows) %}
<table class="rows">
{% for r in rows %}
  <tr><td class="label">{{ r.label }}</td>
      <td class="text{{ ' empty' if r.empty }}">{{ r.value }}</td></tr>
{% endfor %}
</table>
{% endmacro %}
{% macro part(p) %}
<h3>{{ p.title }}</h3>
{% if p.note %}<p class="source">{{ p.note }}</p>{% endif %}
{% for para in p.paragraphs %}<p class="text">{{ para }}</p>{% endfor %}
{% if not p.paragraphs %}<p class="empty">{{ p.placeholder }}</p>{% endif %}
{% endmacro %}
""",
    "document.html": """{% import "macros.html" as m %}
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ c.heading }}</title></head>
<body>
<h1>{{ c.heading }}</h1>
<p class="subtitle">{{ c.subtitle }}</p>
{{ m.rows_table(c.title_rows) }}
{% for n in c.notes %}<p class="note">{{ n }}</p>{% endfor %}

{% if not c.fria %}
<h2>System information (from the inventory)</h2>
{{ m.rows_table(c.system_rows) }}
<h2>The assessment</h2>
{% endif %}
{% if c.fria %}<h2>Elements (a) to (f) of Art. 27(1)</h2>{% endif %}
{% for p in c.parts %}{{ m.part(p) }}{% endfor %}

{% if not c.fria %}
<h2>Score breakdown</h2>
{% if c.score %}
<table class="score">
  <tr><th>Section</th><th>Kind</th><th class="num">Score</th><th class="num">Maximum</th></tr>
  {% for title, kind, score, top in c.score.sections %}
  <tr><td>{{ title }}</td><td class="kind">{{ kind }}</td>
      <td class="num">{{ score }}</td><td class="num">{{ top }}</td></tr>
  {% endfor %}
</table>
{{ m.rows_table(c.score.totals) }}
{% else %}
<p class="empty">{{ not_answered }}</p>
{% endif %}

<h2>Questionnaire answers</h2>
{% if c.answers_note %}<p class="empty">{{ c.answers_note }}</p>{% endif %}
{% for g in c.answers %}
<h3>{{ g.title }}</h3>
<table class="answers">
  {% for question, labels in g.items %}
  <tr><td class="question">{{ question }}</td><td>{{ labels | join("; ") }}</td></tr>
  {% endfor %}
</table>
{% endfor %}

<h2>Impacts</h2>
{% if not c.impacts %}<p class="empty">No impacts recorded yet.</p>{% endif %}
{% for i in c.impacts %}
<h3>{{ i.heading }}</h3>
{{ m.rows_table(i.rows) }}
{% endfor %}
{% endif %}

<h2>Sign-off</h2>
{{ m.rows_table(c.signoff.rows) }}
{% if not c.signoff.approved %}
<table class="sign">
{% for label in sign_lines %}
  <tr><td class="label">{{ label }}</td><td class="line"></td></tr>
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
    """The HTML WeasyPrint lays out; every value is escaped by Jinja2's autoescape."""
    return _ENV.get_template("document.html").render(
        c=content,
        not_answered=NOT_ANSWERED,
        sign_lines=SIGN_LINES,
    )


def _pdf(content: Content) -> bytes:
    return html_to_pdf(render_html(content), _CSS)


# --- DOCX ----------------------------------------------------------------------------------------


def _new_docx(content: Content) -> DocxDocument:
    """An A4 document with page numbers in the footer, like the PDF."""
    doc = Document()
    doc.core_properties.title = content.heading
    doc.core_properties.subject = content.subtitle
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(16)
    section.top_margin, section.bottom_margin = Mm(18), Mm(20)
    doc.styles["Normal"].font.size = Pt(10)

    footer = section.footer.paragraphs[0]
    footer.add_run(f"{content.heading} — {content.subtitle}    ")
    for i, instruction in enumerate(("PAGE", "NUMPAGES")):
        if i:
            footer.add_run(" / ")
        fld = OxmlElement("w:fldSimple")
        fld.set(qn("w:instr"), instruction)
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        fld.append(run)
        footer._p.append(fld)
    return doc


def _docx_rows(doc: DocxDocument, rows: Sequence[Row]) -> None:
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for r in rows:
        label, value = table.add_row().cells
        label.width, value.width = Mm(55), Mm(123)
        label.paragraphs[0].add_run(r.label).bold = True
        value.paragraphs[0].add_run(r.value).italic = r.empty


def _docx_part(doc: DocxDocument, part: Part) -> None:
    doc.add_heading(part.title, level=3)
    if part.note:
        doc.add_paragraph().add_run(part.note).font.size = Pt(8)
    for para in part.paragraphs:
        doc.add_paragraph(para)
    if not part.paragraphs:
        doc.add_paragraph().add_run(part.placeholder).italic = True


def _docx_signoff(doc: DocxDocument, signoff: SignOff) -> None:
    doc.add_heading("Sign-off", level=2)
    _docx_rows(doc, signoff.rows)
    if not signoff.approved:
        doc.add_paragraph()
        for label in SIGN_LINES:
            doc.add_paragraph(f"{label}: {'_' * 40}")


def _docx(content: Content) -> bytes:
    doc = _new_docx(content)
    doc.add_heading(content.heading, level=0)
    doc.add_paragraph(content.subtitle)
    _docx_rows(doc, content.title_rows)
    for note in content.notes:
        doc.add_paragraph(note)

    if content.fria:
        doc.add_heading("Elements (a) to (f) of Art. 27(1)", level=2)
    else:
        doc.add_heading("System information (from the inventory)", level=2)
        _docx_rows(doc, content.system_rows)
        doc.add_heading("The assessment", level=2)
    for part in content.parts:
        _docx_part(doc, part)

    if not content.fria:
        doc.add_heading("Score breakdown", level=2)
        if content.score:
            table = doc.add_table(rows=1, cols=4)
            table.style = "Table Grid"
            for cell, text in zip(
                table.rows[0].cells, ("Section", "Kind", "Score", "Maximum"), strict=True
            ):
                cell.paragraphs[0].add_run(text).bold = True
            for title, kind, score, top in content.score.sections:
                cells = table.add_row().cells
                for cell, text in zip(cells, (title, kind, str(score), str(top)), strict=True):
                    cell.text = text
            doc.add_paragraph()
            _docx_rows(doc, content.score.totals)
        else:
            doc.add_paragraph().add_run(NOT_ANSWERED).italic = True

        doc.add_heading("Questionnaire answers", level=2)
        if content.answers_note:
            doc.add_paragraph().add_run(content.answers_note).italic = True
        for group in content.answers:
            doc.add_heading(group.title, level=3)
            table = doc.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for question, labels in group.items:
                left, right = table.add_row().cells
                left.width, right.width = Mm(100), Mm(78)
                left.text, right.text = question, "; ".join(labels)

        doc.add_heading("Impacts", level=2)
        if not content.impacts:
            doc.add_paragraph().add_run("No impacts recorded yet.").italic = True
        for impact in content.impacts:
            doc.add_heading(impact.heading, level=3)
            _docx_rows(doc, impact.rows)

    if content.signoff:
        _docx_signoff(doc, content.signoff)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- The four exports, and one entry point for the faces -----------------------------------------


def assessment_pdf(a: AssessmentOut, *, organisation: str, questionnaire: Questionnaire) -> bytes:
    """The assessment as a PDF to file, print and sign."""
    return _pdf(assessment_content(a, organisation=organisation, questionnaire=questionnaire))


def assessment_docx(a: AssessmentOut, *, organisation: str, questionnaire: Questionnaire) -> bytes:
    """The assessment as a Word document, for people who annotate or merge it into others."""
    return _docx(assessment_content(a, organisation=organisation, questionnaire=questionnaire))


def fria_pdf(a: AssessmentOut, f: FriaOut, *, organisation: str) -> bytes:
    """The Art. 27 FRIA drawn from the assessment, as a PDF."""
    return _pdf(fria_content(a, f, organisation=organisation))


def fria_docx(a: AssessmentOut, f: FriaOut, *, organisation: str) -> bytes:
    """The Art. 27 FRIA drawn from the assessment, as a Word document."""
    return _docx(fria_content(a, f, organisation=organisation))


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    return slug or "system"


def export_filename(a: AssessmentOut, *, fmt: str, view: str) -> str:
    """A safe ASCII download name, e.g. ``impact-assessment-creditlens-r2.pdf``."""
    stem = "impact-assessment" if view == "assessment" else "fria"
    return f"{stem}-{_slug(a.system.name or a.system_name)}-r{a.revision}.{fmt}"


def export(
    a: AssessmentOut,
    f: FriaOut | None,
    *,
    fmt: str,
    view: str,
    organisation: str,
    questionnaire: Questionnaire,
) -> tuple[bytes, str, str]:
    """The file, its media type and its download name; raises ``ExportOptionError`` (422)."""
    problems = []
    if fmt not in FORMATS:
        problems.append(FieldError(("format",), f"must be one of: {', '.join(FORMATS)}"))
    if view not in VIEWS:
        problems.append(FieldError(("view",), f"must be one of: {', '.join(VIEWS)}"))
    if problems:
        raise ExportOptionError("unknown export format or view", errors=problems)
    if view == "fria":
        if f is None:
            raise ExportOptionError(
                "the FRIA view needs the FRIA", errors=[FieldError(("view",), "no FRIA given")]
            )
        data = (fria_pdf if fmt == "pdf" else fria_docx)(a, f, organisation=organisation)
    else:
        render = assessment_pdf if fmt == "pdf" else assessment_docx
        data = render(a, organisation=organisation, questionnaire=questionnaire)
    media_type = PDF_MEDIA_TYPE if fmt == "pdf" else DOCX_MEDIA_TYPE
    return data, media_type, export_filename(a, fmt=fmt, view=view)
