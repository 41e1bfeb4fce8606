"""Defects found in review of the inventory, each pinned by what a user would see."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient

from aims.access.rules import Role
from aims.systems.bom import parse_bom
from aims.systems.spreadsheet import SpreadsheetError, read_table
from tests.conftest import Org
from tests.web.test_pages import csrf_of, sign_in

EXAMPLES = Path(__file__).parents[1] / "data" / "cyclonedx-mlbom"


def new_system(client: TestClient, org: Org, name: str) -> str:
    return str(
        client.post("/api/v1/systems", json={"name": name}, headers=org.headers()).json()["id"]
    )


def test_required_fields_cannot_be_nulled(client: TestClient, org: Org) -> None:
    system_id = new_system(client, org, "S")
    response = client.patch(
        f"/api/v1/systems/{system_id}",
        json={"version": 1, "lifecycle_stage": None},
        headers=org.headers(),
    )
    assert (
        response.status_code == 422 and response.json()["errors"][0]["loc"][-1] == "lifecycle_stage"
    )
    component = client.post(
        "/api/v1/components", json={"kind": "model", "name": "M"}, headers=org.headers()
    ).json()
    for field in ("kind", "name"):
        bad = client.patch(
            f"/api/v1/components/{component['id']}",
            json={"version": 1, field: None},
            headers=org.headers(),
        )
        assert bad.status_code == 422
    assert client.get("/api/v1/components", headers=org.headers()).status_code == 200
    infinite = client.post(
        "/api/v1/components",
        json={"kind": "model", "name": "X", "training_compute_flop": "Infinity"},
        headers=org.headers(),
    )
    assert infinite.status_code == 422


def test_a_changed_supplier_shows_at_once_and_edits_reach_the_export(
    client: TestClient, org: Org
) -> None:
    system_id = new_system(client, org, "Triage")
    client.post(
        f"/api/v1/systems/{system_id}/bom",
        content=(EXAMPLES / "model-card-with-dataset.json").read_bytes(),
        headers={**org.headers(), "Content-Type": "application/json"},
    )
    model = next(
        c
        for c in client.get(f"/api/v1/systems/{system_id}/components", headers=org.headers()).json()
        if c["kind"] == "model"
    )
    patched = client.patch(
        f"/api/v1/components/{model['id']}",
        json={"version": model["version"], "licence": "Apache-2.0", "supplier_name": "Other Corp"},
        headers=org.headers(),
    ).json()
    assert patched["supplier"]["name"] == "Other Corp"
    exported = parse_bom(client.get(f"/api/v1/systems/{system_id}/bom", headers=org.headers()).text)
    out = next(c for c in exported.components if c.name == model["name"])
    assert out.supplier == {"name": "Other Corp"} and {"name": "Apache-2.0"} in out.licences


def test_export_survives_clashing_refs_and_removed_parents(client: TestClient, org: Org) -> None:
    system_id = new_system(client, org, "Two BOMs")
    headers = {**org.headers(), "Content-Type": "application/json"}
    first = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "components": [{"type": "machine-learning-model", "name": "a", "bom-ref": "model"}],
    }
    second = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
              "components": [{"type": "application", "name": "app", "bom-ref": "app",
                              "components": [{"type": "machine-learning-model", "name": "b", "bom-ref": "model"}]}]}  # fmt: skip
    assert (
        client.post(
            f"/api/v1/systems/{system_id}/bom", content=json.dumps(first), headers=headers
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"/api/v1/systems/{system_id}/bom", content=json.dumps(second), headers=headers
        ).status_code
        == 200
    )
    assert client.get(f"/api/v1/systems/{system_id}/bom", headers=org.headers()).status_code == 200
    app = next(
        c
        for c in client.get(f"/api/v1/systems/{system_id}/components", headers=org.headers()).json()
        if c["name"] == "app"
    )
    client.delete(f"/api/v1/systems/{system_id}/components/{app['id']}", headers=org.headers())
    exported = client.get(f"/api/v1/systems/{system_id}/bom", headers=org.headers())
    assert exported.status_code == 200
    assert sorted(c.name for c in parse_bom(exported.text).components) == ["a", "b"]


def test_absurdly_nested_json_is_refused_not_a_crash(client: TestClient, org: Org) -> None:
    system_id = new_system(client, org, "Deep")
    response = client.post(
        f"/api/v1/systems/{system_id}/bom",
        content="[" * 100000 + "]" * 100000,
        headers={**org.headers(), "Content-Type": "application/json"},
    )
    assert response.status_code == 422 and "nested too deeply" in response.json()["detail"]


def test_a_workbook_that_expands_enormously_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/sharedStrings.xml", "A" * (60 * 1024 * 1024))
    try:
        read_table("bomb.xlsx", buffer.getvalue())
    except SpreadsheetError as exc:
        assert "expands to far more" in str(exc.problems[0])
    else:
        raise AssertionError("the zip bomb was read")


def test_odd_versions_on_web_forms_are_a_conflict_not_a_crash(client: TestClient, org: Org) -> None:
    system_id = new_system(client, org, "V")
    sign_in(client, org.emails[Role.OWNER])
    token = csrf_of(client.get("/systems").text)
    response = client.post(
        f"/systems/{system_id}/delete", data={"csrf_token": token, "version": "abc"}
    )
    assert response.status_code == 409


def test_web_import_of_a_large_file_survives_the_preview_round_trip(
    client: TestClient, org: Org
) -> None:
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    token = csrf_of(client.get("/systems/import").text)
    rows = ["System name,Purpose"] + [f"System {i},{'x' * 900}" for i in range(1000)]
    content = "\n".join(rows).encode()
    assert len(content) > 800_000
    preview = client.post(
        "/systems/import",
        data={"csrf_token": token},
        files={"file": ("big.csv", content, "text/csv")},
    )
    assert preview.status_code == 200
    payload = re.search(r'name="payload" value="([^"]+)"', preview.text).group(1)  # type: ignore[union-attr]
    done = client.post(
        "/systems/import",
        data={
            "csrf_token": token,
            "filename": "big.csv",
            "payload": payload,
            "mapped": "1",
            "map:System name": "name",
            "map:Purpose": "purpose",
            "action": "import",
        },
    )
    assert done.status_code == 303 or "Imported 1000" in done.text
    assert client.get("/api/v1/systems?limit=1", headers=org.headers()).json()["total"] == 1000


def test_answers_that_do_not_apply_are_not_stored(client: TestClient, org: Org) -> None:
    system_id = new_system(client, org, "Provider system")
    body = {
        "operator_role": "provider",
        "in_eu": True,
        "rebranded": True,
        "annex_i_third_party_conformity": True,
    }
    stored = client.post(
        f"/api/v1/systems/{system_id}/classifications", json=body, headers=org.headers()
    ).json()
    assert (
        stored["answers"]["rebranded"] is False
        and stored["answers"]["annex_i_third_party_conformity"] is False
    )
