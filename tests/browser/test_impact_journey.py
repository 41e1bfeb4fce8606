"""Issue 4's journey in Chromium: an impact assessment of CreditLens (Annex III 5(b), FRIA
required) is revised, scored, a harm goes to the risk register, a second person approves it,
it exports as PDF and DOCX, and the FRIA view shows all six elements."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aims.demo.service import DEMO_PASSWORD

pytestmark = pytest.mark.browser

PRIYA = "priya.raman@meridian.example"
DANIEL = "daniel.kowalski@meridian.example"


def _sign_in(page: object, base: str, email: str) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meridian Lending Ltd")


def _sign_out(page: object) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.locator("details.menu summary").click()
    page.get_by_role("button", name="Sign out").click()


def test_revise_score_refer_approve_export_fria(
    live_server: str, browser: object, tmp_path: Path
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    page = browser.new_page()
    _sign_in(page, live_server, PRIYA)

    # From the system's page to its approved assessment, then a new version.
    page.goto(live_server + "/impact")
    page.get_by_role(
        "link", name="Impact assessment: Credit decisioning model (CreditLens)"
    ).click()
    expect(page.locator("#status")).to_have_text("approved")
    expect(page.get_by_role("link", name="FRIA view (Art. 27)")).to_be_visible()
    page.get_by_role("button", name="Start a new version").click()
    expect(page).to_have_url(re.compile(r"/impact/[0-9a-f-]+/edit/scope$"))
    revision_2 = page.url.split("/")[-3]

    # Save as you go: leaving the field saves it without a page load.
    scope = page.get_by_label("Scope", exact=True)
    scope.fill("CreditLens 4.3 for consumer loans in Ireland, the Netherlands and Germany.")
    scope.blur()
    expect(page.locator("#save-status")).to_contain_text("Saved")

    # One questionnaire section: the heaviest answer to every fairness question.
    page.get_by_role("link", name="Fairness and non-discrimination").click()
    for fieldset in page.locator("fieldset.question").all():
        labels = fieldset.locator("label.check")
        multi = fieldset.locator("input[type=checkbox]").count() > 0
        # The last answer is the heaviest; a tick-all question ends with "None of these".
        labels.nth(labels.count() - (2 if multi else 1)).click()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy and data protection")

    # A new harm, recorded with the guided form.
    page.get_by_role("link", name="Impacts").click()
    form = page.locator("#impact-form")
    form.get_by_role("button", name="Add impact").click()  # nothing chosen: told beside each field
    expect(page.locator("#nature-error")).to_be_visible()
    form = page.locator("#impact-form")
    form.get_by_label("Benefit or harm").select_option("harm")
    form.get_by_label("Who bears it").select_option("groups")
    form.get_by_label("Dimension").select_option(label="Accessibility")
    form.get_by_label("What happens").fill("Applicants with a disability are misread by the "
                                            "income-verification step")  # fmt: skip
    form.get_by_label("Who exactly").fill("Applicants receiving disability allowances")
    form.get_by_label("Likelihood").select_option(label="likely")
    form.get_by_label("Severity").select_option(label="critical")
    form.get_by_role("button", name="Add impact").click()
    expect(page.get_by_role("status")).to_contain_text("Impact added")

    # The assessment page: level, the breakdown by section, and the harm to risk.
    page.goto(f"{live_server}/impact/{revision_2}")
    expect(page.locator("#level")).to_have_text(re.compile(r"^(I|II|III|IV)$"))
    breakdown = page.locator("table.breakdown")
    expect(breakdown).to_contain_text("Fairness and non-discrimination")
    expect(breakdown).to_contain_text("Information, contestation and redress")
    row = page.locator("tr", has_text="Applicants with a disability")
    row.get_by_role("button", name="Send to risk register").click()
    expect(page.get_by_role("status")).to_contain_text("sent to the risk register")
    expect(page.locator("tr", has_text="Applicants with a disability")).to_contain_text("Sent")
    page.get_by_role("button", name="Send for review").click()
    expect(page.locator("#status")).to_have_text("in review")
    _sign_out(page)

    # A second person approves.
    _sign_in(page, live_server, DANIEL)
    page.goto(f"{live_server}/impact/{revision_2}")
    page.get_by_label("Approval note").fill("Checked with the DPO")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#status")).to_have_text("approved")
    expect(page.locator("#approved-by")).to_have_text(DANIEL)

    # Exports, read back as files.
    with page.expect_download() as pdf_download:
        page.locator(f'a[href="/impact/{revision_2}/export.pdf"]').click()
    pdf = tmp_path / "assessment.pdf"
    pdf_download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    with page.expect_download() as docx_download:
        page.locator(f'a[href="/impact/{revision_2}/export.docx"]').click()
    word = tmp_path / "assessment.docx"
    docx_download.value.save_as(word)
    import docx

    text = "\n".join(p.text for p in docx.Document(str(word)).paragraphs)
    assert "CreditLens 4.3" in text

    # The FRIA view: all six elements filled from the record.
    page.get_by_role("link", name="FRIA view (Art. 27)").click()
    expect(page.locator("#fria-summary")).to_have_text("All six elements are filled.")
    for letter in "abcdef":
        expect(page.locator(f"#element-{letter}")).not_to_contain_text("Still empty")
    expect(page.locator("#element-d")).to_contain_text("Applicants receiving disability")

    # The two revisions side by side.
    page.goto(f"{live_server}/impact/{revision_2}/compare")
    expect(page.get_by_role("heading", level=1)).to_have_text("Revision 1 and revision 2")
    expect(page.locator("body")).to_contain_text("CreditLens 4.3")
