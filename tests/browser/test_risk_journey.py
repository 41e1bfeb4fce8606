"""Issue 5's journey in Chromium on the demo organisation: a 4 x 4 matrix, risks for two AI
systems treated with Annex A controls, the SoA filling its justifications from them, an
exclusion with a reason, approval by a second person, a change, the comparison of the two
versions, and the XLSX and PDF exports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.test_impact_journey import _sign_in, _sign_out

pytestmark = pytest.mark.browser

DANIEL = "daniel.kowalski@meridian.example"
AOIFE = "aoife.byrne@meridian.example"


def _add_risk(page: object, base: str, title: str, system: str, control: str) -> str:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(base + "/risks/new")
    page.get_by_label("What could go wrong").fill(title)
    page.get_by_label("AI system").select_option(label=system)
    page.get_by_label("Inherent likelihood").select_option("3")
    page.get_by_label("Inherent consequence").select_option("4")
    page.get_by_label("Residual likelihood").select_option("2")
    page.get_by_label("Residual consequence").select_option("2")
    page.get_by_role("button", name="Add risk").click()
    expect(page.get_by_role("status")).to_have_text("Risk recorded.")
    ref = page.get_by_role("heading", level=1).inner_text().split()[0]
    page.get_by_label("Select a control").select_option(control)
    page.get_by_role("button", name="Select", exact=True).click()
    expect(page.locator("#controls")).to_contain_text(control)
    return ref


def test_matrix_risks_treatment_soa_approval_compare_export(
    live_server: str, browser: object, tmp_path: Path
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    page = browser.new_page()
    _sign_in(page, live_server, DANIEL)

    # A 4 x 4 matrix: shrink the scales, then make the top corner critical.
    page.goto(live_server + "/risks/criteria")
    page.get_by_label("Likelihood levels (3 to 6)").fill("4")
    page.get_by_label("Consequence levels (3 to 6)").fill("4")
    page.get_by_role("button", name="Save criteria").click()
    expect(page.get_by_role("status")).to_have_text("Criteria saved.")
    assert page.locator("select[id^=cell_]").count() == 16
    page.get_by_label("Level of likelihood 4, consequence 4").select_option("critical")
    page.get_by_role("button", name="Save criteria").click()
    # The demo's R-001 sits in that cell: the page says so before anything changes.
    expect(page.locator("#rescore")).to_contain_text("R-001 (inherent): high → critical")
    page.get_by_role("button", name="Confirm and re-score").click()
    expect(page.get_by_role("status")).to_have_text("Criteria saved.")

    # Risks for two systems, each treated with an Annex A control.
    first = _add_risk(page, live_server, "Model drift after the rate rise goes unnoticed",
                      "Credit decisioning model (CreditLens)", "A.6.2.6")  # fmt: skip
    second = _add_risk(page, live_server, "Vendor changes the ranking model without notice",
                       "CV screening service (TalentSift)", "A.10.3")  # fmt: skip

    # The SoA fills the inclusion justifications from the treatments.
    page.goto(live_server + "/soa")
    expect(page.locator("#soa-A-6-2-6")).to_contain_text(
        f"{first} Model drift after the rate rise goes unnoticed"
    )
    expect(page.locator("#soa-A-10-3")).to_contain_text(f"{second} Vendor changes the ranking")

    # Exclude a control with a reason, in place.
    page.locator("#soa-A-8-3").get_by_role("button", name="Edit").click()
    row = page.locator("#soa-A-8-3")
    row.get_by_label("No").check()
    row.get_by_label("Why it is excluded").fill("No AI incident has to be reported outside")
    row.get_by_role("button", name="Save").click()
    expect(page.locator("#soa-A-8-3")).to_contain_text("No AI incident has to be reported outside")
    expect(page.locator("#soa-A-8-3").get_by_role("button", name="Edit")).to_be_visible()

    # Freeze a version; Daniel changed it, so the Chief Risk Officer approves.
    page.get_by_label("Note").fill("After the new matrix")
    page.get_by_role("button", name="Freeze the SoA as a draft version").click()
    versions = page.locator("#versions")
    expect(versions).to_contain_text("draft")
    versions.get_by_role("button", name="Approve").click()
    expect(page.locator("#problem")).to_contain_text("may not approve")
    _sign_out(page)
    _sign_in(page, live_server, AOIFE)
    page.goto(live_server + "/soa")
    page.locator("#versions").get_by_role("button", name="Approve").click()
    expect(page.locator("#versions")).to_contain_text(AOIFE)

    # Aoife changes a row; Daniel approves that version; the two compare.
    page.locator("#soa-A-8-3").get_by_role("button", name="Edit").click()
    page.locator("#soa-A-8-3").get_by_label("Yes").check()
    page.locator("#soa-A-8-3").get_by_label("Why it applies").fill(
        "Regulators ask for AI incidents"
    )
    page.locator("#soa-A-8-3").get_by_role("button", name="Save").click()
    expect(page.locator("#soa-A-8-3")).to_contain_text("Regulators ask for AI incidents")
    page.get_by_role("button", name="Freeze the SoA as a draft version").click()
    _sign_out(page)
    _sign_in(page, live_server, DANIEL)
    page.goto(live_server + "/soa")
    page.locator("#versions").get_by_role("button", name="Approve").click()
    rows = page.locator("#versions tbody tr")
    expect(rows.last).to_contain_text(DANIEL)
    rows.last.get_by_role("link", name=re.compile("changes since")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SoA revision")
    expect(page.locator("table.compare")).to_contain_text("A.8.3")
    expect(page.locator("table.compare")).to_contain_text("Regulators ask for AI incidents")

    # Exports an auditor can file.
    page.goto(live_server + "/soa")
    with page.expect_download() as xlsx:
        page.get_by_role("link", name="XLSX").first.click()
    target = tmp_path / "soa.xlsx"
    xlsx.value.save_as(target)
    import openpyxl

    sheet = openpyxl.load_workbook(target)["Statement of Applicability"]
    assert sheet.max_row == 39
    with page.expect_download() as pdf:
        page.get_by_role("link", name="PDF").first.click()
    pdf_file = tmp_path / "soa.pdf"
    pdf.value.save_as(pdf_file)
    assert pdf_file.read_bytes().startswith(b"%PDF")
