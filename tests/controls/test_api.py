"""Control implementations through the API, on both databases: one per control and scope,
owners, checks and the next check, overdue checks, a system's controls, tenancy, stale writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from aims.access.rules import Role
from aims.controls import service
from tests.conftest import Org
from tests.risk.test_register_api import system

TODAY = dt.date.today()


def implement(client: TestClient, org: Org, **body: Any) -> Any:
    return client.post("/api/v1/controls", json={"control_id": "A.6.2.6", **body},
                       headers=org.headers(Role.CONTRIBUTOR))  # fmt: skip


def test_one_implementation_per_control_and_scope(client: TestClient, org: Org) -> None:
    lens = system(client, org)
    sift = system(client, org, "TalentSift")
    made = implement(client, org, system_id=lens, status="implemented", check_months=6,
                     owner_email=org.emails[Role.MANAGER],
                     description="Monthly monitoring of approval rates by age band")  # fmt: skip
    assert made.status_code == 201, made.text
    out = made.json()
    assert out["control_title"] and out["system_name"] == "CreditLens"
    assert out["owner"] == org.emails[Role.MANAGER] and out["next_check"] is not None
    assert implement(client, org, system_id=lens).status_code == 409
    assert implement(client, org, system_id="TalentSift").status_code == 201  # by name
    assert implement(client, org).status_code == 201  # organisation-wide
    assert implement(client, org).status_code == 409
    wrong = implement(client, org, control_id="A.99.1")
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["loc"] == ["body", "control_id"]
    stranger = implement(client, org, control_id="A.7.4", owner_email="x@elsewhere.example")
    assert stranger.status_code == 422
    assert stranger.json()["errors"][0]["loc"] == ["body", "owner_email"]
    months = implement(client, org, control_id="A.7.4", check_months=0)
    assert months.status_code == 422
    viewer = client.post("/api/v1/controls", json={"control_id": "A.7.4"},
                         headers=org.headers(Role.VIEWER))  # fmt: skip
    assert viewer.status_code == 403
    # The system's page lists its own controls and the organisation-wide ones.
    mine = client.get(f"/api/v1/systems/{sift}/controls", headers=org.headers()).json()
    assert [(c["control_id"], c["system_name"]) for c in mine] == [
        ("A.6.2.6", "TalentSift"), ("A.6.2.6", None)]  # fmt: skip
    filtered = client.get("/api/v1/controls", params={"system_id": lens}, headers=org.headers())
    assert [c["system_name"] for c in filtered.json()["items"]] == ["CreditLens"]


def test_own_controls_can_be_implemented(client: TestClient, org: Org) -> None:
    own = client.post("/api/v1/soa/own-controls", json={"code": "MER-1", "title": "Four eyes"},
                      headers=org.headers())  # fmt: skip
    assert own.status_code == 201, own.text
    made = implement(client, org, control_id="mer-1")
    assert made.status_code == 201 and made.json()["control_id"] == "MER-1"
    assert made.json()["control_title"] == "Four eyes"


def test_checks_move_the_next_check_and_overdue_is_listed(
    client: TestClient, org: Org, db: Session
) -> None:
    impl = implement(client, org, status="implemented", check_months=3).json()
    url = f"/api/v1/controls/{impl['id']}"
    long_ago = TODAY - dt.timedelta(days=200)
    checked = client.post(f"{url}/checks", json={"version": impl["version"], "result":
                                                 "partly_effective", "note": "two gaps",
                                                 "checked_on": str(long_ago)},
                          headers=org.headers())  # fmt: skip
    assert checked.status_code == 201, checked.text
    out = checked.json()
    assert out["last_result"] == "partly_effective" and out["check_overdue"] is True
    assert out["next_check"] < str(TODAY)
    overdue = client.get("/api/v1/controls/overdue", headers=org.headers()).json()
    assert [o["id"] for o in overdue] == [impl["id"]]
    listed = client.get("/api/v1/controls", params={"overdue": "true"}, headers=org.headers())
    assert listed.json()["total"] == 1
    assert [i.id.hex for i in service.attention(db, org.contexts[Role.VIEWER]).overdue_checks] == [
        impl["id"].replace("-", "")]  # fmt: skip
    db.rollback()  # end the read, so SQLite lets the app write again
    stale = client.post(f"{url}/checks", json={"version": impl["version"], "result": "effective",
                                               "checked_on": str(TODAY)}, headers=org.headers())  # fmt: skip
    assert stale.status_code == 409
    future = client.post(f"{url}/checks", json={"version": out["version"], "result": "effective",
                                                "checked_on": str(TODAY + dt.timedelta(days=3))},
                         headers=org.headers())  # fmt: skip
    assert future.status_code == 422, future.text
    assert future.json()["errors"][0]["loc"] == ["body", "checked_on"]
    fresh = client.post(f"{url}/checks", json={"version": out["version"], "result": "effective",
                                               "checked_on": str(TODAY)}, headers=org.headers())  # fmt: skip
    assert fresh.json()["check_overdue"] is False and fresh.json()["last_result"] == "effective"
    history = client.get(f"{url}/checks", headers=org.headers()).json()
    assert [h["result"] for h in history] == ["effective", "partly_effective"]
    na = client.patch(url, json={"version": fresh.json()["version"], "status": "not_applicable"},
                      headers=org.headers())  # fmt: skip
    assert na.status_code == 200 and na.json()["next_check"] is None


def test_tenancy_delete_and_restore(client: TestClient, org: Org, other_org: Org) -> None:
    impl = implement(client, org).json()
    url = f"/api/v1/controls/{impl['id']}"
    assert client.get(url, headers=other_org.headers()).status_code == 404
    assert client.patch(url, json={"version": 1}, headers=other_org.headers()).status_code == 404
    assert client.get("/api/v1/controls", headers=other_org.headers()).json()["total"] == 0
    assert client.delete(url, params={"version": 99}, headers=org.headers()).status_code == 409
    assert client.delete(url, params={"version": impl["version"]},
                         headers=org.headers()).status_code == 204  # fmt: skip
    assert client.get(url, headers=org.headers()).status_code == 404
    again = implement(client, org)
    assert again.status_code == 409 and "restore" in again.json()["detail"]
    assert client.post(f"{url}/restore", headers=org.headers()).status_code == 200
    assert client.get(url, headers=org.headers()).status_code == 200
