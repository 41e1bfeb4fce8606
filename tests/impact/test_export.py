"""Impact assessment exports: PDF and DOCX files read back, escaping, FRIA gaps, download names."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime
from typing import Any

import docx
import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from aims.impact import export as ex
from aims.impact import rules
from aims.impact.questionnaire import Questionnaire, get_questionnaire
from aims.impact.rules import ImpactLevel
from aims.impact.schemas import AssessmentOut, FriaOut, ImpactOut, SystemInfo

ORG = "Northbank Lending B.V."
SCRIPT = "<script>alert(1)</script>"
IMG = '<img src="http://127.0.0.1:9/leak.png">'
HARM = "Postcode acts as a stand-in for ethnic origin and lowers limits in some neighbourhoods"
ANSWERS: dict[str, str | list[str]] = {
    "imp-fair-01": "public",
    "imp-fair-02": ["location", "career_gaps"],
    "imp-fair-04": "terms",
    "imp-priv-01": ["identity", "financial"],
    "imp-priv-02": "from_person",
    "mit-gov-01": "named",
    "mit-gov-02": "approved",
}
TEXTS = {
    "scope": "CreditLens 4.2 as used for consumer loans up to EUR 50,000 in the Netherlands.",
    "data_info": "Ten years of loan applications and repayment history from our own books.",
    "model_info": "Gradient-boosted trees over 58 features; validated on a 2024 hold-out set.",
    "deployment": "Loan officers see the score and the top five reasons next to each application.",
    "use_period": "Since March 2025, for every new application (about 400 a day).",
    "interested_parties": "Applicants, loan officers, the consumer credit regulator.",
    "oversight": "Every refusal is reviewed by a second loan officer before it is sent.",
    "remedies": "Applicants can ask for a human review; complaints go to the credit committee.",
}


def _system() -> SystemInfo:
    return SystemInfo(
        id=uuid.uuid4(),
        name="CreditLens",
        purpose="Score the credit risk of consumer loan applications",
        description="Predicts the probability of default for a loan application.",
        intended_use="Support loan officers deciding on consumer loans",
        foreseeable_misuse="Used to refuse applicants automatically without review",
        users_description="Loan officers in the consumer lending team",
        affected_persons="Loan applicants",
        automation_level="human_in_the_loop",
        human_oversight="A loan officer confirms every decision",
        lifecycle_stage="operation",
        operator_role="deployer",
        risk_class="high_risk",
        components=["XGBoost 2.0", "Bureau data feed"],
        taken_at="2026-01-15T09:30:00+00:00",
    )


def _impacts() -> list[ImpactOut]:
    return [
        ImpactOut(
            key="k-harm",
            affected="groups",
            who="Applicants living in low-income postcodes",
            dimension="fairness",
            nature="harm",
            description=HARM,
            likelihood=3,
            severity=3,
            reversibility="hard_to_reverse",
            people="10k_to_1m",
            existing_measures="Quarterly disparate-impact test per region",
            planned_measures="Drop the postcode feature in release 4.3",
            referral_id=uuid.uuid4(),
        ),
        ImpactOut(
            key="k-benefit",
            affected="individuals",
            who="Applicants with a thin credit file",
            dimension="work",
            nature="benefit",
            description="Faster decisions for applicants who used to wait two weeks",
            likelihood=4,
            severity=2,
            residual_level=ImpactLevel.I,
        ),
    ]


def _content(
    texts: dict[str, str], impacts: list[ImpactOut], answers: dict[str, Any]
) -> dict[str, Any]:
    return {**texts, "answers": answers, "impacts": [i.model_dump(mode="json") for i in impacts]}


def make_assessment(
    q: Questionnaire,
    *,
    answers: dict[str, str | list[str]] | None = None,
    approved: bool = False,
    **texts: str,
) -> AssessmentOut:
    """A realistic CreditLens assessment; ``texts`` override the narrative parts."""
    answers = ANSWERS if answers is None else answers
    parts = {**TEXTS, **texts}
    impacts = _impacts()
    score = rules.score(q, answers) if answers else None
    system = _system()
    now = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)
    return AssessmentOut(
        id=uuid.uuid4(),
        series_id=uuid.uuid4(),
        revision=2,
        status="approved" if approved else "in_review",
        title="CreditLens impact assessment 2026",
        system_id=system.id,
        system_name=system.name,
        level=score.level if score else None,
        due_date=date(2027, 2, 1),
        overdue=False,
        version=5,
        updated_at=now,
        **parts,
        answers=answers,
        questionnaire_version=q.version,
        impacts=impacts,
        score=score,
        progress=rules.progress(_content(parts, impacts, answers), q),
        system=system,
        fria_required=True,
        author="ana.author@northbank.example",
        approved_by="max.manager@northbank.example" if approved else None,
        submitted_at=now,
        approved_at=datetime(2026, 2, 3, 14, 0, tzinfo=UTC) if approved else None,
        review_note="Checked against the DPIA of January.",
        created_at=now,
    )


def make_fria(a: AssessmentOut) -> FriaOut:
    content = _content({name: getattr(a, name) for name in rules.TEXT_FIELDS}, a.impacts, a.answers)
    elements = rules.fria_elements(content, a.system.model_dump(mode="json"))
    missing = [e.letter for e in elements if not e.filled]
    return FriaOut(
        assessment_id=a.id,
        fria_required=a.fria_required,
        complete=not missing,
        missing=missing,
        elements=elements,
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


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return get_questionnaire()


@pytest.fixture(scope="module")
def assessment(q: Questionnaire) -> AssessmentOut:
    return make_assessment(q, scope=f"Scope with markup {SCRIPT} and {IMG} typed in.")


@pytest.fixture(scope="module")
def pdf(assessment: AssessmentOut, q: Questionnaire) -> bytes:
    return ex.assessment_pdf(assessment, organisation=ORG, questionnaire=q)


@pytest.fixture(scope="module")
def docx_data(assessment: AssessmentOut, q: Questionnaire) -> bytes:
    return ex.assessment_docx(assessment, organisation=ORG, questionnaire=q)


def _expected(a: AssessmentOut, q: Questionnaire) -> list[str]:
    assert a.score is not None
    fair = q.question("imp-fair-02")
    return [
        ORG,
        "CreditLens",
        f"Level {a.score.level.value}",
        "System information (from the inventory)",
        "Score breakdown",
        "Fairness and non-discrimination",  # a section of the breakdown
        "Human oversight measures",  # a mitigation section
        f"{a.score.raw_impact} of {a.score.max_impact}",
        q.question("imp-fair-01").text,
        fair.answer("location").label,  # type: ignore[union-attr]
        HARM,
        "Sent to the risk register",
        "Sign-off",
        "Author",
        "ana.author@northbank.example",
        "Approved by",
        "Approved on",
        "Review note",
        "Not approved yet",
        "Signature",
        *(title for _f, title, _h in rules.TEXT_PARTS),
    ]


def test_pdf_reads_back_with_every_part(
    pdf: bytes, assessment: AssessmentOut, q: Questionnaire
) -> None:
    assert pdf.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 1
    text = pdf_text(pdf)
    for item in _expected(assessment, q):
        assert " ".join(item.split()) in text, item


def test_pdf_first_page_renders_visibly(pdf: bytes) -> None:
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=1).to_pil().convert("L")
    finally:
        document.close()
    darkest, _lightest = image.getextrema()
    assert darkest < 128  # text is drawn, the page is not blank


def test_docx_reads_back_with_every_part(
    docx_data: bytes, assessment: AssessmentOut, q: Questionnaire
) -> None:
    text = docx_text(docx_data)
    for item in _expected(assessment, q):
        assert " ".join(item.split()) in text, item
    document = docx.Document(io.BytesIO(docx_data))
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def test_score_totals_show_the_reduction_and_shares(
    pdf: bytes, docx_data: bytes, assessment: AssessmentOut
) -> None:
    score = assessment.score
    assert score is not None
    for text in (pdf_text(pdf), docx_text(docx_data)):
        assert "Mitigation score" in text
        assert "Reduction by 15 %" in text
        assert ("Applied:" if score.reduction_applied else "Not applied:") in text
        assert "Share of the maximum impact score" in text


def test_user_markup_is_literal_text_never_markup(
    pdf: bytes, docx_data: bytes, assessment: AssessmentOut, q: Questionnaire
) -> None:
    assert SCRIPT in pdf_text(pdf)
    assert SCRIPT in docx_text(docx_data)
    assert b"/JavaScript" not in pdf and b"/JS" not in pdf
    html = ex.render_html(ex.assessment_content(assessment, organisation=ORG, questionnaire=q))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_weasyprint_may_fetch_nothing() -> None:
    from aims.exports.pdf import url_fetcher

    fetcher = url_fetcher()
    for url in ("http://127.0.0.1:9/x.png", "file:///etc/passwd", "data:text/plain,hi"):
        with pytest.raises(ValueError):
            fetcher(url)


def test_approved_assessment_shows_approver_instead_of_blank_lines(q: Questionnaire) -> None:
    a = make_assessment(q, approved=True)
    text = docx_text(ex.assessment_docx(a, organisation=ORG, questionnaire=q))
    assert "max.manager@northbank.example" in text
    assert "2026-02-03 14:00 UTC" in text
    assert "Signature" not in text and "Not approved yet" not in text


def test_unanswered_questionnaire_still_exports(q: Questionnaire) -> None:
    a = make_assessment(q, answers={}, scope="")
    assert a.score is None
    pdf = pdf_text(ex.assessment_pdf(a, organisation=ORG, questionnaire=q))
    word = docx_text(ex.assessment_docx(a, organisation=ORG, questionnaire=q))
    for text in (pdf, word):
        assert ex.NOT_ANSWERED in text
        assert "Not determined yet" in text
        assert ex.NOT_WRITTEN in text  # the empty scope


def test_docx_marks_unwritten_parts_in_italics(q: Questionnaire) -> None:
    a = make_assessment(q, remedies="")
    document = docx.Document(io.BytesIO(ex.assessment_docx(a, organisation=ORG, questionnaire=q)))
    runs = [r for p in document.paragraphs for r in p.runs if r.text == ex.NOT_WRITTEN]
    assert runs and all(r.italic for r in runs)


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_fria_lists_all_six_elements(fmt: str, q: Questionnaire) -> None:
    a = make_assessment(q)
    f = make_fria(a)
    assert f.complete
    data = (ex.fria_pdf if fmt == "pdf" else ex.fria_docx)(a, f, organisation=ORG)
    text = pdf_text(data) if fmt == "pdf" else docx_text(data)
    assert ex.FRIA_HEADING in text
    assert "requires a fundamental rights impact assessment" in text
    assert "Complete: all 6 elements are filled" in text
    for letter, title in rules.FRIA_TITLES.items():
        assert " ".join(f"({letter}) {title}".split()) in text, letter
    assert "Still empty" not in text
    assert "Sign-off" in text and "Approved by" in text


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_fria_marks_an_empty_period_of_use(fmt: str, q: Questionnaire) -> None:
    a = make_assessment(q, use_period="")
    f = make_fria(a)
    assert f.missing == ["b"]
    data = (ex.fria_pdf if fmt == "pdf" else ex.fria_docx)(a, f, organisation=ORG)
    text = pdf_text(data) if fmt == "pdf" else docx_text(data)
    assert "Still empty — complete: Period and frequency of use" in text
    assert "Incomplete: 5 of 6 elements filled; still empty: (b)" in text


@pytest.mark.parametrize(
    ("fmt", "view", "media_type", "name"),
    [
        ("pdf", "assessment", "application/pdf", "impact-assessment-creditlens-r2.pdf"),
        (
            "docx",
            "assessment",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "impact-assessment-creditlens-r2.docx",
        ),
        ("pdf", "fria", "application/pdf", "fria-creditlens-r2.pdf"),
        (
            "docx",
            "fria",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "fria-creditlens-r2.docx",
        ),
    ],
)
def test_export_returns_file_media_type_and_name(
    fmt: str, view: str, media_type: str, name: str, q: Questionnaire
) -> None:
    a = make_assessment(q)
    data, got_type, filename = ex.export(
        a, make_fria(a), fmt=fmt, view=view, organisation=ORG, questionnaire=q
    )
    assert (got_type, filename) == (media_type, name)
    assert data.startswith(b"%PDF" if fmt == "pdf" else b"PK")


def test_export_refuses_unknown_options_and_a_missing_fria(q: Questionnaire) -> None:
    a = make_assessment(q)
    with pytest.raises(ex.ExportOptionError) as err:
        ex.export(a, None, fmt="html", view="summary", organisation=ORG, questionnaire=q)
    assert {e.loc for e in err.value.errors} == {("format",), ("view",)}
    with pytest.raises(ValueError):
        ex.export(a, None, fmt="pdf", view="fria", organisation=ORG, questionnaire=q)


def test_filename_is_safe_ascii(q: Questionnaire) -> None:
    a = make_assessment(q)
    a = a.model_copy(
        update={"system": a.system.model_copy(update={"name": 'Kredit/Prüfung "β" ../x'})}
    )
    name = ex.export_filename(a, fmt="pdf", view="fria")
    assert name == "fria-kredit-prufung-x-r2.pdf"
    assert name.isascii()


def test_control_characters_xml_cannot_hold_are_dropped(q: Questionnaire) -> None:
    a = make_assessment(q, oversight="Two\x0bofficers\x01 review\x1f every refusal")
    text = docx_text(ex.assessment_docx(a, organisation=ORG, questionnaire=q))
    assert "Twoofficers review every refusal" in text
