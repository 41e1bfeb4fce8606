"""Document pages: the register with filters, adding and editing with errors beside fields,
the workflow buttons with their refusals, comparison, the AI policy and acknowledgements."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from aims.access.rules import Role
from tests.conftest import Org
from tests.documents.test_api import API, act, approved, create
from tests.web.test_pages import csrf_of, sign_in

SCRIPT_BODY = "# Rules\n\n<script>alert('owned')</script>\n\n[bad](javascript:alert(1))\n"


def test_add_edit_submit_and_approve_on_pages(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    form = client.get("/documents/new")
    assert form.status_code == 200 and 'for="body"' in form.text
    token = csrf_of(form.text)
    bad = client.post(
        "/documents/new",
        data={"csrf_token": token, "code": "POL-001", "title": "", "kind": "policy"},
    )
    assert bad.status_code == 422 and 'id="title-error"' in bad.text
    assert 'aria-describedby="title-error"' in bad.text
    forged = client.post(
        "/documents/new",
        data={"csrf_token": "forged", "code": "POL-001", "title": "T", "kind": "policy"},
    )
    assert forged.status_code == 403
    created = client.post(
        "/documents/new",
        data={
            "csrf_token": token,
            "code": "POL-001",
            "title": "Acceptable use of AI",
            "kind": "policy",
            "classification": "internal",
            "owner_email": org.emails[Role.MANAGER],
            "review_interval_months": "12",
            "quorum": "1",
            "body": SCRIPT_BODY,
        },
        follow_redirects=True,
    )
    assert created.status_code == 200, created.text
    assert "Acceptable use of AI" in created.text and 'id="doc-status">draft' in created.text
    # The body's script is text on the page, never markup.
    assert "<script>alert" not in created.text and "&lt;script&gt;alert" in created.text
    assert 'href="javascript' not in created.text
    doc_id = re.search(r'href="/documents/([0-9a-f-]+)/edit"', created.text)
    assert doc_id
    url = f"/documents/{doc_id.group(1)}"

    edit = client.get(f"{url}/edit")
    assert edit.status_code == 200 and "Revision 1 (draft)" in edit.text
    version = re.search(r'name="version" value="(\d+)"', edit.text)
    draft_version = re.search(r'name="draft_version" value="(\d+)"', edit.text)
    assert version and draft_version
    fields = {
        "csrf_token": token,
        "version": version.group(1),
        "draft_version": draft_version.group(1),
        "code": "POL-001",
        "title": "Acceptable use of AI",
        "kind": "policy",
        "classification": "internal",
        "review_interval_months": "0",
        "quorum": "1",
        "body": "# Rules\n\nBe careful.\n",
    }
    refused = client.post(f"{url}/edit", data=fields)
    assert refused.status_code == 422 and 'id="review_interval_months-error"' in refused.text
    saved = client.post(
        f"{url}/edit", data={**fields, "review_interval_months": "6"}, follow_redirects=True
    )
    assert saved.status_code == 200 and "Be careful." in saved.text
    stale = client.post(f"{url}/edit", data={**fields, "review_interval_months": "6"})
    assert stale.status_code == 409

    page = client.get(url)
    submit = re.search(
        r'action="(/documents/[^"]+/submit)".*?name="version" value="(\d+)"', page.text, re.S
    )
    assert submit
    client.post(submit.group(1), data={"csrf_token": token, "version": submit.group(2)})
    page = client.get(url)
    assert 'id="doc-status">in review' in page.text and 'id="approve"' not in page.text

    sign_in(client, org.emails[Role.MANAGER])
    page = client.get(url)
    approve = re.search(
        r'action="(/documents/[^"]+/approve)".*?name="version" value="(\d+)"', page.text, re.S
    )
    assert approve
    done = client.post(
        approve.group(1),
        data={"csrf_token": csrf_of(page.text), "version": approve.group(2), "note": "Agreed"},
        follow_redirects=True,
    )
    assert done.status_code == 200 and 'id="doc-status">approved' in done.text
    assert "approved revision 1" in done.text and "Agreed" in done.text

    listing = client.get("/documents", params={"kind": "policy"})
    assert "POL-001" in listing.text
    empty = client.get("/documents", params={"kind": "procedure"})
    assert "No document matches these filters" in empty.text


def test_refusals_show_on_the_page_with_the_reason(client: TestClient, org: Org) -> None:
    doc = create(client, org, role=Role.MANAGER)
    act(client, org, doc, "submit", Role.MANAGER)
    sign_in(client, org.emails[Role.MANAGER])
    page = client.get(f"/documents/{doc['id']}")
    approve = re.search(
        r'action="(/documents/[^"]+/approve)".*?name="version" value="(\d+)"', page.text, re.S
    )
    assert approve
    refused = client.post(
        approve.group(1), data={"csrf_token": csrf_of(page.text), "version": approve.group(2)}
    )
    assert refused.status_code == 403 and "author of a version may not approve" in refused.text


def test_compare_shows_added_and_removed_lines(client: TestClient, org: Org) -> None:
    doc = approved(client, org)
    new = client.post(f"{API}/{doc['id']}/versions", headers=org.headers(Role.CONTRIBUTOR)).json()
    client.patch(
        f"{API}/{doc['id']}/versions/{new['id']}",
        json={"version": new["version"], "body": "# Purpose\n\nKeep it all safe.\n"},
        headers=org.headers(Role.CONTRIBUTOR),
    )
    sign_in(client, org.emails[Role.AUDITOR])
    page = client.get(
        f"/documents/{doc['id']}/compare", params={"a": doc["current"]["id"], "b": new["id"]}
    )
    assert page.status_code == 200
    assert "<del>" in page.text and "Keep information safe." in page.text
    assert "<ins>" in page.text and "Keep it all safe." in page.text
    assert "1 line added, 1 line removed" in page.text
    default = client.get(f"/documents/{doc['id']}/compare")
    assert default.status_code == 200 and "Keep it all safe." in default.text
    # Auditors comment on a version.
    detail = client.get(f"/documents/{doc['id']}")
    assert 'name="subject_type" value="document_version"' in detail.text


def test_ai_policy_page_and_acknowledgements(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.VIEWER])
    none_yet = client.get("/documents/ai-policy")
    assert none_yet.status_code == 200 and "No document is marked as the AI policy" in none_yet.text
    infosec = approved(client, org, code="POL-002", title="Information security policy")
    policy = approved(
        client,
        org,
        code="POL-001",
        title="AI policy",
        is_ai_policy=True,
        effective_date="2020-01-01",
    )
    client.post(
        f"{API}/{policy['id']}/links",
        json={"target_id": infosec["id"], "note": "Shared incident process"},
        headers=org.headers(Role.CONTRIBUTOR),
    )
    client.post(
        f"{API}/{policy['id']}/publications",
        json={"everyone": True},
        headers=org.headers(Role.MANAGER),
    )
    page = client.get("/documents/ai-policy")
    assert 'id="gaps"' in page.text and "not addressed" in page.text
    assert "Shared incident process" in page.text and "overdue" in page.text
    assert "approved it on" in page.text and "(manager)" in page.text
    assert "Acknowledged by 0 of 5 people (0 %)" in page.text

    mine = client.get("/acknowledgements")
    assert "POL-001 AI policy" in mine.text
    done = client.post(
        re.search(r'action="(/acknowledgements/[^"]+)"', mine.text).group(1),  # type: ignore[union-attr]
        data={"csrf_token": csrf_of(mine.text)},
        follow_redirects=True,
    )
    assert done.status_code == 200 and 'id="nothing-owed"' in done.text
    assert "Already acknowledged" in done.text

    sign_in(client, org.emails[Role.MANAGER])
    detail = client.get(f"/documents/{policy['id']}")
    assert "Acknowledged by 1 of 5 people (20 %)" in detail.text
    assert 'id="acknowledge"' in detail.text
    chase = re.search(r'action="(/documents/[^"]+/chase)"', detail.text)
    assert chase
    chased = client.post(
        chase.group(1), data={"csrf_token": csrf_of(detail.text)}, follow_redirects=True
    )
    assert "Reminder to 4 people" in chased.text
    people = client.get("/acknowledgements")
    assert 'id="by-person"' in people.text and org.emails[Role.OWNER] in people.text
    overdue = client.get("/documents", params={"overdue": "1"})
    assert 'id="overdue-reviews"' in overdue.text and "POL-001" in overdue.text
    assert "POL-002" not in overdue.text.split('id="documents"')[1]


def test_export_links_download_files(client: TestClient, org: Org) -> None:
    doc = approved(client, org)
    sign_in(client, org.emails[Role.VIEWER])
    ver = doc["current"]["id"]
    docx = client.get(f"/documents/{doc['id']}/versions/{ver}/export.docx")
    assert docx.status_code == 200 and "attachment" in docx.headers["content-disposition"]
    assert client.get(f"/documents/{doc['id']}/versions/{ver}/export.txt").status_code == 404


def test_ai_policy_checklist_is_marked_on_the_edit_form(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.MANAGER])
    form = client.get("/documents/new")
    token = csrf_of(form.text)
    created = client.post(
        "/documents/new",
        data={
            "csrf_token": token,
            "code": "AI-POL",
            "title": "AI policy",
            "kind": "policy",
            "classification": "internal",
            "review_interval_months": "12",
            "quorum": "1",
            "is_ai_policy": "on",
            "body": "# 1 Purpose\n\nWhy we use AI.\n",
        },
        follow_redirects=True,
    )
    assert created.status_code == 200 and "AI policy</span>" in created.text
    url = re.search(r'href="(/documents/[0-9a-f-]+)/edit"', created.text)
    assert url
    edit = client.get(f"{url.group(1)}/edit")
    assert 'id="checklist-edit"' in edit.text and '<option value="1 Purpose">' in edit.text
    fields = {
        "csrf_token": token,
        "code": "AI-POL",
        "title": "AI policy",
        "kind": "policy",
        "classification": "internal",
        "review_interval_months": "12",
        "quorum": "1",
        "is_ai_policy": "on",
        "body": "# 1 Purpose\n\nWhy we use AI.\n",
        "version": re.search(r'name="version" value="(\d+)"', edit.text).group(1),  # type: ignore[union-attr]
        "draft_version": re.search(r'name="draft_version" value="(\d+)"', edit.text).group(1),  # type: ignore[union-attr]
        "addressed_purpose": "on",
        "section_purpose": "",
    }
    refused = client.post(f"{url.group(1)}/edit", data=fields)
    assert refused.status_code == 422 and 'id="checklist-error"' in refused.text
    assert "say which section addresses: purpose" in refused.text
    saved = client.post(
        f"{url.group(1)}/edit",
        data={**fields, "section_purpose": "1 Purpose"},
        follow_redirects=True,
    )
    assert saved.status_code == 200
    policy = client.get("/documents/ai-policy")
    assert "1 Purpose" in policy.text and "objectives" in policy.text.lower()


def test_an_over_long_approval_note_is_refused_beside_the_field_and_kept(
    client: TestClient, org: Org
) -> None:
    doc = create(client, org)
    assert act(client, org, doc, "submit", Role.CONTRIBUTOR).status_code == 200
    ver = client.get(f"{API}/{doc['id']}", headers=org.headers()).json()["open"]
    sign_in(client, org.emails[Role.MANAGER])
    token = csrf_of(client.get(f"/documents/{doc['id']}").text)
    note = "Looks right. " * 200  # 2600 characters: more than a note may hold
    for action, field in (("approve", "approve-note"), ("return", "return-note")):
        r = client.post(
            f"/documents/{doc['id']}/versions/{ver['id']}/{action}",
            data={"csrf_token": token, "version": str(ver["version"]), "note": note},
        )
        assert r.status_code == 422, r.text
        assert 'id="note-error"' in r.text and "2000 characters" in r.text
        assert re.search(rf'id="{field}" name="note" maxlength="2000" value="Looks right', r.text)
    nul = client.post(
        f"/documents/{doc['id']}/versions/{ver['id']}/approve",
        data={"csrf_token": token, "version": str(ver["version"]), "note": "ok\x00"},
    )
    assert nul.status_code == 422 and 'id="note-error"' in nul.text and "NUL" in nul.text
    # Nothing changed: the version is still in review with no approval.
    after = client.get(f"{API}/{doc['id']}", headers=org.headers()).json()["open"]
    assert after["status"] == "in_review" and after["version"] == ver["version"]


def test_a_document_in_review_can_be_renamed_but_its_text_is_locked(
    client: TestClient, org: Org
) -> None:
    doc = create(client, org)
    assert act(client, org, doc, "submit", Role.CONTRIBUTOR).status_code == 200
    sign_in(client, org.emails[Role.MANAGER])
    edit = client.get(f"/documents/{doc['id']}/edit")
    assert edit.status_code == 200
    assert "(draft)" not in edit.text and 'name="draft_version"' not in edit.text
    assert "is in review" in edit.text and 'name="body"' not in edit.text
    version = re.search(r'name="version" value="(\d+)"', edit.text)
    assert version
    saved = client.post(
        f"/documents/{doc['id']}/edit",
        data={
            "csrf_token": csrf_of(edit.text),
            "version": version.group(1),
            "code": "POL-001",
            "title": "Renamed while in review",
            "kind": "policy",
            "classification": "internal",
            "review_interval_months": "12",
            "quorum": "1",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    after = client.get(f"{API}/{doc['id']}", headers=org.headers()).json()
    assert after["title"] == "Renamed while in review" and after["open"]["status"] == "in_review"
    # A form opened while the text was a draft still says so: its text is refused (409).
    stale = client.post(
        f"/documents/{doc['id']}/edit",
        data={
            "csrf_token": csrf_of(edit.text),
            "version": str(after["version"]),
            "draft_version": str(after["open"]["version"]),
            "code": "POL-001",
            "title": "Renamed while in review",
            "kind": "policy",
            "classification": "internal",
            "body": "Changed behind the reviewer's back",
        },
    )
    assert stale.status_code == 409 and "Changed behind the reviewer" in stale.text
