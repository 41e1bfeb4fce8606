"""Pure rules of the context capability, by table and by property."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aims.context import rules
from aims.context.vocab import VocabularyError, get_vocabulary, load_vocabulary


@pytest.mark.parametrize(
    ("relevant", "reasoning", "state", "problem"),
    [
        (None, "", "undecided", False),
        (True, "", "relevant", True),
        (True, "Training energy", "relevant", False),
        (False, "  ", "not_relevant", True),
        (False, "Small on-premise models only", "not_relevant", False),
    ],
)
def test_climate_determination(
    relevant: bool | None, reasoning: str, state: str, problem: bool
) -> None:
    assert rules.climate_state(relevant) == state
    assert (rules.climate_problem(relevant, reasoning) is not None) is problem


@pytest.mark.parametrize(
    ("kind", "status", "counts"),
    [
        ("legal", "active", True),
        ("regulatory", "active", True),
        ("contractual", "active", True),
        ("voluntary", "active", False),
        ("legal", "identified", False),
        ("legal", "retired", False),
        ("contractual", "not_applicable", False),
    ],
)
def test_which_requirements_call_for_controls(kind: str, status: str, counts: bool) -> None:
    assert rules.calls_for_controls(kind, status) is counts


def test_control_ids_are_normalised_and_unknown_ones_named() -> None:
    assert rules.normalised_controls([" a.6.2.7", "A.6.2.7", "A.8.2", ""]) == ["A.6.2.7", "A.8.2"]
    assert rules.unknown_controls(["A.6.2.7", "A.99", "A.99", "X"], {"A.6.2.7"}) == ["A.99", "X"]


@pytest.mark.parametrize(
    ("kind", "items", "expected"),
    [
        ("exclusion", [{"item": "Mortgages", "reason": "no AI"}], []),
        ("exclusion", [{"item": "Mortgages", "reason": " "}],
         [(0, "reason", "the exclusion 'Mortgages' needs a reason")]),
        ("exclusion", [{"item": "", "reason": "x"}], [(0, "item", "exclusion 1 has no name")]),
        ("inclusion", [{"item": "Credit", "reason": ""}], []),
        ("inclusion", [{"item": "Credit"}, {"item": " "}], [(1, "item", "inclusion 2 has no name")]),
    ],
)  # fmt: skip
def test_scope_items(kind: str, items: list[dict[str, Any]], expected: list[Any]) -> None:
    assert rules.item_problems(kind, items) == expected


def test_in_scope_systems_leave_out_retired_and_out_of_scope_ones() -> None:
    systems = [
        {"id": 2, "name": "TalentSift", "in_scope": True, "lifecycle_stage": "deployment",
         "risk_class": "high_risk"},
        {"id": 1, "name": "creditLens", "in_scope": True, "lifecycle_stage": "operation",
         "risk_class": None},
        {"id": 3, "name": "Collections", "in_scope": True, "lifecycle_stage": "retirement"},
        {"id": 4, "name": "Code helper", "in_scope": False, "lifecycle_stage": "deployment"},
    ]  # fmt: skip
    assert rules.in_scope_systems(systems) == [
        {"id": "1", "name": "creditLens", "risk_class": None},
        {"id": "2", "name": "TalentSift", "risk_class": "high_risk"},
    ]


def test_unaddressed_are_partly_or_not_met() -> None:
    found = rules.unaddressed([{"addressed": "yes"}, {"addressed": "partly"}, {"addressed": "no"}])
    assert [r["addressed"] for r in found] == ["partly", "no"]


def test_list_changes() -> None:
    before = [{"item": "Mortgages", "reason": "no AI"}, {"item": "Leasing", "reason": "sold"}]
    after = [{"item": "Mortgages", "reason": "no AI yet"}, {"item": "Cards", "reason": "x"}]
    changes = rules.list_changes(before, after, key="item", value="reason")
    assert [(c.change, c.name, c.before, c.after) for c in changes] == [
        ("changed", "Mortgages", "no AI", "no AI yet"),
        ("added", "Cards", None, "x"),
        ("removed", "Leasing", "sold", None),
    ]


entries = st.lists(
    st.fixed_dictionaries({"item": st.sampled_from("abcdef"), "reason": st.text(max_size=3)}),
    max_size=6,
)


@given(entries)
def test_a_list_compared_with_itself_has_no_changes(items: list[dict[str, Any]]) -> None:
    assert rules.list_changes(items, items, key="item", value="reason") == []


@given(entries, entries)
def test_every_name_on_either_side_is_accounted_for(
    before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> None:
    changes = rules.list_changes(before, after, key="item", value="reason")
    names = {c.name for c in changes}
    old = {e["item"]: e["reason"] for e in before}
    new = {e["item"]: e["reason"] for e in after}
    differing = {n for n in old.keys() | new.keys() if old.get(n) != new.get(n)
                 or (n in old) != (n in new)}  # fmt: skip
    assert names == differing


@given(
    st.lists(st.fixed_dictionaries({"item": st.text(max_size=4), "reason": st.text(max_size=4)}))
)
def test_every_exclusion_without_a_reason_is_named(items: list[dict[str, str]]) -> None:
    problems = rules.item_problems("exclusion", items)
    assert len(problems) == sum(
        1 for e in items if not e["item"].strip() or not e["reason"].strip()
    )


def test_the_shipped_vocabulary_loads_and_a_broken_one_is_named(tmp_path: Path) -> None:
    v = get_vocabulary()
    assert {"legal", "technological", "environmental"} <= {t.id for t in v.issue_categories}
    assert v.kind_label("regulators") == "Regulators and supervisors"
    broken = tmp_path / "v.yaml"
    broken.write_text("version: x\nissue_categories:\n  - {id: a1, label: Aa}\n  - {id: a1, label: Bb}\n"
                      "party_kinds:\n  - {id: b1, label: Bb}\n")  # fmt: skip
    with pytest.raises(VocabularyError, match="appear twice"):
        load_vocabulary(broken)
