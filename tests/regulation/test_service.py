"""Classifying systems through the API, the CLI and the browser forms, on both databases."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from aims.access.rules import Role
from tests.conftest import Org
from tests.web.test_pages import csrf_of, sign_in

CREDITLENS = {
    "operator_role": "provider", "in_eu": True, "annex_iii": ["5b"],
    "profiles_natural_persons": True, "art6_3_conditions": ["d"],
}  # fmt: skip
ASSISTANT = {"operator_role": "provider", "in_eu": True, "transparency": ["interacts_with_people"]}


def new_system(client: TestClient, org: Org, name: str = "CreditLens") -> str:
    response = client.post("/api/v1/systems", json={"name": name}, headers=org.headers())
    assert response.status_code == 201
    return str(response.json()["id"])


def test_classify_without_storing(client: TestClient, org: Org) -> None:
    result = client.post(
        "/api/v1/classify", json=CREDITLENS, headers=org.headers(Role.VIEWER)
    ).json()
    assert result["risk_class"] == "high_risk" and result["high_risk_route"] == "annex_iii"
    assert result["derogation_applied"] is False
    assert any(step["reference"].startswith("Art. 6(3)") for step in result["trace"])
    art9 = next(o for o in result["obligations"] if o["article"].startswith("Art. 9"))
    assert art9["applies_from"] == "2027-12-02"


def test_contradictory_answers_are_422_naming_each_field(client: TestClient, org: Org) -> None:
    body = {"operator_role": "provider", "in_eu": True, "art6_3_conditions": ["a"],
            "gpai_training_flop": 1e24, "annex_iii": ["9z"]}  # fmt: skip
    response = client.post("/api/v1/classify", json=body, headers=org.headers())
    assert response.status_code == 422
    fields = {e["loc"][1] for e in response.json()["errors"] if len(e["loc"]) > 1}
    assert {"annex_iii", "gpai_training_flop"} <= fields


def test_classifications_are_kept_with_history(client: TestClient, org: Org) -> None:
    system_id = new_system(client, org)
    url = f"/api/v1/systems/{system_id}/classifications"
    first = client.post(url, json=ASSISTANT, headers=org.headers(Role.CONTRIBUTOR))
    assert first.status_code == 201 and first.json()["result"]["risk_class"] == "limited_risk"
    second = client.post(url, json=CREDITLENS, headers=org.headers(Role.CONTRIBUTOR)).json()
    assert second["changes"]["result"]["risk_class"] == {
        "before": "limited_risk",
        "after": "high_risk",
    }
    assert second["changes"]["answers"]["annex_iii"] == {"before": [], "after": ["5b"]}
    assert second["changes"]["obligations_added"]
    history = client.get(url, headers=org.headers(Role.VIEWER)).json()
    assert [h["result"]["risk_class"] for h in history] == ["high_risk", "limited_risk"]
    system = client.get(f"/api/v1/systems/{system_id}", headers=org.headers()).json()
    assert system["risk_class"] == "high_risk"
    filtered = client.get("/api/v1/systems?risk_class=high_risk", headers=org.headers()).json()
    assert filtered["total"] == 1


def test_bad_answers_store_nothing_and_roles_are_checked(
    client: TestClient, org: Org, other_org: Org
) -> None:
    system_id = new_system(client, org)
    url = f"/api/v1/systems/{system_id}/classifications"
    assert (
        client.post(
            url,
            json={"operator_role": "provider", "in_eu": True, "art6_3_conditions": ["a"]},
            headers=org.headers(),
        ).status_code
        == 422
    )
    assert client.get(url, headers=org.headers()).json() == []
    assert client.post(url, json=ASSISTANT, headers=org.headers(Role.VIEWER)).status_code == 403
    assert client.post(url, json=ASSISTANT, headers=other_org.headers()).status_code == 404


def test_questionnaire_endpoint_lists_questions_with_references(
    client: TestClient, org: Org
) -> None:
    body = client.get("/api/v1/classify/questionnaire", headers=org.headers()).json()
    fields = [q["field"] for q in body["questions"]]
    assert fields[0] == "operator_role" and "annex_iii" in fields
    annex = next(q for q in body["questions"] if q["field"] == "annex_iii")
    assert any("fraud" in o["label"].lower() for o in annex["options"] if o["value"] == "5b")


def test_cli_answers_file_prints_exactly_the_result_object(tmp_path: Path, aims: object) -> None:
    file = tmp_path / "answers.yaml"
    file.write_text(yaml.safe_dump(CREDITLENS))
    result = aims("classify", "--answers", str(file), "--format", "json")  # type: ignore[operator]
    assert result.code == 0, result.err
    body = json.loads(result.out)
    assert set(body) >= {"risk_class", "high_risk_route", "derogation_applied", "effective_role",
                         "transparency_obligations", "gpai", "fria_required", "obligations", "trace"}  # fmt: skip
    assert body["risk_class"] == "high_risk"
    text = aims("classify", "--answers", str(file))  # type: ignore[operator]
    assert "high risk" in text.out and "Trace:" in text.out
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"operator_role": "provider", "in_eu": True, "art6_3_conditions": ["a"]})
    )
    refused = aims("classify", "--answers", str(bad))  # type: ignore[operator]
    assert refused.code == 2 and "art6_3_conditions" in refused.err


def test_cli_interactive_classification_is_stored(
    aims: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    aims("init", "--email", "boss@acme.example")  # type: ignore[operator]
    aims("systems", "add", "Support chat", "--operator-role", "provider", "--eu")  # type: ignore[operator]
    # role (provider, pre-filled), in EU (yes), exclusion 1 (none), no prohibited practice,
    # not Annex I, no Annex III use, transparency 1 (interacts with people), not a GPAI model.
    answers = "1\ny\n1\n\nn\n\n1\nn\nn\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(answers))
    result = aims("classify", "Support chat")  # type: ignore[operator]
    assert result.code == 0, result.err + result.out
    assert "limited risk" in result.out
    shown = aims("systems", "show", "Support chat")  # type: ignore[operator]
    assert "limited risk" in shown.out and "50(1)" in shown.out


def _post(client: TestClient, url: str, page: str, **fields: object) -> object:
    state = re.search(r'name="state" value="([^"]*)"', page).group(1)  # type: ignore[union-attr]
    step = re.search(r'name="step" value="([^"]*)"', page).group(1)  # type: ignore[union-attr]
    import html

    shown = re.findall(r'name="shown" value="([^"]+)"', page)  # what a browser posts back
    checked: dict[str, object] = {}
    for kind, name, value in re.findall(
        r'<input type="(radio|checkbox)" name="([^"]+)" value="([^"]*)" checked>', page
    ):
        if kind == "radio":
            checked[name] = value
        else:
            checked.setdefault(name, []).append(value)  # type: ignore[union-attr]
    data: dict[str, object] = {
        **checked,
        "csrf_token": csrf_of(page),
        "state": html.unescape(state),
        "step": step,
        "shown": shown,
    }
    data.update(fields)
    return client.post(url, data=data)


def test_browser_questionnaire_with_skip_logic(client: TestClient, org: Org) -> None:
    system_id = new_system(client, org, "Fraud detection")
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    url = f"/systems/{system_id}/classify"
    page = client.get(url).text
    assert "What is your organisation&#39;s role" in page and "Art. 3(3)" in page
    # Not used in the EU: every other step is skipped straight to the review.
    review = _post(client, url, page, operator_role="provider", in_eu="false", action="next")
    assert "Review your answers" in review.text and "Prohibited practices</h2>" not in review.text  # type: ignore[attr-defined]
    back = _post(client, url, review.text, action="back")  # type: ignore[attr-defined]
    step2 = _post(
        client,
        url,
        back.text,
        operator_role="provider",
        in_eu="true",
        scope_exclusion="none",
        action="next",
    )  # type: ignore[attr-defined]
    assert "Prohibited practices" in step2.text  # type: ignore[attr-defined]
    page = step2.text  # type: ignore[attr-defined]
    for _ in range(10):
        if "Review your answers" in page:
            break
        page = _post(client, url, page, action="next").text  # type: ignore[attr-defined]
    saved = _post(client, url, page, action="save")
    assert saved.status_code == 200 and "minimal risk" in saved.text  # type: ignore[attr-defined]
    assert "How this was decided" in saved.text  # type: ignore[attr-defined]


def test_a_yes_that_brings_in_a_question_asks_it_before_moving_on(
    client: TestClient, org: Org
) -> None:
    system_id = new_system(client, org, "Model platform")
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    url = f"/systems/{system_id}/classify"
    page = _post(
        client,
        url,
        client.get(url).text,
        operator_role="provider",
        in_eu="true",
        scope_exclusion="none",
        action="next",
    ).text  # type: ignore[attr-defined]
    while "General-purpose AI models</h2>" not in page:
        page = _post(client, url, page, action="next").text  # type: ignore[attr-defined]
    same_step = _post(client, url, page, gpai_model="true", action="next").text  # type: ignore[attr-defined]
    assert (
        "General-purpose AI models</h2>" in same_step and 'name="gpai_training_flop"' in same_step
    )
    bad = _post(client, url, same_step, gpai_model="true", gpai_training_flop="lots", action="next")
    assert bad.status_code == 422 and "is not a number" in bad.text  # type: ignore[attr-defined]
    page = _post(
        client,
        url,
        same_step,
        gpai_model="true",
        gpai_training_flop="3e25",
        gpai_open_source="false",
        action="next",
    ).text  # type: ignore[attr-defined]
    while "Review your answers" not in page:
        page = _post(client, url, page, action="next").text  # type: ignore[attr-defined]
    saved = _post(client, url, page, action="save")
    assert "systemic risk" in saved.text  # type: ignore[attr-defined]


def test_a_tampered_state_is_ignored_not_a_server_error(client: TestClient, org: Org) -> None:
    system_id = new_system(client, org)
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    page = client.get(f"/systems/{system_id}/classify").text
    response = client.post(
        f"/systems/{system_id}/classify",
        data={
            "csrf_token": csrf_of(page),
            "state": '{"prohibited_practices": 5, "in_eu": "x"}',
            "step": "",
            "action": "next",
        },
    )
    assert response.status_code == 200
