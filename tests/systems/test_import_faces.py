"""Spreadsheet import through the API, the web page and the CLI; and the system pages."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import openpyxl
from fastapi.testclient import TestClient

from aims.access.rules import Role
from tests.conftest import Org
from tests.web.test_pages import csrf_of, sign_in


def sheet(rows: list[list[object]], *, xlsx: bool = False) -> bytes:
    if xlsx:
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    return "\n".join(",".join(str(c) for c in row) for row in rows).encode("utf-8")


def inventory(owner: str) -> list[list[object]]:
    return [
        [
            "System name",
            "Purpose",
            "Owner e-mail",
            "Stage",
            "EU AI Act role",
            "Used in EU",
            "Personal data",
        ],
        ["CreditLens", "Credit scoring", owner, "production", "provider", "yes", "yes"],
        ["TalentSift", "CV screening", owner, "live", "deployer", "yes", "yes"],
        ["Fraud detection", "Flags card transactions", "", "operation", "provider", "yes", "yes"],
    ]


def test_api_preview_then_import(client: TestClient, org: Org) -> None:
    content = sheet(inventory(org.emails[Role.MANAGER]), xlsx=True)
    files = {"file": ("inventory.xlsx", content, "application/octet-stream")}
    preview = client.post(
        "/api/v1/systems/import/preview", files=files, headers=org.headers()
    ).json()
    assert preview["ok"] and preview["rows"] == 3
    assert (
        preview["mapping"]["System name"] == "name"
        and preview["mapping"]["Owner e-mail"] == "owner_email"
    )
    done = client.post("/api/v1/systems/import", files=files, headers=org.headers())
    assert done.status_code == 201 and [s["name"] for s in done.json()["created"]] == [
        "CreditLens",
        "TalentSift",
        "Fraud detection",
    ]
    systems = client.get("/api/v1/systems?sort=name", headers=org.headers()).json()["items"]
    credit = next(s for s in systems if s["name"] == "CreditLens")
    assert (
        credit["lifecycle_stage"] == "operation_and_monitoring"
        and credit["owner_email"] == org.emails[Role.MANAGER]
    )
    again = client.post("/api/v1/systems/import", files=files, headers=org.headers())
    assert again.status_code == 422
    assert {e["msg"] for e in again.json()["errors"]} >= {"'CreditLens' is already registered"}


def test_api_import_is_all_or_nothing_with_each_problem_located(
    client: TestClient, org: Org
) -> None:
    rows = inventory("stranger@nowhere.example")
    rows[2][3] = "someday"
    files = {"file": ("inventory.csv", sheet(rows), "text/csv")}
    response = client.post("/api/v1/systems/import", files=files, headers=org.headers())
    assert response.status_code == 422
    locs = {tuple(e["loc"]) for e in response.json()["errors"]}
    assert (2, "Owner e-mail") in locs and (3, "Stage") in locs
    assert client.get("/api/v1/systems", headers=org.headers()).json()["total"] == 0
    mapping = json.dumps({"Stage": None, "Owner e-mail": None})
    remapped = client.post(
        "/api/v1/systems/import", files=files, data={"mapping": mapping}, headers=org.headers()
    )
    assert remapped.status_code == 201
    assert (
        client.post(
            "/api/v1/systems/import",
            files={"file": ("x.pdf", b"%PDF", "application/pdf")},
            headers=org.headers(),
        ).status_code
        == 422
    )


def test_web_import_preview_mapping_and_commit(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    page = client.get("/systems/import")
    token = csrf_of(page.text)
    rows = inventory(org.emails[Role.OWNER])
    rows[3][3] = "someday"
    preview = client.post(
        "/systems/import",
        data={"csrf_token": token},
        files={"file": ("inventory.csv", sheet(rows), "text/csv")},
    )
    assert preview.status_code == 422 and "is not a life-cycle stage" in preview.text
    payload = re.search(r'name="payload" value="([^"]+)"', preview.text).group(1)  # type: ignore[union-attr]
    headers = [
        "System name",
        "Purpose",
        "Owner e-mail",
        "Stage",
        "EU AI Act role",
        "Used in EU",
        "Personal data",
    ]
    mapping = {
        f"map:{h}": v
        for h, v in zip(
            headers,
            ["name", "purpose", "owner_email", "", "operator_role", "used_in_eu", "personal_data"],
            strict=True,
        )
    }
    checked = client.post(
        "/systems/import",
        data={
            "csrf_token": token,
            "filename": "inventory.csv",
            "payload": payload,
            "mapped": "1",
            "action": "check",
            **mapping,
        },
    )
    assert checked.status_code == 200 and "All 3 row(s) can be imported" in checked.text
    done = client.post(
        "/systems/import",
        data={
            "csrf_token": token,
            "filename": "inventory.csv",
            "payload": payload,
            "mapped": "1",
            "action": "import",
            **mapping,
        },
        follow_redirects=True,
    )
    assert "Imported 3 system(s)" in done.text and "TalentSift" in done.text


def test_cli_import_reports_problems_then_imports(aims: object, tmp_path: Path) -> None:
    aims("init", "--email", "boss@acme.example")  # type: ignore[operator]
    file = tmp_path / "inventory.csv"
    rows = inventory("boss@acme.example")
    rows[1][5] = "maybe"
    file.write_bytes(sheet(rows))
    bad = aims("systems", "import", str(file))  # type: ignore[operator]
    assert bad.code == 2 and "is not yes or no" in bad.out and "nothing was imported" in bad.err
    dry = aims("systems", "import", str(file), "--map", "Used in EU=", "--dry-run")  # type: ignore[operator]
    assert dry.code == 0 and "3 system(s) would be imported" in dry.out
    assert aims("systems", "list").out.count("not classified") == 0  # type: ignore[operator]
    done = aims("systems", "import", str(file), "--map", "Used in EU=")  # type: ignore[operator]
    assert done.code == 0 and "Imported 3 system(s)" in done.out
    listed = aims("systems", "list", "-q", "credit")  # type: ignore[operator]
    assert "CreditLens" in listed.out and "1 system(s)" in listed.out
    shown = aims("systems", "show", "CreditLens")  # type: ignore[operator]
    assert "Credit scoring" in shown.out and "Not classified" in shown.out


def test_system_pages_register_edit_and_delete(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    form = client.get("/systems/new")
    token = csrf_of(form.text)
    bad = client.post(
        "/systems/new", data={"csrf_token": token, "name": "", "lifecycle_stage": "nonsense"}
    )
    assert (
        bad.status_code == 422
        and 'id="name-error"' in bad.text
        and 'id="lifecycle_stage-error"' in bad.text
    )
    created = client.post(
        "/systems/new",
        data={
            "csrf_token": token,
            "name": "CreditLens",
            "purpose": "Scores applicants",
            "lifecycle_stage": "deployment",
            "ai_roles": ["ai_provider", "ai_customer"],
            "in_scope": "true",
            "personal_data": "true",
        },
        follow_redirects=True,
    )
    assert "System registered" in created.text and "Scores applicants" in created.text
    system_id = re.search(r'href="/systems/([0-9a-f-]+)/edit"', created.text).group(1)  # type: ignore[union-attr]
    out_of_scope = client.post(
        f"/systems/{system_id}/edit",
        data={
            "csrf_token": token,
            "version": "1",
            "name": "CreditLens",
            "lifecycle_stage": "deployment",
            "in_scope": "false",
        },
    )
    assert out_of_scope.status_code == 422 and 'id="scope_reason-error"' in out_of_scope.text
    listing = client.get("/systems", params={"q": "credit"})
    assert "CreditLens" in listing.text and "not classified" in listing.text
    confirm = client.get(f"/systems/{system_id}/delete")
    deleted = client.post(
        f"/systems/{system_id}/delete",
        data={"csrf_token": csrf_of(confirm.text), "version": "1"},
        follow_redirects=True,
    )
    assert "System deleted" in deleted.text and "Undo" in deleted.text
    restored = client.post(
        f"/systems/{system_id}/restore", data={"csrf_token": token}, follow_redirects=True
    )
    assert "System restored" in restored.text


def test_component_pages(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    token = csrf_of(client.get("/components/new").text)
    created = client.post(
        "/components/new",
        data={
            "csrf_token": token,
            "kind": "dataset",
            "name": "Loan book 2015-2024",
            "supplier_name": "Meridian",
            "personal_data": "true",
            "collection_start": "2015-01-01",
            "collection_end": "2024-12-31",
        },
        follow_redirects=True,
    )
    assert "Component added" in created.text and "Loan book 2015-2024" in created.text
    bad = client.post(
        "/components/new",
        data={
            "csrf_token": token,
            "kind": "dataset",
            "name": "Bad",
            "collection_start": "2024-01-01",
            "collection_end": "2015-01-01",
        },
    )
    assert bad.status_code == 422
    assert "Loan book" in client.get("/components", params={"kind": "dataset"}).text
    parties = client.get("/parties", params={"q": "merid"}).text
    party_id = re.search(r'href="/parties/([0-9a-f-]+)"', parties).group(1)  # type: ignore[union-attr]
    assert "Loan book 2015-2024" in client.get(f"/parties/{party_id}").text
    component_id = re.search(
        r'href="/components/([0-9a-f-]+)"', client.get("/components").text
    ).group(1)  # type: ignore[union-attr]
    confirm = client.get(f"/components/{component_id}/delete")
    gone = client.post(
        f"/components/{component_id}/delete",
        data={"csrf_token": csrf_of(confirm.text), "version": "1"},
        follow_redirects=True,
    )
    assert "Component deleted" in gone.text and "Loan book" not in gone.text
    sign_in(client, org.emails[Role.VIEWER])
    assert client.get("/components/new").status_code == 403
