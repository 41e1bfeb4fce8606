"""Issue 7's journey in Chromium on the demo organisation: record how A.6.2.6 is implemented
for a system, attach a file as evidence, measure an uploaded prediction log whose fairness
breaches its limit, see the SoA count the evidence and the dashboard flag the breach, and
export the system's technical documentation."""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

import pytest

from tests.browser.test_impact_journey import _sign_in

pytestmark = pytest.mark.browser

PRIYA = "priya.raman@meridian.example"
SYSTEM = "Transaction fraud detection"


def _log(path: Path) -> Path:
    """A prediction log where older customers are flagged far more often."""
    rng = random.Random(7)
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["flagged", "fraud", "age_band"])
        for _ in range(600):
            band = rng.choice(["18-40", "41-60", "61+"])
            rate = 0.5 if band == "61+" else 0.2
            flagged = int(rng.random() < rate)
            out.writerow([flagged, int(rng.random() < 0.15), band])
    return path


def _evidence_count(page: object, control: str) -> int:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    cell = page.locator(f"#soa-{control.replace('.', '-')} .evidence-count")
    text = cell.inner_text().strip()
    return int(text) if text.isdigit() else 0


def test_control_evidence_run_soa_breach_techdoc(
    live_server: str, browser: object, tmp_path: Path
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    page = browser.new_page()
    _sign_in(page, live_server, PRIYA)
    page.goto(live_server + "/soa")
    before = _evidence_count(page, "A.6.2.6")

    # How A.6.2.6 (operation and monitoring) is implemented for the fraud detection system.
    page.goto(live_server + "/controls")
    form = page.get_by_role("region", name="Record an implementation")
    form.get_by_label("Control", exact=True).select_option("A.6.2.6")
    form.get_by_label("Scope").select_option(label=SYSTEM)
    form.get_by_label("Status", exact=True).select_option("implemented")
    form.get_by_label("Checked every (months)").fill("1")
    form.get_by_label("How it is implemented").fill("Weekly drift review of the alert rate")
    form.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_contain_text("Implementation recorded.")

    # A file as evidence of it.
    report = tmp_path / "drift-review.pdf"
    report.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.locator("#ev-file").set_input_files(str(report))
    page.get_by_label("Title").fill("Drift review, October")
    page.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_role("status")).to_contain_text("Evidence added.")
    expect(page.locator("#evidence")).to_contain_text("Drift review, October")

    # A prediction log measured on upload: the 61+ band is flagged far more often.
    page.goto(live_server + "/measurement-runs/new")
    page.get_by_label("AI system").select_option(label=SYSTEM)
    page.get_by_label("Kind of measurement").select_option("fairness")
    page.get_by_label("Evidence for control").select_option("A.6.2.6")
    page.locator("#run-file").set_input_files(str(_log(tmp_path / "alerts.csv")))
    page.get_by_label("Prediction column").fill("flagged")
    page.get_by_label("Truth column").fill("fraud")
    page.get_by_label("Sensitive columns").fill("age_band")
    page.get_by_label("Limits").fill("demographic_parity_ratio=0.8:")
    page.get_by_role("button", name="Measure and store the run").click()
    expect(page.locator("#run-fairness")).to_contain_text("61+")
    expect(page.locator("#run-breaches")).to_contain_text("demographic_parity_ratio")
    expect(page.locator("#run-fairness svg").first).to_be_visible()
    run_ref = page.get_by_role("heading", level=1).inner_text().split()[0].rstrip(":")
    assert re.fullmatch(r"RUN-\d{3}", run_ref)

    # The SoA counts the file and the run for A.6.2.6; the dashboard flags the breach.
    page.goto(live_server + "/soa")
    assert _evidence_count(page, "A.6.2.6") == before + 2
    page.goto(live_server + "/")
    expect(page.locator("#attention")).to_contain_text(run_ref)

    # The system's technical documentation names the control and exports.
    page.goto(live_server + "/systems?q=fraud")
    page.get_by_role("link", name=SYSTEM).first.click()
    expect(page.locator("#system-controls")).to_contain_text("A.6.2.6")
    page.get_by_role("link", name="Technical documentation (Annex IV)").click()
    expect(page.locator("main")).to_contain_text("A.6.2.6 implemented (this system)")
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click()
    saved = tmp_path / "techdoc.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
