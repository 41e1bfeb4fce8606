"""The REST API on both databases: auth, the one error shape, scoping, versions, paging."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from aims.access.rules import Role
from tests.conftest import Org


def assert_problem(response: object, status: int) -> dict:  # type: ignore[type-arg]
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert {"type", "title", "status", "detail", "errors"} <= set(body)
    assert body["status"] == status
    return body  # type: ignore[no-any-return]


def test_health(client: TestClient) -> None:
    body = client.get("/api/v1/health").json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["schema_current"]


def test_openapi_documents_every_error_shape(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "Problem" in spec["components"]["schemas"]
    responses = spec["paths"]["/api/v1/members/{member_id}"]["patch"]["responses"]
    assert {"400", "401", "403", "404", "409", "422"} <= set(responses)
    assert client.get("/api/docs").status_code == 200


def test_no_token_bad_token_and_revoked_token_are_401(client: TestClient, org: Org) -> None:
    assert_problem(client.get("/api/v1/me"), 401)
    assert_problem(client.get("/api/v1/me", headers={"Authorization": "Bearer aims_nope"}), 401)
    me = client.get("/api/v1/me", headers=org.headers(Role.VIEWER)).json()
    assert me["role"] == "viewer" and me["permissions"] == ["read"]
    tokens = client.get("/api/v1/tokens", headers=org.headers(Role.VIEWER)).json()
    client.delete(f"/api/v1/tokens/{tokens[0]['id']}", headers=org.headers(Role.VIEWER))
    assert_problem(client.get("/api/v1/me", headers=org.headers(Role.VIEWER)), 401)


def test_token_is_shown_once_and_works(client: TestClient, org: Org) -> None:
    created = client.post("/api/v1/tokens", json={"name": "ci", "days": 30}, headers=org.headers())
    assert created.status_code == 201
    secret = created.json()["token"]
    listed = client.get("/api/v1/tokens", headers=org.headers()).json()
    assert all("token" not in t for t in listed)
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    )


def test_malformed_json_is_a_400_problem(client: TestClient, org: Org) -> None:
    response = client.post(
        "/api/v1/members",
        content=b'{"email": "x@y.z",',
        headers={**org.headers(), "Content-Type": "application/json"},
    )
    body = assert_problem(response, 400)
    assert "not valid JSON" in body["detail"]


def test_unknown_and_invalid_fields_are_a_422_naming_each(client: TestClient, org: Org) -> None:
    response = client.post(
        "/api/v1/members",
        json={"email": "x@acme.example", "role": "admin", "colour": "blue"},
        headers=org.headers(),
    )
    body = assert_problem(response, 422)
    locs = {tuple(e["loc"]) for e in body["errors"]}
    assert ("body", "role") in locs and ("body", "colour") in locs
    bad_email = client.post(
        "/api/v1/members", json={"email": "nope", "role": "viewer"}, headers=org.headers()
    )
    assert assert_problem(bad_email, 422)["errors"][0]["loc"] == ["body", "email"]


def test_add_member_and_change_role_with_versions(client: TestClient, org: Org) -> None:
    created = client.post(
        "/api/v1/members",
        json={"email": "New@Acme.example", "full_name": "New", "role": "viewer"},
        headers=org.headers(Role.MANAGER),
    )
    assert created.status_code == 201
    member = created.json()
    assert member["password"] and member["email"] == "new@acme.example"
    url = f"/api/v1/members/{member['id']}"
    ok = client.patch(url, json={"role": "contributor", "version": 1}, headers=org.headers())
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(url, json={"role": "auditor", "version": 1}, headers=org.headers())
    body = assert_problem(stale, 409)
    assert body["current_version"] == 2
    assert client.get(url, headers=org.headers()).json()["role"] == "contributor"


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.AUDITOR, Role.VIEWER])
def test_roles_without_the_permission_get_403(client: TestClient, org: Org, role: Role) -> None:
    response = client.post(
        "/api/v1/members",
        json={"email": "q@acme.example", "role": "viewer"},
        headers=org.headers(role),
    )
    assert_problem(response, 403)


def test_auditor_reads_the_audit_trail_viewer_does_not(client: TestClient, org: Org) -> None:
    events = client.get("/api/v1/audit/events", headers=org.headers(Role.AUDITOR))
    assert events.status_code == 200 and events.json()["total"] > 0
    assert_problem(client.get("/api/v1/audit/events", headers=org.headers(Role.VIEWER)), 403)
    verify = client.get("/api/v1/audit/verify", headers=org.headers(Role.AUDITOR)).json()
    assert verify["ok"] is True and verify["checked"] > 0


def test_another_organisations_ids_answer_404(client: TestClient, org: Org, other_org: Org) -> None:
    theirs = client.get("/api/v1/members", headers=other_org.headers()).json()["items"][0]
    assert_problem(client.get(f"/api/v1/members/{theirs['id']}", headers=org.headers()), 404)
    patch = client.patch(
        f"/api/v1/members/{theirs['id']}",
        json={"role": "viewer", "version": 1},
        headers=org.headers(),
    )
    assert_problem(patch, 404)
    delete = client.delete(f"/api/v1/members/{theirs['id']}?version=1", headers=org.headers())
    assert_problem(delete, 404)
    their_token = client.get("/api/v1/tokens", headers=other_org.headers()).json()[0]
    assert_problem(client.delete(f"/api/v1/tokens/{their_token['id']}", headers=org.headers()), 404)
    mine = client.get("/api/v1/members?limit=200", headers=org.headers()).json()["items"]
    assert theirs["id"] not in {m["id"] for m in mine}


def test_members_list_pages_filters_and_sorts(client: TestClient, org: Org) -> None:
    first = client.get("/api/v1/members?limit=2&sort=email", headers=org.headers()).json()
    assert first["total"] == 5 and len(first["items"]) == 2 and first["next_cursor"]
    second = client.get(
        f"/api/v1/members?limit=2&sort=email&cursor={first['next_cursor']}", headers=org.headers()
    ).json()
    emails = [m["email"] for m in first["items"] + second["items"]]
    assert emails == sorted(emails) and len(set(emails)) == 4
    auditors = client.get("/api/v1/members?role=auditor", headers=org.headers()).json()
    assert [m["role"] for m in auditors["items"]] == ["auditor"]
    bad = client.get("/api/v1/members?sort=password_hash", headers=org.headers())
    assert assert_problem(bad, 422)["errors"][0]["loc"] == ["query", "sort"]


def test_remove_member_needs_current_version(client: TestClient, org: Org) -> None:
    viewer = client.get("/api/v1/members?role=viewer", headers=org.headers()).json()["items"][0]
    assert_problem(
        client.delete(f"/api/v1/members/{viewer['id']}?version=7", headers=org.headers()), 409
    )
    assert (
        client.delete(
            f"/api/v1/members/{viewer['id']}?version={viewer['version']}", headers=org.headers()
        ).status_code
        == 204
    )
    assert_problem(client.get(f"/api/v1/members/{viewer['id']}", headers=org.headers()), 404)


def test_organisation_rename_with_version(client: TestClient, org: Org) -> None:
    current = client.get("/api/v1/organisation", headers=org.headers()).json()
    renamed = client.patch(
        "/api/v1/organisation",
        json={"name": "Acme Credit plc", "version": current["version"]},
        headers=org.headers(),
    )
    assert renamed.json()["name"] == "Acme Credit plc"
    assert_problem(
        client.patch(
            "/api/v1/organisation",
            json={"name": "X", "version": current["version"]},
            headers=org.headers(),
        ),
        409,
    )
    assert_problem(
        client.patch(
            "/api/v1/organisation",
            json={"name": "Y", "version": 2},
            headers=org.headers(Role.MANAGER),
        ),
        403,
    )


def test_catalog_endpoints(client: TestClient, org: Org) -> None:
    entry = client.get("/api/v1/catalog/entries/A.5.4", headers=org.headers(Role.VIEWER)).json()
    assert entry["kind"] == "control" and entry["group"] == "A.5" and entry["guidance"]
    controls = client.get("/api/v1/catalog/entries?kind=control", headers=org.headers()).json()
    assert len(controls) == 38
    found = client.get("/api/v1/catalog/entries?q=supplier", headers=org.headers()).json()
    assert "A.10.3" in {e["id"] for e in found}
    assert_problem(client.get("/api/v1/catalog/entries/A.10.5", headers=org.headers()), 404)
    annex_c = client.get("/api/v1/catalog/annex-c", headers=org.headers()).json()
    assert len(annex_c["objectives"]) == 11 and len(annex_c["risk_sources"]) == 7


def test_unknown_route_is_a_404_problem(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/nothing-here"), 404)


def test_oversized_bodies_are_refused(client: TestClient, org: Org) -> None:
    big = b"x" * (11 * 1024 * 1024)
    response = client.post(
        "/api/v1/tokens", content=big, headers={**org.headers(), "Content-Type": "application/json"}
    )
    assert_problem(response, 413)


def test_audit_events_filters(client: TestClient, org: Org) -> None:
    client.post(
        "/api/v1/members", json={"email": "f@acme.example", "role": "viewer"}, headers=org.headers()
    )
    page = client.get(
        "/api/v1/audit/events?record_type=memberships&action=create&limit=2", headers=org.headers()
    ).json()
    assert page["items"] and all(e["record_type"] == "memberships" for e in page["items"])
    assert page["items"][0]["actor_label"] == org.emails[Role.OWNER]
    later = client.get(
        "/api/v1/audit/events?since=2999-01-01T00:00:00Z", headers=org.headers()
    ).json()
    assert later["total"] == 0


def test_password_change_and_reset(client: TestClient, org: Org) -> None:
    bad = client.post(
        "/api/v1/me/password",
        json={"current_password": "nope", "new_password": "x"},
        headers=org.headers(Role.VIEWER),
    )
    assert {e["loc"][-1] for e in assert_problem(bad, 422)["errors"]} == {
        "current_password",
        "new_password",
    }
    ok = client.post(
        "/api/v1/me/password",
        json={
            "current_password": "correct horse battery",
            "new_password": "another good passphrase",
        },
        headers=org.headers(Role.VIEWER),
    )
    assert ok.status_code == 204
    viewer = client.get("/api/v1/members?role=viewer", headers=org.headers()).json()["items"][0]
    reset = client.post(
        f"/api/v1/members/{viewer['id']}/password-reset", headers=org.headers(Role.MANAGER)
    )
    assert reset.status_code == 200 and len(reset.json()["password"]) >= 10
    assert_problem(
        client.post(
            f"/api/v1/members/{viewer['id']}/password-reset", headers=org.headers(Role.CONTRIBUTOR)
        ),
        403,
    )
