"""AI objectives and their measurements through the API, on both databases."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from aims.access.rules import Role
from tests.conftest import Org

TODAY = dt.date.today()


def system(client: TestClient, org: Org, name: str = "CreditLens") -> str:
    response = client.post("/api/v1/systems", json={"name": name}, headers=org.headers())
    assert response.status_code == 201
    return str(response.json()["id"])


def objective(client: TestClient, org: Org, **fields: Any) -> dict[str, Any]:
    body = {
        "title": "Fair approvals across age bands",
        "kind": "responsible_development",
        "annex_c": "fairness",
        "metric": "approval-rate parity ratio across age bands",
        "unit": "ratio",
        "direction": "at_least",
        "target": 0.8,
        "range_min": 0,
        "range_max": 1,
        **fields,
    }
    response = client.post("/api/v1/objectives", json=body, headers=org.headers(Role.CONTRIBUTOR))
    assert response.status_code == 201, response.text
    out: dict[str, Any] = response.json()
    return out


def measure(
    client: TestClient, org: Org, oid: str, value: float, days_ago: int = 0, **extra: Any
) -> Any:
    body = {"value": value, "unit": "ratio",
            "measured_at": (TODAY - dt.timedelta(days=days_ago)).isoformat(), **extra}  # fmt: skip
    return client.post(f"/api/v1/objectives/{oid}/measurements", json=body,
                       headers=org.headers(Role.CONTRIBUTOR))  # fmt: skip


def fields_of(response: Any) -> set[str]:
    return {str(e["loc"][-1]) for e in response.json()["errors"]}


def test_an_objective_gets_a_code_and_its_state_follows_the_measurements(
    client: TestClient, org: Org
) -> None:
    sid = system(client, org)
    o = objective(client, org, system_id=sid, owner_email=org.emails[Role.CONTRIBUTOR],
                  baseline=0.72, due_date=(TODAY + dt.timedelta(days=90)).isoformat(),
                  resources="A fairness test suite", evaluation="Monthly review")  # fmt: skip
    assert (o["code"], o["state"], o["target_text"]) == ("OBJ-001", "no_data", "≥ 0.8 ratio")
    assert o["system_name"] == "CreditLens" and o["annex_c_title"] == "Fairness"
    assert o["owner"] == org.emails[Role.CONTRIBUTOR]
    assert objective(client, org, title="Second")["code"] == "OBJ-002"

    assert measure(client, org, o["id"], 0.81, days_ago=60).status_code == 201
    breach = measure(client, org, o["id"], 0.76, days_ago=30)
    assert breach.status_code == 201 and breach.json()["meets_target"] is False
    now = client.get(f"/api/v1/objectives/{o['id']}", headers=org.headers(Role.VIEWER)).json()
    assert (now["state"], now["last_value"], now["trend"]) == ("breached", 0.76, "worsening")
    assert now["breaches"] == 1 and now["measurements"] == 2
    measure(client, org, o["id"], 0.84, note="after reweighting")
    now = client.get(f"/api/v1/objectives/{o['id']}", headers=org.headers()).json()
    assert (now["state"], now["trend"], now["overdue"]) == ("on_track", "improving", False)

    listed = client.get(f"/api/v1/objectives/{o['id']}/measurements",
                        params={"limit": 2}, headers=org.headers()).json()  # fmt: skip
    assert [m["value"] for m in listed["items"]] == [0.81, 0.76] and listed["total"] == 3
    rest = client.get(f"/api/v1/objectives/{o['id']}/measurements",
                      params={"limit": 2, "cursor": listed["next_cursor"]},
                      headers=org.headers()).json()  # fmt: skip
    assert [m["value"] for m in rest["items"]] == [0.84] and rest["next_cursor"] is None
    assert rest["items"][0]["source"] == "manual"
    assert rest["items"][0]["recorded_by"] == "Contributor of Acme Credit"
    fed = client.get(f"/api/v1/objectives/{o['id']}/measurements", params={"source": "feed"},
                     headers=org.headers()).json()  # fmt: skip
    assert fed["total"] == 0


def test_objective_numbers_are_checked_naming_the_field(client: TestClient, org: Org) -> None:
    def post(**fields: Any) -> Any:
        body = {"title": "T", "kind": "aims", "annex_c": "fairness", "metric": "m",
                "unit": "%", "direction": "at_most", "target": 5, **fields}  # fmt: skip
        return client.post("/api/v1/objectives", json=body, headers=org.headers())

    outside = post(range_min=0, range_max=4)
    assert outside.status_code == 422 and fields_of(outside) == {"target"}
    assert "above the declared range" in outside.text
    upside_down = post(range_min=10, range_max=1)
    assert upside_down.status_code == 422 and fields_of(upside_down) == {"range_max"}
    no_tolerance = post(direction="within")
    assert no_tolerance.status_code == 422 and fields_of(no_tolerance) == {"tolerance"}
    stray = post(tolerance=1)
    assert stray.status_code == 422 and fields_of(stray) == {"tolerance"}
    base = post(range_min=0, range_max=100, baseline=120)
    assert base.status_code == 422 and fields_of(base) == {"baseline"}
    unknown = post(annex_c="happiness")
    assert unknown.status_code == 422 and fields_of(unknown) == {"annex_c"}
    stranger = post(owner_email="nobody@else.example")
    assert stranger.status_code == 422 and fields_of(stranger) == {"owner_email"}
    missing = client.post("/api/v1/objectives", json={"title": "T"}, headers=org.headers())
    assert missing.status_code == 422 and {"kind", "metric", "unit", "target"} <= fields_of(missing)
    assert post(target="NaN").status_code == 422
    assert post(range_min=0, range_max=10, tolerance=0.5, direction="within").status_code == 201


def test_measurements_in_the_wrong_unit_range_or_date_are_refused(
    client: TestClient, org: Org
) -> None:
    o = objective(client, org)
    wrong_unit = measure(client, org, o["id"], 0.9, unit="%")
    assert wrong_unit.status_code == 422 and fields_of(wrong_unit) == {"unit"}
    assert "measured in 'ratio'" in wrong_unit.text
    outside = measure(client, org, o["id"], 1.4)
    assert outside.status_code == 422 and fields_of(outside) == {"value"}
    future = measure(client, org, o["id"], 0.9, days_ago=-1)
    assert future.status_code == 422 and fields_of(future) == {"measured_at"}
    assert measure(client, org, o["id"], 0.9, unit=" Ratio ").status_code == 201
    undated = client.post(f"/api/v1/objectives/{o['id']}/measurements",
                          json={"value": 0.85, "unit": "ratio"}, headers=org.headers())  # fmt: skip
    assert undated.json()["measured_at"] == TODAY.isoformat()


def test_editing_keeps_stored_measurements_valid_and_refuses_stale_writes(
    client: TestClient, org: Org
) -> None:
    o = objective(client, org)
    measure(client, org, o["id"], 0.9)
    url = f"/api/v1/objectives/{o['id']}"
    unit = client.patch(url, json={"version": o["version"], "unit": "%"}, headers=org.headers())
    assert unit.status_code == 422 and fields_of(unit) == {"unit"}
    narrower = client.patch(url, json={"version": o["version"], "range_max": 0.85, "target": 0.8},
                            headers=org.headers())  # fmt: skip
    assert narrower.status_code == 422 and fields_of(narrower) == {"range_max"}
    ok = client.patch(url, json={"version": o["version"], "target": 0.95, "status": "active",
                                 "description": None}, headers=org.headers())  # fmt: skip
    assert ok.status_code == 200 and ok.json()["state"] == "breached"
    stale = client.patch(url, json={"version": o["version"], "title": "Old"},
                         headers=org.headers())  # fmt: skip
    assert stale.status_code == 409
    empty = client.patch(url, json={"version": ok.json()["version"], "target": None},
                         headers=org.headers())  # fmt: skip
    assert empty.status_code == 422


def test_delete_and_restore_objectives_and_measurements(client: TestClient, org: Org) -> None:
    o = objective(client, org)
    m = measure(client, org, o["id"], 0.7).json()
    url = f"/api/v1/objectives/{o['id']}"
    stale = client.delete(f"{url}/measurements/{m['id']}", params={"version": 9},
                          headers=org.headers())  # fmt: skip
    assert stale.status_code == 409
    gone = client.delete(f"{url}/measurements/{m['id']}", params={"version": m["version"]},
                         headers=org.headers(Role.CONTRIBUTOR))  # fmt: skip
    assert gone.status_code == 204
    assert client.get(url, headers=org.headers()).json()["state"] == "no_data"
    back = client.post(f"{url}/measurements/{m['id']}/restore", headers=org.headers())
    assert back.status_code == 200
    assert client.get(url, headers=org.headers()).json()["state"] == "breached"

    assert (
        client.delete(url, params={"version": o["version"]}, headers=org.headers()).status_code
        == 204
    )
    assert client.get(url, headers=org.headers()).status_code == 404
    assert client.get("/api/v1/objectives", headers=org.headers()).json()["total"] == 0
    restored = client.post(f"{url}/restore", headers=org.headers())
    assert restored.status_code == 200 and restored.json()["code"] == "OBJ-001"
    # codes are never reused, even after a delete
    client.delete(url, params={"version": restored.json()["version"]}, headers=org.headers())
    assert objective(client, org)["code"] == "OBJ-002"


def test_viewers_and_auditors_read_but_do_not_write(client: TestClient, org: Org) -> None:
    o = objective(client, org)
    for role in (Role.VIEWER, Role.AUDITOR):
        assert (
            client.get(f"/api/v1/objectives/{o['id']}", headers=org.headers(role)).status_code
            == 200
        )
        refused = client.post(f"/api/v1/objectives/{o['id']}/measurements",
                              json={"value": 0.9, "unit": "ratio"}, headers=org.headers(role))  # fmt: skip
        assert refused.status_code == 403
        assert client.post(
            "/api/v1/objectives", json={}, headers=org.headers(role)
        ).status_code in (
            403,
            422,
        )
        assert client.delete(f"/api/v1/objectives/{o['id']}", params={"version": 1},
                             headers=org.headers(role)).status_code == 403  # fmt: skip


def test_other_organisations_see_nothing(client: TestClient, org: Org, other_org: Org) -> None:
    o = objective(client, org)
    m = measure(client, org, o["id"], 0.9).json()
    url = f"/api/v1/objectives/{o['id']}"
    assert client.get(url, headers=other_org.headers()).status_code == 404
    assert client.get(f"{url}/measurements", headers=other_org.headers()).status_code == 404
    assert client.post(f"{url}/measurements", json={"value": 0.9, "unit": "ratio"},
                       headers=other_org.headers()).status_code == 404  # fmt: skip
    assert client.delete(f"{url}/measurements/{m['id']}", params={"version": 1},
                         headers=other_org.headers()).status_code == 404  # fmt: skip
    assert client.get("/api/v1/objectives", headers=other_org.headers()).json()["total"] == 0
    # another organisation's system cannot be named either
    theirs = system(client, other_org, "Their model")
    refused = client.post("/api/v1/objectives", headers=org.headers(), json={
        "title": "T", "kind": "aims", "annex_c": "fairness", "metric": "m", "unit": "%",
        "direction": "at_most", "target": 5, "system_id": theirs})  # fmt: skip
    assert refused.status_code == 404


def test_lists_filter_by_kind_state_owner_and_system(client: TestClient, org: Org) -> None:
    sid = system(client, org)
    a = objective(client, org, system_id=sid, owner_email=org.emails[Role.MANAGER])
    b = objective(client, org, title="Training completion", kind="aims", annex_c="ai_expertise",
                  metric="staff trained", unit="%", target=95, range_min=0, range_max=100)  # fmt: skip
    measure(client, org, a["id"], 0.7)

    def codes(**params: Any) -> list[str]:
        page = client.get("/api/v1/objectives", params=params, headers=org.headers()).json()
        return [o["code"] for o in page["items"]]

    assert codes() == ["OBJ-001", "OBJ-002"]
    assert codes(state="breached") == ["OBJ-001"] and codes(state="no_data") == ["OBJ-002"]
    assert codes(kind="aims") == ["OBJ-002"]
    assert codes(owner=org.emails[Role.MANAGER]) == ["OBJ-001"]
    assert codes(system_id=sid) == ["OBJ-001"]
    assert codes(q="training") == ["OBJ-002"]
    assert codes(limit=1, sort="-code") == ["OBJ-002"]
    bad = client.get("/api/v1/objectives", params={"owner": "x@y.example"}, headers=org.headers())
    assert bad.status_code == 422
    assert b["state"] == "no_data"


def test_attention_lists_breached_and_overdue(client: TestClient, org: Org) -> None:
    breached = objective(client, org)
    measure(client, org, breached["id"], 0.6)
    late = objective(client, org, title="Late", due_date=(TODAY - dt.timedelta(days=3)).isoformat())
    measure(client, org, late["id"], 0.9, days_ago=10)  # met, but before the due date
    done = objective(client, org, title="Done", due_date=(TODAY - dt.timedelta(days=3)).isoformat())
    measure(client, org, done["id"], 0.9, days_ago=1)  # met after the due date: achieved
    found = client.get("/api/v1/objectives/attention", headers=org.headers(Role.VIEWER)).json()
    assert [o["code"] for o in found["breached"]] == ["OBJ-001"]
    assert [o["code"] for o in found["overdue"]] == ["OBJ-002"]
    one = client.get(f"/api/v1/objectives/{done['id']}", headers=org.headers()).json()
    assert one["state"] == "achieved" and one["overdue"] is False


def test_export_carries_the_last_measurement(client: TestClient, org: Org) -> None:
    o = objective(client, org, title='=HYPERLINK("x")')
    measure(client, org, o["id"], 0.76, note="breach")
    xlsx = client.get("/api/v1/objectives/export", headers=org.headers())
    assert xlsx.status_code == 200 and "ai-objectives-" in xlsx.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content))["AI objectives"]
    rows = list(sheet.iter_rows(values_only=True))
    header, row = rows[0], rows[1]
    got = dict(zip(header, row, strict=True))
    assert got["Code"] == "OBJ-001" and got["Last value"] == 0.76 and got["State"] == "breached"
    assert got["Objective"] == '=HYPERLINK("x")' and sheet["B2"].data_type == "s"
    csv = client.get("/api/v1/objectives/export", params={"format": "csv"}, headers=org.headers())
    assert csv.status_code == 200 and "'=HYPERLINK" in csv.text and "0.76" in csv.text


def test_numbers_too_large_to_chart_are_refused_beside_their_field(
    client: TestClient, org: Org
) -> None:
    """1e308 passed as finite but broke the chart (NaN coordinates); now a 422 on the field."""
    too_big = client.post("/api/v1/objectives", json={
        "title": "Huge", "kind": "aims", "annex_c": "fairness", "metric": "m", "unit": "ratio",
        "direction": "at_least", "target": 1e308}, headers=org.headers(Role.CONTRIBUTOR))  # fmt: skip
    assert too_big.status_code == 422 and fields_of(too_big) == {"target"}
    o = objective(client, org, range_min=None, range_max=None)
    refused = measure(client, org, o["id"], -1e308)
    assert refused.status_code == 422 and fields_of(refused) == {"value"}
    page = client.get(f"/api/v1/objectives/{o['id']}", headers=org.headers())
    assert page.status_code == 200


def test_changing_the_direction_alone_drops_a_tolerance_it_no_longer_uses(
    client: TestClient, org: Org
) -> None:
    o = objective(client, org, direction="within", target=0.9, tolerance=0.05)
    patched = client.patch(f"/api/v1/objectives/{o['id']}",
                           json={"version": o["version"], "direction": "at_least"},
                           headers=org.headers(Role.CONTRIBUTOR))  # fmt: skip
    assert patched.status_code == 200, patched.text
    assert patched.json()["direction"] == "at_least" and patched.json()["tolerance"] is None
    # Back to 'within' without a tolerance is still refused on that field.
    back = client.patch(f"/api/v1/objectives/{o['id']}",
                        json={"version": patched.json()["version"], "direction": "within"},
                        headers=org.headers(Role.CONTRIBUTOR))  # fmt: skip
    assert back.status_code == 422 and fields_of(back) == {"tolerance"}


def test_a_measurement_is_reached_only_through_its_own_objective(
    client: TestClient, org: Org
) -> None:
    mine, other = objective(client, org), objective(client, org, title="Another")
    m = measure(client, org, mine["id"], 0.9).json()
    wrong = f"/api/v1/objectives/{other['id']}/measurements/{m['id']}"
    assert client.delete(wrong, params={"version": m["version"]},
                         headers=org.headers()).status_code == 404  # fmt: skip
    assert client.post(f"{wrong}/restore", headers=org.headers()).status_code == 404
    listed = client.get(f"/api/v1/objectives/{mine['id']}/measurements", headers=org.headers())
    assert [x["id"] for x in listed.json()["items"]] == [m["id"]]


def test_a_deleted_measurement_outside_a_narrowed_range_is_not_restored(
    client: TestClient, org: Org
) -> None:
    o = objective(client, org, target=0.4)
    m = measure(client, org, o["id"], 0.9).json()
    url = f"/api/v1/objectives/{o['id']}"
    client.delete(f"{url}/measurements/{m['id']}", params={"version": m["version"]},
                  headers=org.headers())  # fmt: skip
    narrowed = client.patch(url, json={"version": o["version"], "range_max": 0.5},
                            headers=org.headers())  # fmt: skip
    assert narrowed.status_code == 200, narrowed.text
    back = client.post(f"{url}/measurements/{m['id']}/restore", headers=org.headers())
    assert back.status_code == 409 and "above the declared range" in back.json()["detail"]
    assert client.get(f"{url}/measurements", headers=org.headers()).json()["items"] == []
