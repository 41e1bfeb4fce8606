"""Measurement run pages: the upload form with errors beside fields and CSRF, the run page
with accessible bar charts, comparisons and links, the filtered list, and deletion."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from aims.access.rules import Role
from tests.conftest import Org
from tests.measure.test_runs_api import computed, post, skewed_log
from tests.risk.test_register_api import system
from tests.web.test_pages import csrf_of, sign_in


def csv_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "page-log.csv"
    skewed_log().write_csv(path)
    return path.read_bytes()


def test_upload_form_errors_beside_fields_then_the_run_page(
    client: TestClient, org: Org, tmp_path: Path
) -> None:
    sid = system(client, org)
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    form = client.get(f"/measurement-runs/new?system_id={sid}")
    assert form.status_code == 200 and 'for="run-prediction"' in form.text
    token = csrf_of(form.text)
    data = csv_bytes(tmp_path)
    no_csrf = client.post("/measurement-runs/new", data={"system_id": sid, "kind": "fairness"},
                          files={"file": ("log.csv", data, "text/csv")})  # fmt: skip
    assert no_csrf.status_code == 403
    misspelled = client.post(
        "/measurement-runs/new",
        data={"csrf_token": token, "system_id": sid, "kind": "fairness",
              "prediction": "aproved", "sensitive": "age_band", "note": "keep <me>"},
        files={"file": ("log.csv", data, "text/csv")},
    )  # fmt: skip
    assert misspelled.status_code == 422
    assert 'id="run-prediction-error"' in misspelled.text and "aproved" in misspelled.text
    assert "keep &lt;me&gt;" in misspelled.text  # the form keeps what was typed, escaped
    bad_limit = client.post(
        "/measurement-runs/new",
        data={"csrf_token": token, "system_id": sid, "kind": "fairness", "prediction": "approved",
              "sensitive": "age_band", "limits": "parity"},
        files={"file": ("log.csv", data, "text/csv")},
    )  # fmt: skip
    assert bad_limit.status_code == 422 and 'id="run-limits-error"' in bad_limit.text
    no_file = client.post("/measurement-runs/new", data={"csrf_token": token, "system_id": sid,
                          "kind": "fairness", "prediction": "approved", "sensitive": "age_band"})  # fmt: skip
    assert no_file.status_code == 422 and 'id="run-file-error"' in no_file.text
    made = client.post(
        "/measurement-runs/new",
        data={"csrf_token": token, "system_id": sid, "kind": "fairness", "prediction": "approved",
              "truth": "repaid", "sensitive": "age_band", "min_group": "5",
              "limits": "demographic_parity_ratio=0.8:"},
        files={"file": ("log.csv", data, "text/csv")}, follow_redirects=False,
    )  # fmt: skip
    assert made.status_code == 303, made.text
    page = client.get(made.headers["location"])
    assert page.status_code == 200
    text = page.text
    assert 'id="run-breached"' in text and "fail: breached" in text
    assert 'role="img" aria-labelledby="chart-age-band-selection-rate-t' in text
    assert "Selection rate by age_band" in text and "60+: 0.350" in text  # the chart's desc
    assert "True-positive rate by age_band" in text and 'id="run-evidence"' in text
    assert "SHA-256 of data" in text
    listed = client.get("/measurement-runs?breached=true").text
    assert "RUN-001" in listed and "Breached limits" in listed
    assert 'id="empty"' in client.get("/measurement-runs?breached=false").text


def test_viewer_sees_runs_but_no_form_and_deleting_needs_csrf(
    client: TestClient, org: Org, tmp_path: Path
) -> None:
    sid = system(client, org)
    run = post(client, org, sid, computed(tmp_path)).json()
    sign_in(client, org.emails[Role.VIEWER])
    assert "Measure a prediction log" not in client.get("/measurement-runs").text
    assert client.get("/measurement-runs/new").status_code == 403
    page = client.get(f"/measurement-runs/{run['id']}")
    assert page.status_code == 200 and "Delete this run" not in page.text
    client.cookies.clear()
    sign_in(client, org.emails[Role.MANAGER])
    page = client.get(f"/measurement-runs/{run['id']}")
    token = csrf_of(page.text)
    assert client.post(f"/measurement-runs/{run['id']}/delete",
                       data={"version": str(run["version"])}).status_code == 403  # fmt: skip
    gone = client.post(f"/measurement-runs/{run['id']}/delete",
                       data={"version": str(run["version"]), "csrf_token": token},
                       follow_redirects=False)  # fmt: skip
    assert gone.status_code == 303
    assert client.get(f"/measurement-runs/{run['id']}").status_code == 404


def test_other_organisation_gets_404_on_run_page(
    client: TestClient, org: Org, other_org: Org, tmp_path: Path
) -> None:
    sid = system(client, org)
    run = post(client, org, sid, computed(tmp_path)).json()
    sign_in(client, other_org.emails[Role.OWNER])
    assert client.get(f"/measurement-runs/{run['id']}").status_code == 404


def test_run_pages_of_every_kind_show_their_tables(
    client: TestClient, org: Org, tmp_path: Path
) -> None:
    sid = system(client, org)
    data = csv_bytes(tmp_path)
    url = f"/api/v1/systems/{sid}/measurement-runs/upload"
    made = {}
    for kind, files, form in (
        ("performance", {"file": ("log.csv", data, "text/csv")},
         {"prediction": "approved", "truth": "repaid"}),
        ("drift", {"reference": ("r.csv", data, "text/csv"), "current": ("c.csv", data, "text/csv")},
         {"columns": "approved,age_band"}),
        ("quality", {"file": ("log.csv", data, "text/csv")},
         {"ranges": "approved=0:1", "categories": "age_band=18-59", "limits": "unexpected_categories=:0"}),
    ):  # fmt: skip
        response = client.post(url, files=files, data={"kind": kind, **form}, headers=org.headers())
        assert response.status_code == 201, response.text
        made[kind] = response.json()
    assert made["quality"]["breached"] and made["quality"]["control_id"] == "A.7.4"
    sign_in(client, org.emails[Role.VIEWER])
    perf = client.get(made["performance"]["url"]).text
    assert 'id="run-performance"' in perf and "roc_auc" in perf
    drift = client.get(made["drift"]["url"]).text
    assert 'id="run-drift"' in drift and "stable" in drift and "age_band" in drift
    quality = client.get(made["quality"]["url"]).text
    assert 'id="run-quality"' in quality and "60+" in quality and 'id="run-breaches"' in quality
    system_page = client.get(f"/systems/{sid}").text
    assert system_page.count("/measurement-runs/") >= 3 and "latest quality run" in system_page
