"""Concerns through the API: intake by any member, anonymity, the handlers-only queue and
triage, the receipt code, settings, raising a risk, tenant isolation and stale writes."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aims.access.rules import Role
from aims.audit.models import AuditEvent
from aims.concerns.models import Concern
from tests.conftest import Org

BODY = {
    "category": "wrong_information",
    "summary": "Assistant gives wrong hardship advice",
    "description": "Customers in arrears were told a payment break is automatic.",
    "occurred": "last week",
}


def raise_concern(client: TestClient, org: Org, role: Role = Role.VIEWER, **extra: Any) -> Any:
    response = client.post("/api/v1/concerns", json={**BODY, **extra}, headers=org.headers(role))
    assert response.status_code == 201, response.text
    return response.json()


def only(client: TestClient, org: Org) -> dict[str, Any]:
    items = client.get("/api/v1/concerns", headers=org.headers()).json()["items"]
    assert len(items) == 1
    out: dict[str, Any] = items[0]
    return out


def test_any_member_raises_and_only_handlers_see_the_queue(client: TestClient, org: Org) -> None:
    receipt = raise_concern(client, org, Role.VIEWER)
    assert receipt["ref"] == "C-001" and len(receipt["receipt_code"]) == 24
    for role in (Role.CONTRIBUTOR, Role.AUDITOR, Role.VIEWER):
        assert client.get("/api/v1/concerns", headers=org.headers(role)).status_code == 403
        assert client.get("/api/v1/concerns/counts", headers=org.headers(role)).status_code == 403
    queue = client.get("/api/v1/concerns", headers=org.headers(Role.MANAGER)).json()
    assert queue["total"] == 1
    concern = queue["items"][0]
    assert concern["reporter"] == f"Viewer of Acme Credit <{org.emails[Role.VIEWER]}>"
    assert concern["status"] == "received" and concern["category_label"]
    # The reporter reads their own concern in the reporter's view; others in the org cannot.
    mine = client.get(f"/api/v1/concerns/{concern['id']}", headers=org.headers(Role.VIEWER))
    assert mine.status_code == 200 and mine.json()["view"] == "reporter"
    assert "outcome" not in mine.json() and "timeline" not in mine.json()
    other = client.get(f"/api/v1/concerns/{concern['id']}", headers=org.headers(Role.CONTRIBUTOR))
    assert other.status_code == 403
    listed = client.get("/api/v1/concerns/mine", headers=org.headers(Role.VIEWER)).json()
    assert [c["ref"] for c in listed] == ["C-001"]
    assert client.get("/api/v1/concerns/mine", headers=org.headers(Role.AUDITOR)).json() == []


def test_anonymous_concern_keeps_no_link_to_the_reporter(
    client: TestClient, org: Org, sessions: sessionmaker[Session]
) -> None:
    receipt = raise_concern(client, org, Role.CONTRIBUTOR, anonymous=True)
    concern = only(client, org)
    assert concern["anonymous"] is True and concern["reporter"] is None
    contributor = org.contexts[Role.CONTRIBUTOR].user_id
    with sessions() as db:
        row = db.scalars(select(Concern)).one()
        assert row.reporter_id is None and row.created_by_id is None
        assert row.updated_by_id is None
        assert receipt["receipt_code"] not in str(
            {c.key: getattr(row, c.key) for c in Concern.__table__.columns}
        )
        events = db.scalars(select(AuditEvent).where(AuditEvent.record_id == str(row.id))).all()
        assert events and all(e.actor_id is None for e in events)
        assert all(e.actor_label == "anonymous reporter" for e in events)
        assert all(str(contributor) not in str(e.changes) for e in events)
        # What the concern says stays out of the audit trail (redacted).
        assert all("hardship" not in str(e.changes) for e in events)
    assert client.get("/api/v1/concerns/mine", headers=org.headers(Role.CONTRIBUTOR)).json() == []
    refused = client.get(f"/api/v1/concerns/{concern['id']}", headers=org.headers(Role.CONTRIBUTOR))
    assert refused.status_code == 403


def test_receipt_code_shows_only_status_date_and_message(client: TestClient, org: Org) -> None:
    code = raise_concern(client, org, anonymous=True)["receipt_code"]
    concern = only(client, org)
    patched = client.patch(
        f"/api/v1/concerns/{concern['id']}",
        json={"version": concern["version"], "status": "investigating",
              "outcome": "Secret internal finding", "reporter_message": "We are looking into it.",
              "owner_email": org.emails[Role.MANAGER], "severity": "high"},
        headers=org.headers(Role.MANAGER),
    )  # fmt: skip
    assert patched.status_code == 200, patched.text
    client.post(f"/api/v1/concerns/{concern['id']}/notes", json={"body": "Internal note"},
                headers=org.headers())  # fmt: skip
    status = client.post("/api/v1/concerns/receipt", json={"code": code.lower().replace("-", " ")})
    assert status.status_code == 200
    body = status.json()
    assert set(body) == {"status", "last_update", "message"}
    assert body["status"] == "investigating" and body["message"] == "We are looking into it."
    assert "Secret" not in status.text and "Internal note" not in status.text
    wrong = client.post("/api/v1/concerns/receipt", json={"code": "0000-0000-0000-0000-0000"})
    assert wrong.status_code == 404


def test_triage_records_a_timeline_needs_an_outcome_to_close_and_refuses_stale(
    client: TestClient, org: Org
) -> None:
    raise_concern(client, org)
    concern = only(client, org)
    url = f"/api/v1/concerns/{concern['id']}"
    no_outcome = client.patch(url, json={"version": concern["version"], "status": "resolved"},
                              headers=org.headers())  # fmt: skip
    assert no_outcome.status_code == 422
    assert no_outcome.json()["errors"][0]["loc"] == ["body", "outcome"]
    stranger = client.patch(url, json={"version": concern["version"], "owner_email": "x@y.z"},
                            headers=org.headers())  # fmt: skip
    assert stranger.status_code == 422 and stranger.json()["errors"][0]["loc"][-1] == "owner_email"
    moved = client.patch(url, json={"version": concern["version"], "status": "triage",
                                    "owner_email": org.emails[Role.MANAGER]},
                         headers=org.headers())  # fmt: skip
    assert moved.status_code == 200
    timeline = moved.json()["timeline"]
    assert timeline[-1]["kind"] == "change" and "triage" in timeline[-1]["body"]
    assert timeline[-1]["by"] == "Owner of Acme Credit"
    stale = client.patch(url, json={"version": concern["version"], "severity": "low"},
                         headers=org.headers())  # fmt: skip
    assert stale.status_code == 409 and stale.json()["current_version"] == moved.json()["version"]
    too_long = client.post(f"{url}/notes", json={"body": "x" * 5001}, headers=org.headers())
    assert too_long.status_code == 422
    filtered = client.get("/api/v1/concerns", params={"status": "triage",
                                                      "owner": org.emails[Role.MANAGER]},
                          headers=org.headers()).json()  # fmt: skip
    assert filtered["total"] == 1
    assert client.get("/api/v1/concerns", params={"status": "received"},
                      headers=org.headers()).json()["total"] == 0  # fmt: skip
    assert client.get("/api/v1/concerns", params={"q": "hardship"},
                      headers=org.headers()).json()["total"] == 1  # fmt: skip
    counts = client.get("/api/v1/concerns/counts", headers=org.headers()).json()
    assert counts == {"received": 0, "triage": 1, "investigating": 0, "resolved": 0,
                      "dismissed": 0}  # fmt: skip


def test_handler_roles_follow_the_settings(client: TestClient, org: Org) -> None:
    raise_concern(client, org)
    settings = client.get("/api/v1/concerns/settings", headers=org.headers()).json()
    assert settings == {"anonymous_enabled": False, "handler_roles": ["owner", "manager"],
                        "intro": "", "link_path": None, "version": 0}  # fmt: skip
    body = {"version": 0, "anonymous_enabled": True, "handler_roles": ["auditor"], "intro": "Hi"}
    refused = client.put("/api/v1/concerns/settings", json=body, headers=org.headers(Role.MANAGER))
    assert refused.status_code == 403
    saved = client.put("/api/v1/concerns/settings", json=body, headers=org.headers()).json()
    assert saved["handler_roles"] == ["owner", "auditor"] and saved["link_path"].startswith(
        "/report/"
    )
    assert client.get("/api/v1/concerns", headers=org.headers(Role.AUDITOR)).status_code == 200
    assert client.get("/api/v1/concerns", headers=org.headers(Role.MANAGER)).status_code == 403
    stale = client.put("/api/v1/concerns/settings", json=body, headers=org.headers())
    assert stale.status_code == 409
    again = client.post("/api/v1/concerns/settings/link", json={"version": saved["version"]},
                        headers=org.headers()).json()  # fmt: skip
    assert again["link_path"] != saved["link_path"]


def test_raise_as_risk_uses_the_concern_origin(client: TestClient, org: Org) -> None:
    raise_concern(client, org)
    concern = only(client, org)
    url = f"/api/v1/concerns/{concern['id']}/risk"
    body = {"version": concern["version"], "title": "Assistant misinforms customers in hardship",
            "inherent_likelihood": 3, "inherent_consequence": 4}  # fmt: skip
    raised = client.post(url, json=body, headers=org.headers(Role.MANAGER))
    assert raised.status_code == 201, raised.text
    assert raised.json()["risk_ref"] == "R-001"
    risk = client.get(f"/api/v1/risks/{raised.json()['risk_id']}", headers=org.headers()).json()
    assert risk["origin"] == "concern" and risk["origin_ref"] == "C-001"
    assert "Customers in arrears" not in risk["description"]  # nothing copied
    twice = client.post(url, json={**body, "version": raised.json()["version"]},
                        headers=org.headers())  # fmt: skip
    assert twice.status_code == 409


def test_other_organisation_ids_are_404_and_bad_input_422(
    client: TestClient, org: Org, other_org: Org
) -> None:
    raise_concern(client, org)
    concern = only(client, org)
    url = f"/api/v1/concerns/{concern['id']}"
    assert client.get(url, headers=other_org.headers()).status_code == 404
    assert client.patch(url, json={"version": 1, "severity": "low"},
                        headers=other_org.headers()).status_code == 404  # fmt: skip
    assert client.get("/api/v1/concerns", headers=other_org.headers()).json()["total"] == 0
    bad = client.post("/api/v1/concerns", json={**BODY, "category": "gossip"},
                      headers=org.headers())  # fmt: skip
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "category"]
    long = client.post("/api/v1/concerns", json={**BODY, "summary": "x" * 201},
                       headers=org.headers())  # fmt: skip
    assert long.status_code == 422 and long.json()["errors"][0]["loc"] == ["body", "summary"]
    foreign = client.post(
        "/api/v1/concerns", json={**BODY, "system_id": concern["id"]}, headers=org.headers()
    )
    assert foreign.status_code == 404


def test_owner_must_handle_concerns_and_delete_is_undone_by_restore(
    client: TestClient, org: Org
) -> None:
    raise_concern(client, org)
    concern = only(client, org)
    url = f"/api/v1/concerns/{concern['id']}"
    viewer = client.patch(url, json={"version": concern["version"],
                                     "owner_email": org.emails[Role.VIEWER]},
                          headers=org.headers())  # fmt: skip
    assert viewer.status_code == 422 and "does not handle concerns" in viewer.text
    assert client.delete(url, params={"version": concern["version"]},
                         headers=org.headers(Role.MANAGER)).status_code == 403  # fmt: skip
    assert client.delete(url, params={"version": concern["version"]},
                         headers=org.headers()).status_code == 204  # fmt: skip
    assert client.get(url, headers=org.headers()).status_code == 404
    assert client.get("/api/v1/concerns", headers=org.headers()).json()["total"] == 0
    restored = client.post(f"{url}/restore", headers=org.headers())
    assert restored.status_code == 200 and restored.json()["ref"] == "C-001"
    assert client.post(f"{url}/restore", headers=org.headers()).status_code == 409


def test_audit_trail_hides_which_system_and_how_severe(
    client: TestClient, org: Org, sessions: sessionmaker[Session]
) -> None:
    """Auditors read the audit log without handling concerns: what a concern is about (its AI
    system) and how severe it was judged stay redacted there."""
    system = client.post("/api/v1/systems", json={"name": "CreditLens"}, headers=org.headers())
    assert system.status_code == 201, system.text
    system_id = system.json()["id"]
    raise_concern(client, org, system_id=system_id)
    concern = only(client, org)
    triaged = client.patch(
        f"/api/v1/concerns/{concern['id']}",
        json={"version": concern["version"], "severity": "high", "status": "triage"},
        headers=org.headers(),
    )
    assert triaged.status_code == 200, triaged.text
    with sessions() as db:
        events = db.scalars(select(AuditEvent).where(AuditEvent.record_id == concern["id"])).all()
        assert len(events) >= 2
        assert all(system_id not in str(e.changes) for e in events)
        assert all("high" not in str(e.changes) for e in events)
        assert any("triage" in str(e.changes) for e in events)  # the status still shows
