"""The evidence store through the API, on both databases: upload limits and content checks,
links and records, tenancy on download, expiring items, and the SoA's evidence counts."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aims.access.rules import Role
from aims.config import get_settings
from tests.conftest import Org
from tests.evidence import samples
from tests.risk.test_register_api import system

TODAY = dt.date.today()


def upload(
    client: TestClient,
    org: Org,
    data: bytes = samples.PDF,
    name: str = "fairness-review.pdf",
    media: str = "application/pdf",
    role: Role = Role.CONTRIBUTOR,
    **fields: str,
) -> Any:
    form = {"title": "Fairness review 2026", **fields}
    return client.post("/api/v1/evidence/files", files={"file": (name, data, media)}, data=form,
                       headers=org.headers(role))  # fmt: skip


def blobs(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_upload_is_stored_once_by_sha256_and_downloads_safely(
    client: TestClient, org: Org, evidence_dir: Path
) -> None:
    first = upload(client, org, name="../../Fairness review.pdf", control_id="a.6.2.4")
    assert first.status_code == 201, first.text
    item = first.json()
    digest = hashlib.sha256(samples.PDF).hexdigest()
    assert item["sha256"] == digest and item["media_type"] == "application/pdf"
    assert item["filename"] == "Fairness_review.pdf" and item["size"] == len(samples.PDF)
    assert [lk["target_id"] for lk in item["links"]] == ["A.6.2.4"]
    second = upload(client, org, name="copy.pdf")
    assert second.status_code == 201
    assert blobs(evidence_dir) == [evidence_dir / digest[:2] / digest]  # the same bytes once
    got = client.get(item["download_url"], headers=org.headers(Role.VIEWER))
    assert got.status_code == 200 and got.content == samples.PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"] == 'attachment; filename="Fairness_review.pdf"'


def test_another_organisation_gets_404_for_item_and_file(
    client: TestClient, org: Org, other_org: Org
) -> None:
    item = upload(client, org).json()
    assert client.get(item["download_url"], headers=other_org.headers()).status_code == 404
    assert (
        client.get(f"/api/v1/evidence/{item['id']}", headers=other_org.headers()).status_code == 404
    )
    listed = client.get("/api/v1/evidence", headers=other_org.headers()).json()
    assert listed["total"] == 0


def test_over_the_limit_is_413_and_nothing_is_stored(
    client: TestClient, org: Org, evidence_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIMS_MAX_UPLOAD_BYTES", "100")
    get_settings.cache_clear()
    big = samples.PDF + b"0" * 200
    response = upload(client, org, data=big)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert blobs(evidence_dir) == []
    assert client.get("/api/v1/evidence", headers=org.headers()).json()["total"] == 0


@pytest.mark.parametrize(
    ("data", "name", "media"),
    [
        (samples.EXE, "report.pdf", "application/pdf"),  # an executable named .pdf
        (samples.PNG, "report.pdf", "application/pdf"),  # a PNG named .pdf
        (samples.PDF, "report.pdf", "image/png"),  # declared type disagrees with content
        (samples.plain_zip(), "minutes.docx", "application/zip"),  # a ZIP that is no DOCX
    ],
)
def test_disguised_types_are_415_and_nothing_is_stored(
    client: TestClient, org: Org, evidence_dir: Path, data: bytes, name: str, media: str
) -> None:
    response = upload(client, org, data=data, name=name, media=media)
    assert response.status_code == 415, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "file"]
    assert blobs(evidence_dir) == []


def test_each_accepted_kind_of_file(client: TestClient, org: Org) -> None:
    for data, name, media in [
        (samples.PNG, "chart.png", "image/png"),
        (samples.office("xlsx"), "rates.xlsx", "application/octet-stream"),
        (samples.CSV, "rates.csv", "text/csv"),
    ]:
        assert upload(client, org, data=data, name=name, media=media).status_code == 201


def test_links_records_validation_and_permissions(client: TestClient, org: Org) -> None:
    sid = system(client, org)
    link = client.post(
        "/api/v1/evidence/links",
        json={"title": "Model card", "url": "https://example.org/card",
              "owner_email": org.emails[Role.MANAGER],
              "links": [{"target_type": "system", "target_id": sid},
                        {"target_type": "clause", "target_id": "9.1"}]},
        headers=org.headers(Role.CONTRIBUTOR),
    )  # fmt: skip
    assert link.status_code == 201, link.text
    assert {lk["label"] for lk in link.json()["links"]} >= {"CreditLens"}
    bad_url = client.post("/api/v1/evidence/links", json={"title": "x", "url": "javascript:x()"},
                          headers=org.headers())  # fmt: skip
    assert bad_url.status_code == 422 and bad_url.json()["errors"][0]["loc"] == ["body", "url"]
    stranger = client.post(
        "/api/v1/evidence/links",
        json={"title": "x", "url": "https://example.org", "owner_email": "who@else.example"},
        headers=org.headers(),
    )
    assert stranger.status_code == 422
    assert stranger.json()["errors"][0]["loc"] == ["body", "owner_email"]
    viewer = client.post("/api/v1/evidence/links", json={"title": "x", "url": "https://a.example"},
                         headers=org.headers(Role.VIEWER))  # fmt: skip
    assert viewer.status_code == 403
    assert upload(client, org, role=Role.VIEWER).status_code == 403
    unknown = client.post(
        "/api/v1/evidence/records",
        json={"title": "x", "record_type": "spaceship", "record_id": "1"},
        headers=org.headers(),
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["loc"] == ["body", "record_type"]
    # An SoA version is evidence once approved, and only in its own organisation.
    draft = client.post("/api/v1/soa/versions", json={}, headers=org.headers(Role.CONTRIBUTOR))
    v = draft.json()
    as_draft = client.post(
        "/api/v1/evidence/records",
        json={"title": "SoA", "record_type": "soa_version", "record_id": v["id"]},
        headers=org.headers(),
    )
    assert as_draft.status_code == 422 and "not approved" in as_draft.text
    approved = client.post(f"/api/v1/soa/versions/{v['id']}/approve",
                           json={"version": v["version"]}, headers=org.headers(Role.MANAGER))  # fmt: skip
    assert approved.status_code == 200, approved.text
    record = client.post(
        "/api/v1/evidence/records",
        json={"title": "Approved SoA", "record_type": "soa_version", "record_id": v["id"],
              "links": [{"target_type": "clause", "target_id": "6.1.3"}]},
        headers=org.headers(),
    )  # fmt: skip
    assert record.status_code == 201, record.text
    assert record.json()["record_label"] == "Statement of Applicability, revision 1"
    assert record.json()["record_url"] == "/soa"


def test_records_of_another_organisation_are_refused(
    client: TestClient, org: Org, other_org: Org
) -> None:
    v = client.post("/api/v1/soa/versions", json={}, headers=other_org.headers(Role.CONTRIBUTOR))
    theirs = client.post(
        "/api/v1/evidence/records",
        json={"title": "x", "record_type": "soa_version", "record_id": v.json()["id"]},
        headers=org.headers(),
    )
    assert theirs.status_code == 422
    assert theirs.json()["errors"][0]["loc"] == ["body", "record_id"]


def test_expiring_expired_stale_write_delete_and_restore(client: TestClient, org: Org) -> None:
    def add(title: str, until: dt.date | None) -> dict[str, Any]:
        body: dict[str, Any] = {"title": title, "url": "https://example.org/" + title,
                                "evidence_date": str(TODAY - dt.timedelta(days=400))}  # fmt: skip
        if until:
            body["valid_until"] = str(until)
        r = client.post("/api/v1/evidence/links", json=body, headers=org.headers())
        assert r.status_code == 201, r.text
        out: dict[str, Any] = r.json()
        return out

    add("old", TODAY - dt.timedelta(days=1))
    soon = add("soon", TODAY + dt.timedelta(days=10))
    add("later", TODAY + dt.timedelta(days=90))
    add("forever", None)
    found = client.get("/api/v1/evidence/expiring", headers=org.headers()).json()
    assert [i["title"] for i in found["expired"]] == ["old"]
    assert [i["title"] for i in found["expiring"]] == ["soon"]
    wider = client.get("/api/v1/evidence/expiring", params={"days": 120},
                       headers=org.headers()).json()  # fmt: skip
    assert [i["title"] for i in wider["expiring"]] == ["soon", "later"]
    expired = client.get("/api/v1/evidence", params={"validity": "expired"}, headers=org.headers())
    assert [i["title"] for i in expired.json()["items"]] == ["old"]
    before = client.post("/api/v1/evidence/links", json={"title": "x", "url": "https://a.example",
                                                        "evidence_date": str(TODAY),
                                                        "valid_until": str(TODAY - dt.timedelta(days=1))},
                         headers=org.headers())  # fmt: skip
    assert before.status_code == 422 and before.json()["errors"][0]["loc"] == [
        "body",
        "valid_until",
    ]
    patched = client.patch(f"/api/v1/evidence/{soon['id']}",
                           json={"title": "soon, renewed", "version": soon["version"],
                                 "valid_until": str(TODAY + dt.timedelta(days=365))},
                           headers=org.headers())  # fmt: skip
    assert patched.status_code == 200 and patched.json()["validity"] == "valid"
    stale = client.patch(f"/api/v1/evidence/{soon['id']}",
                         json={"title": "again", "version": soon["version"]}, headers=org.headers())  # fmt: skip
    assert stale.status_code == 409
    gone = client.delete(f"/api/v1/evidence/{soon['id']}",
                         params={"version": patched.json()["version"]}, headers=org.headers())  # fmt: skip
    assert gone.status_code == 204
    assert client.get(f"/api/v1/evidence/{soon['id']}", headers=org.headers()).status_code == 404
    back = client.post(f"/api/v1/evidence/{soon['id']}/restore", headers=org.headers())
    assert back.status_code == 200 and back.json()["title"] == "soon, renewed"


def test_soa_counts_valid_evidence_per_control(client: TestClient, org: Org) -> None:
    sid = system(client, org)
    impl = client.post("/api/v1/controls", json={"control_id": "A.6.2.4", "system_id": sid},
                       headers=org.headers()).json()  # fmt: skip
    upload(client, org, implementation_id=impl["id"])  # through the implementation
    upload(client, org, data=samples.CSV, name="r.csv", media="text/csv", control_id="A.6.2.4")
    both = upload(client, org, data=samples.PNG, name="c.png", media="image/png",
                  control_id="A.6.2.4", implementation_id=impl["id"]).json()  # fmt: skip
    assert both["links"]
    client.post("/api/v1/evidence/links",
                json={"title": "expired", "url": "https://a.example",
                      "evidence_date": str(TODAY - dt.timedelta(days=10)),
                      "valid_until": str(TODAY - dt.timedelta(days=1)),
                      "links": [{"target_type": "control", "target_id": "A.6.2.4"}]},
                headers=org.headers())  # fmt: skip
    counts = client.get("/api/v1/evidence/counts", headers=org.headers()).json()
    assert counts == {"A.6.2.4": 3}
    rows = {
        r["control_id"]: r for r in client.get("/api/v1/soa", headers=org.headers()).json()["rows"]
    }
    assert rows["A.6.2.4"]["evidence"] == 3 and rows["A.5.4"]["evidence"] == 0
    from io import BytesIO

    from openpyxl import load_workbook

    xlsx = client.get("/api/v1/soa/export", params={"format": "xlsx"}, headers=org.headers())
    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert sheet is not None
    table = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in table if r and r[0] == "Control")
    col = header.index("Evidence items")
    row = next(r for r in table if r and r[0] == "A.6.2.4")
    assert str(row[col]) == "3"
    assert not any(
        r and r[col] == "n/a" for r in table if r and r[0] and str(r[0]).startswith("A.")
    )
