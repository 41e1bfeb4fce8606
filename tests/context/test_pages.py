"""Context pages: the climate decision on top, issues and parties with their forms, the legal
register with its filters and export, and the scope with its review."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from aims.access.rules import Role
from tests.conftest import Org
from tests.context.test_api import issue, legal, scope_body, system
from tests.web.test_pages import csrf_of, sign_in


def test_context_page_flags_an_undecided_climate_determination_then_records_it(
    client: TestClient, org: Org
) -> None:
    sign_in(client, org.emails[Role.MANAGER])
    page = client.get("/context")
    assert page.status_code == 200 and "Not decided yet" in page.text
    assert "No issue recorded yet" in page.text
    form = client.get("/context/climate")
    bad = client.post("/context/climate", data={"csrf_token": csrf_of(form.text), "version": "0",
                                                "relevant": "yes", "reasoning": ""})  # fmt: skip
    assert bad.status_code == 422 and 'id="reasoning-error"' in bad.text
    assert 'aria-describedby="reasoning-error"' in bad.text
    done = client.post("/context/climate", follow_redirects=True,
                       data={"csrf_token": csrf_of(form.text), "version": "0", "relevant": "yes",
                             "reasoning": "Model training uses a lot of energy"})  # fmt: skip
    assert "Yes, relevant" in done.text and org.emails[Role.MANAGER] in done.text
    assert "Not decided yet" not in done.text


def test_issue_form_shows_errors_beside_fields_and_the_list_filters(
    client: TestClient, org: Org
) -> None:
    issue(client, org, title="GPU energy", direction="internal", category="environmental",
          climate_related=True)  # fmt: skip
    issue(client, org, title="Supervisory expectations")
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    form = client.get("/context/issues/new")
    assert form.status_code == 200 and 'for="category"' in form.text
    bad = client.post("/context/issues/new", data={"csrf_token": csrf_of(form.text), "title": "",
                                                   "direction": "external", "category": ""})  # fmt: skip
    assert bad.status_code == 422 and 'id="title-error"' in bad.text
    stranger = client.post("/context/issues/new",
                           data={"csrf_token": csrf_of(form.text), "title": "Talent market",
                                 "direction": "external", "category": "economic",
                                 "owner_email": "x@nowhere.example"})  # fmt: skip
    assert stranger.status_code == 422 and 'id="owner_email-error"' in stranger.text
    assert 'value="Talent market"' in stranger.text  # what was typed stays
    saved = client.post("/context/issues/new", follow_redirects=True,
                        data={"csrf_token": csrf_of(form.text), "title": "Talent market",
                              "direction": "external", "category": "economic"})  # fmt: skip
    assert "Talent market" in saved.text
    climate = client.get("/context", params={"climate": "yes"})
    assert "GPU energy" in climate.text and "Supervisory expectations" not in climate.text
    none = client.get("/context", params={"q": "nothing like this"})
    assert "No issue matches these filters" in none.text


def test_no_csrf_no_change(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.MANAGER])
    refused = client.post("/context/issues/new", data={"title": "x", "direction": "external",
                                                       "category": "legal"})  # fmt: skip
    assert refused.status_code == 403
    assert client.get("/api/v1/context/issues", headers=org.headers()).json()["total"] == 0


def test_issue_edit_with_a_stale_version_is_a_conflict_and_delete_can_be_undone(
    client: TestClient, org: Org
) -> None:
    found = issue(client, org)
    sign_in(client, org.emails[Role.MANAGER])
    form = client.get(f"/context/issues/{found['id']}/edit")
    assert "Supervisors expect" in form.text
    stale = client.post(f"/context/issues/{found['id']}/edit",
                        data={"csrf_token": csrf_of(form.text), "version": "99", "title": "New",
                              "direction": "external", "category": "legal"})  # fmt: skip
    assert stale.status_code == 409 and 'id="problem"' in stale.text
    page = client.get("/context")
    gone = client.post(f"/context/issues/{found['id']}/delete", follow_redirects=True,
                       data={"csrf_token": csrf_of(page.text), "version": str(found["version"])})  # fmt: skip
    assert "Deleted." in gone.text and "Supervisors expect" not in gone.text
    undo = re.search(r'action="(/context/issues/[^"]+/restore)"', gone.text)
    assert undo
    back = client.post(undo.group(1), data={"csrf_token": csrf_of(gone.text)},
                       follow_redirects=True)  # fmt: skip
    assert "Supervisors expect" in back.text


def test_parties_with_requirements_and_the_unaddressed_list(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    form = client.get("/context/parties/new")
    bad = client.post("/context/parties/new", data={"csrf_token": csrf_of(form.text), "name": "X",
                                                    "kind": ""})  # fmt: skip
    assert bad.status_code == 422 and 'id="kind-error"' in bad.text
    created = client.post("/context/parties/new", follow_redirects=True,
                          data={"csrf_token": csrf_of(form.text), "name": "Central Bank of Ireland",
                                "kind": "regulators"})  # fmt: skip
    assert created.status_code == 200 and "Add a requirement" in created.text
    action = re.search(r'action="(/context/parties/[^"]+/requirements)"', created.text)
    assert action
    empty = client.post(action.group(1), data={"csrf_token": csrf_of(created.text), "text": ""})
    assert empty.status_code == 422 and 'id="text-error"' in empty.text
    client.post(action.group(1), data={"csrf_token": csrf_of(created.text),
                                       "text": "Report material model changes",
                                       "addressed": "partly", "response": "Major changes only"})  # fmt: skip
    page = client.get("/context")
    assert 'id="unaddressed"' in page.text and "Report material model changes" in page.text
    assert "partly addressed" in page.text
    suppliers = client.get("/context", params={"kind": "suppliers"})
    assert "No interested party matches these filters" in suppliers.text


def test_legal_register_page_filters_by_kind_and_system_and_exports(
    client: TestClient, org: Org
) -> None:
    credit = system(client, org)
    legal(client, org, system_ids=[credit], controls=["A.6.2.7"])
    legal(client, org, title="Model provider terms", kind="contractual", reference="MSA")
    sign_in(client, org.emails[Role.VIEWER])
    page = client.get("/context/requirements")
    assert (
        page.status_code == 200
        and "EU AI Act" in page.text
        and "Add a requirement" not in page.text
    )
    by_system = client.get("/context/requirements", params={"system_id": credit})
    assert "EU AI Act" in by_system.text and "Model provider terms" not in by_system.text
    by_kind = client.get("/context/requirements", params={"kind": "contractual"})
    assert "EU AI Act" not in by_kind.text and "Model provider terms" in by_kind.text
    xlsx = client.get("/context/requirements/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_legal_form_refuses_nothing_silently(client: TestClient, org: Org) -> None:
    system(client, org)
    sign_in(client, org.emails[Role.MANAGER])
    form = client.get("/context/requirements/new")
    assert "CreditLens" in form.text and "A.6.2.7" in form.text
    bad = client.post("/context/requirements/new",
                      data={"csrf_token": csrf_of(form.text), "title": "Act", "kind": "legal",
                            "controls": ["A.6.2.7", "A.42"]})  # fmt: skip
    assert bad.status_code == 422 and 'id="controls-error"' in bad.text and "A.42" in bad.text
    ok = client.post("/context/requirements/new", follow_redirects=True,
                     data={"csrf_token": csrf_of(form.text), "title": "EU AI Act",
                           "kind": "legal", "status": "active", "controls": ["A.6.2.7"]})  # fmt: skip
    assert "EU AI Act" in ok.text and "A.6.2.7" in ok.text


def test_scope_page_drafts_reviews_and_approves(client: TestClient, org: Org) -> None:
    system(client, org, "CreditLens")
    sign_in(client, org.emails[Role.MANAGER])
    empty = client.get("/scope")
    assert "No scope statement yet" in empty.text and "CreditLens" in empty.text
    form = client.get("/scope/new")
    data = {"csrf_token": csrf_of(form.text), "boundaries": "Consumer lending",
            "inclusions_item": ["Credit", ""], "inclusions_reason": ["", ""],
            "exclusions_item": ["Mortgages", ""], "exclusions_reason": ["", ""]}  # fmt: skip
    bad = client.post("/scope/new", data=data)
    assert bad.status_code == 422 and 'id="exclusions_0_reason-error"' in bad.text
    assert "Mortgages" in bad.text
    data["exclusions_reason"] = ["No AI used", ""]
    draft = client.post("/scope/new", data=data, follow_redirects=True)
    assert 'id="scope-status">draft' in draft.text and "No AI used" in draft.text
    assert "Read live from the inventory" in draft.text
    sid = re.search(r'action="/scope/([0-9a-f-]+)/submit"', draft.text)
    version = re.search(r'/submit".*?name="version" value="(\d+)"', draft.text, re.S)
    assert sid and version
    sent = client.post(f"/scope/{sid.group(1)}/submit", follow_redirects=True,
                       data={"csrf_token": csrf_of(draft.text), "version": version.group(1)})  # fmt: skip
    assert 'id="scope-status">in review' in sent.text
    version = re.search(r'/approve".*?name="version" value="(\d+)"', sent.text, re.S)
    assert version
    own = client.post(f"/scope/{sid.group(1)}/approve",
                      data={"csrf_token": csrf_of(sent.text), "version": version.group(1)})  # fmt: skip
    assert own.status_code == 403 and 'id="problem"' in own.text and "author" in own.text
    client.post("/logout", data={"csrf_token": csrf_of(sent.text)})
    sign_in(client, org.emails[Role.OWNER])
    page = client.get("/scope")
    approved = client.post(f"/scope/{sid.group(1)}/approve", follow_redirects=True,
                           data={"csrf_token": csrf_of(page.text), "version": version.group(1)})  # fmt: skip
    assert 'id="scope-status">approved' in approved.text
    assert "As approved with this version" in approved.text
    new = client.post(f"/scope/{sid.group(1)}/new-version", follow_redirects=True,
                      data={"csrf_token": csrf_of(approved.text)})  # fmt: skip
    assert "Edit the scope (revision 2)" in new.text
    assert client.get("/scope/new", follow_redirects=False).status_code == 303
    first = client.get(f"/scope/{sid.group(1)}/compare")
    assert "no earlier version" in first.text
    new_id = re.search(r'action="/scope/([0-9a-f-]+)/edit"', new.text)
    assert new_id
    compare = client.get(f"/scope/{new_id.group(1)}/compare")
    assert compare.status_code == 200 and "same content" in compare.text


def test_scope_pages_of_another_organisation_are_not_found(
    client: TestClient, org: Org, other_org: Org
) -> None:
    theirs = client.post("/api/v1/scope", json=scope_body(), headers=other_org.headers()).json()
    sign_in(client, org.emails[Role.VIEWER])
    assert client.get(f"/scope/{theirs['id']}").status_code == 404
    assert client.get("/scope/new").status_code == 403
