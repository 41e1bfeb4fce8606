"""Issue 6's journey in Chromium on the demo organisation: a procedure with a script in its
text written, refused to its author, approved by a second person and published; a member
acknowledges it; a measurement breaches an objective; the competence gap shows; someone
without an account reports a concern through the public link and follows it with the receipt
code; context, scope and leadership show what the demo recorded."""

from __future__ import annotations

import pytest

from tests.browser.test_impact_journey import _sign_in, _sign_out

pytestmark = pytest.mark.browser

DANIEL = "daniel.kowalski@meridian.example"
AOIFE = "aoife.byrne@meridian.example"
PRIYA = "priya.raman@meridian.example"

BODY = """# Monitoring of credit models

Each release is checked for age-band parity.

<script>window.pwned = 1</script>

[a link that must not run](javascript:window.pwned=2)
"""


def test_document_awareness_objective_competence_concern(live_server: str, browser: object) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    page = browser.new_page()
    _sign_in(page, live_server, DANIEL)

    # A procedure whose text carries a script: stored, shown as text, never run.
    page.goto(live_server + "/documents/new")
    page.get_by_label("Identifier").fill("PRO-900")
    page.get_by_label("Title").fill("Model monitoring procedure")
    page.get_by_label("Kind").select_option("procedure")
    page.get_by_label("Text (Markdown)").fill(BODY)
    page.get_by_role("button", name="Add document").click()
    expect(page.get_by_role("status")).to_have_text("Document added as a draft.")
    body = page.locator("#document-body")
    expect(body).to_contain_text("age-band parity")
    assert body.locator("script").count() == 0
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert body.locator("a[href^='javascript']").count() == 0  # left as plain text

    # Its author sends it for review and may not approve it.
    page.get_by_role("button", name="Send for review").click()
    expect(page.locator("#doc-status")).to_contain_text("in review")
    page.locator("#approve").click()
    expect(page.locator("body")).to_contain_text("may not approve")
    _sign_out(page)

    # The Chief Risk Officer approves it and publishes it to everyone.
    _sign_in(page, live_server, AOIFE)
    page.goto(live_server + "/documents?q=PRO-900")
    page.get_by_role("link", name="Model monitoring procedure").first.click()
    page.get_by_label("Approval note").fill("Fits the model risk policy")
    page.locator("#approve").click()
    expect(page.locator("#doc-status")).to_contain_text("approved")
    expect(page.locator("#approval-record")).to_contain_text("Aoife Byrne")
    page.locator("#everyone").check()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#completion")).to_contain_text("0 of 7")

    # The public link for concerns, as the settings page shows it.
    page.goto(live_server + "/concerns/settings")
    link = page.locator("#public-link a").inner_text()
    assert "/report/" in link
    _sign_out(page)

    # A member acknowledges it from "what I must acknowledge".
    _sign_in(page, live_server, PRIYA)
    page.goto(live_server + "/acknowledgements")
    page.get_by_role("link", name="Model monitoring procedure").first.click()
    page.locator("#acknowledge").click()
    expect(page.get_by_role("status")).to_contain_text("your acknowledgement is recorded")
    expect(page.locator("#completion")).to_contain_text("1 of 7")

    # A measurement in the wrong unit is refused beside its field; the right one breaches.
    page.goto(live_server + "/objectives?q=parity")
    page.get_by_role("link", name="OBJ-001").first.click()
    page.get_by_label("Value").fill("0.71")
    page.get_by_label("Unit").fill("%")
    page.get_by_role("button", name="Record").click()
    expect(page.locator("#m-unit-error")).to_be_visible()
    page.get_by_label("Value").fill("0.71")
    page.get_by_label("Unit").fill("ratio")
    page.get_by_role("button", name="Record").click()
    expect(page.locator("#objective-state")).to_contain_text("breached")
    expect(page.locator("#measurement-table")).to_contain_text("0.71")
    expect(page.locator("#chart svg")).to_be_visible()

    # The competence matrix shows the demo's gap: no AI-ethics training for the HR lead.
    page.goto(live_server + "/competence")
    expect(page.locator("#gap-list")).to_contain_text("Tomás Ó Briain")
    expect(page.locator("#gap-list")).to_contain_text("AI ethics")

    # Context, scope and leadership from the demo.
    page.goto(live_server + "/context")
    expect(page.locator("main")).to_contain_text("climate")
    page.goto(live_server + "/scope")
    expect(page.locator("main")).to_contain_text("CreditLens")
    page.goto(live_server + "/leadership")
    expect(page.locator("#top-approvals")).to_contain_text("AI-POL-001")
    _sign_out(page)

    # Someone without an account reports a concern and follows it with the receipt code.
    outsider = browser.new_context().new_page()
    outsider.goto(link)
    outsider.get_by_label("Harmful or unfair outcome").check()
    outsider.get_by_label("In one line, what is the concern?").fill(
        "Declined at 63, approved at 58"
    )
    outsider.get_by_label("What happened?").fill("Same income and history, different answers.")
    outsider.get_by_role("button", name="Send the concern").click()
    code = outsider.locator("#receipt-code").inner_text().strip()
    assert len(code) >= 16
    outsider.goto(live_server + "/report/status")
    outsider.get_by_label("Receipt code").fill(code)
    outsider.get_by_role("button", name="Show status").click()
    expect(outsider.locator("#status-value")).to_contain_text("received", ignore_case=True)
    expect(outsider.locator("body")).not_to_contain_text("Declined at 63")
