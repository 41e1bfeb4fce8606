"""The AI system register, components and parties through the API, on both databases."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from aims.access.rules import Role
from tests.conftest import Org

CREDITLENS = {
    "name": "CreditLens",
    "purpose": "Scores applicants' creditworthiness",
    "intended_use": "Consumer loan decisions in IE, NL and DE",
    "foreseeable_misuse": "Used for pricing insurance",
    "business_unit": "Retail lending",
    "lifecycle_stage": "operation_and_monitoring",
    "ai_roles": ["ai_provider", "ai_customer"],
    "operator_role": "provider",
    "used_in_eu": True,
    "affected_persons": "Loan applicants",
    "vulnerable_groups": ["economically_vulnerable", "elderly"],
    "automation_level": "human_in_the_loop",
    "decisions_about_people": "supports",
    "personal_data": True,
    "special_category_data": False,
    "biometric_data": False,
    "review_date": "2027-03-31",
}


def create(client: TestClient, org: Org, body: dict, role: Role = Role.CONTRIBUTOR) -> dict:  # type: ignore[type-arg]
    response = client.post("/api/v1/systems", json=body, headers=org.headers(role))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_register_a_system_with_every_field(client: TestClient, org: Org) -> None:
    body = {**CREDITLENS, "owner_email": org.emails[Role.MANAGER]}
    system = create(client, org, body)
    for key, value in CREDITLENS.items():
        if key == "vulnerable_groups" or key == "ai_roles":
            assert sorted(system[key]) == sorted(value)  # type: ignore[arg-type]
        else:
            assert system[key] == value, key
    assert system["owner_email"] == org.emails[Role.MANAGER] and system["in_scope"] is True
    fetched = client.get(f"/api/v1/systems/{system['id']}", headers=org.headers(Role.VIEWER)).json()
    assert fetched == system


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "X", "lifecycle_stage": "someday"}, "lifecycle_stage"),
        ({"name": "X", "vulnerable_groups": ["aliens"]}, "vulnerable_groups"),
        ({"name": "X", "review_date": "31/13/2026"}, "review_date"),
        ({"name": "X", "colour": "red"}, "colour"),
        ({"name": "X", "owner_email": "stranger@nowhere.example"}, "owner_email"),
        ({"name": "X", "in_scope": False}, "scope_reason"),
    ],
)
def test_bad_fields_are_422_naming_the_field(
    client: TestClient, org: Org, body: dict, field: str | None
) -> None:  # type: ignore[type-arg]
    response = client.post("/api/v1/systems", json=body, headers=org.headers())
    assert response.status_code == 422, response.text
    if field:
        assert field in {str(part) for e in response.json()["errors"] for part in e["loc"]}
    assert client.get("/api/v1/systems", headers=org.headers()).json()["total"] == 0


def test_names_are_unique_and_edits_need_the_current_version(client: TestClient, org: Org) -> None:
    system = create(client, org, {"name": "TalentSift"})
    assert (
        client.post(
            "/api/v1/systems", json={"name": "talentsift"}, headers=org.headers()
        ).status_code
        == 409
    )
    url = f"/api/v1/systems/{system['id']}"
    ok = client.patch(
        url,
        json={
            "version": 1,
            "operator_role": "deployer",
            "in_scope": False,
            "scope_reason": "Pilot only",
        },
        headers=org.headers(),
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.json()["in_scope"] is False
    stale = client.patch(url, json={"version": 1, "name": "Renamed"}, headers=org.headers())
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert (
        client.patch(
            url, json={"version": 2, "in_scope": False, "scope_reason": ""}, headers=org.headers()
        ).status_code
        == 422
    )


def test_list_search_filter_sort_and_delete_restore(client: TestClient, org: Org) -> None:
    create(
        client,
        org,
        {
            "name": "CreditLens",
            "lifecycle_stage": "operation_and_monitoring",
            "business_unit": "Lending",
        },
    )
    create(
        client,
        org,
        {
            "name": "Fraud detection",
            "lifecycle_stage": "operation_and_monitoring",
            "purpose": "flags card transactions",
        },
    )
    retired = create(
        client, org, {"name": "Collections prioritisation", "lifecycle_stage": "retirement"}
    )
    headers = org.headers(Role.VIEWER)
    assert [
        s["name"] for s in client.get("/api/v1/systems?q=card", headers=headers).json()["items"]
    ] == ["Fraud detection"]
    live = client.get(
        "/api/v1/systems?lifecycle_stage=operation_and_monitoring&sort=-name", headers=headers
    ).json()
    assert [s["name"] for s in live["items"]] == ["Fraud detection", "CreditLens"]
    assert (
        client.delete(
            f"/api/v1/systems/{retired['id']}?version=1", headers=org.headers(Role.VIEWER)
        ).status_code
        == 403
    )
    assert (
        client.delete(
            f"/api/v1/systems/{retired['id']}?version=1", headers=org.headers()
        ).status_code
        == 204
    )
    assert client.get("/api/v1/systems", headers=headers).json()["total"] == 2
    assert (
        client.post(f"/api/v1/systems/{retired['id']}/restore", headers=org.headers()).status_code
        == 200
    )
    assert client.get("/api/v1/systems", headers=headers).json()["total"] == 3


def test_components_shared_by_systems_with_their_supplier(client: TestClient, org: Org) -> None:
    a = create(client, org, {"name": "Customer service assistant"})
    b = create(client, org, {"name": "Internal code assistant"})
    model = client.post(
        "/api/v1/components",
        json={
            "kind": "model",
            "name": "Frontier LLM",
            "version_label": "2026-05",
            "supplier_name": "Example AI Inc.",
            "general_purpose": True,
            "training_compute_flop": 3e25,
            "licence": "proprietary",
        },
        headers=org.headers(),
    ).json()
    assert model["supplier"]["name"] == "Example AI Inc." and model["training_compute_flop"] == 3e25
    for system in (a, b):
        assert (
            client.post(
                f"/api/v1/systems/{system['id']}/components",
                json={"component_id": model["id"]},
                headers=org.headers(),
            ).status_code
            == 204
        )
    assert [
        c["name"]
        for c in client.get(f"/api/v1/systems/{a['id']}/components", headers=org.headers()).json()
    ] == ["Frontier LLM"]
    parties = client.get("/api/v1/parties", headers=org.headers()).json()
    assert [p["name"] for p in parties["items"]] == ["Example AI Inc."]
    again = client.post(
        "/api/v1/components",
        json={
            "kind": "dataset",
            "name": "Bureau data",
            "supplier_name": "example ai inc.",
            "collection_start": "2015-01-01",
            "collection_end": "2014-01-01",
        },
        headers=org.headers(),
    )
    assert again.status_code == 422
    dataset = client.post(
        "/api/v1/components",
        json={
            "kind": "dataset",
            "name": "Bureau data",
            "supplier_name": "example ai inc.",
            "personal_data": True,
        },
        headers=org.headers(),
    ).json()
    assert dataset["supplier"]["id"] == model["supplier"]["id"]
    assert (
        client.delete(
            f"/api/v1/systems/{a['id']}/components/{model['id']}", headers=org.headers()
        ).status_code
        == 204
    )
    assert client.get(f"/api/v1/systems/{a['id']}/components", headers=org.headers()).json() == []


def test_other_organisations_systems_are_404(client: TestClient, org: Org, other_org: Org) -> None:
    theirs = create(client, other_org, {"name": "Their system"})
    mine = create(client, org, {"name": "Mine"})
    assert client.get(f"/api/v1/systems/{theirs['id']}", headers=org.headers()).status_code == 404
    assert (
        client.patch(
            f"/api/v1/systems/{theirs['id']}",
            json={"version": 1, "name": "x"},
            headers=org.headers(),
        ).status_code
        == 404
    )
    their_model = client.post(
        "/api/v1/components", json={"kind": "model", "name": "M"}, headers=other_org.headers()
    ).json()
    linked = client.post(
        f"/api/v1/systems/{mine['id']}/components",
        json={"component_id": their_model["id"]},
        headers=org.headers(),
    )
    assert linked.status_code == 404
