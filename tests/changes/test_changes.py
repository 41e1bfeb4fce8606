"""Planned changes (6.3): the life cycle rules, the API on both databases, the pages, the CLI."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from aims.access.rules import Role
from aims.changes import rules
from aims.changes.rules import ChangeStatus as S
from tests.conftest import Org
from tests.web.test_pages import csrf_of, sign_in


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (S.PROPOSED, S.APPROVED, True),
        (S.PROPOSED, S.IN_PROGRESS, False),  # no work before approval
        (S.APPROVED, S.IN_PROGRESS, True),
        (S.IN_PROGRESS, S.IMPLEMENTED, True),
        (S.IMPLEMENTED, S.CLOSED, True),
        (S.IMPLEMENTED, S.CANCELLED, False),  # done is done
        (S.CLOSED, S.PROPOSED, False),
        (S.REJECTED, S.APPROVED, False),
    ],
)
def test_moves(current: S, target: S, allowed: bool) -> None:
    assert (rules.move_refusal(current, target) is None) is allowed


@given(st.sampled_from(list(S)), st.sampled_from(list(S)))
def test_finished_changes_never_move_and_refusals_name_next_steps(a: S, b: S) -> None:
    refusal = rules.move_refusal(a, b)
    if a in (S.CLOSED, S.REJECTED, S.CANCELLED) and a != b:
        assert refusal is not None and "none" in refusal
    if refusal is not None:
        assert a.value.replace("_", " ") in refusal


def test_plan_gaps_in_order() -> None:
    assert rules.plan_gaps({}) == ["purpose", "consequences", "resources", "owner_id"]
    assert rules.plan_gaps({"purpose": "x", "resources": "y"}) == ["consequences", "owner_id"]
    assert rules.closing_gap(S.CLOSED, "  ") is not None
    assert rules.closing_gap(S.IMPLEMENTED, "") is None


def change(client: TestClient, org: Org, role: Role = Role.CONTRIBUTOR, **fields: Any) -> Any:
    body = {"title": "Bring TalentSift into the AIMS scope", **fields}
    response = client.post("/api/v1/changes", json=body, headers=org.headers(role))
    assert response.status_code == 201, response.text
    return response.json()


FULL = {"purpose": "Cover the CV screening service", "consequences": "Two more assessments",
        "resources": "0.5 FTE for a quarter"}  # fmt: skip


def test_a_change_is_approved_by_a_second_person_and_closed_with_its_outcome(
    client: TestClient, org: Org
) -> None:
    c = change(client, org, owner_email=org.emails[Role.CONTRIBUTOR])
    assert c["ref"] == "CH-001" and c["status"] == "proposed"
    assert c["plan_gaps"] == ["purpose", "consequences", "resources"]
    url = f"/api/v1/changes/{c['id']}"

    early = client.post(f"{url}/status", json={"status": "approved", "version": c["version"]},
                        headers=org.headers(Role.MANAGER))  # fmt: skip
    assert early.status_code == 422 and "purpose" in early.text
    assert early.json()["errors"][0]["loc"][-1] == "status"

    c = client.patch(url, json={**FULL, "version": c["version"]},
                     headers=org.headers(Role.CONTRIBUTOR)).json()  # fmt: skip
    assert c["plan_gaps"] == []
    not_work = client.post(f"{url}/status", json={"status": "in_progress", "version": c["version"]},
                           headers=org.headers(Role.CONTRIBUTOR))  # fmt: skip
    assert not_work.status_code == 409 and "next steps" in not_work.text
    by_contributor = client.post(f"{url}/status",
                                 json={"status": "approved", "version": c["version"]},
                                 headers=org.headers(Role.CONTRIBUTOR))  # fmt: skip
    assert by_contributor.status_code == 403

    approved = client.post(f"{url}/status", json={"status": "approved", "version": c["version"],
                                                  "note": "Agreed at the AIMS board"},
                           headers=org.headers(Role.MANAGER))  # fmt: skip
    assert approved.status_code == 200, approved.text
    c = approved.json()
    assert c["approved_by_email"] == org.emails[Role.MANAGER]
    frozen = client.patch(url, json={"title": "Other", "version": c["version"]},
                          headers=org.headers())  # fmt: skip
    assert frozen.status_code == 409 and "new change" in frozen.text

    for step in ("in_progress", "implemented"):
        c = client.post(f"{url}/status", json={"status": step, "version": c["version"]},
                        headers=org.headers(Role.CONTRIBUTOR)).json()  # fmt: skip
    assert c["status"] == "implemented" and c["completed_date"]
    no_outcome = client.post(f"{url}/status", json={"status": "closed", "version": c["version"]},
                             headers=org.headers(Role.CONTRIBUTOR))  # fmt: skip
    assert no_outcome.status_code == 422
    assert no_outcome.json()["errors"][0]["loc"][-1] == "outcome"
    closed = client.post(f"{url}/status", json={"status": "closed", "version": c["version"],
                                                "outcome": "Both assessments done"},
                         headers=org.headers(Role.CONTRIBUTOR))  # fmt: skip
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_the_proposer_may_not_approve_their_own_change(client: TestClient, org: Org) -> None:
    c = change(client, org, role=Role.MANAGER, owner_email=org.emails[Role.CONTRIBUTOR], **FULL)
    own = client.post(f"/api/v1/changes/{c['id']}/status",
                      json={"status": "approved", "version": c["version"]},
                      headers=org.headers(Role.MANAGER))  # fmt: skip
    assert own.status_code == 403 and "proposed or owns" in own.json()["detail"]
    no_reason = client.post(f"/api/v1/changes/{c['id']}/status",
                            json={"status": "rejected", "version": c["version"]},
                            headers=org.headers(Role.OWNER))  # fmt: skip
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["loc"][-1] == "note"


def test_validation_staleness_tenancy_and_undo(
    client: TestClient, org: Org, other_org: Org
) -> None:
    stranger = client.post("/api/v1/changes", json={"title": "x", "owner_email": "no@x.example"},
                           headers=org.headers())  # fmt: skip
    assert stranger.status_code == 422 and stranger.json()["errors"][0]["loc"][-1] == "owner_email"
    ghost = client.post("/api/v1/changes",
                        json={"title": "x", "system_ids": ["00000000-0000-4000-8000-000000000000"]},
                        headers=org.headers())  # fmt: skip
    assert ghost.status_code == 422 and "system_ids" in ghost.text
    c = change(client, org)
    url = f"/api/v1/changes/{c['id']}"
    assert client.get(url, headers=other_org.headers()).status_code == 404
    assert client.get("/api/v1/changes", headers=other_org.headers()).json()["total"] == 0
    client.patch(url, json={"purpose": "a", "version": c["version"]}, headers=org.headers())
    stale = client.patch(url, json={"purpose": "b", "version": c["version"]}, headers=org.headers())
    assert stale.status_code == 409
    assert client.post("/api/v1/changes", json={"title": "v"},
                       headers=org.headers(Role.VIEWER)).status_code == 403  # fmt: skip
    current = client.get(url, headers=org.headers()).json()
    gone = client.delete(url, params={"version": current["version"]}, headers=org.headers())
    assert gone.status_code == 204
    assert client.get(url, headers=org.headers()).status_code == 404
    assert client.post(f"{url}/restore", headers=org.headers()).status_code == 200
    listed = client.get("/api/v1/changes", params={"q": "TalentSift"}, headers=org.headers())
    assert listed.json()["total"] == 1


def test_change_pages(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    empty = client.get("/changes")
    assert "No change planned yet" in empty.text
    form = client.get("/changes/new")
    bad = client.post("/changes/new", data={"csrf_token": csrf_of(form.text), "title": "",
                                            "owner_email": "no@x.example"})  # fmt: skip
    assert bad.status_code == 422 and 'id="title-error"' in bad.text
    made = client.post("/changes/new", data={"csrf_token": csrf_of(form.text),
                                             "title": "New <b>role</b>", "purpose": "why"},
                       follow_redirects=True)  # fmt: skip
    assert made.status_code == 200 and "CH-001 New &lt;b&gt;role&lt;/b&gt;" in made.text
    assert 'id="plan-gaps"' in made.text
    listed = client.get("/changes", params={"status": "proposed"})
    assert "CH-001" in listed.text
    assert "No change matches" in client.get("/changes", params={"status": "closed"}).text
    sign_in(client, org.emails[Role.MANAGER])
    found = re.search(r'href="(/changes/[0-9a-f-]{36})"', listed.text)
    assert found
    page = client.get(found.group(1))
    refused = client.post(page.url.path + "/status",
                          data={"csrf_token": csrf_of(page.text), "status": "approved",
                                "version": "1"})  # fmt: skip
    assert refused.status_code == 422 and 'id="status-error"' in refused.text


def test_cli_change_list_and_show(aims: object) -> None:
    assert aims("init", "--email", "boss@acme.example").code == 0  # type: ignore[operator]
    listed = aims("change", "list")  # type: ignore[operator]
    assert listed.code == 0 and "0 change(s)" in listed.out
    assert aims("change", "show", "CH-404").code == 2  # type: ignore[operator]


def test_a_late_change_shows_on_the_dashboard_escaped(client: TestClient, org: Org) -> None:
    change(client, org, title="<script>x</script> late", planned_date="2020-01-01")
    sign_in(client, org.emails[Role.VIEWER])
    page = client.get("/")
    assert "6.3 Changes" in page.text and "was planned for 2020-01-01" in page.text
    assert "<script>x</script>" not in page.text and "&lt;script&gt;" in page.text
