"""Competence pages: the matrix with its gaps and filters, roles with holders and required
competences, a person's evidence with the effectiveness check, the RACI matrix edited in place."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient

from aims.access.rules import Role
from tests.competence.test_api import API, TODAY, competence, owner_setup, role, user_id
from tests.conftest import Org
from tests.web.test_pages import csrf_of, sign_in


def test_roles_and_competences_are_built_from_forms_with_errors_beside_fields(
    client: TestClient, org: Org
) -> None:
    sign_in(client, org.emails[Role.MANAGER])
    page = client.get("/competence/roles")
    assert page.status_code == 200 and "No AIMS role yet" in page.text
    token = csrf_of(page.text)
    blank = client.post("/competence/roles", data={"csrf_token": token, "name": ""})
    assert blank.status_code == 422 and 'id="name-error"' in blank.text
    assert 'aria-describedby="name-error"' in blank.text
    made = client.post("/competence/roles", data={"csrf_token": token, "name": "AIMS manager",
                                                  "responsibilities": "Runs the AIMS"},
                       follow_redirects=True)  # fmt: skip
    assert made.status_code == 200 and 'id="role-name">AIMS manager' in made.text
    assert "Nobody holds this role" in made.text

    comps = client.get("/competence/competences")
    assert "The catalogue is empty" in comps.text
    bad = client.post("/competence/competences",
                      data={"csrf_token": token, "name": "AI literacy", "kind": "knowledge",
                            "validity_months": "0"})  # fmt: skip
    assert bad.status_code == 422 and 'id="validity_months-error"' in bad.text
    ok = client.post("/competence/competences",
                     data={"csrf_token": token, "name": "AI literacy", "kind": "knowledge",
                           "validity_months": "12"}, follow_redirects=True)  # fmt: skip
    assert "AI literacy" in ok.text and "12 months" in ok.text

    rid = re.search(r'action="/competence/roles/([0-9a-f-]+)/requirements"', made.text)
    assert rid is None  # no competence yet when the role page was drawn
    role_url = made.url.path
    role_page = client.get(role_url)
    assert 'action="' + role_url + '/requirements"' in role_page.text
    no_pick = client.post(f"{role_url}/requirements", data={"csrf_token": token,
                                                            "competence_id": ""})  # fmt: skip
    assert no_pick.status_code == 422 and 'id="req_competence_id-error"' in no_pick.text
    cid = re.search(r'<option value="([0-9a-f-]{36})">AI literacy', role_page.text)
    assert cid
    client.post(f"{role_url}/requirements", data={"csrf_token": token,
                                                  "competence_id": cid.group(1)})  # fmt: skip
    stranger = client.post(f"{role_url}/holders", data={"csrf_token": token,
                                                        "email": "nobody@else.example",
                                                        "since": str(TODAY)})  # fmt: skip
    assert stranger.status_code == 422 and 'id="holder_email-error"' in stranger.text
    held = client.post(f"{role_url}/holders", data={"csrf_token": token,
                                                    "email": org.emails[Role.VIEWER],
                                                    "since": str(TODAY)},
                       follow_redirects=True)  # fmt: skip
    assert "Viewer of Acme Credit" in held.text and "AI literacy" in held.text
    matrix = client.get("/competence")
    assert 'id="gap-list"' in matrix.text and "no evidence on record" in matrix.text
    assert 'data-status="missing"' in matrix.text


def test_csrf_is_required_and_viewers_get_no_forms(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.VIEWER])
    page = client.get("/competence/roles")
    assert page.status_code == 200 and "Add a role" not in page.text
    assert client.post("/competence/roles", data={"name": "x"}).status_code == 403
    sign_in(client, org.emails[Role.MANAGER])
    forged = client.post("/competence/roles", data={"name": "x", "csrf_token": "forged"})
    assert forged.status_code == 403


def test_a_person_gets_evidence_and_someone_else_checks_it(client: TestClient, org: Org) -> None:
    _r, c = owner_setup(client, org)
    person = user_id(org, Role.CONTRIBUTOR)
    sign_in(client, org.emails[Role.MANAGER])
    page = client.get(f"/competence/people/{person}")
    assert page.status_code == 200 and "No evidence on record" in page.text
    assert 'data-status="missing"' in page.text
    token = csrf_of(page.text)
    url = f"/competence/people/{person}/evidence"
    bad = client.post(url, data={"csrf_token": token, "kind": "training", "competence_id": c["id"],
                                 "title": "", "obtained": str(TODAY)})  # fmt: skip
    assert bad.status_code == 422 and 'id="title-error"' in bad.text
    backwards = client.post(url, data={"csrf_token": token, "kind": "training",
                                       "competence_id": c["id"], "title": "Course",
                                       "obtained": str(TODAY), "expires": "2000-01-01"})  # fmt: skip
    assert backwards.status_code == 422 and 'id="expires-error"' in backwards.text
    added = client.post(url, data={"csrf_token": token, "kind": "training",
                                   "competence_id": c["id"], "title": "Fairness course",
                                   "obtained": str(TODAY)}, follow_redirects=True)  # fmt: skip
    assert "Evidence added" in added.text and 'data-status="unverified"' in added.text
    eid = re.search(r'action="/competence/evidence/([0-9a-f-]+)/check"', added.text)
    assert eid
    checked = client.post(f"/competence/evidence/{eid.group(1)}/check",
                          data={"csrf_token": token, "version": "1", "result": "effective",
                                "note": "Seen in the model review"},
                          follow_redirects=True)  # fmt: skip
    assert checked.status_code == 200 and 'data-status="met"' in checked.text
    stale = client.post(f"/competence/evidence/{eid.group(1)}/check",
                        data={"csrf_token": token, "version": "1", "result": "pending"})  # fmt: skip
    assert stale.status_code == 409 and "changed since you loaded it" in stale.text
    # The person sees their own evidence, without a check form.
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    own = client.get(f"/competence/people/{person}")
    assert "Someone else checks" in own.text and "/check" not in own.text
    assert client.get("/competence/people/00000000-0000-0000-0000-000000000000").status_code == 404


def test_the_matrix_filters_by_role_person_and_status(client: TestClient, org: Org) -> None:
    r, _c = owner_setup(client, org)
    sign_in(client, org.emails[Role.AUDITOR])
    everything = client.get("/competence")
    assert "Contributor of Acme Credit" in everything.text
    met = client.get("/competence", params={"status": "met"})
    assert "Nothing matches these filters" in met.text
    mine = client.get("/competence", params={"role": r["id"],
                                             "person": user_id(org, Role.CONTRIBUTOR)})  # fmt: skip
    assert 'id="competence-matrix"' in mine.text
    assert client.get("/competence", params={"status": "nonsense"}).status_code == 422


def test_raci_cells_edit_in_place_and_a_second_a_is_refused(client: TestClient, org: Org) -> None:
    manager = role(client, org, "AIMS manager")
    owner = role(client, org, "AI system owner")
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    page = client.get("/competence/raci")
    assert page.status_code == 200 and 'id="raci-A-3-2"' in page.text
    assert "of 53 rows have nobody accountable" in page.text
    token = csrf_of(page.text)
    editor = client.get(f"/competence/raci/A.3.2/{manager['id']}/edit",
                        headers={"HX-Request": "true"})  # fmt: skip
    assert editor.status_code == 200 and "<html" not in editor.text
    assert 'name="letter"' in editor.text and "<tr" in editor.text
    saved = client.post(f"/competence/raci/A.3.2/{manager['id']}", headers={"HX-Request": "true"},
                        data={"csrf_token": token, "version": "0", "letter": "A"})  # fmt: skip
    assert saved.status_code == 200 and "nobody is responsible" in saved.text
    refused = client.post(f"/competence/raci/A.3.2/{owner['id']}", headers={"HX-Request": "true"},
                          data={"csrf_token": token, "version": "0", "letter": "A"})  # fmt: skip
    assert refused.status_code == 200 and "already accountable" in refused.text
    assert 'aria-invalid="true"' in refused.text
    no_js = client.post(f"/competence/raci/A.3.2/{owner['id']}",
                        data={"csrf_token": token, "version": "0", "letter": "R"},
                        follow_redirects=False)  # fmt: skip
    assert no_js.status_code == 303
    gaps = client.get("/competence/raci", params={"show": "gaps", "kind": "control"})
    assert 'id="raci-A-3-2"' not in gaps.text and 'id="raci-A-3-3"' in gaps.text
    assert 'id="raci-policy-objectives"' not in gaps.text
    export = client.get("/competence/raci.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    sign_in(client, org.emails[Role.VIEWER])
    view = client.get("/competence/raci")
    assert "/edit" not in view.text
    assert client.get(f"/competence/raci/A.3.2/{owner['id']}/edit").status_code == 403


def test_competence_pages_of_another_organisation_are_not_found(
    client: TestClient, org: Org, other_org: Org
) -> None:
    r = role(client, org)
    c = competence(client, org)
    assert c
    sign_in(client, other_org.emails[Role.OWNER])
    assert client.get(f"/competence/roles/{r['id']}").status_code == 404
    assert client.get(f"/competence/people/{user_id(org, Role.OWNER)}").status_code == 404
    assert client.get(f"{API}/roles", headers=other_org.headers()).json()["total"] == 0


def test_a_competence_is_edited_and_a_holder_leaves_a_role(client: TestClient, org: Org) -> None:
    r, c = owner_setup(client, org)
    sign_in(client, org.emails[Role.MANAGER])
    page = client.get(f"/competence/competences/{c['id']}")
    assert page.status_code == 200 and "AI system owner" in page.text
    token = csrf_of(page.text)
    url = f"/competence/competences/{c['id']}"
    blank = client.post(url, data={"csrf_token": token, "version": "1", "name": "",
                                   "kind": "skill"})  # fmt: skip
    assert blank.status_code == 422 and 'id="name-error"' in blank.text
    stale = client.post(url, data={"csrf_token": token, "version": "7", "name": "Ethics",
                                   "kind": "skill"})  # fmt: skip
    assert stale.status_code == 409
    saved = client.post(url, data={"csrf_token": token, "version": "1", "name": "AI ethics",
                                   "kind": "skill", "validity_months": ""},
                        follow_redirects=True)  # fmt: skip
    assert "Saved." in saved.text and "evidence does not expire" in saved.text
    refused = client.post(f"{url}/delete", data={"csrf_token": token, "version": "2"})
    assert refused.status_code == 409 and "roles still require" in refused.text

    role_page = client.get(f"/competence/roles/{r['id']}")
    hid = re.search(r'action="/competence/assignments/([0-9a-f-]+)/end"', role_page.text)
    assert hid
    early = client.post(f"/competence/assignments/{hid.group(1)}/end",
                        data={"csrf_token": token, "version": "1", "until": "2000-01-01"})  # fmt: skip
    assert early.status_code == 422 and f'id="end_{hid.group(1)}-error"' in early.text
    ended = client.post(f"/competence/assignments/{hid.group(1)}/end",
                        data={"csrf_token": token, "version": "1",
                              "until": str(TODAY - dt.timedelta(days=1))},
                        follow_redirects=True)  # fmt: skip
    assert "not now" in ended.text
    matrix = client.get("/competence")
    assert "nobody holds this role" in matrix.text
