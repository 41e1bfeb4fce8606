"""Evidence and control pages: lists with filters, the upload form with errors beside fields
(multipart with CSRF), an item and its download, a control implementation with its checks and
evidence; and the CLI."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from fastapi.testclient import TestClient

from aims.access.rules import Role
from tests.conftest import Org
from tests.evidence import samples
from tests.risk.test_register_api import system
from tests.web.test_pages import csrf_of, sign_in


def test_upload_form_errors_beside_fields_and_csrf(
    client: TestClient, org: Org, evidence_dir: Path
) -> None:
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    page = client.get("/evidence")
    assert page.status_code == 200 and 'id="empty"' in page.text
    token = csrf_of(page.text)
    no_csrf = client.post("/evidence/new", data={"kind": "file", "title": "x"},
                          files={"file": ("a.pdf", samples.PDF, "application/pdf")})  # fmt: skip
    assert no_csrf.status_code == 403
    disguised = client.post(
        "/evidence/new", data={"csrf_token": token, "kind": "file", "title": "Review"},
        files={"file": ("report.pdf", samples.EXE, "application/pdf")},
    )  # fmt: skip
    assert disguised.status_code == 415
    assert 'id="ev-file-error"' in disguised.text and 'value="Review"' in disguised.text
    assert not evidence_dir.exists() or not any(p.is_file() for p in evidence_dir.rglob("*"))
    no_title = client.post(
        "/evidence/new", data={"csrf_token": token, "kind": "link", "title": "",
                               "url": "https://example.org"},
    )  # fmt: skip
    assert no_title.status_code == 422 and 'id="ev-title-error"' in no_title.text
    bad_link = client.post(
        "/evidence/new", data={"csrf_token": token, "kind": "link", "title": "Card",
                               "url": "javascript:alert(1)"},
    )  # fmt: skip
    assert bad_link.status_code == 422 and 'id="ev-url-error"' in bad_link.text
    made = client.post(
        "/evidence/new",
        data={"csrf_token": token, "kind": "file", "title": "Fairness <review>",
              "control_id": "A.6.2.4", "valid_until": str(dt.date.today() + dt.timedelta(days=5))},
        files={"file": ("review.pdf", samples.PDF, "application/pdf")}, follow_redirects=True,
    )  # fmt: skip
    assert made.status_code == 200, made.text
    assert "Fairness &lt;review&gt;" in made.text and 'id="download"' in made.text
    assert "expiring" in made.text
    href = re.search(r'href="(/evidence/[0-9a-f-]+/download)"', made.text)
    assert href
    got = client.get(href.group(1))
    assert got.content == samples.PDF and got.headers["x-content-type-options"] == "nosniff"
    listed = client.get("/evidence", params={"control_id": "A.6.2.4"})
    assert "Fairness &lt;review&gt;" in listed.text and "Needs attention" in listed.text
    other = client.get("/evidence", params={"kind": "link"})
    assert 'id="empty"' in other.text and 'id="evidence-table"' not in other.text


def test_download_page_is_404_for_another_organisation(
    client: TestClient, org: Org, other_org: Org
) -> None:
    item = client.post("/api/v1/evidence/files", data={"title": "x"},
                       files={"file": ("a.pdf", samples.PDF, "application/pdf")},
                       headers=org.headers()).json()  # fmt: skip
    sign_in(client, other_org.emails[Role.OWNER])
    assert client.get(f"/evidence/{item['id']}/download").status_code == 404
    assert client.get(f"/evidence/{item['id']}").status_code == 404


def test_control_page_records_a_check_and_takes_evidence(client: TestClient, org: Org) -> None:
    system(client, org)
    sign_in(client, org.emails[Role.MANAGER])
    page = client.get("/controls")
    assert page.status_code == 200 and 'id="empty"' in page.text
    token = csrf_of(page.text)
    bad = client.post("/controls/new", data={"csrf_token": token, "control_id": "A.6.2.6",
                                             "check_months": "often"})  # fmt: skip
    assert bad.status_code == 422 and 'id="check_months-error"' in bad.text
    made = client.post("/controls/new", data={"csrf_token": token, "control_id": "A.6.2.6",
                                              "system_id": "CreditLens", "status": "implemented",
                                              "check_months": "6",
                                              "description": "Monthly age-band monitoring"},
                       follow_redirects=True)  # fmt: skip
    assert made.status_code == 200, made.text
    assert "Monthly age-band monitoring" in made.text and "CreditLens" in made.text
    url = re.search(r'action="(/controls/[0-9a-f-]+)/checks"', made.text)
    assert url
    version = re.search(r'name="version" value="(\d+)"', made.text)
    assert version
    future = client.post(f"{url.group(1)}/checks",
                         data={"csrf_token": token, "version": version.group(1),
                               "result": "effective", "checked_on": "2999-01-01"})  # fmt: skip
    assert future.status_code == 422 and 'id="checked_on-error"' in future.text
    checked = client.post(f"{url.group(1)}/checks",
                          data={"csrf_token": token, "version": version.group(1),
                                "result": "partly_effective", "checked_on": "2020-01-01",
                                "note": "gaps"}, follow_redirects=True)  # fmt: skip
    assert "partly effective" in checked.text and "(overdue)" in checked.text
    linked = client.post(f"{url.group(1)}/evidence",
                         data={"csrf_token": token, "kind": "link", "title": "Dashboard",
                               "url": "https://bi.example/age-bands"}, follow_redirects=True)  # fmt: skip
    assert linked.status_code == 200 and "Dashboard" in linked.text
    overdue = client.get("/controls", params={"overdue": "1"})
    assert "A.6.2.6" in overdue.text and "Checks overdue" in overdue.text
    implemented = client.get("/controls", params={"status": "planned"})
    assert 'id="empty"' in implemented.text
    soa = client.get("/soa")
    assert re.search(r'evidence-count"><a href="/evidence\?control_id=A.6.2.6">1<', soa.text)


def test_cli_control_and_evidence(aims: object, tmp_path: Path) -> None:
    assert aims("init", "--email", "boss@acme.example").code == 0  # type: ignore[operator]
    assert aims("systems", "add", "CreditLens").code == 0  # type: ignore[operator]
    pdf = tmp_path / "review.pdf"
    pdf.write_bytes(samples.PDF)
    added = aims("evidence", "add", "--file", str(pdf), "--title", "Review",  # type: ignore[operator]
                 "--control", "A.6.2.4", "--system", "CreditLens",
                 "--valid-until", str(dt.date.today() + dt.timedelta(days=3)))  # fmt: skip
    assert added.code == 0, added.err
    link = aims("evidence", "add", "--url", "https://example.org/card", "--title", "Card")  # type: ignore[operator]
    assert link.code == 0, link.err
    listed = aims("evidence", "list", "--control", "A.6.2.4")  # type: ignore[operator]
    assert listed.code == 0 and "Review" in listed.out and "Card" not in listed.out
    soon = aims("evidence", "expiring", "--days", "10")  # type: ignore[operator]
    assert soon.code == 0 and "Review" in soon.out
    fake = tmp_path / "setup.pdf"
    fake.write_bytes(samples.EXE)
    refused = aims("evidence", "add", "--file", str(fake), "--title", "x")  # type: ignore[operator]
    assert refused.code == 2 and "content" in refused.err
    both = aims("evidence", "add", "--url", "https://a.example", "--record", "x:1", "--title", "x")  # type: ignore[operator]
    assert both.code == 2 and "exactly one" in both.err
    bad_record = aims("evidence", "add", "--record", "soa_version:nope", "--title", "x")  # type: ignore[operator]
    assert bad_record.code == 2
    assert aims("control", "list").code == 0  # type: ignore[operator]
    assert aims("control", "show", "not-an-id").code == 2  # type: ignore[operator]
