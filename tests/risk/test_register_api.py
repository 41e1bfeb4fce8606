"""Risk criteria, the register, treatment, acceptance and the derived SoA through the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from aims.access.rules import Role
from tests.conftest import Org

FOUR = {
    "likelihood": [{"value": i, "label": label} for i, label in
                   enumerate(["Rare", "Possible", "Likely", "Frequent"], start=1)],
    "consequence": [{"value": i, "label": label} for i, label in
                    enumerate(["Minor", "Moderate", "Major", "Severe"], start=1)],
    "levels": [
        {"id": "low", "label": "Low", "acceptable": True,
         "accept_roles": ["owner", "manager", "contributor"]},
        {"id": "medium", "label": "Medium", "acceptable": True, "accept_roles": ["owner", "manager"]},
        {"id": "high", "label": "High"},
    ],
    "matrix": [["low", "low", "medium", "medium"],
               ["low", "medium", "medium", "high"],
               ["medium", "medium", "high", "high"],
               ["medium", "high", "high", "high"]],
}  # fmt: skip


def system(client: TestClient, org: Org, name: str = "CreditLens") -> str:
    response = client.post("/api/v1/systems", json={"name": name}, headers=org.headers())
    assert response.status_code == 201
    return str(response.json()["id"])


def risk(client: TestClient, org: Org, **fields: Any) -> dict[str, Any]:
    body = {"title": "Older applicants declined more often", "inherent_likelihood": 3,
            "inherent_consequence": 3, **fields}  # fmt: skip
    response = client.post("/api/v1/risks", json=body, headers=org.headers(Role.CONTRIBUTOR))
    assert response.status_code == 201, response.text
    out: dict[str, Any] = response.json()
    return out


def set_four(client: TestClient, org: Org, based_on: int = 0, **extra: Any) -> Any:
    return client.put(
        "/api/v1/risk/criteria",
        json={"criteria": FOUR, "based_on": based_on, **extra},
        headers=org.headers(Role.MANAGER),
    )


def test_criteria_are_versioned_and_only_managers_set_them(client: TestClient, org: Org) -> None:
    start = client.get("/api/v1/risk/criteria", headers=org.headers(Role.VIEWER)).json()
    assert start["number"] == 0 and len(start["criteria"]["matrix"]) == 5
    assert client.put(
        "/api/v1/risk/criteria", json={"criteria": FOUR, "based_on": 0},
        headers=org.headers(Role.CONTRIBUTOR),
    ).status_code == 403  # fmt: skip
    saved = set_four(client, org)
    assert saved.status_code == 200 and saved.json() == {
        "applied": True,
        "number": 1,
        "changes": [],
    }
    stale = set_four(client, org, based_on=0)
    assert stale.status_code == 409
    broken = {**FOUR, "matrix": [row[::-1] for row in FOUR["matrix"]]}
    refused = client.put("/api/v1/risk/criteria", json={"criteria": broken, "based_on": 1},
                         headers=org.headers(Role.MANAGER))  # fmt: skip
    assert refused.status_code == 422 and "worse consequence" in refused.text


def test_levels_come_from_the_criteria(client: TestClient, org: Org) -> None:
    set_four(client, org)
    sid = system(client, org)
    r = risk(client, org, system_id=sid, source="level_of_automation",
             objectives=["fairness"], residual_likelihood=2, residual_consequence=2)  # fmt: skip
    assert (r["ref"], r["inherent_level"], r["residual_level"]) == ("R-001", "high", "medium")
    assert r["criteria_number"] == 1 and r["system_name"] == "CreditLens"
    assert r["acceptance_needed"] is True
    off = client.post("/api/v1/risks", json={"title": "x", "inherent_likelihood": 5,
                                             "inherent_consequence": 1}, headers=org.headers())  # fmt: skip
    assert off.status_code == 422
    assert off.json()["errors"][0]["loc"] == ["body", "inherent_likelihood"]
    bad_source = client.post("/api/v1/risks", json={"title": "x", "inherent_likelihood": 1,
                                                    "inherent_consequence": 1, "source": "aliens"},
                             headers=org.headers())  # fmt: skip
    assert bad_source.status_code == 422 and bad_source.json()["errors"][0]["loc"][-1] == "source"
    second = risk(client, org)
    assert second["ref"] == "R-002"
    found = client.get("/api/v1/risks", params={"inherent_level": "high"}, headers=org.headers())
    assert found.json()["total"] == 2
    by_system = client.get("/api/v1/risks", params={"system_id": sid}, headers=org.headers())
    assert [x["ref"] for x in by_system.json()["items"]] == ["R-001"]


def test_changing_criteria_shows_what_changes_then_applies(client: TestClient, org: Org) -> None:
    set_four(client, org)
    r = risk(client, org)  # 3 x 3 = high
    milder = {**FOUR, "matrix": [["low"] * 4, ["low"] * 4, ["low", "low", "medium", "medium"],
                                 ["medium", "medium", "high", "high"]]}  # fmt: skip
    preview = client.put("/api/v1/risk/criteria", json={"criteria": milder, "based_on": 1},
                         headers=org.headers(Role.MANAGER)).json()  # fmt: skip
    assert preview["applied"] is False and preview["number"] == 1
    assert [(c["ref"], c["before"], c["after"]) for c in preview["changes"]] == [
        ("R-001", "high", "medium")
    ]
    assert (
        client.get(f"/api/v1/risks/{r['id']}", headers=org.headers()).json()["inherent_level"]
        == "high"
    )
    applied = client.put(
        "/api/v1/risk/criteria", json={"criteria": milder, "based_on": 1, "confirm": True},
        headers=org.headers(Role.MANAGER),
    ).json()  # fmt: skip
    assert applied["applied"] is True and applied["number"] == 2
    after = client.get(f"/api/v1/risks/{r['id']}", headers=org.headers()).json()
    assert after["inherent_level"] == "medium" and after["criteria_number"] == 2
    reviews = client.get(f"/api/v1/risks/{r['id']}/reviews", headers=org.headers()).json()
    assert reviews[0]["changes"] == {"inherent_level": ["high", "medium"]}
    # A smaller scale that strands a stored score is refused, naming the risk.
    risk(client, org, inherent_likelihood=4, inherent_consequence=1)
    three = {**milder, "likelihood": milder["likelihood"][:3], "matrix": milder["matrix"][:3]}
    stranded = client.put("/api/v1/risk/criteria", json={"criteria": three, "based_on": 2,
                                                         "confirm": True},
                          headers=org.headers(Role.MANAGER))  # fmt: skip
    assert stranded.status_code == 409 and "R-002" in stranded.json()["detail"]
    assert "R-001" not in stranded.json()["detail"]


def test_treatment_fills_the_soa(client: TestClient, org: Org) -> None:
    r = risk(client, org)
    selected = client.post(f"/api/v1/risks/{r['id']}/controls", json={"control_id": "a.5.4"},
                           headers=org.headers())  # fmt: skip
    assert selected.status_code == 201 and selected.json()["controls"] == ["A.5.4"]
    again = client.post(f"/api/v1/risks/{r['id']}/controls", json={"control_id": "A.5.4"},
                        headers=org.headers())  # fmt: skip
    assert again.status_code == 409
    assert client.post(f"/api/v1/risks/{r['id']}/controls", json={"control_id": "A.99.1"},
                       headers=org.headers()).status_code == 422  # fmt: skip
    soa = client.get("/api/v1/soa", headers=org.headers(Role.AUDITOR)).json()
    assert len(soa["rows"]) == 38
    row = next(x for x in soa["rows"] if x["control_id"] == "A.5.4")
    assert row["applicable"] is True
    assert row["inclusion_justification"].startswith("Treats: R-001 Older applicants")
    assert "applicable, with no owner" in row["problems"]
    # Excluding a control a treatment needs is refused, naming the risk...
    refused = client.put("/api/v1/soa/A.5.4", json={"version": 0, "applicable": False,
                                                     "exclusion_reason": "Not relevant"},
                         headers=org.headers())  # fmt: skip
    assert refused.status_code == 422 and "R-001" in refused.json()["detail"]
    assert refused.json()["errors"][0]["loc"] == ["body", "override_reason"]
    # ...unless an override reason is recorded.
    overridden = client.put(
        "/api/v1/soa/A.5.4",
        json={"version": 0, "applicable": False, "exclusion_reason": "Covered by group policy",
              "override_reason": "The group's fairness board reviews this system"},
        headers=org.headers(),
    )  # fmt: skip
    assert overridden.status_code == 200 and overridden.json()["problems"] == []
    no_reason = client.put("/api/v1/soa/A.10.4", json={"version": 0, "applicable": False},
                           headers=org.headers())  # fmt: skip
    assert (
        no_reason.status_code == 422
        and no_reason.json()["errors"][0]["loc"][-1] == "exclusion_reason"
    )
    owned = client.put(
        "/api/v1/soa/A.2.2",
        json={"version": 0, "applicable": True, "owner_email": org.emails[Role.MANAGER],
              "status": "implemented", "inclusion_note": "The AI policy"},
        headers=org.headers(),
    ).json()  # fmt: skip
    assert owned["problems"] == [] and owned["version"] == 1
    stale = client.put("/api/v1/soa/A.2.2", json={"version": 0, "applicable": True},
                       headers=org.headers())  # fmt: skip
    assert stale.status_code == 409
    assert client.put("/api/v1/soa/A.2.2", json={"version": 1}, headers=org.headers(Role.VIEWER)
                      ).status_code == 403  # fmt: skip


def test_acceptance_needs_the_owner_a_reason_and_an_expiry(client: TestClient, org: Org) -> None:
    set_four(client, org)
    r = risk(client, org, owner_email=org.emails[Role.MANAGER], residual_likelihood=2,
             residual_consequence=2)  # fmt: skip
    url = f"/api/v1/risks/{r['id']}/accept"
    future = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    not_owner = client.post(url, json={"version": r["version"], "reason": "ok", "expires": future},
                            headers=org.headers(Role.OWNER))  # fmt: skip
    assert not_owner.status_code == 403 and "owner" in not_owner.json()["detail"]
    no_reason = client.post(url, json={"version": r["version"], "reason": "", "expires": future},
                            headers=org.headers(Role.MANAGER))  # fmt: skip
    assert no_reason.status_code == 422
    no_expiry = client.post(url, json={"version": r["version"], "reason": "ok"},
                            headers=org.headers(Role.MANAGER))  # fmt: skip
    assert no_expiry.status_code == 422
    past = client.post(url, json={"version": r["version"], "reason": "ok", "expires": "2020-01-01"},
                       headers=org.headers(Role.MANAGER))  # fmt: skip
    assert past.status_code == 422 and past.json()["errors"][0]["loc"][-1] == "expires"
    accepted = client.post(url, json={"version": r["version"], "reason": "Within appetite",
                                      "expires": future}, headers=org.headers(Role.MANAGER))  # fmt: skip
    assert accepted.status_code == 200
    body = accepted.json()
    assert body["status"] == "accepted" and body["accepted_by"] == org.emails[Role.MANAGER]
    assert body["acceptance_needed"] is False


def test_a_high_residual_risk_cannot_be_accepted(client: TestClient, org: Org) -> None:
    set_four(client, org)
    r = risk(client, org, owner_email=org.emails[Role.OWNER], residual_likelihood=4,
             residual_consequence=4)  # fmt: skip
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    response = client.post(f"/api/v1/risks/{r['id']}/accept",
                           json={"version": r["version"], "reason": "ok", "expires": future},
                           headers=org.headers(Role.OWNER))  # fmt: skip
    assert response.status_code == 403 and "treat it further" in response.json()["detail"]


def test_overdue_treatment_and_review_are_listed(client: TestClient, org: Org) -> None:
    r = risk(client, org, next_review="2020-01-01")
    action = client.post(f"/api/v1/risks/{r['id']}/actions",
                         json={"title": "Parity test", "due_date": "2020-06-30",
                               "owner_email": org.emails[Role.CONTRIBUTOR]},
                         headers=org.headers())  # fmt: skip
    assert action.status_code == 201 and action.json()["overdue"] is True
    found = client.get("/api/v1/risk/attention", headers=org.headers()).json()
    assert [a["title"] for a in found["overdue_actions"]] == ["Parity test"]
    assert [x["ref"] for x in found["overdue_reviews"]] == ["R-001"]
    done = client.patch(f"/api/v1/risks/{r['id']}/actions/{action.json()['id']}",
                        json={"version": 1, "status": "done"}, headers=org.headers())  # fmt: skip
    assert done.json()["overdue"] is False
    reviewed = client.post(f"/api/v1/risks/{r['id']}/reviews",
                           json={"version": r["version"], "note": "Checked with the DPO",
                                 "next_review": "2030-01-01"}, headers=org.headers())  # fmt: skip
    assert reviewed.status_code == 200 and reviewed.json()["review_overdue"] is False
    found = client.get("/api/v1/risk/attention", headers=org.headers()).json()
    assert found["overdue_actions"] == [] and found["overdue_reviews"] == []


def test_a_harm_from_an_impact_assessment_becomes_a_linked_risk(
    client: TestClient, org: Org
) -> None:
    from tests.impact.test_assessment_api import AGE_HARM, start

    a = start(client, org)
    harm = client.post(f"/api/v1/impact/assessments/{a['id']}/impacts",
                       json={"version": a["version"], **AGE_HARM}, headers=org.headers()).json()  # fmt: skip
    referral = client.post(f"/api/v1/impact/assessments/{a['id']}/impacts/{harm['key']}/risk",
                           headers=org.headers()).json()  # fmt: skip
    created = client.post(f"/api/v1/risks/from-referral/{referral['id']}", json={},
                          headers=org.headers())  # fmt: skip
    assert created.status_code == 201, created.text
    r = created.json()
    assert r["origin"] == "impact_harm" and r["origin_ref"] == referral["id"]
    assert r["system_id"] == a["system_id"] and r["objectives"] == ["fairness"]
    assert (r["inherent_likelihood"], r["inherent_consequence"]) == (4, 4)  # 3 of 4 on a 5-scale
    listed = client.get("/api/v1/impact/referrals", headers=org.headers()).json()["items"][0]
    assert listed["status"] == "linked" and listed["risk_id"] == r["id"]
    twice = client.post(f"/api/v1/risks/from-referral/{referral['id']}", json={},
                        headers=org.headers())  # fmt: skip
    assert twice.status_code == 409 and "R-001" in twice.text


def test_other_organisations_see_no_risks(client: TestClient, org: Org, other_org: Org) -> None:
    r = risk(client, org)
    assert client.get(f"/api/v1/risks/{r['id']}", headers=other_org.headers()).status_code == 404
    assert client.get("/api/v1/risks", headers=other_org.headers()).json()["total"] == 0
    other_soa = client.get("/api/v1/soa", headers=other_org.headers()).json()
    assert all(row["needs"] == [] for row in other_soa["rows"])


def test_cli_risk_and_soa(aims: object) -> None:
    assert aims("init", "--email", "boss@acme.example").code == 0  # type: ignore[operator]
    assert aims("systems", "add", "CreditLens").code == 0  # type: ignore[operator]
    added = aims("risk", "add", "Older applicants declined more often", "--likelihood", "4",  # type: ignore[operator]
                 "--consequence", "4", "--system", "CreditLens", "--source", "level_of_automation",
                 "--review", "2020-01-01")  # fmt: skip
    assert added.code == 0 and "Added R-001 at level high" in added.out
    off = aims("risk", "add", "x", "--likelihood", "9", "--consequence", "1")  # type: ignore[operator]
    assert off.code == 2 and "inherent_likelihood" in off.err
    listed = aims("risk", "list")  # type: ignore[operator]
    assert listed.code == 0 and "R-001" in listed.out and "Review overdue: R-001" in listed.out
    shown = aims("risk", "show", "r-001")  # type: ignore[operator]
    assert shown.code == 0 and "4 x 4 = high" in shown.out and "CreditLens" in shown.out
    assert aims("risk", "show", "R-404").code == 2  # type: ignore[operator]
    soa = aims("soa", "show", "--problems")  # type: ignore[operator]
    assert soa.code == 0 and "38 controls; 38 with something to resolve" in soa.out


def test_review_fixes_acceptance_status_nulls_and_review_dates(
    client: TestClient, org: Org
) -> None:
    set_four(client, org)
    r = risk(client, org, owner_email=org.emails[Role.MANAGER], residual_likelihood=2,
             residual_consequence=2, next_review="2030-06-30")  # fmt: skip
    # "accepted" comes only from the owner's acceptance, never from an edit.
    sneaky = client.patch(f"/api/v1/risks/{r['id']}", json={"version": r["version"],
                                                            "status": "accepted"},
                          headers=org.headers())  # fmt: skip
    assert sneaky.status_code == 422 and "acceptance" in sneaky.text
    nulled = client.patch(f"/api/v1/risks/{r['id']}",
                          json={"version": r["version"], "inherent_likelihood": None},
                          headers=org.headers())  # fmt: skip
    assert nulled.status_code == 422 and "inherent_likelihood" in nulled.text
    future = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    accepted = client.post(f"/api/v1/risks/{r['id']}/accept",
                           json={"version": r["version"], "reason": "ok", "expires": future},
                           headers=org.headers(Role.MANAGER)).json()  # fmt: skip
    assert accepted["status"] == "accepted"
    # A review without a date keeps the next review; a new residual level voids the acceptance.
    reviewed = client.post(f"/api/v1/risks/{r['id']}/reviews",
                           json={"version": accepted["version"], "note": "No change"},
                           headers=org.headers()).json()  # fmt: skip
    assert reviewed["next_review"] == "2030-06-30" and reviewed["status"] == "accepted"
    worse = client.patch(f"/api/v1/risks/{r['id']}",
                         json={"version": reviewed["version"], "residual_likelihood": 4,
                               "residual_consequence": 4}, headers=org.headers()).json()  # fmt: skip
    assert worse["residual_level"] == "high" and worse["status"] == "open"
    assert worse["accepted_by"] is None and worse["acceptance_needed"] is True


def test_deleting_a_risk_frees_its_harm(client: TestClient, org: Org) -> None:
    from tests.impact.test_assessment_api import AGE_HARM, start

    a = start(client, org)
    harm = client.post(f"/api/v1/impact/assessments/{a['id']}/impacts",
                       json={"version": a["version"], **AGE_HARM}, headers=org.headers()).json()  # fmt: skip
    referral = client.post(f"/api/v1/impact/assessments/{a['id']}/impacts/{harm['key']}/risk",
                           headers=org.headers()).json()  # fmt: skip
    r = client.post(f"/api/v1/risks/from-referral/{referral['id']}", json={},
                    headers=org.headers()).json()  # fmt: skip
    client.delete(f"/api/v1/risks/{r['id']}", params={"version": r["version"]},
                  headers=org.headers())  # fmt: skip
    again = client.post(f"/api/v1/risks/from-referral/{referral['id']}", json={},
                        headers=org.headers())  # fmt: skip
    assert again.status_code == 201 and again.json()["ref"] == "R-002"


def test_a_control_character_does_not_break_the_xlsx(client: TestClient, org: Org) -> None:
    import io

    import openpyxl

    risk(client, org, title="Pasted\x0btext")
    xlsx = client.get("/api/v1/risks/export", headers=org.headers())
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["Risk register"]
    assert sheet.cell(row=2, column=2).value == "Pastedtext"


def test_criteria_form_checks_the_role_and_the_sizes_first(client: TestClient, org: Org) -> None:
    from tests.web.test_pages import csrf_of, sign_in

    sign_in(client, org.emails[Role.VIEWER])
    page = client.get("/risks/criteria")
    huge = {"csrf_token": csrf_of(page.text), "based_on": "0", "n_likelihood": "100000",
            "n_consequence": "100000"}  # fmt: skip
    assert client.post("/risks/criteria", data=huge).status_code == 403
    sign_in(client, org.emails[Role.MANAGER])
    page = client.get("/risks/criteria")
    refused = client.post("/risks/criteria", data={**huge, "csrf_token": csrf_of(page.text)})
    assert refused.status_code == 422 and "3 to 6" in refused.text


def test_cli_takes_up_a_harm(aims: object, engine: Any) -> None:
    """On the demo: the over-60s harm is already a risk; once that risk is deleted, the harm
    waits again and the CLI takes it up."""
    from aims.cli.common import operator_context, organisation
    from aims.risk import service
    from aims.store.engine import Actor, unit_of_work
    from aims.store.registry import session_factory

    assert aims("demo").code == 0  # type: ignore[operator]
    none_waiting = aims("risk", "harms")  # type: ignore[operator]
    assert none_waiting.code == 0 and "0 harm(s) waiting" in none_waiting.out
    with unit_of_work(session_factory(engine), Actor(None, None, "test")) as db:
        ctx = operator_context(db, organisation(db, None))
        first = service.find_risk(db, ctx, "R-001")
        service.delete_risk(db, ctx, first, version=first.version)
    waiting = aims("risk", "harms")  # type: ignore[operator]
    assert "1 harm(s) waiting" in waiting.out
    harm_id = next(w for w in waiting.out.split() if w.count("-") == 4)
    taken = aims("risk", "take-up", harm_id)  # type: ignore[operator]
    assert taken.code == 0 and "Took the harm up as R-004" in taken.out
    missing = aims("risk", "take-up", "00000000-0000-0000-0000-000000000000")  # type: ignore[operator]
    assert missing.code == 2 and "no referral" in missing.err
