"""The event-log pages (list with flags, the form with errors beside fields) and the technical
documentation page with its downloads."""

from __future__ import annotations

import io
import re

import docx
from fastapi.testclient import TestClient

from aims.access.rules import Role
from tests.conftest import Org
from tests.techdoc.test_api import ART12, high_risk, system
from tests.web.test_pages import csrf_of, sign_in


def test_record_event_logs_in_the_form(client: TestClient, org: Org) -> None:
    sid = system(client, org)
    high_risk(client, org, sid)
    system(client, org, "Fraud <b>detector</b>")
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    listing = client.get("/event-logs")
    assert listing.status_code == 200
    row = re.search(rf'<tr id="log-{sid}">.*?</tr>', listing.text, re.S)
    assert row and "no record of where its event logs are kept" in row.group(0)
    assert "Fraud &lt;b&gt;detector&lt;/b&gt;" in listing.text
    flagged = client.get("/event-logs?flagged=1")
    assert "TalentSift" in flagged.text and "Fraud" not in flagged.text
    assert "No AI system matches" in client.get("/event-logs?q=nothing-like-this").text

    form = client.get(f"/event-logs/{sid}")
    assert form.status_code == 200 and 'id="event-log-form"' in form.text
    assert form.text.count("Art. 12</span>") == len(ART12)
    token = csrf_of(form.text)
    bad = client.post(f"/event-logs/{sid}", data={"csrf_token": token, "log_system": "Splunk",
                                                   "retention_months": "half a year",
                                                   "captures": ["inputs"]})  # fmt: skip
    assert bad.status_code == 422 and 'id="retention_months-error"' in bad.text
    assert 'aria-describedby="retention_months-error"' in bad.text
    assert 'value="Splunk"' in bad.text  # what was typed stays
    short = client.post(f"/event-logs/{sid}", data={"csrf_token": token, "log_system": "Splunk",
                                                     "retention_months": "3",
                                                     "captures": ["inputs"]},
                        follow_redirects=True)  # fmt: skip
    assert short.status_code == 200 and "Event-log record saved" in short.text
    assert 'id="retention_months-flag"' in short.text and "less than the 6 months" in short.text
    version = re.search(r'name="version" value="(\d+)"', short.text)
    assert version and version.group(1) == "1"
    good = client.post(f"/event-logs/{sid}", data={"csrf_token": token, "log_system": "Splunk",
                                                    "retention_months": "12", "version": "1",
                                                    "captures": ART12}, follow_redirects=True)  # fmt: skip
    assert "less than" not in good.text and "retention_months-flag" not in good.text
    stale = client.post(f"/event-logs/{sid}", data={"csrf_token": token, "version": "1",
                                                     "retention_months": "6"})  # fmt: skip
    assert stale.status_code == 409
    listing = client.get("/event-logs")
    row = re.search(rf'<tr id="log-{sid}">.*?</tr>', listing.text, re.S)
    assert row and "12 months" in row.group(0) and "OK" in row.group(0)

    deleted = client.post(f"/event-logs/{sid}/delete", data={"csrf_token": token, "version": "2"},
                          follow_redirects=True)  # fmt: skip
    assert "Event-log record deleted" in deleted.text
    back = client.post(f"/event-logs/{sid}/restore", data={"csrf_token": token},
                       follow_redirects=True)  # fmt: skip
    assert back.status_code == 200 and 'value="12"' in back.text


def test_event_log_pages_need_csrf_and_editing_rights(
    client: TestClient, org: Org, other_org: Org
) -> None:
    sid = system(client, org)
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    assert client.post(f"/event-logs/{sid}", data={"retention_months": "12"}).status_code == 403
    sign_in(client, org.emails[Role.VIEWER])
    page = client.get(f"/event-logs/{sid}")
    assert page.status_code == 200 and 'id="event-log-form"' not in page.text
    refused = client.post(f"/event-logs/{sid}", data={"csrf_token": csrf_of(page.text),
                                                       "retention_months": "12"})  # fmt: skip
    assert refused.status_code == 403
    sign_in(client, other_org.emails[Role.OWNER])
    assert client.get(f"/event-logs/{sid}").status_code == 404
    assert client.get(f"/systems/{sid}/technical-documentation").status_code == 404


def test_technical_documentation_page_and_downloads(client: TestClient, org: Org) -> None:
    sid = system(client, org, purpose="Ranks <script>x()</script> applicants")
    sign_in(client, org.emails[Role.VIEWER])
    page = client.get(f"/systems/{sid}/technical-documentation")
    assert page.status_code == 200
    assert "Ranks &lt;script&gt;x()&lt;/script&gt; applicants" in page.text
    assert 'id="section-declaration"' in page.text and 'id="outline-summary"' in page.text
    assert f'<a href="/event-logs/{sid}">Event logs (A.6.2.8, Art. 12)</a>' in page.text
    assert f'href="/systems/{sid}/classify"' in page.text and "missing</span>" in page.text
    word = client.get(f"/systems/{sid}/technical-documentation.docx")
    assert word.status_code == 200 and "attachment" in word.headers["content-disposition"]
    texts = [c.text for t in docx.Document(io.BytesIO(word.content)).tables
             for r in t.rows for c in r.cells]  # fmt: skip
    assert "Ranks <script>x()</script> applicants" in texts
    pdf = client.get(f"/systems/{sid}/technical-documentation.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(f"/systems/{sid}/technical-documentation.xml").status_code == 404
