"""Impact assessment process settings (A.5.2) through the API, the web page and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from aims.access.rules import Role
from tests.conftest import Org
from tests.web.test_pages import csrf_of, sign_in


def test_defaults_until_saved_then_versioned(client: TestClient, org: Org) -> None:
    current = client.get("/api/v1/impact/settings", headers=org.headers(Role.VIEWER)).json()
    assert current["saved"] is False and current["version"] == 0
    assert [lv["reassess_months"] for lv in current["levels"]] == [24, 12, 12, 6]
    body = {**current, "version": 0, "harm_risk_level": "II"}
    del body["saved"]
    saved = client.put("/api/v1/impact/settings", json=body, headers=org.headers(Role.MANAGER))
    assert saved.status_code == 200 and saved.json()["saved"] and saved.json()["version"] == 1
    stale = client.put("/api/v1/impact/settings", json=body, headers=org.headers(Role.MANAGER))
    assert stale.status_code == 409 and stale.json()["current_version"] == 1
    assert (
        client.put(
            "/api/v1/impact/settings",
            json={**body, "version": 1},
            headers=org.headers(Role.CONTRIBUTOR),
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    "change",
    [
        {"thresholds": [0.5, 0.25, 0.75]},
        {"approver_roles": ["contributor"]},
        {"levels": []},
        {"harm_risk_level": "V"},
        {"colour": "red"},
    ],
)
def test_bad_settings_are_refused(client: TestClient, org: Org, change: dict) -> None:  # type: ignore[type-arg]
    current = client.get("/api/v1/impact/settings", headers=org.headers()).json()
    del current["saved"]
    response = client.put(
        "/api/v1/impact/settings", json={**current, **change}, headers=org.headers()
    )
    assert response.status_code == 422
    assert client.get("/api/v1/impact/settings", headers=org.headers()).json()["saved"] is False


def test_settings_page(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.MANAGER])
    page = client.get("/impact/settings")
    assert "aims's defaults" in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "version": "0",
        "trigger_new_system": "on",
        "trigger_periodic": "on",
        "approver_roles": ["owner"],
        "harm_risk_level": "III",
        "threshold_0": "0.2",
        "threshold_1": "0.5",
        "threshold_2": "0.8",
    }
    for level, months in zip(["I", "II", "III", "IV"], ["24", "12", "6", "3"], strict=True):
        form[f"label_{level}"] = f"Level {level}"
        form[f"months_{level}"] = months
    saved = client.post("/impact/settings", data=form, follow_redirects=True)
    assert "Settings saved" in saved.text and 'value="0.8"' in saved.text
    bad = client.post("/impact/settings", data={**form, "version": "1", "months_IV": "0",
                                                "label_II": "Typed but refused"})  # fmt: skip
    assert bad.status_code == 422 and "Nothing was saved" in bad.text
    assert "Level IV, reassess every (months)" in bad.text  # named in words, not a path
    assert 'value="Typed but refused"' in bad.text  # what was typed is kept
    sign_in(client, org.emails[Role.AUDITOR])
    assert "Owners and managers can change these settings" in client.get("/impact/settings").text


def test_cli_settings(aims: object, tmp_path: Path) -> None:
    aims("init", "--email", "boss@acme.example")  # type: ignore[operator]
    shown = aims("impact", "settings")  # type: ignore[operator]
    assert shown.code == 0 and "reassess_months" in shown.out and "defaults" in shown.out
    data = yaml.safe_load(shown.out.split("(aims")[0])
    data.pop("version"), data.pop("saved")
    data["harm_risk_level"] = "IV"
    file = tmp_path / "settings.yaml"
    file.write_text(yaml.safe_dump(data))
    saved = aims("impact", "settings", "--set-from", str(file))  # type: ignore[operator]
    assert saved.code == 0 and "harm_risk_level: IV" in saved.out
    data["thresholds"] = [0.9, 0.1, 0.5]
    file.write_text(yaml.safe_dump(data))
    refused = aims("impact", "settings", "--set-from", str(file))  # type: ignore[operator]
    assert refused.code == 2 and "thresholds" in refused.err


def test_cli_list_show_export_on_the_demo(aims: object, tmp_path: Path) -> None:
    """The demo's CreditLens assessment through `aims impact list|show|export`."""
    import io

    import docx
    from pypdf import PdfReader

    assert aims("demo").code == 0  # type: ignore[operator]
    listed = aims("impact", "list")  # type: ignore[operator]
    assert listed.code == 0 and "approved" in listed.out and "2 assessment(s)" in listed.out
    assert "without an approved assessment" in listed.out
    credit = "Credit decisioning model (CreditLens)"
    shown = aims("impact", "show", credit)  # type: ignore[operator]
    assert shown.code == 0 and "level III" in shown.out
    assert (
        "sent to risk register" in shown.out and "FRIA (Art. 27): required; complete" in shown.out
    )
    pdf = tmp_path / "a.pdf"
    done = aims("impact", "export", credit, "--format", "pdf", "--output", str(pdf))  # type: ignore[operator]
    assert done.code == 0
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "Indirect discrimination" in text and "daniel.kowalski@meridian.example" in text
    fria = tmp_path / "f.docx"
    done = aims("impact", "export", credit, "--format", "docx", "--fria", "-o", str(fria))  # type: ignore[operator]
    paragraphs = "\n".join(p.text for p in docx.Document(str(fria)).paragraphs)
    assert done.code == 0 and "Art. 27" in paragraphs
    missing = aims("impact", "show", "Internal code assistant")  # type: ignore[operator]
    assert missing.code == 2 and "no impact assessment yet" in missing.err
    bad = aims("impact", "export", credit, "--format", "odt")  # type: ignore[operator]
    assert bad.code == 2
