"""SoA versions (snapshot, approval by someone who changed none of it, compare) and the SoA and
register exports, read back as files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
from fastapi.testclient import TestClient
from pypdf import PdfReader

from aims.access.rules import Role
from tests.conftest import Org
from tests.risk.test_register_api import risk


def _decide(client: TestClient, org: Org, control: str, role: Role, **body: object) -> None:
    current = next(r for r in client.get("/api/v1/soa", headers=org.headers()).json()["rows"]
                   if r["control_id"] == control)  # fmt: skip
    response = client.put(f"/api/v1/soa/{control}", json={"version": current["version"], **body},
                          headers=org.headers(role))  # fmt: skip
    assert response.status_code == 200, response.text


def test_versions_are_approved_by_a_second_person_and_compared(
    client: TestClient, org: Org
) -> None:
    r = risk(client, org)
    # The owner selects a control for a risk: that shapes the SoA, so the owner is an editor
    # of the next version too (whatever is later overwritten still counts).
    client.post(f"/api/v1/risks/{r['id']}/controls", json={"control_id": "A.5.4"},
                headers=org.headers(Role.OWNER))  # fmt: skip
    _decide(client, org, "A.10.4", Role.MANAGER, applicable=False,
            exclusion_reason="Meridian supplies no AI to customers")  # fmt: skip
    draft = client.post("/api/v1/soa/versions", json={"note": "First SoA"},
                        headers=org.headers(Role.CONTRIBUTOR))  # fmt: skip
    assert draft.status_code == 201
    v1 = draft.json()
    assert v1["revision"] == 1 and v1["status"] == "draft" and len(v1["rows"]) == 38
    # The manager changed a decision, so the manager may not approve this version.
    refused = client.post(f"/api/v1/soa/versions/{v1['id']}/approve",
                          json={"version": v1["version"]}, headers=org.headers(Role.MANAGER))  # fmt: skip
    assert refused.status_code == 403 and "may not approve" in refused.json()["detail"]
    assert client.post(f"/api/v1/soa/versions/{v1['id']}/approve",
                       json={"version": v1["version"]},
                       headers=org.headers(Role.CONTRIBUTOR)).status_code == 403  # fmt: skip
    by_owner = client.post(f"/api/v1/soa/versions/{v1['id']}/approve",
                           json={"version": v1["version"]}, headers=org.headers(Role.OWNER))  # fmt: skip
    assert by_owner.status_code == 403
    # A second owner who touched nothing approves.
    from aims.access import service as access_service
    from aims.store.engine import Actor, unit_of_work

    sessions = client.app.state.runtime.sessions  # type: ignore[attr-defined]
    with unit_of_work(sessions, Actor(None, None, "test")) as db:
        user = access_service.create_user(
            db,
            email="second@acme-credit.example",
            full_name="Second Owner",
            password="a-long-password-1",
        )
        access_service.bootstrap_member(db, organisation=org.organisation, user=user,
                                        role=Role.OWNER)  # fmt: skip
        _row, secret = access_service.create_token(
            db, access_service.context_for(db, user=user, organisation_id=org.id),
            name="t", days=1,
        )  # fmt: skip
    second = {"Authorization": f"Bearer {secret}"}
    approved = client.post(f"/api/v1/soa/versions/{v1['id']}/approve",
                           json={"version": v1["version"]}, headers=second)  # fmt: skip
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == "second@acme-credit.example"
    # The live SoA moves on; the approved snapshot does not.
    _decide(client, org, "A.5.4", Role.CONTRIBUTOR, applicable=True,
            owner_email=org.emails[Role.MANAGER], status="planned")  # fmt: skip
    frozen = client.get(f"/api/v1/soa/versions/{v1['id']}", headers=org.headers()).json()
    assert next(x for x in frozen["rows"] if x["control_id"] == "A.5.4")["owner"] is None
    v2 = client.post("/api/v1/soa/versions", json={"note": "Owners named"},
                     headers=org.headers(Role.OWNER)).json()  # fmt: skip
    assert v2["revision"] == 2
    ok = client.post(f"/api/v1/soa/versions/{v2['id']}/approve", json={"version": v2["version"]},
                     headers=org.headers(Role.MANAGER))  # fmt: skip
    assert ok.status_code == 200
    history = client.get("/api/v1/soa/versions", headers=org.headers()).json()
    assert [(v["revision"], v["status"]) for v in history] == [(1, "superseded"), (2, "approved")]
    diff = client.get(f"/api/v1/soa/versions/{v2['id']}/compare", params={"with": v1["id"]},
                      headers=org.headers()).json()  # fmt: skip
    assert diff["before"]["revision"] == 1
    assert [c["control_id"] for c in diff["changes"]] == ["A.5.4"]
    assert diff["changes"][0]["fields"]["owner"] == [None, org.emails[Role.MANAGER]]


def test_soa_exports_read_back(client: TestClient, org: Org) -> None:
    r = risk(client, org, title='=HYPERLINK("http://x") injected')
    client.post(f"/api/v1/risks/{r['id']}/controls", json={"control_id": "A.6.2.4"},
                headers=org.headers())  # fmt: skip
    _decide(client, org, "A.10.4", Role.MANAGER, applicable=False,
            exclusion_reason="No AI supplied to customers")  # fmt: skip
    xlsx = client.get("/api/v1/soa/export", params={"format": "xlsx"}, headers=org.headers())
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    sheet = book["Statement of Applicability"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$1:$1"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 38
    a624 = next(x for x in rows if x[0] == "A.6.2.4")
    assert a624[2] == "Yes" and a624[3].startswith("Treats: R-001 =HYPERLINK")
    assert sheet.cell(row=[x[0] for x in rows].index("A.6.2.4") + 2, column=4).data_type == "s"
    a104 = next(x for x in rows if x[0] == "A.10.4")
    assert a104[2] == "No" and a104[4] == "No AI supplied to customers"
    assert book["About"]["A1"].value == "Organisation"
    pdf = client.get("/api/v1/soa/export", params={"format": "pdf"}, headers=org.headers())
    reader = PdfReader(io.BytesIO(pdf.content))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Statement of Applicability" in text and "A.10.4" in text and len(reader.pages) >= 2


def test_register_exports_read_back(client: TestClient, org: Org) -> None:
    risk(client, org, title="-2+3 looks like a formula", owner_email=org.emails[Role.MANAGER])
    risk(client, org, title="Second risk")
    as_csv = client.get("/api/v1/risks/export", params={"format": "csv"}, headers=org.headers())
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Ref", "Risk", "AI system"] and len(rows) == 3
    assert rows[1][1] == "'-2+3 looks like a formula"
    xlsx = client.get("/api/v1/risks/export", headers=org.headers())
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["Risk register"]
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [v[0] for v in values] == ["R-001", "R-002"]
    assert values[0][1] == "-2+3 looks like a formula"  # text, kept as typed


def test_cli_soa_export_and_approve(aims: object, tmp_path: Path) -> None:
    assert aims("init", "--email", "boss@acme.example").code == 0  # type: ignore[operator]
    target = tmp_path / "soa.xlsx"
    done = aims("soa", "export", "--format", "xlsx", "--output", str(target))  # type: ignore[operator]
    assert done.code == 0 and target.exists()
    assert openpyxl.load_workbook(target)["Statement of Applicability"].max_row == 39
    approved = aims("soa", "approve", "--note", "Baseline")  # type: ignore[operator]
    assert approved.code == 0 and "Approved SoA revision 1" in approved.out
    assert aims("user", "add", "cro@acme.example", "--role", "manager").code == 0  # type: ignore[operator]
    by_name = aims("soa", "approve", "--as", "cro@acme.example")  # type: ignore[operator]
    assert by_name.code == 0 and "Approved SoA revision 2" in by_name.out
    assert "cro@acme.example" in by_name.out
    stranger = aims("soa", "approve", "--as", "nobody@acme.example")  # type: ignore[operator]
    assert stranger.code == 2 and "not a member" in stranger.err
    pdf = tmp_path / "soa.pdf"
    assert aims("soa", "export", "--format", "pdf", "-o", str(pdf)).code == 0  # type: ignore[operator]
    assert pdf.read_bytes().startswith(b"%PDF")


def test_approved_impact_assessments_justify_the_a5_controls(client: TestClient, org: Org) -> None:
    from tests.impact.test_assessment_api import _workflow_to_approval

    a = _workflow_to_approval(client, org)  # one impact, on a group
    client.post(f"/api/v1/impact/assessments/{a['id']}/approve", json={"version": a["version"]},
                headers=org.headers(Role.MANAGER))  # fmt: skip
    rows = {
        r["control_id"]: r for r in client.get("/api/v1/soa", headers=org.headers()).json()["rows"]
    }
    for control in ("A.5.2", "A.5.3", "A.5.4"):
        assert rows[control]["applicable"] is True
        assert rows[control]["inclusion_justification"].startswith(
            "Addresses: Impact assessment: CreditLens (revision 1)"
        )
    assert rows["A.5.5"]["applicable"] is None  # no impact on society recorded


def test_dashboard_lists_lapsed_risk_work(client: TestClient, org: Org) -> None:
    from tests.web.test_pages import sign_in

    r = risk(client, org, next_review="2020-01-01")
    client.post(f"/api/v1/risks/{r['id']}/actions", json={"title": "Retrain", "due_date": "2020-02-01"},
                headers=org.headers())  # fmt: skip
    sign_in(client, org.emails[Role.VIEWER])
    page = client.get("/").text
    assert "R-001</a> was due for review on 2020-01-01" in page
    assert 'Treatment action "Retrain"' in page


def test_own_controls_sit_beside_annex_a(client: TestClient, org: Org, other_org: Org) -> None:
    created = client.post("/api/v1/soa/own-controls",
                          json={"code": "mer-01", "title": "Model risk committee sign-off"},
                          headers=org.headers())  # fmt: skip
    assert created.status_code == 201 and created.json()["code"] == "MER-01"
    assert client.post("/api/v1/soa/own-controls", json={"code": "MER-01", "title": "x"},
                       headers=org.headers()).status_code == 409  # fmt: skip
    looks_annex = client.post("/api/v1/soa/own-controls", json={"code": "A.11.1", "title": "x"},
                              headers=org.headers())  # fmt: skip
    assert looks_annex.status_code == 422 and looks_annex.json()["errors"][0]["loc"][-1] == "code"
    r = risk(client, org)
    selected = client.post(f"/api/v1/risks/{r['id']}/controls", json={"control_id": "mer-01"},
                           headers=org.headers())  # fmt: skip
    assert selected.status_code == 201 and selected.json()["controls"] == ["MER-01"]
    rows = client.get("/api/v1/soa", headers=org.headers()).json()["rows"]
    assert len(rows) == 39
    own = rows[-1]
    assert own["control_id"] == "MER-01" and own["own"] is True and own["applicable"] is True
    assert own["inclusion_justification"].startswith("Treats: R-001")
    decided = client.put("/api/v1/soa/MER-01", json={"version": 0, "applicable": True,
                                                     "owner_email": org.emails[Role.OWNER]},
                         headers=org.headers())  # fmt: skip
    assert decided.status_code == 200 and decided.json()["problems"] == []
    gone = client.delete(f"/api/v1/risks/{r['id']}/controls/mer-01", headers=org.headers())
    assert gone.status_code == 200 and gone.json()["controls"] == []
    # Another organisation neither sees the control nor can select it.
    assert client.get("/api/v1/soa/own-controls", headers=other_org.headers()).json() == []
    assert len(client.get("/api/v1/soa", headers=other_org.headers()).json()["rows"]) == 38
    theirs = client.post("/api/v1/risks", json={"title": "x", "inherent_likelihood": 1,
                                                "inherent_consequence": 1},
                         headers=other_org.headers()).json()  # fmt: skip
    refused = client.post(f"/api/v1/risks/{theirs['id']}/controls", json={"control_id": "MER-01"},
                          headers=other_org.headers())  # fmt: skip
    assert refused.status_code == 422
