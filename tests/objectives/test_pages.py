"""Objective pages: the form with errors beside fields, the chart and measurements, undo."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from aims.access.rules import Role
from tests.conftest import Org
from tests.objectives.test_api import measure, objective, system
from tests.web.test_pages import csrf_of, sign_in

FORM = {
    "title": "Fair approvals across age bands",
    "kind": "responsible_development",
    "annex_c": "fairness",
    "metric": "approval-rate parity ratio across age bands",
    "unit": "ratio",
    "direction": "at_least",
    "target": "0.8",
    "range_min": "0",
    "range_max": "1",
}


def test_add_an_objective_measure_it_and_see_the_chart(client: TestClient, org: Org) -> None:
    sid = system(client, org)
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    form = client.get("/objectives/new")
    assert form.status_code == 200 and 'for="annex_c"' in form.text and "Fairness" in form.text
    token = csrf_of(form.text)
    bad = client.post("/objectives/new", data={**FORM, "csrf_token": token, "target": "1.5"})
    assert bad.status_code == 422 and 'id="target-error"' in bad.text
    assert 'aria-describedby="target-error"' in bad.text and "above the declared range" in bad.text
    word = client.post("/objectives/new", data={**FORM, "csrf_token": token, "target": "high"})
    assert word.status_code == 422 and 'id="target-error"' in word.text
    created = client.post(
        "/objectives/new",
        data={**FORM, "csrf_token": token, "system_id": sid,
              "owner_email": org.emails[Role.CONTRIBUTOR], "evaluation": "Monthly review"},
        follow_redirects=True,
    )  # fmt: skip
    assert created.status_code == 200, created.text
    assert "OBJ-001 Fair approvals across age bands" in created.text and "no data" in created.text
    url = re.search(r'action="(/objectives/[0-9a-f-]+)/measurements"', created.text)
    assert url
    base = url.group(1)

    ok = client.post(f"{base}/measurements", data={"csrf_token": token, "value": "0.82",
                                                   "unit": "ratio", "measured_at": "2026-01-31"},
                     follow_redirects=True)  # fmt: skip
    assert ok.status_code == 200 and "Measurement recorded" in ok.text
    wrong = client.post(f"{base}/measurements", data={"csrf_token": token, "value": "0.9",
                                                      "unit": "%", "measured_at": "2026-02-28"})  # fmt: skip
    assert wrong.status_code == 422 and 'id="m-unit-error"' in wrong.text
    assert 'aria-invalid="true" aria-describedby="m-unit-error"' in wrong.text
    assert 'value="0.9"' in wrong.text  # what was typed stays in the form
    client.post(f"{base}/measurements", data={"csrf_token": token, "value": "0.76",
                                              "unit": "ratio", "measured_at": "2026-02-28",
                                              "note": "<b>after the bureau change</b>"})  # fmt: skip
    page = client.get(base)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page.text and "<title" in page.text
    assert "<desc" in page.text and "1 misses the target" in page.text
    assert 'class="breach"' in page.text and 'id="measurement-table"' in page.text
    assert "&lt;b&gt;after the bureau change" in page.text  # escaped, never raw
    assert "breached" in page.text

    listing = client.get("/objectives")
    assert (
        "OBJ-001" in listing.text and "0.76 ratio" in listing.text and "≥ 0.8 ratio" in listing.text
    )
    assert "<polyline" in listing.text  # the sparkline
    assert "OBJ-001" in client.get("/objectives", params={"state": "breached"}).text
    none = client.get("/objectives", params={"state": "on_track"})
    assert 'id="objectives"' not in none.text and "No objective matches" in none.text
    assert "misses the target" in none.text  # the attention box still says so
    assert "OBJ-001" in client.get("/objectives", params={"system_id": sid}).text
    assert "OBJ-001" in client.get("/objectives", params={"q": "parity"}).text
    assert client.get("/objectives", params={"owner": "x@y.example"}).status_code == 422


def test_delete_and_undo_for_measurements_and_objectives(client: TestClient, org: Org) -> None:
    o = objective(client, org)
    measure(client, org, o["id"], 0.7)
    sign_in(client, org.emails[Role.MANAGER])
    page = client.get(f"/objectives/{o['id']}")
    token = csrf_of(page.text)
    m = re.search(r'action="(/objectives/[^"]+/measurements/[^"]+)/delete".*?name="version" '
                  r'value="(\d+)"', page.text, re.S)  # fmt: skip
    assert m
    gone = client.post(f"{m.group(1)}/delete", data={"csrf_token": token, "version": m.group(2)},
                       follow_redirects=True)  # fmt: skip
    assert "Measurement deleted" in gone.text and "No measurement recorded yet" in gone.text
    undo = client.post(f"{m.group(1)}/restore", data={"csrf_token": token}, follow_redirects=True)
    assert "Measurement restored" in undo.text and "0.7 ratio" in undo.text

    confirm = client.get(f"/objectives/{o['id']}/delete")
    assert confirm.status_code == 200 and "undo" in confirm.text
    version = re.search(r'name="version" value="(\d+)"', confirm.text)
    assert version
    deleted = client.post(f"/objectives/{o['id']}/delete",
                          data={"csrf_token": token, "version": version.group(1)},
                          follow_redirects=True)  # fmt: skip
    assert "Objective deleted" in deleted.text and "No AI objective yet" in deleted.text
    restored = client.post(f"/objectives/{o['id']}/restore", data={"csrf_token": token},
                           follow_redirects=True)  # fmt: skip
    assert "Objective restored" in restored.text


def test_edit_form_shows_errors_and_refuses_stale_versions(client: TestClient, org: Org) -> None:
    o = objective(client, org)
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    form = client.get(f"/objectives/{o['id']}/edit")
    assert form.status_code == 200 and 'value="0.8"' in form.text
    token = csrf_of(form.text)
    data = {**FORM, "csrf_token": token, "version": str(o["version"]), "status": "active"}
    bad = client.post(f"/objectives/{o['id']}/edit", data={**data, "range_min": "2"})
    assert bad.status_code == 422 and 'id="range_max-error"' in bad.text
    empty = client.post(f"/objectives/{o['id']}/edit", data={**data, "target": ""})
    assert empty.status_code == 422 and 'id="target-error"' in empty.text
    saved = client.post(f"/objectives/{o['id']}/edit", data={**data, "title": "Parity held"},
                        follow_redirects=True)  # fmt: skip
    assert saved.status_code == 200 and "OBJ-001 Parity held" in saved.text
    stale = client.post(f"/objectives/{o['id']}/edit", data={**data, "title": "Old"})
    assert stale.status_code == 409 and "changed since you loaded it" in stale.text


def test_pages_need_csrf_and_editing_rights(client: TestClient, org: Org, other_org: Org) -> None:
    o = objective(client, org)
    sign_in(client, org.emails[Role.VIEWER])
    page = client.get(f"/objectives/{o['id']}")
    assert page.status_code == 200 and 'id="measure-form"' not in page.text
    assert client.get("/objectives/new").status_code == 403
    refused = client.post(f"/objectives/{o['id']}/measurements",
                          data={"csrf_token": csrf_of(page.text), "value": "0.9",
                                "unit": "ratio"})  # fmt: skip
    assert refused.status_code == 403
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    no_token = client.post(f"/objectives/{o['id']}/measurements",
                           data={"value": "0.9", "unit": "ratio"})  # fmt: skip
    assert no_token.status_code == 403
    sign_in(client, other_org.emails[Role.OWNER])
    assert client.get(f"/objectives/{o['id']}").status_code == 404


def test_empty_list_and_exports(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.VIEWER])
    empty = client.get("/objectives")
    assert "No AI objective yet" in empty.text and "Add an objective" not in empty.text
    xlsx = client.get("/objectives/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get("/objectives/export.pdf").status_code == 404


def test_auditors_comment_on_an_objective(client: TestClient, org: Org, other_org: Org) -> None:
    o = objective(client, org)
    sign_in(client, org.emails[Role.AUDITOR])
    page = client.get(f"/objectives/{o['id']}")
    assert 'id="comments"' in page.text
    client.post("/comments", data={"csrf_token": csrf_of(page.text), "subject_type": "objective",
                                   "subject_id": o["id"], "back": f"/objectives/{o['id']}",
                                   "body": "Which months were sampled?"})  # fmt: skip
    assert "Which months were sampled?" in client.get(f"/objectives/{o['id']}").text
    theirs = client.post("/api/v1/comments", headers=other_org.headers(),
                         json={"subject_type": "objective", "subject_id": o["id"], "body": "x"})  # fmt: skip
    assert theirs.status_code == 404


def test_the_export_follows_the_list_filters(client: TestClient, org: Org) -> None:
    breached = objective(client, org)
    measure(client, org, breached["id"], 0.5)
    objective(client, org, title="Quiet one")
    sign_in(client, org.emails[Role.VIEWER])
    listing = client.get("/objectives", params={"state": "breached"})
    assert 'href="/objectives/export.csv?state=breached"' in listing.text
    csv = client.get("/objectives/export.csv", params={"state": "breached"})
    assert "OBJ-001" in csv.text and "Quiet one" not in csv.text
    assert "Quiet one" in client.get("/objectives/export.csv").text
