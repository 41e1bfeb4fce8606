"""CycloneDX ML-BOM import and export, on the real example files and on hand-built BOMs."""

from __future__ import annotations

import copy
import dataclasses
import json
import random
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from aims.errors import ValidationFailed
from aims.systems.bom import (
    BomError,
    ComponentData,
    ParsedBom,
    comparable,
    comparable_dependencies,
    export_bom,
    parse_bom,
)
from aims.systems.vocab import ComponentKind

DATA = Path(__file__).parents[1] / "data" / "cyclonedx-mlbom"
VALID = ["model-card-with-dataset.json", "model-foundationmodels.json"]
BROKEN = ["model-opensource.json", "dataset.json"]
VERSIONS = {"1.5": SchemaVersion.V1_5, "1.6": SchemaVersion.V1_6, "1.7": SchemaVersion.V1_7}


def _text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def _raw(name: str) -> dict[str, Any]:
    return json.loads(_text(name))


def _by_name(parsed: ParsedBom) -> dict[str, ComponentData]:
    return {c.name: c for c in parsed.components}


def _schema_errors(text: str, spec: str) -> list[str]:
    errors = JsonStrictValidator(VERSIONS[spec]).validate_str(text, all_errors=True)
    return [str(e) for e in errors or []]


def _problems(doc: Any) -> list[str]:
    with pytest.raises(BomError) as caught:
        parse_bom(json.dumps(doc))
    return caught.value.problems


def _round_trip(parsed: ParsedBom, spec: str) -> ParsedBom:
    text = export_bom(
        subject=parsed.subject,
        components=parsed.components,
        dependencies=parsed.dependencies,
        spec=spec,
        serial_number=parsed.serial_number,
    )
    assert _schema_errors(text, spec) == []
    return parse_bom(text)


def _assert_same(before: ParsedBom, after: ParsedBom) -> None:
    """Equal up to set-like list order and the bom-refs export gives components without one."""

    def norm(c: ComponentData, had_ref: bool) -> dict[str, Any]:
        d = comparable(c)
        return d if had_ref else {**d, "bom_ref": ""}

    assert len(after.components) == len(before.components)
    for name, c in _by_name(before).items():
        assert norm(_by_name(after)[name], bool(c.bom_ref)) == norm(c, bool(c.bom_ref))
    if before.subject is None:
        assert after.subject is None
    else:
        assert after.subject is not None
        assert comparable(after.subject) == comparable(before.subject)
    assert comparable_dependencies(after.dependencies) == comparable_dependencies(
        before.dependencies
    )
    if before.serial_number is not None:  # else the library makes one up
        assert after.serial_number == before.serial_number


# ------------------------------------------------------------------------------- example files


def test_model_card_file_keeps_model_card_datasets_and_dependencies() -> None:
    raw = _raw("model-card-with-dataset.json")
    parsed = parse_bom(_text("model-card-with-dataset.json"))

    assert parsed.spec_version == "1.7"
    assert parsed.serial_number == "urn:uuid:df4f6ec7-6d36-47e6-a15b-640a0af54267"
    assert parsed.not_imported == []
    assert parsed.subject is not None
    assert parsed.subject.name == "support-triage-service"
    assert parsed.subject.kind is ComponentKind.TOOLING
    assert parsed.subject.cdx_type == "application"
    assert parsed.subject.bom_ref == "component-support-triage-service"
    assert parsed.subject.version == "1.0.0"
    assert parsed.subject.description == raw["metadata"]["component"]["description"]

    components = _by_name(parsed)
    model = components["support-ticket-classifier"]
    raw_model = raw["components"][0]
    assert model.kind is ComponentKind.MODEL
    assert model.model_type == "text-classification"
    assert model.publisher == model.supplier_name == "Example ML Team"
    assert model.model_card == raw_model["modelCard"]
    card = model.model_card
    assert card is not None
    raw_card = raw_model["modelCard"]
    assert card["quantitativeAnalysis"]["performanceMetrics"] == [
        {"type": "macro-f1", "value": "0.91", "slice": "held-out-evaluation"}
    ]
    assert card["considerations"] == raw_card["considerations"]
    assert (
        card["considerations"]["fairnessAssessments"]
        == (raw_card["considerations"]["fairnessAssessments"])
    )
    assert card["modelParameters"]["datasets"] == [
        {"ref": "component-support-ticket-training-data"},
        {"ref": "component-support-ticket-evaluation-data"},
    ]
    assert model.general_purpose is None
    assert model.training_compute_flop is None
    assert model.extra == {}

    for index, name in [(1, "support-ticket-training-data"), (2, "support-ticket-evaluation-data")]:
        dataset = components[name]
        assert dataset.kind is ComponentKind.DATASET
        assert dataset.version == "2026.04"
        assert dataset.data == raw["components"][index]["data"]
        assert dataset.data_source == raw["components"][index]["data"][0]["contents"]["url"]
        assert dataset.personal_data is None

    assert parsed.dependencies == {d["ref"]: d.get("dependsOn", []) for d in raw["dependencies"]}


def test_foundation_model_keeps_supplier_manufacturer_and_publisher() -> None:
    parsed = parse_bom(_text("model-foundationmodels.json"))

    assert parsed.spec_version == "1.6"
    assert parsed.subject is None
    assert parsed.not_imported == ["metadata/manufacturer"]  # the BOM tool's vendor, not a part
    [model] = parsed.components
    assert model.name == "gpt-4o"
    assert model.kind is ComponentKind.MODEL
    assert model.supplier == {"name": "OpenAI Inc"}
    assert model.manufacturer == {"name": "OpenAI Inc"}
    assert model.publisher == "OpenAI Inc"
    assert model.supplier_name == "OpenAI Inc"
    assert model.model_type == ""  # the card names an architecture, not a task
    assert model.model_card == _raw("model-foundationmodels.json")["components"][0]["modelCard"]
    assert model.bom_ref == ""


@pytest.mark.parametrize("name", BROKEN)
def test_broken_json_is_refused_with_line_and_column(name: str) -> None:
    text = _text(name)
    with pytest.raises(json.JSONDecodeError) as syntax:
        json.loads(text)
    with pytest.raises(BomError) as caught:
        parse_bom(text)

    [problem] = caught.value.problems
    assert "line" in problem and "column" in problem
    assert problem == f"line {syntax.value.lineno}, column {syntax.value.colno}: {syntax.value.msg}"
    # The trailing comma after metadata.timestamp: the next line is the closing brace.
    assert problem == "line 9, column 5: Expecting property name enclosed in double quotes"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("model-opensource.json", ["components/0/licenses/0/license"]),
        ("dataset.json", ["components/0/licenses/0/license", "components/0/licenses/1/license"]),
    ],
)
def test_broken_files_with_commas_fixed_are_still_refused_for_their_licences(
    name: str, expected: list[str]
) -> None:
    """Each licence gives both an SPDX id and a name, which CycloneDX forbids (oneOf)."""
    text = re.sub(r",(\s*[}\]])", r"\1", _text(name))
    with pytest.raises(BomError) as caught:
        parse_bom(text)
    assert caught.value.problems == [
        f"{path}: has both 'id' and 'name'; give only one" for path in expected
    ]


@pytest.mark.parametrize("name", BROKEN)
def test_repaired_broken_files_round_trip(name: str) -> None:
    """With commas and licence names removed they exercise licences, hashes, links and tags."""
    doc = json.loads(re.sub(r",(\s*[}\]])", r"\1", _text(name)))
    for choice in doc["components"][0]["licenses"]:
        del choice["license"]["name"]
    parsed = parse_bom(json.dumps(doc))
    [component] = parsed.components
    assert component.licences[0]["url"].startswith("https://")
    assert component.hashes[0]["alg"] == "SHA-1"
    assert component.external_references[0]["type"] == "website"
    assert component.supplier_name == doc["components"][0]["supplier"]["name"]
    assert component.properties == doc["components"][0]["properties"]
    assert component.tags == doc["components"][0].get("tags", [])
    _assert_same(parsed, _round_trip(parsed, "1.6"))


# ----------------------------------------------------------------------------- refused BOMs


def _valid_doc() -> dict[str, Any]:
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "metadata": {"component": {"type": "application", "name": "app", "bom-ref": "app"}},
        "components": [
            {"type": "machine-learning-model", "name": "m", "bom-ref": "m"},
            {"type": "data", "name": "d", "bom-ref": "d"},
        ],
        "dependencies": [{"ref": "app", "dependsOn": ["m"]}, {"ref": "m", "dependsOn": ["d"]}],
    }


def _without_name(doc: dict[str, Any]) -> None:
    del doc["components"][1]["name"]


def _several(doc: dict[str, Any]) -> None:
    del doc["components"][0]["name"]
    doc["components"][1]["type"] = "cryptographic-asset"
    doc["dependencies"][1]["dependsOn"] = ["d", "ghost"]


def _duplicate_ref(doc: dict[str, Any]) -> None:
    doc["components"][1]["bom-ref"] = "m"
    doc["dependencies"].pop()


def _bad_hash(doc: dict[str, Any]) -> None:
    doc["components"][0]["hashes"] = [{"alg": "SHA-999", "content": "ab"}]


def _dataset_ref(doc: dict[str, Any]) -> None:
    doc["components"][0]["modelCard"] = {"modelParameters": {"datasets": [{"ref": "nowhere"}]}}


def _aims_property(doc: dict[str, Any]) -> None:
    doc["components"][0]["properties"] = [
        {"name": "aims:general_purpose", "value": "maybe"},
        {"name": "aims:training_compute_flop", "value": "lots"},
    ]


def _services(doc: dict[str, Any]) -> None:
    doc["services"] = [{"name": "api"}]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(_without_name, ["components/1/name: required"], id="missing-name"),
        pytest.param(
            lambda d: d.update(bomFormat="SPDX"),
            ["bomFormat: must be 'CycloneDX', not 'SPDX'"],
            id="bad-bomFormat",
        ),
        pytest.param(
            lambda d: d.update(specVersion="1.2"),
            ["specVersion: CycloneDX 1.2 is not supported; aims reads 1.5, 1.6 and 1.7"],
            id="spec-1.2",
        ),
        pytest.param(
            lambda d: d["dependencies"][0]["dependsOn"].append("ghost"),
            ["dependencies/0/dependsOn/1: 'ghost' does not name a component in this BOM"],
            id="unknown-dependency",
        ),
        pytest.param(
            _duplicate_ref,
            ["components/1/bom-ref: 'm' is already used at components/0/bom-ref"],
            id="duplicate-bom-ref",
        ),
        pytest.param(
            _several,
            [
                "components/0/name: required",
                "components/1/type: unsupported component type 'cryptographic-asset'",
                "dependencies/1/dependsOn/1: 'ghost' does not name a component in this BOM",
            ],
            id="several-at-once",
        ),
        pytest.param(
            _dataset_ref,
            [
                "components/0/modelCard/modelParameters/datasets/0/ref: "
                "'nowhere' does not match any bom-ref in this BOM"
            ],
            id="model-card-dataset-ref",
        ),
        pytest.param(
            _aims_property,
            [
                "components/0/properties/0/value: "
                "aims:general_purpose must be true or false, not 'maybe'",
                "components/0/properties/1/value: aims:training_compute_flop must be a number "
                "of operations such as 1e25, not 'lots'",
            ],
            id="aims-properties",
        ),
        pytest.param(
            _services,
            ["services: aims does not import services; describe them as components instead"],
            id="services",
        ),
        pytest.param(
            lambda d: d.clear(),
            ["bomFormat: required", "specVersion: required"],
            id="empty-object",
        ),
    ],
)
def test_structural_problems_are_all_listed(change: Any, expected: list[str]) -> None:
    doc = _valid_doc()
    change(doc)
    assert _problems(doc) == expected


def test_valid_base_document_parses() -> None:
    parsed = parse_bom(json.dumps(_valid_doc()))
    assert [c.kind for c in parsed.components] == [ComponentKind.MODEL, ComponentKind.DATASET]
    assert parsed.dependencies == {"app": ["m"], "m": ["d"]}


def test_schema_problems_come_after_friendly_ones_with_their_path() -> None:
    doc = _valid_doc()
    _bad_hash(doc)
    del doc["components"][1]["name"]
    problems = _problems(doc)
    assert problems[0] == "components/1/name: required"
    assert problems[1].startswith("components/0/hashes/0/alg: 'SHA-999' is not one of")
    assert problems[1].endswith("(CycloneDX 1.6 schema)")
    assert not any(p.startswith("components/1:") for p in problems)  # no schema echo of name


def test_not_an_object_is_refused() -> None:
    with pytest.raises(BomError) as caught:
        parse_bom("[1, 2]")
    assert caught.value.problems == ["the document must be a JSON object"]


def test_bom_error_is_a_validation_failure_with_field_errors() -> None:
    doc = _valid_doc()
    _several(doc)
    with pytest.raises(BomError) as caught:
        parse_bom(json.dumps(doc))
    error = caught.value
    assert isinstance(error, ValidationFailed)
    assert error.status == 422
    assert error.detail == "The CycloneDX BOM was not imported: 3 problems"
    assert [e.loc for e in error.errors] == [
        ("components", 0, "name"),
        ("components", 1, "type"),
        ("dependencies", 1, "dependsOn", 1),
    ]


# ---------------------------------------------------------------------------------- export


@pytest.mark.parametrize("name", VALID)
def test_example_files_export_valid_and_round_trip(name: str) -> None:
    parsed = parse_bom(_text(name))
    again = _round_trip(parsed, parsed.spec_version)
    _assert_same(parsed, again)
    _assert_same(parsed, _round_trip(again, parsed.spec_version))  # and stable on a second pass


@pytest.mark.parametrize("spec", ["1.5", "1.6"])
def test_model_card_file_exports_to_earlier_versions(spec: str) -> None:
    parsed = parse_bom(_text("model-card-with-dataset.json"))
    _assert_same(parsed, _round_trip(parsed, spec))


def test_export_refuses_what_a_spec_version_cannot_hold() -> None:
    parsed = parse_bom(_text("model-foundationmodels.json"))
    with pytest.raises(BomError) as caught:
        export_bom(subject=None, components=parsed.components, spec="1.5")
    assert caught.value.problems == [
        "components/0/manufacturer: would be lost or changed in CycloneDX 1.5"
    ]


def test_export_injects_model_card_and_data_on_the_right_component() -> None:
    parsed = parse_bom(_text("model-card-with-dataset.json"))
    doc = json.loads(export_bom(subject=parsed.subject, components=parsed.components))
    by_ref = {c["bom-ref"]: c for c in doc["components"]}
    raw = _raw("model-card-with-dataset.json")
    for original in raw["components"]:
        written = by_ref[original["bom-ref"]]
        assert written.get("modelCard") == original.get("modelCard")
        assert written.get("data") == original.get("data")
    assert doc["metadata"]["component"]["bom-ref"] == "component-support-triage-service"
    assert doc["metadata"]["tools"]["components"][0]["name"] == "aims"
    assert list(doc)[:4] == ["$schema", "bomFormat", "specVersion", "serialNumber"]


def _hand_built() -> tuple[ComponentData, ComponentData]:
    subject = ComponentData(kind=ComponentKind.TOOLING, name="claims-assistant", bom_ref="app")
    model = ComponentData(
        kind=ComponentKind.MODEL,
        name="claims-llm",
        version="2.1",
        bom_ref="claims-llm",
        purl="pkg:huggingface/example/claims-llm@2.1",
        licences=[{"id": "Apache-2.0"}],
        hashes=[{"alg": "SHA-256", "content": "ab" * 32}],
        external_references=[{"type": "website", "url": "https://example.com/claims-llm"}],
        properties=[
            {"name": "aims:general_purpose", "value": "true"},
            {"name": "aims:training_compute_flop", "value": "1e25"},
        ],
        tags=["llm", "insurance"],
        model_card={"modelParameters": {"task": "text-generation"}},
    )
    return subject, model


def test_hand_built_model_exports_valid_and_keeps_convenience_fields() -> None:
    subject, model = _hand_built()
    text = export_bom(subject=subject, components=[model], dependencies={"app": ["claims-llm"]})
    assert _schema_errors(text, "1.6") == []

    parsed = parse_bom(text)
    [back] = parsed.components
    assert back.kind is ComponentKind.MODEL
    assert back.cdx_type == "machine-learning-model"
    assert back.general_purpose is True
    assert back.training_compute_flop == 1e25
    assert back.model_type == "text-generation"
    assert back.licences == [{"id": "Apache-2.0"}]
    assert back.hashes == [{"alg": "SHA-256", "content": "ab" * 32}]
    assert back.external_references == model.external_references
    assert back.purl == model.purl
    assert sorted(back.tags) == ["insurance", "llm"]
    assert parsed.dependencies == {"app": ["claims-llm"], "claims-llm": []}
    assert parsed.subject is not None
    assert parsed.subject.cdx_type == "application"  # the default type for tooling


def test_changed_convenience_fields_are_written_back_as_properties() -> None:
    _, model = _hand_built()
    model.properties = []
    model.general_purpose = False
    model.training_compute_flop = 3.5e23
    dataset = ComponentData(
        kind=ComponentKind.DATASET,
        name="claims-2024",
        personal_data=True,
        data_source="https://example.com/claims.parquet",
        supplier_name="Example Insurance",
    )
    parsed = parse_bom(export_bom(subject=None, components=[model, dataset]))
    back = _by_name(parsed)
    assert back["claims-llm"].general_purpose is False
    assert back["claims-llm"].training_compute_flop == 3.5e23
    assert back["claims-2024"].personal_data is True
    assert back["claims-2024"].data_source == "https://example.com/claims.parquet"
    assert back["claims-2024"].supplier == {"name": "Example Insurance"}
    assert back["claims-2024"].bom_ref == "claims-2024"  # given by export, readable
    assert model.properties == []  # the caller's data is not touched


def test_sensitive_data_marks_personal_data() -> None:
    doc = _valid_doc()
    doc["components"][1]["data"] = [
        {"type": "dataset", "name": "d", "sensitiveData": ["names and addresses"]}
    ]
    assert _by_name(parse_bom(json.dumps(doc)))["d"].personal_data is True


def test_nested_components_and_extra_fields_round_trip() -> None:
    doc = _valid_doc()
    doc["metadata"]["component"]["components"] = [
        {"type": "library", "name": "tokenizer", "bom-ref": "tok", "scope": "required"}
    ]
    doc["components"][0].update(
        {
            "copyright": "(c) Example",
            "cpe": "cpe:2.3:a:example:m:1.0:*:*:*:*:*:*:*",
            "mime-type": "application/octet-stream",
            "pedigree": {"notes": "fine-tuned from a base model"},
            "omniborId": ["gitoid:blob:sha1:261eeb9e9f8b2b4b0d119366dda99c6fd7d35c64"],
            "components": [{"type": "file", "name": "weights.safetensors", "bom-ref": "w"}],
        }
    )
    doc["components"][1]["licenses"] = [{"expression": "MIT OR Apache-2.0"}]
    doc["dependencies"].append({"ref": "w", "dependsOn": ["tok"]})
    parsed = parse_bom(json.dumps(doc))
    by_name = _by_name(parsed)

    assert [c.name for c in parsed.components] == ["tokenizer", "m", "weights.safetensors", "d"]
    assert by_name["tokenizer"].parent_ref == "app"
    assert by_name["weights.safetensors"].parent_ref == "m"
    extra_keys = ("copyright", "cpe", "mime-type", "pedigree", "omniborId")
    assert by_name["m"].extra == {k: doc["components"][0][k] for k in extra_keys}
    assert by_name["tokenizer"].extra == {"scope": "required"}
    assert by_name["d"].licences == [{"expression": "MIT OR Apache-2.0"}]

    text = export_bom(
        subject=parsed.subject, components=parsed.components, dependencies=parsed.dependencies
    )
    written = json.loads(text)
    assert written["metadata"]["component"]["components"][0]["name"] == "tokenizer"
    _assert_same(parsed, parse_bom(text))


def test_licences_the_library_cannot_model_are_kept_verbatim() -> None:
    doc = _valid_doc()
    doc["components"][0]["licenses"] = [
        {"license": {"name": "Example Model Licence", "licensing": {"licenseTypes": ["user"]}}}
    ]
    parsed = parse_bom(json.dumps(doc))
    _assert_same(parsed, _round_trip(parsed, "1.6"))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            lambda s, m: {"spec": "1.4"},
            ["spec: CycloneDX 1.4 is not supported; aims writes 1.5, 1.6 and 1.7"],
            id="spec-1.4",
        ),
        pytest.param(
            lambda s, m: {"dependencies": {"claims-llm": ["ghost"]}},
            ["dependencies/claims-llm/0: 'ghost' does not name a component"],
            id="unknown-dependency",
        ),
        pytest.param(
            lambda s, m: setattr(s, "bom_ref", "claims-llm"),
            ["components/0/bom_ref: 'claims-llm' is already used at subject/bom_ref"],
            id="duplicate-bom-ref",
        ),
        pytest.param(
            lambda s, m: m.licences.append({"id": "MIT", "name": "MIT License"}),
            ["components/0/licences/1: needs exactly one of 'id', 'name' or 'expression'"],
            id="licence-id-and-name",
        ),
        pytest.param(
            lambda s, m: m.hashes.append({"alg": "SHA-999", "content": "00"}),
            ["components/0/hashes/1/alg: 'SHA-999' is not a value CycloneDX knows here"],
            id="unknown-hash-algorithm",
        ),
        pytest.param(
            lambda s, m: setattr(m, "parent_ref", "claims-llm"),
            ["components/0/parent_ref: 'claims-llm' does not name another component"],
            id="own-parent",
        ),
        pytest.param(
            lambda s, m: setattr(m, "name", " "),
            ["components/0/name: required"],
            id="blank-name",
        ),
        pytest.param(
            lambda s, m: m.hashes.append({"alg": "MD5"}),
            ["components/0: is not shaped like CycloneDX data (KeyError('content'))"],
            id="hash-without-content",
        ),
        pytest.param(
            lambda s, m: m.model_card.update(created=date(2025, 1, 1)),  # type: ignore[union-attr]
            [
                "components/0: holds something JSON cannot represent "
                "(Object of type date is not JSON serializable)"
            ],
            id="not-json",
        ),
    ],
)
def test_export_problems_are_all_listed(change: Any, expected: list[str]) -> None:
    subject, model = _hand_built()
    options = change(subject, model) or {}
    with pytest.raises(BomError) as caught:
        export_bom(subject=subject, components=[model], **options)
    assert caught.value.problems == expected


def test_comparable_ignores_only_set_like_order() -> None:
    _, model = _hand_built()
    shuffled = copy.deepcopy(model)
    shuffled.properties.reverse()
    shuffled.tags.reverse()
    assert comparable(shuffled) == comparable(model)
    assert comparable(dataclasses.replace(model, name="other")) != comparable(model)


def test_damaged_documents_are_refused_or_exported_never_crash() -> None:
    """Seeded random damage to valid BOMs: parse raises BomError or the result exports."""
    rng = random.Random(42)
    values: list[Any] = [None, 1, 1.5, "x", "", [], {}, [1], {"a": 1}, True, ["ghost"]]
    bases = [_valid_doc(), _raw("model-card-with-dataset.json")]
    outcomes = {"parsed": 0, "refused": 0}
    for _ in range(120):
        doc = copy.deepcopy(rng.choice(bases))
        for _ in range(rng.randint(1, 2)):
            loc = rng.choice(list(_paths(doc)))
            parent = doc
            for key in loc[:-1]:
                parent = parent[key]
            parent[loc[-1]] = copy.deepcopy(rng.choice(values))
        try:
            parsed = parse_bom(json.dumps(doc))
        except BomError as exc:
            assert exc.problems
            outcomes["refused"] += 1
            continue
        outcomes["parsed"] += 1
        export_bom(
            subject=parsed.subject,
            components=parsed.components,
            dependencies=parsed.dependencies,
            spec=parsed.spec_version,
        )
    assert outcomes["parsed"] and outcomes["refused"]


def _paths(node: Any, loc: tuple[Any, ...] = ()) -> Any:
    if loc:
        yield loc
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, value in items:
        yield from _paths(value, (*loc, key))
