"""The context register, the legal register and the scope through the API, on both databases."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from aims.access.rules import Role
from tests.conftest import Org


def system(client: TestClient, org: Org, name: str = "CreditLens", **fields: Any) -> str:
    response = client.post("/api/v1/systems", json={"name": name, **fields}, headers=org.headers())
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def issue(client: TestClient, org: Org, **fields: Any) -> dict[str, Any]:
    body = {"title": "Supervisors expect explainable credit decisions", "direction": "external",
            "category": "legal", **fields}  # fmt: skip
    response = client.post("/api/v1/context/issues", json=body,
                           headers=org.headers(Role.CONTRIBUTOR))  # fmt: skip
    assert response.status_code == 201, response.text
    out: dict[str, Any] = response.json()
    return out


def legal(client: TestClient, org: Org, **fields: Any) -> dict[str, Any]:
    body = {"title": "EU AI Act", "kind": "legal", "reference": "Regulation (EU) 2024/1689",
            "status": "active", **fields}  # fmt: skip
    response = client.post("/api/v1/context/requirements", json=body, headers=org.headers())
    assert response.status_code == 201, response.text
    out: dict[str, Any] = response.json()
    return out


def test_issues_are_filtered_searched_edited_and_deleted(client: TestClient, org: Org) -> None:
    first = issue(client, org, owner_email=org.emails[Role.MANAGER], review_date="2020-01-01",
                  effect="Declines need reasons a person can follow")  # fmt: skip
    assert first["owner"] == org.emails[Role.MANAGER] and first["review_overdue"] is True
    assert first["category_label"] == "Legal and regulatory"
    issue(client, org, title="GPU energy for training", direction="internal",
          category="environmental", climate_related=True)  # fmt: skip
    h = org.headers(Role.VIEWER)
    climate = client.get("/api/v1/context/issues", params={"climate_related": "true"}, headers=h)
    assert [i["title"] for i in climate.json()["items"]] == ["GPU energy for training"]
    found = client.get("/api/v1/context/issues", params={"q": "follow"}, headers=h).json()
    assert found["total"] == 1 and found["items"][0]["id"] == first["id"]
    internal = client.get("/api/v1/context/issues", params={"direction": "internal"}, headers=h)
    assert internal.json()["total"] == 1
    url = f"/api/v1/context/issues/{first['id']}"
    changed = client.patch(url, json={"version": first["version"], "review_date": None},
                           headers=org.headers())  # fmt: skip
    assert changed.status_code == 200 and changed.json()["review_overdue"] is False
    stale = client.patch(url, json={"version": first["version"], "title": "Old"},
                         headers=org.headers())  # fmt: skip
    assert stale.status_code == 409
    gone = client.delete(url, params={"version": changed.json()["version"]}, headers=org.headers())
    assert gone.status_code == 204
    assert client.get(url, headers=h).status_code == 404
    back = client.post(f"{url}/restore", headers=org.headers())
    assert back.status_code == 200 and client.get(url, headers=h).status_code == 200


def test_issue_validation_names_the_field(client: TestClient, org: Org) -> None:
    h = org.headers()
    bad = client.post("/api/v1/context/issues", headers=h,
                      json={"title": "x", "direction": "external", "category": "weather"})  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["body", "category"]
    stranger = client.post("/api/v1/context/issues", headers=h,
                           json={"title": "x", "direction": "external", "category": "social",
                                 "owner_email": "someone@else.example"})  # fmt: skip
    assert stranger.status_code == 422 and stranger.json()["errors"][0]["loc"][-1] == "owner_email"
    blank = client.post("/api/v1/context/issues", headers=h,
                        json={"title": "x", "direction": "sideways", "category": "social"})  # fmt: skip
    assert blank.status_code == 422 and "direction" in blank.text


def test_viewers_read_but_do_not_write_and_other_orgs_see_nothing(
    client: TestClient, org: Org, other_org: Org
) -> None:
    mine = issue(client, org)
    refused = client.post("/api/v1/context/issues", headers=org.headers(Role.VIEWER),
                          json={"title": "x", "direction": "external", "category": "social"})  # fmt: skip
    assert refused.status_code == 403
    assert client.get(f"/api/v1/context/issues/{mine['id']}",
                      headers=other_org.headers()).status_code == 404  # fmt: skip
    assert client.get("/api/v1/context/issues", headers=other_org.headers()).json()["total"] == 0
    req = legal(client, org)
    assert client.get(f"/api/v1/context/requirements/{req['id']}",
                      headers=other_org.headers()).status_code == 404  # fmt: skip


def test_climate_determination_starts_undecided_and_records_who_decided(
    client: TestClient, org: Org
) -> None:
    start = client.get("/api/v1/context/climate", headers=org.headers(Role.VIEWER)).json()
    assert start["state"] == "undecided" and start["version"] == 0
    body = {"relevant": True, "reasoning": "", "version": 0}
    no_reason = client.put("/api/v1/context/climate", json=body, headers=org.headers(Role.MANAGER))
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["loc"] == ["body", "reasoning"]
    contributor = client.put("/api/v1/context/climate", headers=org.headers(Role.CONTRIBUTOR),
                             json={**body, "reasoning": "Training energy"})  # fmt: skip
    assert contributor.status_code == 403
    saved = client.put("/api/v1/context/climate", headers=org.headers(Role.MANAGER),
                       json={**body, "reasoning": "Training energy"}).json()  # fmt: skip
    assert saved["state"] == "relevant" and saved["decided_by"] == org.emails[Role.MANAGER]
    assert saved["decided_at"] is not None
    stale = client.put("/api/v1/context/climate", headers=org.headers(),
                       json={"relevant": False, "reasoning": "No", "version": 0})  # fmt: skip
    assert stale.status_code == 409


def test_parties_carry_requirements_and_unaddressed_ones_are_listed(
    client: TestClient, org: Org, other_org: Org
) -> None:
    h = org.headers(Role.CONTRIBUTOR)
    bad = client.post("/api/v1/context/parties", json={"name": "CBI", "kind": "aliens"}, headers=h)
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "kind"]
    party = client.post("/api/v1/context/parties", headers=h,
                        json={"name": "Central Bank of Ireland", "kind": "regulators"}).json()  # fmt: skip
    act = legal(client, org)
    url = f"/api/v1/context/parties/{party['id']}/requirements"
    met = client.post(url, headers=h, json={"text": "Explain credit declines", "addressed": "yes",
                                            "response": "Reason codes",
                                            "legal_requirement_id": act["id"]})  # fmt: skip
    assert met.status_code == 201 and met.json()["legal_requirement_title"] == "EU AI Act"
    partly = client.post(url, headers=h, json={"text": "Report model changes", "addressed": "partly",
                                               "response": "Only major ones"}).json()  # fmt: skip
    foreign = legal(client, other_org)
    wrong = client.post(url, headers=h, json={"text": "x", "legal_requirement_id": foreign["id"]})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["loc"] == ["body", "legal_requirement_id"]
    listed = client.get("/api/v1/context/parties", params={"kind": "regulators"}, headers=h).json()
    assert [len(p["requirements"]) for p in listed["items"]] == [2]
    open_ = client.get("/api/v1/context/party-requirements/unaddressed", headers=h).json()
    assert [r["text"] for r in open_] == ["Report model changes"]
    done = client.patch(f"/api/v1/context/party-requirements/{partly['id']}", headers=h,
                        json={"version": partly["version"], "addressed": "yes"})  # fmt: skip
    assert done.status_code == 200
    assert client.get("/api/v1/context/party-requirements/unaddressed", headers=h).json() == []
    assert client.patch(f"/api/v1/context/party-requirements/{partly['id']}",
                        headers=other_org.headers(),
                        json={"version": 1, "addressed": "no"}).status_code == 404  # fmt: skip


def test_legal_register_links_systems_and_checks_controls(
    client: TestClient, org: Org, other_org: Org
) -> None:
    credit = system(client, org)
    hr = system(client, org, "TalentSift")
    unknown = client.post("/api/v1/context/requirements", headers=org.headers(),
                          json={"title": "Act", "kind": "legal", "controls": ["A.6.2.7", "A.99"]})  # fmt: skip
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["loc"] == ["body", "controls"] and "A.99" in unknown.text
    foreign = system(client, other_org, "Theirs")
    wrong = client.post("/api/v1/context/requirements", headers=org.headers(),
                        json={"title": "Act", "kind": "legal", "system_ids": [foreign]})  # fmt: skip
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["loc"] == ["body", "system_ids"]
    act = legal(client, org, system_ids=[credit, hr], controls=["a.6.2.7", "A.8.2"])
    assert {s["name"] for s in act["systems"]} == {"CreditLens", "TalentSift"}
    assert act["controls"] == ["A.6.2.7", "A.8.2"] and act["calls_for_controls"] is True
    legal(client, org, title="GDPR", reference="Regulation (EU) 2016/679", system_ids=[credit])
    legal(client, org, title="Model provider terms", kind="contractual", reference="MSA 2025")
    h = org.headers(Role.VIEWER)
    for_hr = client.get("/api/v1/context/requirements", params={"system_id": hr}, headers=h)
    assert [r["title"] for r in for_hr.json()["items"]] == ["EU AI Act"]
    contractual = client.get("/api/v1/context/requirements", params={"kind": "contractual"},
                             headers=h).json()  # fmt: skip
    assert [r["title"] for r in contractual["items"]] == ["Model provider terms"]
    on_page = client.get(f"/api/v1/context/systems/{credit}/requirements", headers=h).json()
    assert [r["title"] for r in on_page] == ["EU AI Act", "GDPR"]
    url = f"/api/v1/context/requirements/{act['id']}"
    narrowed = client.patch(url, headers=org.headers(),
                            json={"version": act["version"], "system_ids": [hr]}).json()  # fmt: skip
    assert [s["name"] for s in narrowed["systems"]] == ["TalentSift"]
    on_page = client.get(f"/api/v1/context/systems/{credit}/requirements", headers=h).json()
    assert [r["title"] for r in on_page] == ["GDPR"]
    assert client.get(f"/api/v1/context/systems/{credit}/requirements",
                      headers=other_org.headers()).status_code == 404  # fmt: skip
    page = client.get("/api/v1/context/requirements", params={"limit": 2}, headers=h).json()
    assert page["total"] == 3 and len(page["items"]) == 2 and page["next_cursor"]


def test_requirements_register_exports_as_xlsx(client: TestClient, org: Org) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    credit = system(client, org)
    legal(client, org, system_ids=[credit], controls=["A.6.2.7"], obligations="=cmd|' /C calc'!A0")
    legal(client, org, title="Model provider terms", kind="contractual")
    response = client.get("/api/v1/context/requirements/export", params={"kind": "legal"},
                          headers=org.headers(Role.VIEWER))  # fmt: skip
    assert response.status_code == 200
    assert "legal-requirements-" in response.headers["content-disposition"]
    sheet = load_workbook(BytesIO(response.content))["Legal requirements"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Title" and len(rows) == 2
    assert rows[1][0] == "EU AI Act" and rows[1][8] == "CreditLens" and rows[1][9] == "A.6.2.7"
    assert sheet.cell(row=2, column=5).data_type == "s"  # a formula stays text
    assert sheet.freeze_panes == "A2"


def scope_body(**extra: Any) -> dict[str, Any]:
    return {"boundaries": "Consumer lending in IE, NL and DE", "units": "Dublin head office",
            "inclusions": [{"item": "Credit decisioning", "reason": "core business"}],
            "exclusions": [{"item": "Mortgages", "reason": "no AI used"}], **extra}  # fmt: skip


def test_scope_workflow_snapshots_the_in_scope_systems(client: TestClient, org: Org) -> None:
    system(client, org, "CreditLens")
    system(client, org, "Old collections", lifecycle_stage="retirement")
    system(client, org, "Code helper", in_scope=False, scope_reason="internal tool only")
    manager, owner = org.headers(Role.MANAGER), org.headers(Role.OWNER)
    assert client.get("/api/v1/scope", headers=manager).status_code == 404
    no_reason = client.post("/api/v1/scope", headers=manager, json=scope_body(
        exclusions=[{"item": "Mortgages", "reason": "   "}]))  # fmt: skip
    assert no_reason.status_code == 422
    problem = no_reason.json()["errors"][0]
    assert problem["loc"] == ["body", "exclusions", 0, "reason"] and "Mortgages" in problem["msg"]
    draft = client.post("/api/v1/scope", headers=manager, json=scope_body()).json()
    assert [s["name"] for s in draft["systems"]] == ["CreditLens"] and draft["systems_live"]
    again = client.post("/api/v1/scope", headers=manager, json=scope_body())
    assert again.status_code == 409
    url = f"/api/v1/scope/{draft['id']}"
    submitted = client.post(f"{url}/submit", json={"version": draft["version"]}, headers=manager)
    assert submitted.status_code == 200 and submitted.json()["status"] == "in_review"
    own = client.post(f"{url}/approve", json={"version": submitted.json()["version"]},
                      headers=manager)  # fmt: skip
    assert own.status_code == 403 and "author" in own.json()["detail"]
    approved = client.post(f"{url}/approve", json={"version": submitted.json()["version"]},
                           headers=owner).json()  # fmt: skip
    assert approved["status"] == "approved" and approved["approved_by"] == org.emails[Role.OWNER]
    assert approved["systems_live"] is False
    # The inventory moves on; the approved version keeps what was in scope.
    system(client, org, "TalentSift")
    kept = client.get(url, headers=manager).json()
    assert [s["name"] for s in kept["systems"]] == ["CreditLens"]
    locked = client.patch(url, json={"version": kept["version"], "boundaries": "x"},
                          headers=manager)  # fmt: skip
    assert locked.status_code == 409
    new = client.post(f"{url}/new-version", headers=manager).json()
    assert new["revision"] == 2 and new["systems_live"]
    assert [s["name"] for s in new["systems"]] == ["CreditLens", "TalentSift"]
    edited = client.patch(f"/api/v1/scope/{new['id']}", headers=manager, json={
        "version": new["version"], "exclusions": []}).json()  # fmt: skip
    assert edited["exclusions"] == []
    diff = client.get(f"/api/v1/scope/{new['id']}/compare", params={"with": draft["id"]},
                      headers=manager).json()  # fmt: skip
    changes = {(c["part"], c["change"], c["name"]) for c in diff["changes"]}
    assert ("Exclusions", "removed", "Mortgages") in changes
    assert ("AI systems", "added", "TalentSift") in changes
    assert diff["before_revision"] == 1 and diff["after_revision"] == 2
    versions = client.get("/api/v1/scope/versions", headers=manager).json()
    assert [v["status"] for v in versions] == ["approved", "draft"]
    current = client.get("/api/v1/scope", headers=manager).json()
    assert current["revision"] == 2


def test_scope_return_needs_a_note_and_is_isolated(
    client: TestClient, org: Org, other_org: Org
) -> None:
    draft = client.post("/api/v1/scope", headers=org.headers(Role.CONTRIBUTOR),
                        json=scope_body()).json()  # fmt: skip
    url = f"/api/v1/scope/{draft['id']}"
    assert client.get(url, headers=other_org.headers()).status_code == 404
    sent = client.post(f"{url}/submit", json={"version": draft["version"]},
                       headers=org.headers(Role.CONTRIBUTOR)).json()  # fmt: skip
    no_note = client.post(f"{url}/return", json={"version": sent["version"]},
                          headers=org.headers())  # fmt: skip
    assert no_note.status_code == 422 and no_note.json()["errors"][0]["loc"] == ["body", "note"]
    back = client.post(f"{url}/return", json={"version": sent["version"], "note": "Add sites"},
                       headers=org.headers()).json()  # fmt: skip
    assert back["status"] == "draft" and back["review_note"] == "Add sites"
    assert client.post(f"{url}/submit", json={"version": back["version"]},
                       headers=org.headers(Role.VIEWER)).status_code == 403  # fmt: skip
    gone = client.delete(url, params={"version": back["version"]}, headers=org.headers())
    assert (
        gone.status_code == 204
        and client.get("/api/v1/scope", headers=org.headers()).status_code == 404
    )


def test_attention_and_a_deleted_legal_link(client: TestClient, org: Org) -> None:
    start = client.get("/api/v1/context/attention", headers=org.headers(Role.VIEWER)).json()
    assert start["climate_undecided"] and start["scope_unapproved"]
    party = client.post("/api/v1/context/parties", headers=org.headers(),
                        json={"name": "Applicants", "kind": "customers"}).json()  # fmt: skip
    act = legal(client, org)
    client.post(f"/api/v1/context/parties/{party['id']}/requirements", headers=org.headers(),
                json={"text": "Explain declines", "legal_requirement_id": act["id"]})  # fmt: skip
    found = client.get("/api/v1/context/attention", headers=org.headers()).json()
    assert [r["text"] for r in found["unaddressed"]] == ["Explain declines"]
    assert found["unaddressed"][0]["legal_requirement_title"] == "EU AI Act"
    client.delete(f"/api/v1/context/requirements/{act['id']}", params={"version": act["version"]},
                  headers=org.headers())  # fmt: skip
    after = client.get(f"/api/v1/context/parties/{party['id']}", headers=org.headers()).json()
    assert after["requirements"][0]["legal_requirement_title"] is None
