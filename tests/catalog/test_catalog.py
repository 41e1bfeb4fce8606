"""The catalogue file: exactly the right ids, our own content, and clear errors when broken."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from aims.catalog import service
from aims.catalog.loader import DEFAULT_FILE, CatalogError, load_catalog

EXPECTED_CONTROLS = {
    "A.2.2", "A.2.3", "A.2.4", "A.3.2", "A.3.3",
    "A.4.2", "A.4.3", "A.4.4", "A.4.5", "A.4.6",
    "A.5.2", "A.5.3", "A.5.4", "A.5.5",
    "A.6.1.2", "A.6.1.3",
    "A.6.2.2", "A.6.2.3", "A.6.2.4", "A.6.2.5", "A.6.2.6", "A.6.2.7", "A.6.2.8",
    "A.7.2", "A.7.3", "A.7.4", "A.7.5", "A.7.6",
    "A.8.2", "A.8.3", "A.8.4", "A.8.5",
    "A.9.2", "A.9.3", "A.9.4",
    "A.10.2", "A.10.3", "A.10.4",
}  # fmt: skip

EXPECTED_CLAUSES = {
    "4", "4.1", "4.2", "4.3", "4.4", "5", "5.1", "5.2", "5.3",
    "6", "6.1", "6.1.1", "6.1.2", "6.1.3", "6.1.4", "6.2", "6.3",
    "7", "7.1", "7.2", "7.3", "7.4", "7.5", "7.5.1", "7.5.2", "7.5.3",
    "8", "8.1", "8.2", "8.3", "8.4",
    "9", "9.1", "9.2", "9.2.1", "9.2.2", "9.3", "9.3.1", "9.3.2", "9.3.3",
    "10", "10.1", "10.2",
}  # fmt: skip


def test_exactly_the_38_annex_a_controls() -> None:
    catalog = load_catalog()
    assert set(catalog.controls) == EXPECTED_CONTROLS
    assert len(catalog.controls) == 38
    for wrong in ("A.5.1.1", "A.10.5", "A.2.1", "A.6.1", "A.6.2"):
        assert catalog.get(wrong) is None


def test_clauses_4_to_10_with_their_sub_clauses() -> None:
    assert set(load_catalog().clauses) == EXPECTED_CLAUSES


def test_controls_are_grouped_by_objective_in_annex_order() -> None:
    catalog = load_catalog()
    groups = [g.id for g in catalog.data.control_groups]
    assert groups == [
        "A.2",
        "A.3",
        "A.4",
        "A.5",
        "A.6",
        "A.6.1",
        "A.6.2",
        "A.7",
        "A.8",
        "A.9",
        "A.10",
    ]
    assert catalog.group_of["A.6.2.8"] == "A.6.2"
    assert catalog.group_of["A.10.3"] == "A.10"


def test_every_control_has_our_guidance_evidence_and_annex_c_links() -> None:
    catalog = load_catalog()
    objective_ids = {o.id for o in catalog.objectives}
    assert len(objective_ids) == 11 and len(catalog.risk_sources) == 7
    for control in catalog.controls.values():
        assert len(control.summary) > 80, control.id
        assert len(control.guidance) > 80, control.id
        assert control.evidence and control.related, control.id
        assert set(control.objectives) <= objective_ids


def test_titles_follow_the_standard() -> None:
    catalog = load_catalog()
    assert catalog.controls["A.5.4"].title == (
        "Assessing AI system impact on individuals or groups of individuals"
    )
    assert catalog.clauses["6.1.3"].title == "AI risk treatment"
    assert catalog.clauses["9.3.2"].title == "Management review inputs"


def test_search_finds_by_words_and_kind() -> None:
    found = service.search("supplier", kind="control")
    assert "A.10.3" in {e.id for e in found}
    assert all(e.kind == "control" for e in found)
    assert service.search("zzzz-nothing") == []
    assert service.get_entry("a.10.3").id == "A.10.3"


def _broken(tmp_path: Path, mutate: object) -> Path:
    data = yaml.safe_load(DEFAULT_FILE.read_text())
    assert callable(mutate)
    mutate(data)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _control(data: dict, control_id: str) -> dict:  # type: ignore[type-arg]
    for group in data["control_groups"]:
        for control in group["controls"]:
            if control["id"] == control_id:
                return control  # type: ignore[no-any-return]
    raise KeyError(control_id)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: _control(d, "A.5.4").pop("summary"), "entry 'A.5.4'"),
        (lambda d: _control(d, "A.7.4").update(guidance=""), "entry 'A.7.4'"),
        (lambda d: _control(d, "A.8.2").update(colour="blue"), "entry 'A.8.2'"),
        (
            lambda d: _control(d, "A.9.4").update(related=["A.99.1"]),
            "entry 'A.9.4': related id 'A.99.1'",
        ),
        (
            lambda d: _control(d, "A.2.2").update(objectives=["speed"]),
            "entry 'A.2.2': unknown Annex C objective",
        ),
        (lambda d: _control(d, "A.3.3").update(id="A.3.2"), "entry 'A.3.2': duplicate control id"),
        (lambda d: d["clauses"][3].update(parent="99"), "unknown parent '99'"),
    ],
)
def test_a_broken_file_names_the_entry(tmp_path: Path, mutate: object, message: str) -> None:
    with pytest.raises(CatalogError) as info:
        load_catalog(_broken(tmp_path, mutate))
    assert message in str(info.value)


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("framework:\n  id: [unclosed\n")
    with pytest.raises(CatalogError, match="line"):
        load_catalog(path)
