"""Impact assessments through the API: the record, scoring, workflow, harms, FRIA (both DBs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aims.access.rules import Role
from aims.impact.questionnaire import get_questionnaire
from aims.impact.rules import add_months, score
from tests.conftest import Org

BASE = "/api/v1/impact/assessments"
CREDIT = {"operator_role": "provider", "also_deployer": True, "in_eu": True,
          "annex_iii": ["5b"], "profiles_natural_persons": True}  # fmt: skip

AGE_HARM = {
    "affected": "groups",
    "who": "Loan applicants aged over 60",
    "dimension": "fairness",
    "nature": "harm",
    "description": "Indirect discrimination: older applicants declined more often",
    "likelihood": 3,
    "severity": 3,
    "reversibility": "hard_to_reverse",
    "people": "10k_to_1m",
    "existing_measures": "Credit officer confirms every decline",
    "planned_measures": "Quarterly parity test across age bands",
}


def make_system(client: TestClient, org: Org, name: str = "CreditLens", **answers: Any) -> str:
    created = client.post(
        "/api/v1/systems",
        json={"name": name, "purpose": "Scores applicants' creditworthiness",
              "intended_use": "Support lending decisions on consumer loans"},
        headers=org.headers(Role.CONTRIBUTOR),
    )  # fmt: skip
    assert created.status_code == 201, created.text
    system_id: str = created.json()["id"]
    if answers:
        classified = client.post(
            f"/api/v1/systems/{system_id}/classifications",
            json=answers,
            headers=org.headers(Role.CONTRIBUTOR),
        )
        assert classified.status_code in (200, 201), classified.text
    return system_id


def start(client: TestClient, org: Org, **fields: Any) -> dict[str, Any]:
    system_id = make_system(client, org, **CREDIT)
    response = client.post(
        BASE, json={"system_id": system_id, **fields}, headers=org.headers(Role.CONTRIBUTOR)
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def full_answers() -> dict[str, Any]:
    """The heaviest answer to every question: impact at its maximum, mitigation too."""
    answers: dict[str, Any] = {}
    for q in get_questionnaire().questions:
        if q.type == "single":
            answers[q.id] = max(q.answers, key=lambda a: a.weight).id
        else:
            answers[q.id] = [a.id for a in q.answers]
    return answers


def test_create_pulls_the_system_from_the_inventory(client: TestClient, org: Org) -> None:
    a = start(client, org, scope="CreditLens 4.2 in Ireland")
    assert a["status"] == "draft" and a["revision"] == 1
    assert a["title"] == "Impact assessment: CreditLens"
    assert a["system"]["name"] == "CreditLens"
    assert a["system"]["intended_use"] == "Support lending decisions on consumer loans"
    assert a["scope"] == "CreditLens 4.2 in Ireland"
    assert a["score"] is None and a["level"] is None
    assert a["questionnaire_version"] == get_questionnaire().version
    assert a["fria_required"] is True
    assert a["progress"]["percent"] < 20
    # One series per system: the second start points at the existing one.
    again = client.post(BASE, json={"system_id": a["system_id"]}, headers=org.headers())
    assert again.status_code == 409 and "new version" in again.json()["detail"]


def test_answers_are_scored_and_merged(client: TestClient, org: Org) -> None:
    a = start(client, org)
    answers = full_answers()
    saved = client.patch(
        f"{BASE}/{a['id']}",
        json={"version": a["version"], "answers": answers},
        headers=org.headers(Role.CONTRIBUTOR),
    )
    assert saved.status_code == 200, saved.text
    body = saved.json()
    expected = score(get_questionnaire(), answers)
    assert body["score"]["raw_impact"] == expected.raw_impact == expected.max_impact
    assert body["score"]["reduction_applied"] is True
    assert body["level"] == expected.level.value == "IV"  # 85 % of the maximum
    assert {s["section"] for s in body["score"]["sections"]} >= {"fairness", "governance"}
    assert body["version"] == a["version"] + 1  # score and content in one write
    # Merging clears one answer and keeps the rest.
    first = get_questionnaire().questions[0].id
    merged = client.patch(
        f"{BASE}/{a['id']}",
        json={"version": body["version"], "answers_merge": {first: None}},
        headers=org.headers(Role.CONTRIBUTOR),
    ).json()
    assert first not in merged["answers"] and len(merged["answers"]) == len(answers) - 1
    assert merged["score"]["unanswered"] == [first]


@pytest.mark.parametrize(
    ("answers", "question"),
    [
        ({"imp-fair-01": "everyone"}, "imp-fair-01"),
        ({"imp-fair-02": "protected"}, "imp-fair-02"),
        ({"no-such-question": "x"}, "no-such-question"),
    ],
)
def test_answers_outside_the_questionnaire_are_refused(
    client: TestClient, org: Org, answers: dict[str, Any], question: str
) -> None:
    a = start(client, org)
    response = client.patch(
        f"{BASE}/{a['id']}", json={"version": a["version"], "answers": answers},
        headers=org.headers(),
    )  # fmt: skip
    assert response.status_code == 422
    assert question in response.json()["detail"]
    assert response.json()["errors"][0]["loc"] == ["body", "answers", question]
    assert client.get(f"{BASE}/{a['id']}", headers=org.headers()).json()["answers"] == {}


def test_impacts_defaults_and_validation(client: TestClient, org: Org) -> None:
    a = start(client, org)
    added = client.post(
        f"{BASE}/{a['id']}/impacts", json={"version": a["version"], **AGE_HARM},
        headers=org.headers(Role.CONTRIBUTOR),
    )  # fmt: skip
    assert added.status_code == 201, added.text
    impact = added.json()
    assert impact["residual_level"] == "IV"  # likely x serious = 9
    assert len(impact["key"]) == 12
    rights = {**AGE_HARM, "dimension": "other_rights", "version": a["version"] + 1}
    refused = client.post(f"{BASE}/{a['id']}/impacts", json=rights, headers=org.headers())
    assert refused.status_code == 422 and "charter_article" in refused.text
    bad_scale = {**AGE_HARM, "likelihood": 5, "version": a["version"] + 1}
    out_of_scale = client.post(f"{BASE}/{a['id']}/impacts", json=bad_scale, headers=org.headers())
    assert out_of_scale.status_code == 422
    assert out_of_scale.json()["errors"][0]["loc"][-1] == "likelihood"
    changed = client.patch(
        f"{BASE}/{a['id']}/impacts/{impact['key']}",
        json={"version": a["version"] + 1, "likelihood": 1, "severity": 2},
        headers=org.headers(),
    )
    assert changed.status_code == 200 and changed.json()["residual_level"] == "I"
    stale = client.delete(
        f"{BASE}/{a['id']}/impacts/{impact['key']}", params={"version": a["version"]},
        headers=org.headers(),
    )  # fmt: skip
    assert stale.status_code == 409
    gone = client.delete(
        f"{BASE}/{a['id']}/impacts/{impact['key']}", params={"version": a["version"] + 2},
        headers=org.headers(),
    )  # fmt: skip
    assert gone.status_code == 204
    assert client.get(f"{BASE}/{a['id']}", headers=org.headers()).json()["impacts"] == []


def complete(client: TestClient, org: Org, a: dict[str, Any], role: Role) -> dict[str, Any]:
    """Fill a draft so it may go for review: every question answered and one impact."""
    current = client.patch(
        f"{BASE}/{a['id']}",
        json={"version": a["version"], "answers": full_answers(), "scope": "All of CreditLens"},
        headers=org.headers(role),
    ).json()  # fmt: skip
    client.post(f"{BASE}/{a['id']}/impacts", json={"version": current["version"], **AGE_HARM},
                headers=org.headers(role))  # fmt: skip
    body: dict[str, Any] = client.get(f"{BASE}/{a['id']}", headers=org.headers()).json()
    return body


def _workflow_to_approval(client: TestClient, org: Org) -> dict[str, Any]:
    a = start(client, org, scope="All of CreditLens")
    current = complete(client, org, a, Role.CONTRIBUTOR)
    submitted = client.post(
        f"{BASE}/{a['id']}/submit", json={"version": current["version"]},
        headers=org.headers(Role.CONTRIBUTOR),
    )  # fmt: skip
    assert submitted.status_code == 200 and submitted.json()["status"] == "in_review"
    return submitted.json()


def test_approval_rules(client: TestClient, org: Org) -> None:
    a = _workflow_to_approval(client, org)
    url = f"{BASE}/{a['id']}/approve"
    # The author (a contributor here) may not approve, nor may a role without the right.
    by_author = client.post(
        url, json={"version": a["version"]}, headers=org.headers(Role.CONTRIBUTOR)
    )
    assert by_author.status_code == 403 and "roles" in by_author.json()["detail"]
    by_auditor = client.post(url, json={"version": a["version"]}, headers=org.headers(Role.AUDITOR))
    assert by_auditor.status_code == 403
    approved = client.post(
        url, json={"version": a["version"], "note": "Reviewed"}, headers=org.headers(Role.MANAGER)
    )
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "approved" and body["approved_by"] == org.emails[Role.MANAGER]
    # Level IV: reassessed after 6 months by default.
    assert body["due_date"] == add_months(dt.datetime.now(dt.UTC).date(), 6).isoformat()
    # An approved version is immutable; the 409 points at the new-version action.
    edit = client.patch(
        f"{BASE}/{a['id']}", json={"version": body["version"], "scope": "changed"},
        headers=org.headers(),
    )  # fmt: skip
    assert edit.status_code == 409 and "new version" in edit.json()["detail"]


def test_an_author_with_an_approving_role_still_cannot_approve(
    client: TestClient, org: Org
) -> None:
    system_id = make_system(client, org, **CREDIT)
    a = client.post(BASE, json={"system_id": system_id}, headers=org.headers(Role.MANAGER)).json()
    a = complete(client, org, a, Role.MANAGER)
    submitted = client.post(
        f"{BASE}/{a['id']}/submit",
        json={"version": a["version"]},
        headers=org.headers(Role.MANAGER),
    )
    response = client.post(
        f"{BASE}/{a['id']}/approve", json={"version": submitted.json()["version"]},
        headers=org.headers(Role.MANAGER),
    )  # fmt: skip
    assert response.status_code == 403 and "author" in response.json()["detail"]


def test_only_a_complete_draft_goes_for_review(client: TestClient, org: Org) -> None:
    a = start(client, org)
    refused = client.post(f"{BASE}/{a['id']}/submit", json={"version": a["version"]},
                          headers=org.headers())  # fmt: skip
    assert refused.status_code == 422
    assert {e["loc"][-1] for e in refused.json()["errors"]} == {"scope", "answers", "impacts"}
    assert "question(s) unanswered" in refused.json()["detail"]
    current = complete(client, org, a, Role.CONTRIBUTOR)
    submitted = client.post(f"{BASE}/{a['id']}/submit", json={"version": current["version"]},
                            headers=org.headers())  # fmt: skip
    assert submitted.status_code == 200
    # Approval is one write: the version moves by exactly one, with the due date.
    approved = client.post(
        f"{BASE}/{a['id']}/approve", json={"version": submitted.json()["version"]},
        headers=org.headers(Role.MANAGER),
    ).json()  # fmt: skip
    assert approved["version"] == submitted.json()["version"] + 1 and approved["due_date"]


def test_saving_what_is_stored_writes_nothing(client: TestClient, org: Org) -> None:
    a = start(client, org, scope="Same")
    again = client.patch(f"{BASE}/{a['id']}", json={"version": a["version"], "scope": "Same"},
                         headers=org.headers())  # fmt: skip
    assert again.status_code == 200 and again.json()["version"] == a["version"]
    changed = client.patch(f"{BASE}/{a['id']}", json={"version": a["version"], "scope": "New"},
                           headers=org.headers())  # fmt: skip
    assert changed.json()["version"] == a["version"] + 1
    stale = client.patch(f"{BASE}/{a['id']}", json={"version": a["version"], "scope": "Other"},
                         headers=org.headers())  # fmt: skip
    assert stale.status_code == 409 and "impact assessment" in stale.json()["detail"]


def test_an_impact_edit_that_breaks_it_is_a_422(client: TestClient, org: Org) -> None:
    a = start(client, org)
    impact = client.post(f"{BASE}/{a['id']}/impacts", json={"version": a["version"], **AGE_HARM},
                         headers=org.headers()).json()  # fmt: skip
    response = client.patch(
        f"{BASE}/{a['id']}/impacts/{impact['key']}",
        json={"version": a["version"] + 1, "dimension": "other_rights"},
        headers=org.headers(),
    )
    assert response.status_code == 422 and "Art. 21" in response.text


def test_settings_narrow_who_approves(client: TestClient, org: Org) -> None:
    current = client.get("/api/v1/impact/settings", headers=org.headers()).json()
    del current["saved"]
    client.put(
        "/api/v1/impact/settings", json={**current, "approver_roles": ["owner"]},
        headers=org.headers(),
    )  # fmt: skip
    a = _workflow_to_approval(client, org)
    url = f"{BASE}/{a['id']}/approve"
    manager = client.post(url, json={"version": a["version"]}, headers=org.headers(Role.MANAGER))
    assert manager.status_code == 403 and "owner" in manager.json()["detail"]
    owner = client.post(url, json={"version": a["version"]}, headers=org.headers(Role.OWNER))
    assert owner.status_code == 200


def test_new_version_and_compare(client: TestClient, org: Org) -> None:
    a = _workflow_to_approval(client, org)
    v1 = client.post(
        f"{BASE}/{a['id']}/approve",
        json={"version": a["version"]},
        headers=org.headers(Role.MANAGER),
    ).json()
    draft = client.post(f"{BASE}/{a['id']}/new-version", headers=org.headers(Role.CONTRIBUTOR))
    assert draft.status_code == 201
    v2 = draft.json()
    assert v2["revision"] == 2 and v2["status"] == "draft" and v2["series_id"] == v1["series_id"]
    assert v2["answers"] == v1["answers"] and v2["level"] == v1["level"]
    twice = client.post(f"{BASE}/{a['id']}/new-version", headers=org.headers())
    assert twice.status_code == 409
    first = get_questionnaire().questions[0]
    lighter = min(first.answers, key=lambda x: x.weight).id
    v2 = client.patch(
        f"{BASE}/{v2['id']}",
        json={"version": v2["version"], "scope": "Ireland only",
              "answers_merge": {first.id: lighter}},
        headers=org.headers(Role.CONTRIBUTOR),
    ).json()  # fmt: skip
    client.post(f"{BASE}/{v2['id']}/impacts", json={"version": v2["version"], **AGE_HARM},
                headers=org.headers(Role.CONTRIBUTOR))  # fmt: skip
    diff = client.get(
        f"{BASE}/{v2['id']}/compare", params={"with": v1["id"]}, headers=org.headers()
    )
    assert diff.status_code == 200, diff.text
    body = diff.json()
    assert body["before"]["revision"] == 1 and body["after"]["revision"] == 2
    assert [t["field"] for t in body["text"]] == ["scope"]
    assert [c["question"] for c in body["answers"]] == [first.id]
    assert [c["change"] for c in body["impacts"]] == ["added"]
    listing = client.get(BASE, headers=org.headers()).json()
    assert [i["revision"] for i in listing["items"]] == [2]
    everything = client.get(BASE, params={"all_versions": True}, headers=org.headers()).json()
    assert sorted(i["revision"] for i in everything["items"]) == [1, 2]
    history = client.get(f"{BASE}/{v2['id']}/versions", headers=org.headers()).json()
    assert [(v["revision"], v["status"]) for v in history] == [(1, "approved"), (2, "draft")]


def test_harm_goes_to_the_risk_register_once(client: TestClient, org: Org) -> None:
    a = start(client, org)
    harm = client.post(
        f"{BASE}/{a['id']}/impacts", json={"version": a["version"], **AGE_HARM},
        headers=org.headers(),
    ).json()  # fmt: skip
    minor = client.post(
        f"{BASE}/{a['id']}/impacts",
        json={**AGE_HARM, "version": a["version"] + 1, "likelihood": 1, "severity": 1},
        headers=org.headers(),
    ).json()
    benefit = client.post(
        f"{BASE}/{a['id']}/impacts",
        json={**AGE_HARM, "version": a["version"] + 2, "nature": "benefit"},
        headers=org.headers(),
    ).json()
    sent = client.post(f"{BASE}/{a['id']}/impacts/{harm['key']}/risk", headers=org.headers())
    assert sent.status_code == 201
    referral = sent.json()
    assert referral["status"] == "pending" and referral["residual_level"] == "IV"
    assert "CreditLens" in referral["title"]
    again = client.post(f"{BASE}/{a['id']}/impacts/{harm['key']}/risk", headers=org.headers())
    assert again.status_code == 409 and "already" in again.json()["detail"]
    low = client.post(f"{BASE}/{a['id']}/impacts/{minor['key']}/risk", headers=org.headers())
    assert low.status_code == 409 and "below level III" in low.json()["detail"]
    good = client.post(f"{BASE}/{a['id']}/impacts/{benefit['key']}/risk", headers=org.headers())
    assert good.status_code == 409 and "benefit" in good.json()["detail"]
    shown = client.get(f"{BASE}/{a['id']}", headers=org.headers()).json()
    linked = {i["key"]: i["referral_id"] for i in shown["impacts"]}
    assert linked[harm["key"]] == referral["id"] and linked[minor["key"]] is None
    listed = client.get("/api/v1/impact/referrals", headers=org.headers()).json()
    assert [r["id"] for r in listed["items"]] == [referral["id"]]
    # A referred harm stays: removing it would orphan the risk.
    removal = client.delete(
        f"{BASE}/{a['id']}/impacts/{harm['key']}", params={"version": shown["version"]},
        headers=org.headers(),
    )  # fmt: skip
    assert removal.status_code == 409


def test_fria_view_fills_from_the_record(client: TestClient, org: Org) -> None:
    a = start(client, org, deployment="Used in consumer-loan underwriting",
              oversight="A credit officer confirms every decline")  # fmt: skip
    fria = client.get(f"{BASE}/{a['id']}/fria", headers=org.headers()).json()
    assert fria["fria_required"] is True and fria["complete"] is False
    assert fria["missing"] == ["b", "c", "d", "f"]
    assert "Support lending decisions" in " ".join(fria["elements"][0]["paragraphs"])
    current = client.patch(
        f"{BASE}/{a['id']}",
        json={"version": a["version"], "use_period": "Every application, all year",
              "remedies": "Complaints go to the credit committee"},
        headers=org.headers(),
    ).json()  # fmt: skip
    client.post(f"{BASE}/{a['id']}/impacts", json={"version": current["version"], **AGE_HARM},
                headers=org.headers())  # fmt: skip
    fria = client.get(f"{BASE}/{a['id']}/fria", headers=org.headers()).json()
    assert fria["complete"] is True and fria["missing"] == []
    assert "Loan applicants aged over 60" in " ".join(fria["elements"][2]["paragraphs"])


def test_dashboard_lists(client: TestClient, org: Org) -> None:
    unassessed = make_system(client, org, "Fraud detection")
    a = _workflow_to_approval(client, org)
    attention = client.get("/api/v1/impact/attention", headers=org.headers()).json()
    names = {s["name"] for s in attention["unassessed"]}
    assert {"Fraud detection", "CreditLens"} <= names and attention["overdue"] == []
    client.post(f"{BASE}/{a['id']}/approve", json={"version": a["version"]},
                headers=org.headers(Role.MANAGER))  # fmt: skip
    attention = client.get("/api/v1/impact/attention", headers=org.headers()).json()
    assert {s["name"] for s in attention["unassessed"]} == {"Fraud detection"}
    assert unassessed in {s["id"] for s in attention["unassessed"]}


def test_drafts_can_be_discarded_and_restored(client: TestClient, org: Org) -> None:
    a = start(client, org)
    gone = client.delete(
        f"{BASE}/{a['id']}", params={"version": a["version"]}, headers=org.headers()
    )
    assert gone.status_code == 204
    assert client.get(f"{BASE}/{a['id']}", headers=org.headers()).status_code == 404
    back = client.post(f"{BASE}/{a['id']}/restore", headers=org.headers())
    assert back.status_code == 200 and back.json()["status"] == "draft"


def test_other_organisations_see_nothing(client: TestClient, org: Org, other_org: Org) -> None:
    a = start(client, org)
    assert client.get(f"{BASE}/{a['id']}", headers=other_org.headers()).status_code == 404
    assert client.get(BASE, headers=other_org.headers()).json()["total"] == 0
    response = client.post(f"{BASE}/{a['id']}/impacts", json={"version": 1, **AGE_HARM},
                           headers=other_org.headers())  # fmt: skip
    assert response.status_code == 404


def test_viewers_read_but_do_not_write(client: TestClient, org: Org) -> None:
    a = start(client, org)
    assert client.get(f"{BASE}/{a['id']}", headers=org.headers(Role.VIEWER)).status_code == 200
    response = client.patch(
        f"{BASE}/{a['id']}", json={"version": a["version"], "scope": "x"},
        headers=org.headers(Role.VIEWER),
    )  # fmt: skip
    assert response.status_code == 403


def test_referral_rules_across_versions(client: TestClient, org: Org) -> None:
    a = _workflow_to_approval(client, org)
    v1 = client.post(f"{BASE}/{a['id']}/approve", json={"version": a["version"]},
                     headers=org.headers(Role.MANAGER)).json()  # fmt: skip
    key = v1["impacts"][0]["key"]
    v2 = client.post(f"{BASE}/{a['id']}/new-version", headers=org.headers()).json()
    from_old = client.post(f"{BASE}/{v1['id']}/impacts/{key}/risk", headers=org.headers())
    assert from_old.status_code == 409 and "newest version (revision 2)" in from_old.text
    sent = client.post(f"{BASE}/{v2['id']}/impacts/{key}/risk", headers=org.headers())
    assert sent.status_code == 201
    benefit = client.patch(
        f"{BASE}/{v2['id']}/impacts/{key}", json={"version": v2["version"], "nature": "benefit"},
        headers=org.headers(),
    )  # fmt: skip
    assert benefit.status_code == 409 and "cannot become a benefit" in benefit.text
    discard = client.delete(f"{BASE}/{v2['id']}", params={"version": v2["version"]},
                            headers=org.headers())  # fmt: skip
    assert discard.status_code == 409 and "risk register" in discard.text


def test_a_discarded_draft_does_not_come_back_over_newer_work(client: TestClient, org: Org) -> None:
    a = start(client, org)
    client.delete(f"{BASE}/{a['id']}", params={"version": a["version"]}, headers=org.headers())
    fresh = client.post(BASE, json={"system_id": a["system_id"]}, headers=org.headers())
    assert fresh.status_code == 201
    back = client.post(f"{BASE}/{a['id']}/restore", headers=org.headers())
    assert back.status_code == 409 and "newer assessment" in back.text
    assert client.get(BASE, params={"system_id": a["system_id"]},
                      headers=org.headers()).json()["total"] == 1  # fmt: skip


def test_attention_follows_the_triggers(client: TestClient, org: Org) -> None:
    a = _workflow_to_approval(client, org)
    client.post(f"{BASE}/{a['id']}/approve", json={"version": a["version"]},
                headers=org.headers(Role.MANAGER))  # fmt: skip
    assert (
        client.get("/api/v1/impact/attention", headers=org.headers()).json()["reclassified"] == []
    )
    # The system is classified again, now without the Annex III use: its class changes.
    client.post(f"/api/v1/systems/{a['system_id']}/classifications",
                json={"operator_role": "provider", "in_eu": True},
                headers=org.headers())  # fmt: skip
    attention = client.get("/api/v1/impact/attention", headers=org.headers()).json()
    assert [r["id"] for r in attention["reclassified"]] == [a["id"]]
    make_system(client, org, "Fraud detection")
    assert client.get("/api/v1/impact/attention", headers=org.headers()).json()["unassessed"]
    current = client.get("/api/v1/impact/settings", headers=org.headers()).json()
    del current["saved"]
    current["triggers"] = {"new_system": False, "significant_change": True,
                           "eu_ai_act_class_change": False, "periodic": False}  # fmt: skip
    client.put("/api/v1/impact/settings", json=current, headers=org.headers())
    quiet = client.get("/api/v1/impact/attention", headers=org.headers()).json()
    assert quiet["reclassified"] == [] and quiet["unassessed"] == [] and quiet["overdue"] == []
