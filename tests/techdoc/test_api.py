"""Event-log records and the technical documentation outline through the API, on both
databases: flags, validation beside the field, stale writes, permissions, other organisations,
soft delete and restore, the source registry, and the PDF/DOCX exports read back."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import docx
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.access.rules import Role
from aims.systems.models import AISystem
from aims.techdoc.registry import Entry, register_source, unregister_source
from tests.conftest import Org

ART12 = ["risk_situations", "monitoring_signals", "operation_events"]


def system(client: TestClient, org: Org, name: str = "TalentSift", **fields: Any) -> str:
    response = client.post("/api/v1/systems", json={"name": name, **fields}, headers=org.headers())
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def high_risk(client: TestClient, org: Org, sid: str) -> None:
    answers = {"operator_role": "provider", "in_eu": True, "annex_iii": ["4a"]}
    response = client.post(f"/api/v1/systems/{sid}/classifications", json=answers,
                           headers=org.headers())  # fmt: skip
    assert response.status_code == 201, response.text
    assert response.json()["result"]["risk_class"] == "high_risk"


def put(client: TestClient, org: Org, sid: str, role: Role = Role.CONTRIBUTOR, **body: Any) -> Any:
    return client.put(f"/api/v1/event-logs/{sid}", json=body, headers=org.headers(role))


def test_a_high_risk_system_is_flagged_until_its_logs_meet_the_act(
    client: TestClient, org: Org, other_org: Org
) -> None:
    sid = system(client, org)
    plain = system(client, org, "Code assistant")
    high_risk(client, org, sid)
    found = client.get(f"/api/v1/event-logs/{sid}", headers=org.headers()).json()
    assert found["record"] is None and [f["code"] for f in found["flags"]] == ["no_record"]
    assert client.get(f"/api/v1/event-logs/{plain}", headers=org.headers()).json()["flags"] == []
    attention = client.get("/api/v1/event-logs/attention", headers=org.headers()).json()
    assert [a["system_name"] for a in attention] == ["TalentSift"]

    short = put(client, org, sid, log_system="Splunk", captures=["inputs"], retention_months=3)
    assert short.status_code == 200, short.text
    body = short.json()
    assert [f["code"] for f in body["flags"]] == ["short_retention", "missing_captures"]
    assert body["flags"][1]["missing"] == ART12 and body["record"]["version"] == 1

    unknown = put(client, org, sid, captures=["telepathy"], version=1)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"][-1] == "captures"
    negative = put(client, org, sid, retention_months=-1, version=1)
    assert negative.status_code == 422
    assert negative.json()["errors"][0]["loc"][-1] == "retention_months"
    future = put(client, org, sid, last_reviewed="2999-01-01", version=1)
    assert future.status_code == 422 and "future" in future.text
    no_version = put(client, org, sid, retention_months=12)
    assert no_version.status_code == 422 and no_version.json()["errors"][0]["loc"][-1] == "version"
    extra = put(client, org, sid, retention_months=12, version=1, colour="red")
    assert extra.status_code == 422

    good = put(client, org, sid, log_system="Splunk", location="index hr-talentsift",
               captures=[*ART12, "inputs", "outputs"], retention_months=6, tamper_evident=True,
               access="HR analytics", last_reviewed="2026-01-15", version=1)  # fmt: skip
    assert good.status_code == 200 and good.json()["flags"] == []
    assert good.json()["record"]["version"] == 2
    stale = put(client, org, sid, retention_months=24, version=1)
    assert stale.status_code == 409
    assert client.get("/api/v1/event-logs/attention", headers=org.headers()).json() == []

    assert put(client, org, sid, Role.VIEWER, retention_months=24, version=2).status_code == 403
    assert client.get(f"/api/v1/event-logs/{sid}", headers=other_org.headers()).status_code == 404
    assert put(client, other_org, sid, retention_months=1).status_code == 404
    listed = client.get("/api/v1/event-logs", headers=other_org.headers()).json()
    assert listed["total"] == 0

    page = client.get("/api/v1/event-logs?risk_class=high_risk", headers=org.headers()).json()
    assert page["total"] == 1 and page["items"][0]["record"]["log_system"] == "Splunk"
    searched = client.get("/api/v1/event-logs?q=code", headers=org.headers()).json()
    assert [i["system_name"] for i in searched["items"]] == ["Code assistant"]


def test_delete_and_restore_a_record(client: TestClient, org: Org) -> None:
    sid = system(client, org)
    assert put(client, org, sid, retention_months=12).status_code == 200
    url = f"/api/v1/event-logs/{sid}"
    headers = org.headers(Role.CONTRIBUTOR)
    assert client.delete(f"{url}?version=7", headers=headers).status_code == 409
    assert client.delete(f"{url}?version=1", headers=org.headers(Role.VIEWER)).status_code == 403
    assert client.delete(f"{url}?version=1", headers=headers).status_code == 204
    assert client.get(url, headers=headers).json()["record"] is None
    assert client.delete(f"{url}?version=1", headers=headers).status_code == 404
    restored = client.post(f"{url}/restore", headers=headers)
    assert restored.status_code == 200 and restored.json()["record"]["retention_months"] == 12
    assert client.post(f"{url}/restore", headers=headers).status_code == 409


def test_captures_list_which_items_art_12_asks_for(client: TestClient, org: Org) -> None:
    body = client.get("/api/v1/event-logs/captures", headers=org.headers()).json()
    assert body["min_retention_months"] == 6
    required = [c["id"] for c in body["captures"] if c["required_for"] == "high_risk"]
    assert required == ART12


def _outline(client: TestClient, org: Org, sid: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/systems/{sid}/technical-documentation", headers=org.headers())
    assert response.status_code == 200, response.text
    out: dict[str, Any] = response.json()
    return out


def _section(outline: dict[str, Any], section_id: str) -> dict[str, Any]:
    return next(s for s in outline["sections"] if s["id"] == section_id)


def test_outline_marks_what_is_missing_and_takes_registered_sources(
    client: TestClient, org: Org, other_org: Org
) -> None:
    sid = system(client, org, purpose="Ranks job applicants", description="Vendor service")
    outline = _outline(client, org, sid)
    assert [s["point"] for s in outline["sections"]][:3] == ["1", "2", "2(d)"]
    assert len(outline["sections"]) == 10 and outline["state"] == "partial"
    general = _section(outline, "general")
    purpose = next(e for e in general["entries"] if e["label"] == "Intended purpose")
    assert purpose["value"] == "Ranks job applicants" and not purpose["missing"]
    assert purpose["href"] == f"/systems/{sid}/edit"
    classified = next(e for e in general["entries"] if e["label"] == "EU AI Act classification")
    assert classified["missing"] and classified["href"] == f"/systems/{sid}/classify"
    # not high risk: no declaration of conformity is needed
    assert _section(outline, "declaration")["state"] == "complete"
    logs = next(e for e in _section(outline, "monitoring")["entries"] if e["key"] == "event_logs")
    assert logs["missing"] and logs["href"] == f"/event-logs/{sid}"

    high_risk(client, org, sid)
    put(client, org, sid, captures=ART12, retention_months=6)
    outline = _outline(client, org, sid)
    assert _section(outline, "declaration")["state"] == "missing"
    logs = next(e for e in _section(outline, "monitoring")["entries"] if e["key"] == "event_logs")
    assert not logs["missing"] and "kept 6 months" in logs["value"]

    risk = _section(outline, "risk_management")
    assert any(e["key"] == "controls" and e["missing"] for e in risk["entries"])

    def controls(db: Session, ctx: Context, s: AISystem) -> Iterable[Entry]:
        yield Entry("A.6.2.6 Operation and monitoring", f"Implemented for {s.name}",
                    href="/controls/1", key="controls")  # fmt: skip

    register_source("risk_management", controls, name="test-controls")
    try:
        risk = _section(_outline(client, org, sid), "risk_management")
    finally:
        unregister_source("risk_management", "test-controls")
    assert risk["entries"][0]["source"] == "risk"  # aims's own sources come first
    assert risk["entries"][-1]["source"] == "test-controls"
    keyed = [e for e in risk["entries"] if e["key"] == "controls"]
    assert [(e["missing"], e["source"], e["value"]) for e in keyed] == [
        (False, "test-controls", "Implemented for TalentSift")
    ]
    with pytest.raises(ValueError, match="unknown technical documentation section"):
        register_source("appendix", controls)

    other = client.get(f"/api/v1/systems/{sid}/technical-documentation",
                       headers=other_org.headers())  # fmt: skip
    assert other.status_code == 404
    bad = client.get(f"/api/v1/systems/{sid}/technical-documentation?format=xml",
                     headers=org.headers())  # fmt: skip
    assert bad.status_code == 422


def test_exports_read_back_with_user_text_kept_as_text(client: TestClient, org: Org) -> None:
    sid = system(client, org, "Scorer <script>alert(1)</script>",
                 purpose="Scores <script>alert('x')</script> & ranks")  # fmt: skip
    url = f"/api/v1/systems/{sid}/technical-documentation"
    pdf = client.get(f"{url}?format=pdf", headers=org.headers())
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "technical-documentation-scorer-script-alert-1-script.pdf" in pdf.headers[
        "content-disposition"]  # fmt: skip
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "<script>alert('x')</script> & ranks" in text
    assert "Missing" in text and "EU declaration of conformity" in text

    word = client.get(f"{url}?format=docx", headers=org.headers())
    assert word.status_code == 200
    document = docx.Document(io.BytesIO(word.content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "Scores <script>alert('x')</script> & ranks" in cells
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert any(h.startswith("8. EU declaration of conformity") for h in headings)
    assert "Scorer <script>alert(1)</script>" in [p.text for p in document.paragraphs]
