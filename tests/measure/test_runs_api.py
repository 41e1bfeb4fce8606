"""Stored measurement runs through the API, on both databases: a run posted from CI or
measured from an upload becomes evidence (counted in the SoA), feeds the objectives that name
its metric, notes an objective that refuses it, and flags a breach on the dashboard and the
system's page; tenancy, permissions, upload limits and bad records are refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient

from aims.access.rules import Role
from aims.config import get_settings
from aims.measure import service
from aims.measure.schemas import FairnessOptions
from tests.conftest import Org
from tests.risk.test_register_api import system
from tests.web.test_pages import sign_in

OPTIONS = FairnessOptions(
    prediction="approved", truth="repaid", sensitive=["age_band"], min_group=5
)


def skewed_log(rows_per_group: int = 40) -> pl.DataFrame:
    """Two age bands: 18-59 approved 50%, 60+ approved 35% → parity ratio 0.7."""
    young = [1] * (rows_per_group // 2) + [0] * (rows_per_group - rows_per_group // 2)
    n_old = round(rows_per_group * 0.35)
    old = [1] * n_old + [0] * (rows_per_group - n_old)
    approved = young + old
    return pl.DataFrame(
        {
            "age_band": ["18-59"] * rows_per_group + ["60+"] * rows_per_group,
            "approved": approved,
            "repaid": [(i % 3 != 0) * 1 for i in range(2 * rows_per_group)],
        }
    )


@pytest.fixture()
def log_bytes(tmp_path: Path) -> Callable[[], bytes]:
    def make() -> bytes:
        path = tmp_path / "log.csv"
        skewed_log().write_csv(path)
        return path.read_bytes()

    return make


def computed(tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "ci.csv"
    skewed_log().write_csv(path)
    return service.record(service.fairness(path, OPTIONS), OPTIONS).model_dump(mode="json")


def post(client: TestClient, org: Org, sid: str, body: dict[str, Any],
         role: Role = Role.CONTRIBUTOR) -> Any:  # fmt: skip
    return client.post(f"/api/v1/systems/{sid}/measurement-runs", json=body,
                       headers=org.headers(role))  # fmt: skip


def objective(client: TestClient, org: Org, sid: str, metric: str, **extra: Any) -> Any:
    body = {"title": "Approval parity across age bands", "kind": "responsible_development",
            "annex_c": "fairness", "system_id": sid, "metric": metric, "unit": "ratio",
            "direction": "at_least", "target": 0.8, "range_min": 0, "range_max": 1, **extra}  # fmt: skip
    made = client.post("/api/v1/objectives", json=body, headers=org.headers())
    assert made.status_code == 201, made.text
    return made.json()


def test_posted_run_is_evidence_feeds_objectives_and_flags_a_breach(
    client: TestClient, org: Org, tmp_path: Path
) -> None:
    sid = system(client, org)
    impl = client.post("/api/v1/controls", json={"control_id": "A.6.2.4", "system_id": sid},
                       headers=org.headers()).json()  # fmt: skip
    fed = objective(client, org, sid, "approval-rate parity (demographic_parity_ratio:age_band)")
    stem_only = objective(client, org, sid, "demographic_parity_ratio of something else")
    refusing = objective(client, org, sid, "demographic_parity_ratio:age_band in percent",
                         range_min=50, range_max=100, target=80)  # fmt: skip
    body = {**computed(tmp_path), "limits": {"demographic_parity_ratio": [0.8, None]},
            "note": "release 2.3 check"}  # fmt: skip
    made = post(client, org, sid, body)
    assert made.status_code == 201, made.text
    run = made.json()
    assert run["ref"] == "RUN-001" and run["control_id"] == "A.6.2.4" and run["source"] == "results"
    assert run["metrics"]["demographic_parity_ratio:age_band"] == pytest.approx(0.7)
    assert run["breached"] and run["breaches"][0]["metric"] == "demographic_parity_ratio:age_band"
    assert [f["objective_id"] for f in run["fed"]] == [fed["id"]]
    assert run["fed"][0]["value"] == pytest.approx(0.7) and run["fed"][0]["unit"] == "ratio"
    assert [n["objective"] for n in run["not_fed"]] == [refusing["code"]]
    assert "range" in run["not_fed"][0]["reason"] or "50" in run["not_fed"][0]["reason"]
    # the objective got a measurement from the run, the one naming only the stem did not
    ms = client.get(f"/api/v1/objectives/{fed['id']}/measurements", headers=org.headers()).json()
    items = ms["items"] if isinstance(ms, dict) else ms
    assert [(m["source"], m["source_ref"]) for m in items] == [("run", run["id"])]
    other = client.get(f"/api/v1/objectives/{stem_only['id']}/measurements",
                       headers=org.headers()).json()  # fmt: skip
    assert not (other["items"] if isinstance(other, dict) else other)
    # evidence: a record item linked to the system and the implementation, counted in the SoA
    item = client.get(f"/api/v1/evidence/{run['evidence_id']}", headers=org.headers()).json()
    assert item["record_type"] == "measurement_run" and item["record_url"] == run["url"]
    assert {(lk["target_type"], lk["target_id"]) for lk in item["links"]} == {
        ("system", sid), ("implementation", impl["id"])}  # fmt: skip
    rows = {r["control_id"]: r for r in
            client.get("/api/v1/soa", headers=org.headers()).json()["rows"]}  # fmt: skip
    assert rows["A.6.2.4"]["evidence"] == 1
    # flagged on the dashboard and the system page
    sign_in(client, org.emails[Role.VIEWER])
    assert "breached its limits" in client.get("/").text
    page = client.get(f"/systems/{sid}").text
    assert 'id="system-measurement-runs"' in page and "nonconformity candidate" in page
    # a later run within limits clears the flag
    again = post(client, org, sid, {**computed(tmp_path), "limits": {}})
    assert again.status_code == 201 and again.json()["ref"] == "RUN-002"
    assert "breached its limits" not in client.get("/").text


def test_without_an_implementation_the_run_links_to_the_control(
    client: TestClient, org: Org, tmp_path: Path
) -> None:
    sid = system(client, org)
    body = {**computed(tmp_path), "control_id": "a.7.4"}
    run = post(client, org, sid, body).json()
    item = client.get(f"/api/v1/evidence/{run['evidence_id']}", headers=org.headers()).json()
    assert ("control", "A.7.4") in {(lk["target_type"], lk["target_id"]) for lk in item["links"]}
    listed = client.get("/api/v1/measurement-runs", params={"breached": "false", "kind": "fairness"},
                        headers=org.headers()).json()  # fmt: skip
    assert [r["ref"] for r in listed["items"]] == ["RUN-001"]
    assert client.get("/api/v1/measurement-runs", params={"breached": "true"},
                      headers=org.headers()).json()["total"] == 0  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"results": {"rows": "many"}}, "results"),
        ({"input_sha256": {"data": "abc"}}, "input_sha256"),
        ({"parameters": {"prediction": "approved"}}, "parameters"),
        ({"metrics": {"demographic_parity_ratio:age_band": 0.99}}, "metrics"),
        ({"limits": {"accuracy": [0.9, 0.1]}}, "limits"),
        ({"control_id": "A.5.2"}, "control_id"),
        ({"kind": "drift"}, "results"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_a_bad_run_record_is_422_naming_the_field(
    client: TestClient, org: Org, tmp_path: Path, change: dict[str, Any], field: str
) -> None:
    sid = system(client, org)
    response = post(client, org, sid, {**computed(tmp_path), **change})
    assert response.status_code == 422, response.text
    locs = [e["loc"] for e in response.json()["errors"]]
    assert any(field in loc for loc in locs), locs
    assert client.get("/api/v1/measurement-runs", headers=org.headers()).json()["total"] == 0


def test_upload_is_measured_here_and_stored(
    client: TestClient, org: Org, log_bytes: Callable[[], bytes]
) -> None:
    sid = system(client, org)
    response = client.post(
        f"/api/v1/systems/{sid}/measurement-runs/upload",
        files={"file": ("predictions.csv", log_bytes(), "text/csv")},
        data={"kind": "fairness", "prediction": "approved", "truth": "repaid",
              "sensitive": "age_band", "min_group": "5",
              "limits": "demographic_parity_ratio:age_band=0.8:"},
        headers=org.headers(Role.CONTRIBUTOR),
    )  # fmt: skip
    assert response.status_code == 201, response.text
    run = response.json()
    assert run["source"] == "upload" and run["breached"]
    assert run["limits"] == {"demographic_parity_ratio:age_band": [0.8, None]}
    assert len(run["input_sha256"]["data"]) == 64
    assert run["parameters"]["sensitive"] == ["age_band"]


def test_upload_with_a_misspelled_column_is_422_naming_it(
    client: TestClient, org: Org, log_bytes: Callable[[], bytes]
) -> None:
    sid = system(client, org)
    response = client.post(
        f"/api/v1/systems/{sid}/measurement-runs/upload",
        files={"file": ("predictions.csv", log_bytes(), "text/csv")},
        data={"kind": "fairness", "prediction": "aproved", "sensitive": "age_band"},
        headers=org.headers(),
    )  # fmt: skip
    assert response.status_code == 422
    assert "aproved" in response.json()["detail"] and "aims-run" not in response.json()["detail"]


def test_upload_over_the_limit_is_413_and_disguised_is_415(
    client: TestClient, org: Org, log_bytes: Callable[[], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = system(client, org)
    url = f"/api/v1/systems/{sid}/measurement-runs/upload"
    form = {"kind": "fairness", "prediction": "approved", "sensitive": "age_band"}
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    disguised = client.post(url, files={"file": ("log.csv", png, "text/csv")}, data=form,
                            headers=org.headers())  # fmt: skip
    assert disguised.status_code == 415, disguised.text
    monkeypatch.setenv("AIMS_MAX_UPLOAD_BYTES", "100")
    get_settings.cache_clear()
    try:
        big = client.post(url, files={"file": ("log.csv", log_bytes(), "text/csv")}, data=form,
                          headers=org.headers())  # fmt: skip
        assert big.status_code == 413, big.text
    finally:
        monkeypatch.delenv("AIMS_MAX_UPLOAD_BYTES")
        get_settings.cache_clear()
    assert client.get("/api/v1/measurement-runs", headers=org.headers()).json()["total"] == 0


def test_drift_upload_needs_both_logs(
    client: TestClient, org: Org, log_bytes: Callable[[], bytes]
) -> None:
    sid = system(client, org)
    url = f"/api/v1/systems/{sid}/measurement-runs/upload"
    missing = client.post(url, files={"reference": ("ref.csv", log_bytes(), "text/csv")},
                          data={"kind": "drift"}, headers=org.headers())  # fmt: skip
    assert missing.status_code == 422
    assert ["body", "current"] in [e["loc"] for e in missing.json()["errors"]]
    both = client.post(url, files={"reference": ("ref.csv", log_bytes(), "text/csv"),
                                   "current": ("cur.csv", log_bytes(), "text/csv")},
                       data={"kind": "drift", "columns": "approved"},
                       headers=org.headers())  # fmt: skip
    assert both.status_code == 201, both.text
    run = both.json()
    assert run["control_id"] == "A.6.2.6" and set(run["input_sha256"]) == {"reference", "current"}


def test_tenancy_permissions_and_soft_delete(
    client: TestClient, org: Org, other_org: Org, tmp_path: Path
) -> None:
    sid = system(client, org)
    assert post(client, org, sid, computed(tmp_path), role=Role.VIEWER).status_code == 403
    assert post(client, other_org, sid, computed(tmp_path)).status_code == 404
    run = post(client, org, sid, computed(tmp_path)).json()
    assert client.get(f"/api/v1/measurement-runs/{run['id']}",
                      headers=other_org.headers()).status_code == 404  # fmt: skip
    assert client.get("/api/v1/measurement-runs", headers=other_org.headers()).json()["total"] == 0
    url = f"/api/v1/measurement-runs/{run['id']}"
    viewer = client.delete(
        url, params={"version": run["version"]}, headers=org.headers(Role.VIEWER)
    )
    assert viewer.status_code == 403
    stale = client.delete(url, params={"version": run["version"] + 5}, headers=org.headers())
    assert stale.status_code == 409
    gone = client.delete(url, params={"version": run["version"]}, headers=org.headers())
    assert gone.status_code == 204
    assert client.get(url, headers=org.headers()).status_code == 404
    evidence = client.get(f"/api/v1/evidence/{run['evidence_id']}", headers=org.headers())
    assert evidence.status_code == 404  # it stopped counting as evidence with the run


def test_runs_fill_the_technical_documentation(
    client: TestClient, org: Org, tmp_path: Path
) -> None:
    sid = system(client, org)
    url = f"/api/v1/systems/{sid}/technical-documentation"
    before = str(client.get(url, headers=org.headers()).json())
    assert "Add measurement runs for this system" in before
    assert "Record test results as evidence or measurement runs" in before
    post(
        client,
        org,
        sid,
        {**computed(tmp_path), "limits": {"demographic_parity_ratio": [0.8, None]}},
    )
    after = str(client.get(url, headers=org.headers()).json())
    assert "RUN-001 fairness run (A.6.2.4)" in after and "Verification: RUN-001" in after
    assert "limits breached: demographic_parity_ratio:age_band" in after
    assert "Add measurement runs for this system" not in after
    assert "Record test results as evidence or measurement runs" not in after
