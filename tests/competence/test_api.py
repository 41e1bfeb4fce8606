"""AIMS roles, holders, competences, evidence, the competence matrix and the RACI matrix
through the API: what a tool or a pipeline sees."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from aims.access.rules import Role
from tests.conftest import Org

API = "/api/v1/competence"
TODAY = dt.date.today()


def role(client: TestClient, org: Org, name: str = "AI system owner", **fields: Any) -> Any:
    response = client.post(f"{API}/roles", json={"name": name, **fields},
                           headers=org.headers(Role.CONTRIBUTOR))  # fmt: skip
    assert response.status_code == 201, response.text
    return response.json()


def competence(client: TestClient, org: Org, name: str = "AI ethics and fairness",
               **fields: Any) -> Any:  # fmt: skip
    response = client.post(f"{API}/competences", json={"name": name, **fields},
                           headers=org.headers(Role.CONTRIBUTOR))  # fmt: skip
    assert response.status_code == 201, response.text
    return response.json()


def user_id(org: Org, who: Role) -> str:
    return str(org.contexts[who].user_id)


def owner_setup(client: TestClient, org: Org, validity: int | None = 24) -> tuple[Any, Any]:
    """A role held by the contributor since last year that requires one competence."""
    r = role(client, org)
    c = competence(client, org, validity_months=validity)
    held = client.post(f"{API}/roles/{r['id']}/holders",
                       json={"email": org.emails[Role.CONTRIBUTOR],
                             "since": str(TODAY - dt.timedelta(days=365))},
                       headers=org.headers(Role.MANAGER))  # fmt: skip
    assert held.status_code == 201, held.text
    req = client.post(f"{API}/roles/{r['id']}/requirements",
                      json={"competence_id": c["id"], "level": "practitioner"},
                      headers=org.headers(Role.MANAGER))  # fmt: skip
    assert req.status_code == 201, req.text
    return r, c


def test_a_role_with_a_holder_and_a_requirement_shows_a_gap_until_evidence_is_checked(
    client: TestClient, org: Org
) -> None:
    r, c = owner_setup(client, org)
    shown = client.get(f"{API}/roles/{r['id']}", headers=org.headers(Role.VIEWER)).json()
    assert shown["holders"][0]["email"] == org.emails[Role.CONTRIBUTOR]
    assert shown["holders"][0]["active"] is True
    assert shown["requirements"][0]["competence"] == "AI ethics and fairness"

    gaps = client.get(f"{API}/gaps", headers=org.headers(Role.VIEWER)).json()
    assert [(g["person"], g["status"]) for g in gaps["gaps"]] == [
        ("Contributor of Acme Credit", "missing")
    ]

    person = user_id(org, Role.CONTRIBUTOR)
    obtained = TODAY - dt.timedelta(days=30)
    ev = client.post(f"{API}/people/{person}/evidence",
                     json={"kind": "training", "competence_id": c["id"],
                           "title": "Fairness in lending models", "provider": "Academy",
                           "obtained": str(obtained)},
                     headers=org.headers(Role.MANAGER))  # fmt: skip
    assert ev.status_code == 201, ev.text
    body = ev.json()
    # The expiry defaults from the competence's validity (24 months).
    assert body["expires"] == str(obtained.replace(year=obtained.year + 2))
    assert body["check_result"] == "pending" and body["status"] == "unverified"
    matrix = client.get(f"{API}/matrix", headers=org.headers()).json()
    assert [c["status"] for c in matrix["cells"]] == ["unverified"]

    checked = client.put(f"{API}/evidence/{body['id']}/check",
                         json={"version": body["version"], "result": "effective",
                               "note": "Applied it in the Q3 model review"},
                         headers=org.headers(Role.MANAGER))  # fmt: skip
    assert checked.status_code == 200, checked.text
    assert checked.json()["checked_by"] == org.emails[Role.MANAGER]
    assert checked.json()["check_date"] == str(TODAY)
    gaps = client.get(f"{API}/gaps", headers=org.headers()).json()
    assert gaps["gaps"] == [] and gaps["expiring"] == []
    matrix = client.get(f"{API}/matrix", headers=org.headers()).json()
    assert matrix["counts"]["met"] == 1
    # A long window makes it expiring.
    later = client.get(f"{API}/gaps", params={"window_days": 800}, headers=org.headers()).json()
    assert [g["status"] for g in later["expiring"]] == ["expiring"]


def test_nobody_checks_their_own_evidence_and_viewers_change_nothing(
    client: TestClient, org: Org
) -> None:
    _r, c = owner_setup(client, org)
    me = user_id(org, Role.CONTRIBUTOR)
    ev = client.post(f"{API}/people/{me}/evidence",
                     json={"kind": "qualification", "competence_id": c["id"], "title": "Cert",
                           "obtained": str(TODAY)},
                     headers=org.headers(Role.CONTRIBUTOR)).json()  # fmt: skip
    own = client.put(f"{API}/evidence/{ev['id']}/check",
                     json={"version": ev["version"], "result": "effective"},
                     headers=org.headers(Role.CONTRIBUTOR))  # fmt: skip
    assert own.status_code == 403 and "own evidence" in own.json()["detail"]
    viewer = client.post(f"{API}/roles", json={"name": "x"}, headers=org.headers(Role.VIEWER))
    assert viewer.status_code == 403
    auditor = client.put(f"{API}/evidence/{ev['id']}/check",
                         json={"version": ev["version"], "result": "effective"},
                         headers=org.headers(Role.AUDITOR))  # fmt: skip
    assert auditor.status_code == 403


def test_evidence_fields_are_checked(client: TestClient, org: Org) -> None:
    c = competence(client, org)
    person = user_id(org, Role.VIEWER)
    url = f"{API}/people/{person}/evidence"
    base = {"kind": "training", "competence_id": c["id"], "title": "Course",
            "obtained": str(TODAY)}  # fmt: skip
    before = client.post(url, json={**base, "expires": str(TODAY - dt.timedelta(days=1))},
                         headers=org.headers())  # fmt: skip
    assert before.status_code == 422
    assert before.json()["errors"][0]["loc"] == ["body", "expires"]
    future = client.post(url, json={**base, "obtained": str(TODAY + dt.timedelta(days=3))},
                         headers=org.headers())  # fmt: skip
    assert future.status_code == 422 and future.json()["errors"][0]["loc"][-1] == "obtained"
    unknown = client.post(url, json={**base, "competence_id": "00000000-0000-0000-0000-000000000000"},
                          headers=org.headers())  # fmt: skip
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"][-1] == "competence_id"
    bad_kind = client.post(url, json={**base, "kind": "hearsay"}, headers=org.headers())
    assert bad_kind.status_code == 422 and "kind" in bad_kind.json()["errors"][0]["loc"]
    stranger = client.post(f"{API}/people/00000000-0000-0000-0000-000000000000/evidence",
                           json=base, headers=org.headers())  # fmt: skip
    assert stranger.status_code == 404
    nulled = client.post(f"{API}/competences", json={"name": None}, headers=org.headers())
    assert nulled.status_code == 422


def test_stale_writes_are_refused(client: TestClient, org: Org) -> None:
    r = role(client, org)
    first = client.patch(f"{API}/roles/{r['id']}", json={"version": r["version"],
                                                           "description": "Owns a system"},
                         headers=org.headers())  # fmt: skip
    assert first.status_code == 200 and first.json()["version"] == r["version"] + 1
    stale = client.patch(f"{API}/roles/{r['id']}", json={"version": r["version"],
                                                           "description": "Other"},
                         headers=org.headers())  # fmt: skip
    assert stale.status_code == 409 and stale.json()["current_version"] == r["version"] + 1
    c = competence(client, org)
    stale_c = client.patch(f"{API}/competences/{c['id']}", json={"version": 99, "name": "New"},
                           headers=org.headers())  # fmt: skip
    assert stale_c.status_code == 409


def test_another_organisation_sees_none_of_it(client: TestClient, org: Org, other_org: Org) -> None:
    r, c = owner_setup(client, org)
    for url in (f"{API}/roles/{r['id']}", f"{API}/competences/{c['id']}",
                f"{API}/people/{user_id(org, Role.CONTRIBUTOR)}/evidence"):  # fmt: skip
        assert client.get(url, headers=other_org.headers()).status_code == 404, url
    assert client.get(f"{API}/roles", headers=other_org.headers()).json()["total"] == 0
    assert client.get(f"{API}/matrix", headers=other_org.headers()).json()["cells"] == []
    foreign = client.put(f"{API}/raci/A.3.2/{r['id']}", json={"letter": "A", "version": 0},
                         headers=other_org.headers())  # fmt: skip
    assert foreign.status_code == 404
    # Assigning someone from the other organisation is a 422 on the e-mail.
    stranger = client.post(f"{API}/roles/{r['id']}/holders",
                           json={"email": other_org.emails[Role.OWNER], "since": str(TODAY)},
                           headers=org.headers())  # fmt: skip
    assert stranger.status_code == 422 and stranger.json()["errors"][0]["loc"][-1] == "email"


def test_roles_form_a_reporting_line_without_cycles_and_names_are_unique(
    client: TestClient, org: Org
) -> None:
    top = role(client, org, "AIMS manager")
    mid = role(client, org, "AI system owner", parent_id=top["id"])
    assert mid["parent"] == "AIMS manager"
    twice = client.post(f"{API}/roles", json={"name": "AIMS manager"}, headers=org.headers())
    assert twice.status_code == 422 and twice.json()["errors"][0]["loc"][-1] == "name"
    cycle = client.patch(f"{API}/roles/{top['id']}",
                         json={"version": top["version"], "parent_id": mid["id"]},
                         headers=org.headers())  # fmt: skip
    assert cycle.status_code == 422 and cycle.json()["errors"][0]["loc"][-1] == "parent_id"
    blocked = client.delete(f"{API}/roles/{top['id']}", params={"version": top["version"]},
                            headers=org.headers())  # fmt: skip
    assert blocked.status_code == 409
    gone = client.delete(f"{API}/roles/{mid['id']}", params={"version": mid["version"]},
                         headers=org.headers())  # fmt: skip
    assert gone.status_code == 204
    assert client.get(f"{API}/roles/{mid['id']}", headers=org.headers()).status_code == 404
    back = client.post(f"{API}/roles/{mid['id']}/restore", headers=org.headers())
    assert back.status_code == 200 and back.json()["parent"] == "AIMS manager"


def test_holders_have_dates_and_past_holders_do_not_count(client: TestClient, org: Org) -> None:
    r = role(client, org)
    c = competence(client, org)
    client.post(f"{API}/roles/{r['id']}/requirements", json={"competence_id": c["id"]},
                headers=org.headers())  # fmt: skip
    backwards = client.post(f"{API}/roles/{r['id']}/holders",
                            json={"email": org.emails[Role.VIEWER], "since": str(TODAY),
                                  "until": str(TODAY - dt.timedelta(days=1))},
                            headers=org.headers())  # fmt: skip
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["loc"][-1] == "until"
    past = client.post(f"{API}/roles/{r['id']}/holders",
                       json={"email": org.emails[Role.VIEWER], "since": "2020-01-01",
                             "until": "2021-01-01"}, headers=org.headers())  # fmt: skip
    assert past.status_code == 201 and past.json()["active"] is False
    cells = client.get(f"{API}/matrix", headers=org.headers()).json()["cells"]
    assert [(x["person"], x["status"], x["user_id"]) for x in cells] == [(None, "missing", None)]
    twice = client.post(f"{API}/roles/{r['id']}/requirements", json={"competence_id": c["id"]},
                        headers=org.headers())  # fmt: skip
    assert twice.status_code == 422
    still_required = client.delete(f"{API}/competences/{c['id']}", params={"version": 1},
                                   headers=org.headers())  # fmt: skip
    assert still_required.status_code == 409 and "AI system owner" in still_required.text


def test_the_raci_matrix_keeps_one_accountable_role_per_row_and_exports(
    client: TestClient, org: Org
) -> None:
    manager = role(client, org, "AIMS manager")
    owner = role(client, org, "AI system owner")
    raci = client.get(f"{API}/raci", headers=org.headers(Role.VIEWER)).json()
    ids = [row["row_id"] for row in raci["rows"]]
    assert "risk-assessment-treatment" in ids and "A.3.2" in ids and "A.10.4" in ids
    assert raci["gaps"] == len(ids)  # nobody is accountable for anything yet

    put = client.put(f"{API}/raci/A.3.2/{manager['id']}", json={"letter": "A", "version": 0},
                     headers=org.headers(Role.CONTRIBUTOR))  # fmt: skip
    assert put.status_code == 200, put.text
    assert put.json()["gap"] is False
    assert put.json()["problems"] == ["nobody is responsible for doing the work"]
    second = client.put(f"{API}/raci/A.3.2/{owner['id']}", json={"letter": "A", "version": 0},
                        headers=org.headers())  # fmt: skip
    assert second.status_code == 422 and second.json()["errors"][0]["loc"][-1] == "letter"
    ok = client.put(f"{API}/raci/A.3.2/{owner['id']}", json={"letter": "R", "version": 0},
                    headers=org.headers())  # fmt: skip
    assert ok.json()["problems"] == [] and ok.json()["cells"] == {
        manager["id"]: "A",
        owner["id"]: "R",
    }
    stale = client.put(f"{API}/raci/A.3.2/{owner['id']}", json={"letter": "C", "version": 0},
                       headers=org.headers())  # fmt: skip
    assert stale.status_code == 409
    cleared = client.put(f"{API}/raci/A.3.2/{manager['id']}",
                         json={"letter": None, "version": put.json()["versions"][manager["id"]]},
                         headers=org.headers())  # fmt: skip
    assert cleared.status_code == 200 and cleared.json()["gap"] is True
    assert client.put(f"{API}/raci/A.99/{owner['id']}", json={"letter": "R", "version": 0},
                      headers=org.headers()).status_code == 404  # fmt: skip
    assert client.put(f"{API}/raci/A.3.2/{owner['id']}", json={"letter": "X", "version": 1},
                      headers=org.headers()).status_code == 422  # fmt: skip
    assert client.put(f"{API}/raci/A.3.2/{owner['id']}", json={"letter": "C", "version": 1},
                      headers=org.headers(Role.VIEWER)).status_code == 403  # fmt: skip

    export = client.get(f"{API}/raci/export", headers=org.headers(Role.VIEWER))
    assert export.status_code == 200 and "attachment" in export.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(export.content))["RACI"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Row", "Kind", "Title"] and "AI system owner" in header
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "A.3.2")
    assert row[header.index("AI system owner")] == "R"
    processes = client.get(f"{API}/processes", headers=org.headers()).json()
    assert all(p["clauses"] for p in processes)


def test_someone_who_left_the_organisation_holds_no_role(client: TestClient, org: Org) -> None:
    owner_setup(client, org)
    members = client.get("/api/v1/members", headers=org.headers()).json()["items"]
    leaving = next(m for m in members if m["email"] == org.emails[Role.CONTRIBUTOR])
    gone = client.delete(f"/api/v1/members/{leaving['id']}", params={"version": leaving["version"]},
                         headers=org.headers())  # fmt: skip
    assert gone.status_code == 204, gone.text
    cells = client.get(f"{API}/matrix", headers=org.headers()).json()["cells"]
    assert [(c["person"], c["reason"]) for c in cells] == [(None, "nobody holds this role")]


def test_editing_checked_evidence_makes_its_check_pending_again(
    client: TestClient, org: Org
) -> None:
    """A check covers the evidence as it stood: its holder cannot swap in other evidence (or
    another competence) under a manager's 'effective' and keep the matrix green."""
    _r, c = owner_setup(client, org)
    other = competence(client, org, "Data protection")
    me = user_id(org, Role.CONTRIBUTOR)
    ev = client.post(f"{API}/people/{me}/evidence",
                     json={"kind": "training", "competence_id": c["id"], "title": "Course",
                           "obtained": str(TODAY - dt.timedelta(days=10))},
                     headers=org.headers(Role.CONTRIBUTOR)).json()  # fmt: skip
    checked = client.put(f"{API}/evidence/{ev['id']}/check",
                         json={"version": ev["version"], "result": "effective"},
                         headers=org.headers(Role.MANAGER)).json()  # fmt: skip
    assert checked["check_result"] == "effective"
    cells = client.get(f"{API}/matrix", headers=org.headers()).json()["cells"]
    assert [x["status"] for x in cells] == ["met"]
    # Changing nothing of substance keeps the check.
    same = client.patch(f"{API}/evidence/{ev['id']}",
                        json={"version": checked["version"], "title": "Course"},
                        headers=org.headers(Role.CONTRIBUTOR)).json()  # fmt: skip
    assert same["check_result"] == "effective"
    edited = client.patch(f"{API}/evidence/{ev['id']}",
                          json={"version": same["version"], "title": "Another course",
                                "competence_id": other["id"]},
                          headers=org.headers(Role.CONTRIBUTOR))  # fmt: skip
    assert edited.status_code == 200, edited.text
    out = edited.json()
    assert out["check_result"] == "pending" and out["checked_by"] is None
    assert out["check_date"] is None and out["status"] == "unverified"
    back = client.patch(f"{API}/evidence/{ev['id']}",
                        json={"version": out["version"], "competence_id": c["id"]},
                        headers=org.headers(Role.CONTRIBUTOR)).json()  # fmt: skip
    assert back["check_result"] == "pending"
    cells = client.get(f"{API}/matrix", headers=org.headers()).json()["cells"]
    assert [x["status"] for x in cells] == ["unverified"]


def test_restoring_a_role_cannot_give_a_raci_row_two_accountable_roles(
    client: TestClient, org: Org
) -> None:
    first, second = role(client, org, "AIMS manager"), role(client, org, "AI system owner")
    a = client.put(f"{API}/raci/A.3.2/{first['id']}", json={"letter": "A", "version": 0},
                   headers=org.headers())  # fmt: skip
    assert a.status_code == 200
    gone = client.delete(f"{API}/roles/{first['id']}", params={"version": first["version"]},
                         headers=org.headers())  # fmt: skip
    assert gone.status_code == 204
    taken = client.put(f"{API}/raci/A.3.2/{second['id']}", json={"letter": "A", "version": 0},
                       headers=org.headers())  # fmt: skip
    assert taken.status_code == 200
    refused = client.post(f"{API}/roles/{first['id']}/restore", headers=org.headers())
    assert refused.status_code == 409 and "A.3.2" in refused.json()["detail"]
    row = next(r for r in client.get(f"{API}/raci", headers=org.headers()).json()["rows"]
               if r["row_id"] == "A.3.2")  # fmt: skip
    assert row["cells"] == {second["id"]: "A"}
    freed = client.put(f"{API}/raci/A.3.2/{second['id']}",
                       json={"letter": "R", "version": taken.json()["versions"][second["id"]]},
                       headers=org.headers())  # fmt: skip
    assert freed.status_code == 200
    restored = client.post(f"{API}/roles/{first['id']}/restore", headers=org.headers())
    assert restored.status_code == 200
    row = next(r for r in client.get(f"{API}/raci", headers=org.headers()).json()["rows"]
               if r["row_id"] == "A.3.2")  # fmt: skip
    assert row["cells"] == {first["id"]: "A", second["id"]: "R"} and row["problems"] == []


def test_role_and_competence_names_are_unique_whatever_their_case(
    client: TestClient, org: Org
) -> None:
    first = role(client, org, "AI system owner")
    clash = client.post(f"{API}/roles", json={"name": "AI System Owner"}, headers=org.headers())
    assert clash.status_code == 422 and clash.json()["errors"][0]["loc"][-1] == "name"
    # Renaming a role to another case of its own name is fine.
    renamed = client.patch(f"{API}/roles/{first['id']}",
                           json={"version": first["version"], "name": "AI System Owner"},
                           headers=org.headers())  # fmt: skip
    assert renamed.status_code == 200, renamed.text
    competence(client, org, "Data protection")
    again = client.post(f"{API}/competences", json={"name": "DATA PROTECTION"},
                        headers=org.headers())  # fmt: skip
    assert again.status_code == 422 and again.json()["errors"][0]["loc"][-1] == "name"


def test_moving_an_assignment_cannot_make_it_overlap_another(client: TestClient, org: Org) -> None:
    r = role(client, org)
    url = f"{API}/roles/{r['id']}/holders"
    email = org.emails[Role.VIEWER]
    early = client.post(url, json={"email": email, "since": "2020-01-01", "until": "2021-01-01"},
                        headers=org.headers()).json()  # fmt: skip
    late = client.post(url, json={"email": email, "since": "2023-01-01"}, headers=org.headers())
    assert late.status_code == 201
    longer = client.patch(f"{API}/assignments/{early['id']}",
                          json={"version": early["version"], "until": None},
                          headers=org.headers())  # fmt: skip
    assert longer.status_code == 422 and longer.json()["errors"][0]["loc"][-1] == "until"
    fine = client.patch(f"{API}/assignments/{early['id']}",
                        json={"version": early["version"], "until": "2022-12-31"},
                        headers=org.headers())  # fmt: skip
    assert fine.status_code == 200, fine.text
    shown = client.get(f"{API}/roles/{r['id']}", headers=org.headers()).json()
    assert len(shown["holders"]) == 2
