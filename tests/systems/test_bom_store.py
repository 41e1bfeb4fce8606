"""AI bills of materials through the API, the CLI and the web page, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from fastapi.testclient import TestClient

from aims.access.rules import Role
from aims.systems.bom import comparable, comparable_dependencies, parse_bom
from tests.conftest import Org
from tests.web.test_pages import csrf_of, sign_in

EXAMPLES = Path(__file__).parents[1] / "data" / "cyclonedx-mlbom"
VALID = ["model-card-with-dataset.json", "model-foundationmodels.json"]
BROKEN = ["model-opensource.json", "dataset.json"]


def new_system(client: TestClient, org: Org, name: str = "Support triage") -> str:
    return str(
        client.post("/api/v1/systems", json={"name": name}, headers=org.headers()).json()["id"]
    )


def post_bom(client: TestClient, org: Org, system_id: str, name: str) -> object:
    return client.post(
        f"/api/v1/systems/{system_id}/bom", content=(EXAMPLES / name).read_bytes(),
        headers={**org.headers(), "Content-Type": "application/vnd.cyclonedx+json"},
    )  # fmt: skip


@pytest.mark.parametrize("name", VALID)
def test_valid_examples_import_and_round_trip(client: TestClient, org: Org, name: str) -> None:
    system_id = new_system(client, org)
    response = post_bom(client, org, system_id, name)
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    original = parse_bom((EXAMPLES / name).read_text())
    assert sorted(response.json()["created"]) == sorted(c.name for c in original.components)  # type: ignore[attr-defined]
    exported = client.get(f"/api/v1/systems/{system_id}/bom", headers=org.headers(Role.VIEWER))
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/vnd.cyclonedx+json")
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(exported.text) is None
    again = parse_bom(exported.text)
    by_name = {c.name: comparable(c) for c in again.components}
    for component in original.components:
        expected = comparable(component)
        if not component.bom_ref:  # export gives every component a stable bom-ref
            by_name[component.name]["bom_ref"] = ""
        assert by_name[component.name] == expected
    assert comparable_dependencies(again.dependencies) == comparable_dependencies(
        original.dependencies
    )


def test_model_card_fields_are_kept_and_shown(client: TestClient, org: Org) -> None:
    system_id = new_system(client, org)
    post_bom(client, org, system_id, "model-card-with-dataset.json")
    raw = json.loads((EXAMPLES / "model-card-with-dataset.json").read_text())
    raw_model = next(c for c in raw["components"] if c["type"] == "machine-learning-model")
    components = client.get(f"/api/v1/systems/{system_id}/components", headers=org.headers()).json()
    model = next(c for c in components if c["kind"] == "model")
    assert model["bom"]["model_card"] == raw_model["modelCard"]
    considerations = model["bom"]["model_card"]["considerations"]
    assert considerations["fairnessAssessments"] and model["model_type"]
    assert {c["kind"] for c in components} >= {"model", "dataset"}


@pytest.mark.parametrize("name", BROKEN)
def test_broken_examples_are_refused_with_line_and_column(
    client: TestClient, org: Org, name: str
) -> None:
    system_id = new_system(client, org)
    response = post_bom(client, org, system_id, name)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "line 9, column 5" in response.json()["detail"]  # type: ignore[attr-defined]
    assert client.get(f"/api/v1/systems/{system_id}/components", headers=org.headers()).json() == []
    assert client.get("/api/v1/components", headers=org.headers()).json()["total"] == 0


def test_importing_twice_updates_rather_than_duplicates(client: TestClient, org: Org) -> None:
    system_id = new_system(client, org)
    post_bom(client, org, system_id, "model-card-with-dataset.json")
    second = post_bom(client, org, system_id, "model-card-with-dataset.json").json()  # type: ignore[attr-defined]
    assert second["created"] == [] and second["updated"]
    assert client.get("/api/v1/components", headers=org.headers()).json()["total"] == len(
        second["updated"]
    )


def test_a_system_built_by_hand_exports_a_valid_bom(client: TestClient, org: Org) -> None:
    system_id = new_system(client, org, "CreditLens")
    model = client.post(
        "/api/v1/components",
        json={
            "kind": "model",
            "name": "creditlens-gbt",
            "version_label": "4.2",
            "licence": "Proprietary",
            "supplier_name": "Meridian",
        },
        headers=org.headers(),
    ).json()
    client.post(
        f"/api/v1/systems/{system_id}/components",
        json={"component_id": model["id"]},
        headers=org.headers(),
    )
    for spec, version in (("1.5", SchemaVersion.V1_5), ("1.7", SchemaVersion.V1_7)):
        text = client.get(
            f"/api/v1/systems/{system_id}/bom?spec={spec}", headers=org.headers()
        ).text
        assert JsonStrictValidator(version).validate_str(text) is None
        assert [c.name for c in parse_bom(text).components] == ["creditlens-gbt"]
    assert (
        client.get(f"/api/v1/systems/{system_id}/bom?spec=1.2", headers=org.headers()).status_code
        == 422
    )


def test_viewers_cannot_import_and_other_organisations_see_nothing(
    client: TestClient, org: Org, other_org: Org
) -> None:
    system_id = new_system(client, org)
    refused = client.post(
        f"/api/v1/systems/{system_id}/bom",
        content=(EXAMPLES / VALID[0]).read_bytes(),
        headers={**org.headers(Role.VIEWER), "Content-Type": "application/json"},
    )
    assert refused.status_code == 403
    assert (
        client.get(f"/api/v1/systems/{system_id}/bom", headers=other_org.headers()).status_code
        == 404
    )


def test_cli_bom_import_and_export(aims: object, tmp_path: Path) -> None:
    aims("init", "--email", "boss@acme.example")  # type: ignore[operator]
    aims("systems", "add", "Support triage")  # type: ignore[operator]
    done = aims("bom", "import", "Support triage", str(EXAMPLES / VALID[0]))  # type: ignore[operator]
    assert done.code == 0 and "new" in done.out
    refused = aims("bom", "import", "Support triage", str(EXAMPLES / BROKEN[0]))  # type: ignore[operator]
    assert refused.code == 2 and "line 9, column 5" in refused.err
    out_file = tmp_path / "out.cdx.json"
    assert aims("bom", "export", "Support triage", "-o", str(out_file)).code == 0  # type: ignore[operator]
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(out_file.read_text()) is None
    printed = aims("bom", "export", "Support triage", "--spec", "1.7")  # type: ignore[operator]
    assert json.loads(printed.out)["specVersion"] == "1.7"


def test_bom_web_page_imports_and_downloads(client: TestClient, org: Org) -> None:
    system_id = new_system(client, org)
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    page = client.get(f"/systems/{system_id}/bom")
    token = csrf_of(page.text)
    broken = client.post(
        f"/systems/{system_id}/bom",
        data={"csrf_token": token},
        files={
            "file": ("dataset.json", (EXAMPLES / "dataset.json").read_bytes(), "application/json")
        },
    )
    assert broken.status_code == 422 and "line 9, column 5" in broken.text
    ok = client.post(
        f"/systems/{system_id}/bom",
        data={"csrf_token": token},
        files={"file": (VALID[0], (EXAMPLES / VALID[0]).read_bytes(), "application/json")},
    )
    assert ok.status_code == 200 and "support-ticket-classifier" in ok.text
    download = client.get(f"/systems/{system_id}/bom.cdx.json?spec=1.6")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(download.text) is None
