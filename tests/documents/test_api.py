"""Controlled documents through the API on both databases: the life cycle with its refusals,
quorum, comparison, the AI policy, publication and acknowledgement."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from aims.access.rules import Role
from tests.conftest import Org

API = "/api/v1/documents"


def create(
    client: TestClient, org: Org, *, role: Role = Role.CONTRIBUTOR, **fields: Any
) -> dict[str, Any]:
    body = {
        "code": "POL-001",
        "title": "Information security policy",
        "kind": "policy",
        "body": "# Purpose\n\nKeep information safe.\n",
        **fields,
    }
    r = client.post(API, json=body, headers=org.headers(role))
    assert r.status_code == 201, r.text
    return dict(r.json())


def act(
    client: TestClient, org: Org, doc: dict[str, Any], action: str, role: Role, **extra: Any
) -> Any:
    current = client.get(f"{API}/{doc['id']}", headers=org.headers()).json()
    ver = current["open"]
    return client.post(
        f"{API}/{doc['id']}/versions/{ver['id']}/{action}",
        json={"version": ver["version"], **extra},
        headers=org.headers(role),
    )


def approved(
    client: TestClient, org: Org, *, author: Role = Role.CONTRIBUTOR, **fields: Any
) -> dict[str, Any]:
    """A document written by ``author``, submitted by them and approved by a manager."""
    doc = create(client, org, role=author, **fields)
    assert act(client, org, doc, "submit", author).status_code == 200
    r = act(client, org, doc, "approve", Role.MANAGER if author != Role.MANAGER else Role.OWNER)
    assert r.status_code == 200, r.text
    return dict(client.get(f"{API}/{doc['id']}", headers=org.headers()).json())


def test_life_cycle_from_draft_to_a_second_approved_version(client: TestClient, org: Org) -> None:
    doc = create(client, org, owner_email=org.emails[Role.MANAGER], review_interval_months=6)
    assert doc["status"] == "draft" and doc["owner"] == org.emails[Role.MANAGER]
    ver = doc["open"]
    edited = client.patch(
        f"{API}/{doc['id']}/versions/{ver['id']}",
        json={
            "version": ver["version"],
            "body": "# Purpose\n\nKeep information safe.\n\nAlways.\n",
        },
        headers=org.headers(Role.CONTRIBUTOR),
    )
    assert edited.status_code == 200 and "Always." in edited.json()["rendered_html"]
    assert act(client, org, doc, "submit", Role.CONTRIBUTOR).status_code == 200
    assert client.get(f"{API}/{doc['id']}", headers=org.headers()).json()["status"] == "in_review"
    approval = act(client, org, doc, "approve", Role.MANAGER, note="Fine by me")
    assert approval.status_code == 200, approval.text
    body = approval.json()
    assert body["status"] == "approved" and body["approved_by"] == org.emails[Role.MANAGER]
    assert (
        body["approvals"][0]["note"] == "Fine by me" and body["approvals"][0]["role"] == "manager"
    )
    full = client.get(f"{API}/{doc['id']}", headers=org.headers()).json()
    assert full["status"] == "approved" and full["next_review_on"] is not None
    first = full["current"]

    # An approved version does not change: the answer points at a new version.
    refused = client.patch(
        f"{API}/{doc['id']}/versions/{first['id']}",
        json={"version": first["version"], "body": "changed"},
        headers=org.headers(Role.CONTRIBUTOR),
    )
    assert refused.status_code == 409 and "new version" in refused.json()["detail"]

    second = client.post(f"{API}/{doc['id']}/versions", headers=org.headers(Role.CONTRIBUTOR))
    assert second.status_code == 201 and second.json()["revision"] == 2
    s = second.json()
    client.patch(
        f"{API}/{doc['id']}/versions/{s['id']}",
        json={
            "version": s["version"],
            "body": "# Purpose\n\nKeep data safe.\n\nAlways.\n",
            "change_summary": "Data, not information",
        },
        headers=org.headers(Role.CONTRIBUTOR),
    )
    diff = client.get(
        f"{API}/{doc['id']}/compare",
        params={"a": first["id"], "b": s["id"]},
        headers=org.headers(Role.VIEWER),
    )
    assert diff.status_code == 200
    d = diff.json()
    assert "-Keep information safe." in d["unified_diff"]
    assert "+Keep data safe." in d["unified_diff"] and d["added"] == 1 and d["removed"] == 1
    assert "body" in d["changed_fields"]

    assert act(client, org, doc, "submit", Role.CONTRIBUTOR).status_code == 200
    assert act(client, org, doc, "approve", Role.OWNER).status_code == 200
    full = client.get(f"{API}/{doc['id']}", headers=org.headers()).json()
    assert [v["status"] for v in full["versions"]] == ["superseded", "approved"]
    assert full["current"]["revision"] == 2
    still = client.patch(
        f"{API}/{doc['id']}/versions/{first['id']}",
        json={"version": full["versions"][0]["version"], "body": "x"},
        headers=org.headers(Role.CONTRIBUTOR),
    )
    assert still.status_code == 409


def test_approval_refusals_name_the_reason(client: TestClient, org: Org) -> None:
    doc = create(client, org, role=Role.MANAGER)
    assert act(client, org, doc, "approve", Role.OWNER).status_code == 409  # still a draft
    act(client, org, doc, "submit", Role.MANAGER)
    author = act(client, org, doc, "approve", Role.MANAGER)
    assert author.status_code == 403 and "author" in author.json()["detail"]
    contributor = act(client, org, doc, "approve", Role.CONTRIBUTOR)
    assert contributor.status_code == 403 and "roles" in contributor.json()["detail"]
    auditor = act(client, org, doc, "approve", Role.AUDITOR)
    assert auditor.status_code == 403

    editor = create(client, org, code="PRO-002", role=Role.CONTRIBUTOR)
    ver = editor["open"]
    client.patch(
        f"{API}/{editor['id']}/versions/{ver['id']}",
        json={"version": ver["version"], "body": "A manager's words"},
        headers=org.headers(Role.MANAGER),
    )
    act(client, org, editor, "submit", Role.CONTRIBUTOR)
    refused = act(client, org, editor, "approve", Role.MANAGER)
    assert refused.status_code == 403 and "edit" in refused.json()["detail"]


def test_a_document_can_name_its_approvers(client: TestClient, org: Org) -> None:
    doc = create(client, org, approver_roles=["owner"])
    act(client, org, doc, "submit", Role.CONTRIBUTOR)
    manager = act(client, org, doc, "approve", Role.MANAGER)
    assert manager.status_code == 403 and "owner" in manager.json()["detail"]
    assert act(client, org, doc, "approve", Role.OWNER).status_code == 200
    bad = client.post(
        API,
        json={"code": "X-1", "title": "t", "kind": "other", "approver_roles": ["viewer"]},
        headers=org.headers(),
    )
    assert bad.status_code == 422 and "approver_roles" in str(bad.json()["errors"])


def test_quorum_needs_distinct_approvers(client: TestClient, org: Org) -> None:
    doc = create(client, org, quorum=2)
    act(client, org, doc, "submit", Role.CONTRIBUTOR)
    first = act(client, org, doc, "approve", Role.MANAGER, note="one")
    assert first.status_code == 200
    f = first.json()
    assert f["status"] == "in_review" and f["quorum"] == {"given": 1, "needed": 2, "met": False}
    again = act(client, org, doc, "approve", Role.MANAGER)
    assert again.status_code == 409 and "already approved" in again.json()["detail"]
    second = act(client, org, doc, "approve", Role.OWNER, note="two").json()
    assert second["status"] == "approved" and second["quorum"]["met"]
    assert [a["note"] for a in second["approvals"]] == ["one", "two"]

    withdrawn = create(client, org, code="POL-009", quorum=2)
    act(client, org, withdrawn, "submit", Role.CONTRIBUTOR)
    act(client, org, withdrawn, "approve", Role.MANAGER)
    back = act(client, org, withdrawn, "return", Role.OWNER, note="fix section 2")
    assert back.status_code == 200 and back.json()["approvals"] == []
    assert back.json()["review_note"] == "fix section 2"


def test_validation_stale_writes_permissions_and_tenants(
    client: TestClient, org: Org, other_org: Org
) -> None:
    missing = client.post(
        API, json={"code": "", "title": "x", "kind": "policy"}, headers=org.headers()
    )
    assert missing.status_code == 422 and ["body", "code"] in [
        e["loc"] for e in missing.json()["errors"]
    ]
    stranger = client.post(
        API,
        json={"code": "A-1", "title": "x", "kind": "policy", "owner_email": "nobody@example.org"},
        headers=org.headers(),
    )
    assert stranger.status_code == 422 and "owner_email" in str(stranger.json()["errors"])
    viewer = client.post(
        API, json={"code": "A-1", "title": "x", "kind": "policy"}, headers=org.headers(Role.VIEWER)
    )
    assert viewer.status_code == 403
    doc = create(client, org)
    duplicate = client.post(
        API, json={"code": "POL-001", "title": "y", "kind": "policy"}, headers=org.headers()
    )
    assert duplicate.status_code == 422 and "code" in str(duplicate.json()["errors"])
    ok = client.patch(
        f"{API}/{doc['id']}",
        json={"version": doc["version"], "title": "New"},
        headers=org.headers(Role.CONTRIBUTOR),
    )
    assert ok.status_code == 200 and ok.json()["title"] == "New"
    stale = client.patch(
        f"{API}/{doc['id']}",
        json={"version": doc["version"], "title": "Old"},
        headers=org.headers(Role.CONTRIBUTOR),
    )
    assert stale.status_code == 409
    assert client.get(f"{API}/{doc['id']}", headers=other_org.headers()).status_code == 404
    assert (
        client.post(
            f"{API}/{doc['id']}/versions/{doc['open']['id']}/submit",
            json={"version": 1},
            headers=other_org.headers(),
        ).status_code
        == 404
    )
    assert client.get(API, headers=other_org.headers()).json()["total"] == 0


def test_list_searches_and_filters(client: TestClient, org: Org) -> None:
    approved(client, org, effective_date="2020-01-01", review_interval_months=12)
    create(client, org, code="PRO-001", title="AI system development procedure", kind="procedure")
    found = client.get(API, params={"q": "development"}, headers=org.headers()).json()
    assert [d["code"] for d in found["items"]] == ["PRO-001"]
    kinds = client.get(API, params={"kind": "policy"}, headers=org.headers()).json()
    assert [d["code"] for d in kinds["items"]] == ["POL-001"]
    overdue = client.get(API, params={"review_overdue": "true"}, headers=org.headers()).json()
    assert [d["code"] for d in overdue["items"]] == ["POL-001"]
    assert overdue["items"][0]["review_overdue"] is True
    drafts = client.get(API, params={"status": "draft"}, headers=org.headers()).json()
    assert [d["code"] for d in drafts["items"]] == ["PRO-001"]


def test_rendered_html_is_sanitised(client: TestClient, org: Org) -> None:
    doc = create(
        client,
        org,
        body="# Hi\n\n<script>alert('x')</script>\n\n"
        "[click](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n"
        "[safe](https://example.org)",
    )
    html = doc["open"]["rendered_html"]
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html
    assert 'href="https://example.org" rel="noopener noreferrer"' in html


def test_the_ai_policy_with_checklist_links_and_review(client: TestClient, org: Org) -> None:
    empty = client.get(f"{API}/ai-policy", headers=org.headers()).json()
    assert empty["document"] is None and "purpose" in empty["gaps"]
    infosec = approved(client, org, code="POL-002")
    policy = create(
        client,
        org,
        code="POL-001",
        title="AI policy",
        is_ai_policy=True,
        effective_date="2020-01-01",
    )
    second = client.post(
        API,
        json={"code": "POL-003", "title": "Another", "kind": "policy", "is_ai_policy": True},
        headers=org.headers(),
    )
    assert second.status_code == 409 and "already the AI policy" in second.json()["detail"]
    ver = policy["open"]
    bad = client.patch(
        f"{API}/{policy['id']}/versions/{ver['id']}",
        json={
            "version": ver["version"],
            "checklist": {"purpose": {"addressed": True, "section": ""}},
        },
        headers=org.headers(Role.CONTRIBUTOR),
    )
    assert bad.status_code == 422 and "checklist" in str(bad.json()["errors"])
    unknown = client.patch(
        f"{API}/{policy['id']}/versions/{ver['id']}",
        json={"version": ver["version"], "checklist": {"nope": {}}},
        headers=org.headers(Role.CONTRIBUTOR),
    )
    assert unknown.status_code == 422
    marked = client.patch(
        f"{API}/{policy['id']}/versions/{ver['id']}",
        json={
            "version": ver["version"],
            "checklist": {
                "purpose": {"addressed": True, "section": "1 Purpose"},
                "requirements": {"addressed": True, "section": "3 Commitments"},
            },
        },
        headers=org.headers(Role.CONTRIBUTOR),
    )
    assert marked.status_code == 200, marked.text
    link = client.post(
        f"{API}/{policy['id']}/links",
        json={"target_id": infosec["id"], "note": "Security controls apply to AI"},
        headers=org.headers(Role.CONTRIBUTOR),
    )
    assert link.status_code == 201 and link.json()["target_code"] == "POL-002"
    again = client.post(
        f"{API}/{policy['id']}/links",
        json={"target_id": infosec["id"]},
        headers=org.headers(Role.CONTRIBUTOR),
    )
    assert again.status_code == 409
    act(client, org, policy, "submit", Role.CONTRIBUTOR)
    act(client, org, policy, "approve", Role.OWNER)
    view = client.get(f"{API}/ai-policy", headers=org.headers(Role.AUDITOR)).json()
    assert view["document"]["code"] == "POL-001" and view["revision"] == 1
    assert "purpose" not in view["gaps"] and "objectives_framework" in view["gaps"]
    addressed = {i["id"]: i["section"] for i in view["checklist"] if i["addressed"]}
    assert addressed == {"purpose": "1 Purpose", "requirements": "3 Commitments"}
    assert view["links"][0]["note"] == "Security controls apply to AI"
    assert view["review"]["overdue"] is True  # effective 2020, yearly review
    assert view["leadership"][0]["approver"] == org.emails[Role.OWNER]
    assert view["leadership"][0]["role"] == "owner"
    full = client.get(f"{API}/{policy['id']}", headers=org.headers()).json()
    reviewed = client.post(
        f"{API}/{policy['id']}/reviewed",
        json={"version": full["version"]},
        headers=org.headers(Role.MANAGER),
    )
    assert reviewed.status_code == 200 and reviewed.json()["review_overdue"] is False


def test_publish_acknowledge_chase_and_supersede(client: TestClient, org: Org) -> None:
    doc = approved(client, org)
    pub = client.post(
        f"{API}/{doc['id']}/publications",
        json={"everyone": True},
        headers=org.headers(Role.MANAGER),
    )
    assert pub.status_code == 201, pub.text
    p = pub.json()
    assert p["targeted"] == 5 and p["acknowledged"] == 0 and p["percent"] == 0
    twice = client.post(
        f"{API}/{doc['id']}/publications",
        json={"roles": ["viewer"]},
        headers=org.headers(Role.MANAGER),
    )
    assert twice.status_code == 409
    nobody = client.post(
        f"{API}/{doc['id']}/publications", json={}, headers=org.headers(Role.MANAGER)
    )
    assert nobody.status_code == 422 and "people" in str(nobody.json()["errors"])
    mine = client.get(f"{API}/acknowledgements/mine", headers=org.headers(Role.VIEWER)).json()
    assert [m["code"] for m in mine] == ["POL-001"]
    theirs = client.post(f"{API}/acknowledgements/{mine[0]['id']}", headers=org.headers())
    assert theirs.status_code == 403
    done = client.post(f"{API}/acknowledgements/{mine[0]['id']}", headers=org.headers(Role.VIEWER))
    assert done.status_code == 200 and done.json()["acknowledged_at"]
    assert client.get(f"{API}/acknowledgements/mine", headers=org.headers(Role.VIEWER)).json() == []
    client.post(f"{API}/{doc['id']}/acknowledge", headers=org.headers(Role.AUDITOR))
    full = client.get(f"{API}/{doc['id']}", headers=org.headers()).json()
    pub_out = full["publications"][0]
    assert pub_out["acknowledged"] == 2 and pub_out["percent"] == 40
    assert org.emails[Role.VIEWER] not in pub_out["outstanding"]
    assert org.emails[Role.OWNER] in pub_out["outstanding"]
    owed = client.get(f"{API}/acknowledgements/outstanding", headers=org.headers()).json()
    assert {o["email"] for o in owed} == {
        org.emails[r] for r in (Role.OWNER, Role.MANAGER, Role.CONTRIBUTOR)
    }
    chase = client.post(
        f"{API}/{doc['id']}/publications/{p['id']}/chase", headers=org.headers(Role.MANAGER)
    )
    assert chase.status_code == 201 and chase.json()["outstanding"] == 3
    viewer_chase = client.post(
        f"{API}/{doc['id']}/publications/{p['id']}/chase", headers=org.headers(Role.VIEWER)
    )
    assert viewer_chase.status_code == 403
    owner_ack = client.get(f"{API}/acknowledgements/mine", headers=org.headers()).json()[0]

    # A new approved version supersedes the old one: its publication ends, and the old
    # version can no longer be acknowledged.
    client.post(f"{API}/{doc['id']}/versions", headers=org.headers(Role.CONTRIBUTOR))
    act(client, org, doc, "submit", Role.CONTRIBUTOR)
    assert act(client, org, doc, "approve", Role.MANAGER).status_code == 200
    late = client.post(f"{API}/acknowledgements/{owner_ack['id']}", headers=org.headers())
    assert late.status_code == 409 and "superseded" in late.json()["detail"]
    assert client.get(f"{API}/acknowledgements/mine", headers=org.headers()).json() == []
    full = client.get(f"{API}/{doc['id']}", headers=org.headers()).json()
    assert full["publications"][0]["ended_reason"] == "superseded"


def test_retiring_ends_publications_and_freezes_the_document(client: TestClient, org: Org) -> None:
    doc = approved(client, org)
    client.post(
        f"{API}/{doc['id']}/publications",
        json={"people": [org.emails[Role.VIEWER]]},
        headers=org.headers(Role.MANAGER),
    )
    ack = client.get(f"{API}/acknowledgements/mine", headers=org.headers(Role.VIEWER)).json()[0]
    full = client.get(f"{API}/{doc['id']}", headers=org.headers()).json()
    contributor = client.post(
        f"{API}/{doc['id']}/retire",
        json={"version": full["version"]},
        headers=org.headers(Role.CONTRIBUTOR),
    )
    assert contributor.status_code == 403
    retired = client.post(
        f"{API}/{doc['id']}/retire",
        json={"version": full["version"]},
        headers=org.headers(Role.MANAGER),
    )
    assert retired.status_code == 200, retired.text
    r = retired.json()
    assert r["status"] == "retired" and r["versions"][0]["status"] == "retired"
    assert r["publications"][0]["ended_reason"] == "retired"
    late = client.post(f"{API}/acknowledgements/{ack['id']}", headers=org.headers(Role.VIEWER))
    assert late.status_code == 409 and "retired" in late.json()["detail"]
    again = client.post(f"{API}/{doc['id']}/versions", headers=org.headers(Role.CONTRIBUTOR))
    assert again.status_code == 409 and "retired" in again.json()["detail"]
    patch = client.patch(
        f"{API}/{doc['id']}",
        json={"version": r["version"], "title": "x"},
        headers=org.headers(Role.CONTRIBUTOR),
    )
    assert patch.status_code == 409
    retired_list = client.get(API, params={"status": "retired"}, headers=org.headers()).json()
    assert retired_list["total"] == 1


def test_delete_and_restore_a_draft_document(client: TestClient, org: Org) -> None:
    doc = create(client, org)
    gone = client.delete(
        f"{API}/{doc['id']}",
        params={"version": doc["version"]},
        headers=org.headers(Role.CONTRIBUTOR),
    )
    assert gone.status_code == 204
    assert client.get(f"{API}/{doc['id']}", headers=org.headers()).status_code == 404
    back = client.post(f"{API}/{doc['id']}/restore", headers=org.headers(Role.CONTRIBUTOR))
    assert back.status_code == 200 and back.json()["code"] == "POL-001"
    kept = approved(client, org, code="POL-002")
    refused = client.delete(
        f"{API}/{kept['id']}",
        params={"version": kept["version"]},
        headers=org.headers(Role.CONTRIBUTOR),
    )
    assert refused.status_code == 409 and "retire" in refused.json()["detail"]


def test_an_approver_who_then_edits_the_returned_draft_may_not_approve_it(
    client: TestClient, org: Org
) -> None:
    doc = create(client, org, quorum=2)
    act(client, org, doc, "submit", Role.CONTRIBUTOR)
    assert act(client, org, doc, "approve", Role.MANAGER).status_code == 200
    assert act(client, org, doc, "return", Role.OWNER, note="tighten it").status_code == 200
    draft = client.get(f"{API}/{doc['id']}", headers=org.headers()).json()["open"]
    edited = client.patch(
        f"{API}/{doc['id']}/versions/{draft['id']}",
        json={"version": draft["version"], "body": "# Purpose\n\nKeep it safe, always.\n"},
        headers=org.headers(Role.MANAGER),
    )
    assert edited.status_code == 200, edited.text
    # The author edits after them, so the manager is no longer the last editor.
    draft = client.get(f"{API}/{doc['id']}", headers=org.headers()).json()["open"]
    again = client.patch(
        f"{API}/{doc['id']}/versions/{draft['id']}",
        json={"version": draft["version"], "change_summary": "Tightened"},
        headers=org.headers(Role.CONTRIBUTOR),
    )
    assert again.status_code == 200, again.text
    assert act(client, org, doc, "submit", Role.CONTRIBUTOR).status_code == 200
    refused = act(client, org, doc, "approve", Role.MANAGER)
    assert refused.status_code == 403 and "edited" in refused.json()["detail"]
    # The earlier approval was withdrawn with the return: two fresh approvals are needed.
    state = client.get(f"{API}/{doc['id']}", headers=org.headers()).json()["open"]
    assert state["quorum"] == {"given": 0, "needed": 2, "met": False}


def test_quorum_and_approving_roles_are_fixed_while_in_review(client: TestClient, org: Org) -> None:
    doc = create(client, org, quorum=2)
    act(client, org, doc, "submit", Role.CONTRIBUTOR)
    assert act(client, org, doc, "approve", Role.MANAGER).status_code == 200
    current = client.get(f"{API}/{doc['id']}", headers=org.headers()).json()
    for change in ({"quorum": 1}, {"approver_roles": ["owner"]}):
        refused = client.patch(
            f"{API}/{doc['id']}", json={"version": current["version"], **change},
            headers=org.headers(),
        )  # fmt: skip
        assert refused.status_code == 409 and "in review" in refused.json()["detail"]
    # Other fields, and the same quorum, may still change.
    renamed = client.patch(
        f"{API}/{doc['id']}", json={"version": current["version"], "title": "Renamed", "quorum": 2},
        headers=org.headers(),
    )  # fmt: skip
    assert renamed.status_code == 200, renamed.text
    assert act(client, org, doc, "return", Role.OWNER, note="redo").status_code == 200
    after = client.get(f"{API}/{doc['id']}", headers=org.headers()).json()
    lowered = client.patch(
        f"{API}/{doc['id']}", json={"version": after["version"], "quorum": 1},
        headers=org.headers(),
    )  # fmt: skip
    assert lowered.status_code == 200 and lowered.json()["quorum"] == 1
