"""Risk pages: the register with its heat map, adding and treating a risk, the criteria with
their preview, and the SoA edited in place."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from aims.access.rules import Role
from tests.conftest import Org
from tests.risk.test_register_api import risk, system
from tests.web.test_pages import csrf_of, sign_in


def test_add_treat_and_accept_a_risk(client: TestClient, org: Org) -> None:
    sid = system(client, org)
    sign_in(client, org.emails[Role.MANAGER])
    form = client.get("/risks/new")
    assert form.status_code == 200 and "Annex C" in form.text
    bad = client.post("/risks/new", data={"csrf_token": csrf_of(form.text), "title": "",
                                          "inherent_likelihood": "3",
                                          "inherent_consequence": "9", "system_id": sid})  # fmt: skip
    assert bad.status_code == 422 and 'id="title-error"' in bad.text
    created = client.post(
        "/risks/new",
        data={"csrf_token": csrf_of(form.text), "title": "Older applicants declined more often",
              "system_id": sid, "source": "machine_learning", "objectives": ["fairness"],
              "inherent_likelihood": "4", "inherent_consequence": "4",
              "residual_likelihood": "3", "residual_consequence": "3",
              "owner_email": org.emails[Role.MANAGER], "treatment_option": "modify"},
        follow_redirects=True,
    )  # fmt: skip
    assert created.status_code == 200, created.text
    assert "R-001 Older applicants declined more often" in created.text
    rid = re.search(r'action="/risks/([0-9a-f-]+)/controls"', created.text)
    assert rid
    url = f"/risks/{rid.group(1)}"
    client.post(f"{url}/controls", data={"csrf_token": csrf_of(created.text),
                                         "control_id": "A.5.4", "note": "age-band parity"})  # fmt: skip
    page = client.get(url)
    assert "age-band parity" in page.text
    client.post(f"{url}/actions", data={"csrf_token": csrf_of(page.text),
                                        "title": "Quarterly parity test", "due_date": "2020-01-31"})  # fmt: skip
    page = client.get(url)
    assert "Quarterly parity test" in page.text and "overdue" in page.text
    version = re.search(
        r'action="/risks/[^"]+/accept".*?name="version" value="(\d+)"', page.text, re.S
    )
    assert version
    no_date = client.post(f"{url}/accept", data={"csrf_token": csrf_of(page.text),
                                                 "version": version.group(1), "reason": "ok"})  # fmt: skip
    assert no_date.status_code == 422 and "until when" in no_date.text
    accepted = client.post(f"{url}/accept", data={"csrf_token": csrf_of(page.text),
                                                  "version": version.group(1),
                                                  "reason": "Parity test in place",
                                                  "expires": "2099-01-01"}, follow_redirects=True)  # fmt: skip
    assert "Accepted by" in accepted.text and 'id="risk-status">accepted' in accepted.text
    listing = client.get("/risks")
    assert "R-001" in listing.text and 'id="heat-inherent"' in listing.text
    mine = client.get("/risks", params={"owner": org.emails[Role.MANAGER]})
    assert "Older applicants declined" in mine.text
    theirs = client.get("/risks", params={"owner": org.emails[Role.VIEWER]})
    assert "Older applicants declined" not in theirs.text and "No risk matches" in theirs.text
    soa = client.get("/soa")
    assert "Treats: R-001 Older applicants" in soa.text


def test_soa_row_edits_in_place_and_refuses_an_unjustified_exclusion(
    client: TestClient, org: Org
) -> None:
    r = risk(client, org)
    client.post(f"/api/v1/risks/{r['id']}/controls", json={"control_id": "A.5.4"},
                headers=org.headers())  # fmt: skip
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    page = client.get("/soa")
    editor = client.get("/soa/A.5.4/edit", headers={"HX-Request": "true"})
    assert editor.status_code == 200 and "Needed by: R-001" in editor.text
    refused = client.post("/soa/A.5.4", headers={"HX-Request": "true"},
                          data={"csrf_token": csrf_of(page.text), "version": "0",
                                "applicable": "no", "exclusion_reason": "Not needed"})  # fmt: skip
    assert "R-001" in refused.text and 'aria-invalid="true"' in refused.text
    assert "Not needed" in refused.text  # what was typed stays
    saved = client.post("/soa/A.10.4", headers={"HX-Request": "true"},
                        data={"csrf_token": csrf_of(page.text), "version": "0", "applicable": "no",
                              "exclusion_reason": "We supply no AI to customers"})  # fmt: skip
    assert saved.status_code == 200 and "We supply no AI to customers" in saved.text
    assert "<tr" in saved.text and "<html" not in saved.text
    assert "We supply no AI to customers" in client.get("/soa").text


def test_criteria_page_previews_then_confirms(client: TestClient, org: Org) -> None:
    risk(client, org, inherent_likelihood=3, inherent_consequence=3)  # medium on the default
    sign_in(client, org.emails[Role.MANAGER])
    page = client.get("/risks/criteria")
    assert "aims&#39;s defaults" in page.text or "aims's defaults" in page.text
    form = {"csrf_token": csrf_of(page.text), "based_on": "0", "n_likelihood": "5",
            "n_consequence": "5"}  # fmt: skip
    for i, level in enumerate(["low", "medium", "high", "critical"]):
        form[f"level_id_{i}"] = level
        form[f"level_label_{i}"] = level.title()
    form["level_acceptable_0"] = "on"
    form["level_roles_0"] = "owner"
    for li in range(1, 6):
        for ci in range(1, 6):
            form[f"cell_{li}_{ci}"] = "high" if li * ci >= 9 else "low"
    preview = client.post("/risks/criteria", data=form)
    assert preview.status_code == 200 and 'id="rescore"' in preview.text
    assert "R-001 (inherent): medium → high" in preview.text
    assert (
        client.get("/api/v1/risks", headers=org.headers()).json()["items"][0]["inherent_level"]
        == "medium"
    )
    confirmed = client.post(
        "/risks/criteria", data={**form, "confirm": "yes"}, follow_redirects=True
    )
    assert "Criteria saved" in confirmed.text and "Version 1" in confirmed.text
    assert (
        client.get("/api/v1/risks", headers=org.headers()).json()["items"][0]["inherent_level"]
        == "high"
    )
    broken = {**form, "based_on": "1", "cell_1_2": "critical", "l_label_1": "Hardly ever"}
    refused = client.post("/risks/criteria", data=broken)
    assert refused.status_code == 422 and "Nothing was saved" in refused.text
    # What was typed is shown again, not the stored criteria.
    assert 'value="Hardly ever"' in refused.text
    assert re.search(r'id="cell_1_2"[^>]*>.*?<option value="critical" selected', refused.text, re.S)


def test_every_refused_risk_field_is_named_beside_it(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    form = client.get("/risks/new")
    too_long = "x" * 10_001
    refused = client.post("/risks/new", data={
        "csrf_token": csrf_of(form.text), "title": "Long", "inherent_likelihood": "2",
        "inherent_consequence": "2", "consequences_society": too_long,
    })  # fmt: skip
    assert refused.status_code == 422
    assert 'id="consequences_society-error"' in refused.text
    assert 'aria-describedby="consequences_society-error"' in refused.text


def test_the_register_exports_what_its_filters_show(client: TestClient, org: Org) -> None:
    import csv
    import io

    risk(client, org, title="Vendor changes the model", status="closed")
    risk(client, org, title="Older applicants declined more often")
    sign_in(client, org.emails[Role.VIEWER])
    page = client.get("/risks", params={"status": "closed"})
    assert 'href="/risks/export.csv?status=closed' in page.text
    rows = list(csv.reader(io.StringIO(client.get("/risks/export.csv?status=closed").text)))
    assert [r[1] for r in rows[1:]] == ["Vendor changes the model"]
    api = client.get("/api/v1/risks/export", params={"format": "csv", "q": "older"},
                     headers=org.headers())  # fmt: skip
    assert [r[1] for r in list(csv.reader(io.StringIO(api.text)))[1:]] == [
        "Older applicants declined more often"
    ]
