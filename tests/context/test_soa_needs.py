"""Legal and contractual requirements that call for Annex A controls make those controls
needed in the SoA: the justification names them and an exclusion is refused."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from aims.access.rules import Role
from tests.conftest import Org
from tests.context.test_api import legal


def _row(client: TestClient, org: Org, control: str) -> dict[str, Any]:
    rows = client.get("/api/v1/soa", headers=org.headers()).json()["rows"]
    found: dict[str, Any] = next(r for r in rows if r["control_id"] == control)
    return found


def test_an_active_legal_requirement_makes_its_controls_applicable(
    client: TestClient, org: Org
) -> None:
    legal(client, org, controls=["A.6.2.7", "A.8.2"])
    row = _row(client, org, "A.6.2.7")
    assert row["applicable"] is True
    assert row["needs"][0]["kind"] == "requirement"
    assert row["inclusion_justification"] == "Required by: EU AI Act (Regulation (EU) 2024/1689)."
    assert _row(client, org, "A.8.2")["applicable"] is True
    assert _row(client, org, "A.6.2.8")["applicable"] is None


def test_excluding_a_control_a_requirement_calls_for_is_refused(
    client: TestClient, org: Org
) -> None:
    legal(client, org, title="Model provider terms", kind="contractual", reference="",
          controls=["A.10.3"])  # fmt: skip
    refused = client.put("/api/v1/soa/A.10.3", headers=org.headers(Role.MANAGER),
                         json={"version": 0, "applicable": False,
                               "exclusion_reason": "We build everything ourselves"})  # fmt: skip
    assert refused.status_code == 422
    assert "Model provider terms" in refused.json()["detail"]
    overridden = client.put("/api/v1/soa/A.10.3", headers=org.headers(Role.MANAGER),
                            json={"version": 0, "applicable": False,
                                  "exclusion_reason": "We build everything ourselves",
                                  "override_reason": "Contract ends this month"})  # fmt: skip
    assert overridden.status_code == 200


def test_only_active_binding_requirements_count(client: TestClient, org: Org) -> None:
    legal(client, org, title="Identified only", status="identified", controls=["A.7.4"])
    legal(client, org, title="Code of conduct", kind="voluntary", controls=["A.7.5"])
    gone = legal(client, org, title="Deleted", controls=["A.7.6"])
    client.delete(f"/api/v1/context/requirements/{gone['id']}", params={"version": gone["version"]},
                  headers=org.headers())  # fmt: skip
    for control in ("A.7.4", "A.7.5", "A.7.6"):
        assert _row(client, org, control)["needs"] == []
    act = legal(client, org, title="Later active", status="identified", controls=["A.7.4"])
    client.patch(f"/api/v1/context/requirements/{act['id']}", headers=org.headers(),
                 json={"version": act["version"], "status": "active"})  # fmt: skip
    assert [n["label"] for n in _row(client, org, "A.7.4")["needs"]] == [
        "Later active (Regulation (EU) 2024/1689)"
    ]


def test_a_requirement_recorded_after_an_exclusion_flags_the_soa_row(
    client: TestClient, org: Org
) -> None:
    """Excluded first, then a law calls for it: the row says so (and stops once the
    requirement leaves the register)."""
    excluded = client.put("/api/v1/soa/A.10.3", headers=org.headers(Role.MANAGER),
                          json={"version": 0, "applicable": False,
                                "exclusion_reason": "No third parties"})  # fmt: skip
    assert excluded.status_code == 200, excluded.text
    assert _row(client, org, "A.10.3")["problems"] == []
    row = legal(client, org, title="Supplier terms", kind="contractual", reference="",
                controls=["A.10.3"])  # fmt: skip
    flagged = _row(client, org, "A.10.3")
    assert flagged["applicable"] is False
    assert flagged["problems"] == ["excluded, but needed by: Supplier terms"]
    client.delete(f"/api/v1/context/requirements/{row['id']}",
                  params={"version": row["version"]}, headers=org.headers())  # fmt: skip
    assert _row(client, org, "A.10.3")["problems"] == []
