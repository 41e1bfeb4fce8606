"""A real browser (Debian's Chromium via Playwright) walks the key journey on a live server."""

from __future__ import annotations

import pytest

from aims.demo.service import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_sign_in_open_the_catalogue_open_a_5_4_sign_out(live_server: str, browser: object) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    page = browser.new_page()
    page.goto(live_server + "/")
    expect(page).to_have_url(live_server + "/login?next=%2F")

    # A wrong password first: the generic message, and the e-mail stays typed.
    page.get_by_label("E-mail").fill("marc.dubois@meridian.example")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("the e-mail or password is not right")
    expect(page.get_by_label("E-mail")).to_have_value("marc.dubois@meridian.example")

    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meridian Lending Ltd")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Performance evaluation")

    page.goto(live_server + "/catalog")
    page.get_by_label("Search").fill("individuals")
    page.get_by_role("button", name="Search").click()
    page.get_by_role(
        "link", name="A.5.4 Assessing AI system impact on individuals or groups of individuals"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "A.5.4 Assessing AI system impact on individuals or groups of individuals"
    )
    expect(page.get_by_role("heading", name="How to implement it")).to_be_visible()

    page.get_by_text("Marc Dubois").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    page.goto(live_server + "/catalog/A.5.4")
    expect(page).to_have_url(live_server + "/login?next=%2Fcatalog%2FA.5.4")
    page.close()


def test_catalogue_filters_as_you_type(live_server: str, browser: object) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    page = browser.new_page()
    page.goto(live_server + "/login")
    page.get_by_label("E-mail").fill("sofia.marino@meridian.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server + "/catalog")
    expect(page.get_by_role("status")).to_contain_text("81 entries")
    page.get_by_label("Search").press_sequentially("supplier", delay=20)
    expect(page.get_by_role("link", name="A.10.3 Suppliers")).to_be_visible()
    expect(page.get_by_role("link", name="A.2.2 AI policy")).to_have_count(0)
    expect(page).to_have_url(live_server + "/catalog?q=supplier&kind=")
    page.close()


def test_register_classify_and_read_the_trace(live_server: str, browser: object) -> None:
    """A manager registers a system, classifies it step by step and reads the outcome."""
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    page = browser.new_page()
    page.goto(live_server + "/login")
    page.get_by_label("E-mail").fill("daniel.kowalski@meridian.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="AI systems").click()
    expect(page.get_by_role("link", name="Credit decisioning model (CreditLens)")).to_be_visible()
    page.get_by_role("link", name="Register a system").click()
    page.get_by_label("Name", exact=True).fill("Affordability chatbot")
    page.get_by_label("Purpose").fill("Helps applicants check what they can afford")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_contain_text("System registered")

    page.get_by_role("link", name="Classify under the EU AI Act").click()
    page.get_by_label("provider", exact=True).check()
    expect(page.get_by_role("radio", name="Yes")).to_be_checked()  # used in the EU, by default
    page.get_by_role("button", name="Next").click()  # scope
    page.get_by_role("button", name="Next").click()  # no prohibited practice
    page.get_by_role("button", name="Next").click()  # not an Annex I product
    page.get_by_text("Assessing the creditworthiness", exact=False).first.click()  # Annex III 5(b)
    page.get_by_role("button", name="Next").click()
    page.get_by_role("radio", name="Yes").check()  # profiles natural persons
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Interacts directly with natural persons", exact=False).click()
    for _ in range(3):
        if page.get_by_role("heading", name="Review your answers").count():
            break
        page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Classify and save").click()

    expect(page.get_by_role("status").first).to_contain_text("Classification saved")
    section = page.locator("#classification")
    expect(section).to_contain_text("high risk")
    expect(section).to_contain_text("50(1)")
    expect(section.get_by_role("cell", name="2027-12-02").first).to_be_visible()
    section.get_by_text("How this was decided").click()
    expect(section).to_contain_text("Annex III 5(b)")
    page.close()
