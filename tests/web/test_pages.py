"""Web pages on both databases: sign-in, CSRF, the shell, catalogue, people, tokens, audit."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from aims.access.rules import Role
from tests.conftest import PASSWORD, Org


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD, next: str = "/") -> object:
    form = client.get("/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(form.text), "next": next},
        follow_redirects=False,
    )


def test_pages_need_sign_in(client: TestClient) -> None:
    response = client.get("/catalog/A.5.4", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fcatalog%2FA.5.4"


def test_sign_in_sets_a_safe_cookie_and_follows_next(client: TestClient, org: Org) -> None:
    response = sign_in(client, org.emails[Role.VIEWER], next="/catalog")
    assert response.status_code == 303 and response.headers["location"] == "/catalog"  # type: ignore[attr-defined]
    cookie = response.headers["set-cookie"]  # type: ignore[attr-defined]
    assert "aims_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get("/").status_code == 200


def test_open_redirects_are_refused(client: TestClient, org: Org) -> None:
    response = sign_in(client, org.emails[Role.VIEWER], next="https://evil.example/")
    assert response.headers["location"] == "/"  # type: ignore[attr-defined]


@pytest.mark.parametrize("email", ["owner@acme-credit.example", "nobody@nowhere.example"])
def test_failed_sign_in_says_the_same_whoever_you_are(
    client: TestClient, org: Org, email: str
) -> None:
    response = sign_in(client, email, password="wrong password!")
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert "the e-mail or password is not right" in response.text  # type: ignore[attr-defined]
    assert "aims_session" not in response.headers.get("set-cookie", "")  # type: ignore[attr-defined]


def test_repeated_failures_lock_the_form_for_a_while(client: TestClient, org: Org) -> None:
    for _ in range(5):
        sign_in(client, org.emails[Role.AUDITOR], password="wrong password!")
    response = sign_in(client, org.emails[Role.AUDITOR])
    assert response.status_code == 401 and "Too many failed sign-ins" in response.text  # type: ignore[attr-defined]


def test_sign_in_form_without_its_csrf_token_is_refused(client: TestClient, org: Org) -> None:
    response = client.post(
        "/login",
        data={"email": org.emails[Role.OWNER], "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 400 and "expired" in response.text


def test_forms_without_csrf_are_refused_and_change_nothing(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.OWNER])
    response = client.post("/settings/members", data={"email": "x@acme.example", "role": "viewer"})
    assert response.status_code == 403
    assert "x@acme.example" not in client.get("/settings/members").text
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403


def test_sign_out_ends_the_session(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.OWNER])
    page = client.get("/")
    response = client.post(
        "/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_dashboard_and_navigation_follow_the_standard(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.VIEWER])
    html = client.get("/").text
    for label in ["Context", "Leadership", "Planning", "Support", "Operation",
                  "Performance evaluation", "Improvement", "AI systems", "Reports"]:  # fmt: skip
        assert f">{label}</a>" in html
    assert 'href="#main"' in html and '<main id="main"' in html and 'aria-label="Main"' in html
    planning = client.get("/sections/planning").text
    assert "6.1.3 AI risk treatment" in planning
    assert client.get("/sections/nowhere").status_code == 404


def test_catalogue_search_and_entry(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.VIEWER])
    found = client.get("/catalog", params={"q": "supplier"}).text
    assert "A.10.3 Suppliers" in found and "A.2.2 AI policy" not in found
    entry = client.get("/catalog/A.5.4").text
    assert "Assessing AI system impact on individuals or groups of individuals" in entry
    assert "How to implement it" in entry and "Typical evidence" in entry
    assert client.get("/catalog/A.10.5").status_code == 404


def test_owner_adds_a_member_and_sees_the_one_time_password(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.OWNER])
    page = client.get("/settings/members")
    response = client.post(
        "/settings/members",
        data={
            "csrf_token": csrf_of(page.text),
            "email": "Ruth@Acme.example",
            "full_name": "Ruth",
            "role": "auditor",
            "job_title": "QA",
        },
    )
    assert response.status_code == 201
    assert "ruth@acme.example" in response.text and 'id="new-password"' in response.text


def test_bad_member_input_shows_the_message_beside_the_field(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.MANAGER])
    page = client.get("/settings/members")
    response = client.post(
        "/settings/members",
        data={
            "csrf_token": csrf_of(page.text),
            "email": "not-an-email",
            "full_name": "Kept Name",
            "role": "viewer",
        },
    )
    assert response.status_code == 422
    assert 'id="email-error"' in response.text and 'aria-invalid="true"' in response.text
    assert 'value="Kept Name"' in response.text  # nothing the user typed is lost


def test_role_change_from_the_page_and_stale_form(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.OWNER])
    page = client.get("/settings/members", params={"role": "viewer"}).text
    member_id = re.search(r'action="/settings/members/([0-9a-f-]+)/role"', page).group(1)  # type: ignore[union-attr]
    token = csrf_of(page)
    ok = client.post(
        f"/settings/members/{member_id}/role",
        data={"csrf_token": token, "role": "contributor", "version": "1"},
    )
    assert ok.status_code == 200 and "Role changed" in ok.text
    stale = client.post(
        f"/settings/members/{member_id}/role",
        data={"csrf_token": token, "role": "auditor", "version": "1"},
    )
    assert stale.status_code == 409 and "has changed since you loaded it" in stale.text


def test_viewers_see_roles_but_cannot_manage(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.VIEWER])
    html = client.get("/settings/members").text
    assert "Add a person" not in html and org.emails[Role.OWNER] in html


def test_output_is_escaped(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.OWNER])
    page = client.get("/settings/members")
    client.post(
        "/settings/members",
        data={
            "csrf_token": csrf_of(page.text),
            "email": "xss@acme.example",
            "full_name": "<script>alert(1)</script>",
            "role": "viewer",
        },
    )
    html = client.get("/settings/members").text
    assert (
        "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    )


def test_token_page_creates_shows_once_and_revokes(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    page = client.get("/settings/tokens")
    created = client.post(
        "/settings/tokens", data={"csrf_token": csrf_of(page.text), "name": "laptop", "days": "10"}
    )
    secret = re.search(r'id="new-token">([^<]+)<', created.text).group(1)  # type: ignore[union-attr]
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    )
    assert secret not in client.get("/settings/tokens").text
    bad = client.post(
        "/settings/tokens", data={"csrf_token": csrf_of(page.text), "name": "", "days": "999"}
    )
    assert (
        bad.status_code == 422 and 'id="name-error"' in bad.text and 'id="days-error"' in bad.text
    )


def test_audit_log_page_filters_and_verifies(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.AUDITOR])
    html = client.get("/audit", params={"record_type": "api_tokens"}).text
    assert "create api_tokens" in html and "create memberships" not in html
    assert "The chain is intact" in client.get("/audit", params={"verify": "1"}).text
    sign_in(client, org.emails[Role.VIEWER])
    assert client.get("/audit").status_code == 403


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/login").headers
    assert (
        headers["x-frame-options"] == "DENY"
        and "frame-ancestors 'none'" in headers["content-security-policy"]
    )
    assert client.get("/static/vendor/htmx-2.0.4.min.js").status_code == 200


def test_account_page_changes_the_password(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.AUDITOR])
    page = client.get("/settings/account")
    assert org.emails[Role.AUDITOR] in page.text and "auditor" in page.text
    token = csrf_of(page.text)
    mismatch = client.post(
        "/settings/account/password",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": "new passphrase 1",
            "confirm_password": "other",
        },
    )
    assert mismatch.status_code == 422 and 'id="confirm_password-error"' in mismatch.text
    done = client.post(
        "/settings/account/password",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": "new passphrase 1",
            "confirm_password": "new passphrase 1",
        },
    )
    assert done.status_code == 200 and "Password changed" in done.text
    assert client.get("/settings/account").status_code == 200  # this browser stays signed in


def test_manager_resets_a_members_password_from_the_page(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.MANAGER])
    page = client.get("/settings/members", params={"role": "viewer"}).text
    link = re.search(r'href="(/settings/members/[0-9a-f-]+/reset-password)"', page).group(1)  # type: ignore[union-attr]
    confirm = client.get(link)
    assert "Reset the password of" in confirm.text
    done = client.post(link, data={"csrf_token": csrf_of(confirm.text)})
    password = re.search(r'id="new-password">([^<]+)<', done.text).group(1)  # type: ignore[union-attr]
    client.cookies.clear()
    assert sign_in(client, org.emails[Role.VIEWER], password=password).status_code == 303  # type: ignore[attr-defined]


def test_owner_renames_the_organisation_others_cannot(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.OWNER])
    page = client.get("/settings/account")
    assert 'id="org_name"' in page.text
    empty = client.post(
        "/settings/organisation",
        data={"csrf_token": csrf_of(page.text), "name": " ", "version": "1"},
    )
    assert empty.status_code == 422 and 'id="org_name-error"' in empty.text
    done = client.post(
        "/settings/organisation",
        data={"csrf_token": csrf_of(page.text), "name": "Acme Credit plc", "version": "1"},
    )
    assert "Organisation renamed" in done.text and "Acme Credit plc" in done.text
    stale = client.post(
        "/settings/organisation",
        data={"csrf_token": csrf_of(page.text), "name": "Again", "version": "1"},
    )
    assert stale.status_code == 409
    sign_in(client, org.emails[Role.MANAGER])
    assert 'id="org_name"' not in client.get("/settings/account").text


def test_every_record_a_section_page_names_opens(client: TestClient, org: Org) -> None:
    from aims.web.templating import NAV, SECTION_LINKS

    sign_in(client, org.emails[Role.OWNER])
    for slug, _title, _number in NAV:
        page = client.get(f"/sections/{slug}")
        assert page.status_code == 200
        for href, label in SECTION_LINKS.get(slug, []):
            assert f'href="{href}"' in page.text
            target = client.get(href.split("#")[0])
            assert target.status_code == 200, (slug, href, target.status_code)
            assert "Internal error" not in target.text, label
