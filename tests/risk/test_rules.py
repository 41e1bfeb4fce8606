"""Risk criteria, scoring and the derived Statement of Applicability (pure rules, 6.1.2, 6.1.3)."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from aims.access.rules import Role
from aims.errors import ValidationFailed
from aims.risk import rules as rules_module
from aims.risk.rules import (
    Criteria,
    Decision,
    ImplementationStatus,
    Need,
    Rescore,
    RiskLevel,
    ScaleLevel,
    acceptance_refusal,
    default_criteria,
    exclusion_refusal,
    level_for,
    needs_acceptance,
    rescoring,
    soa_row,
)

DEFAULT = default_criteria()

# --- building criteria ----------------------------------------------------------------------------


def scale(values: list[int], word: str = "Step") -> list[dict[str, Any]]:
    return [{"value": v, "label": f"{word} {v}"} for v in values]


def run(n: int) -> list[int]:
    return list(range(1, n + 1))


def three_levels() -> list[dict[str, Any]]:
    return [
        {"id": "low", "label": "Low", "acceptable": True, "accept_roles": ["owner", "manager"]},
        {"id": "medium", "label": "Medium", "acceptable": True, "accept_roles": ["owner"]},
        {"id": "high", "label": "High"},
    ]


def base_data() -> dict[str, Any]:
    """A valid 3 x 3 criteria as plain data, for cases to spoil one part of."""
    return {
        "likelihood": scale(run(3), "Likelihood"),
        "consequence": scale(run(3), "Consequence"),
        "levels": three_levels(),
        "matrix": [
            ["low", "low", "medium"],
            ["low", "medium", "high"],
            ["medium", "high", "high"],
        ],
    }


def monotone_matrix(n_l: int, n_c: int, ids: list[str]) -> list[list[str]]:
    """A matrix rising with likelihood and consequence from ids[0] to ids[-1]."""
    top = len(ids) - 1
    span = n_l + n_c - 2
    return [[ids[(li + ci) * top // span] for ci in range(n_c)] for li in range(n_l)]


def test_base_data_is_valid() -> None:
    """The cases below spoil one part of this; it must be valid to start with."""
    criteria = Criteria.model_validate(base_data())
    assert level_for(criteria, 3, 3) == "high"


# --- Criteria validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param(
            {"likelihood": scale(run(2))},
            "likelihood: a scale has 3 to 6 levels, not 2",
            id="likelihood-2-levels",
        ),
        pytest.param(
            {"consequence": scale(run(2))},
            "consequence: a scale has 3 to 6 levels, not 2",
            id="consequence-2-levels",
        ),
        pytest.param(
            {"likelihood": scale(run(7))},
            r"likelihood\.6\.value",
            id="likelihood-7-levels-value-7",
        ),
        pytest.param(
            {"consequence": scale([1, 2, 3, 4, 5, 6, 6])},
            "consequence: a scale has 3 to 6 levels, not 7",
            id="consequence-7-levels",
        ),
        pytest.param(
            {"likelihood": scale([1, 2, 4])},
            r"likelihood: values must run 1, 2, \.\.\. 3 in order",
            id="likelihood-gap",
        ),
        pytest.param(
            {"consequence": scale([2, 3, 4])},
            r"consequence: values must run 1, 2, \.\.\. 3 in order",
            id="consequence-starts-at-2",
        ),
        pytest.param(
            {"likelihood": scale([1, 3, 2])},
            r"likelihood: values must run 1, 2, \.\.\. 3 in order",
            id="likelihood-out-of-order",
        ),
        pytest.param(
            {"consequence": scale([1, 1, 2])},
            r"consequence: values must run 1, 2, \.\.\. 3 in order",
            id="consequence-repeated-value",
        ),
        pytest.param(
            {"likelihood": scale([0, 1, 2])},
            r"likelihood\.0\.value",
            id="likelihood-value-0",
        ),
        pytest.param(
            {"likelihood": scale(run(2)), "consequence": scale([1, 2, 4])},
            r"likelihood: a scale has 3 to 6 levels, not 2; consequence: values must run",
            id="both-scales-wrong-reported-together",
        ),
        pytest.param(
            {"levels": [*three_levels()[:2], {"id": "low", "label": "Low again"}]},
            "levels: each level id once",
            id="duplicate-level-id",
        ),
        pytest.param(
            {"levels": three_levels()[:1], "matrix": [["low"] * 3] * 3},
            "levels",
            id="one-level",
        ),
        pytest.param(
            {"levels": [{"id": f"l{i}", "label": f"L{i}"} for i in range(7)]},
            "levels",
            id="seven-levels",
        ),
        pytest.param(
            {"levels": [{"id": "Low", "label": "Low"}, *three_levels()[1:]]},
            r"levels\.0\.id",
            id="level-id-not-lowercase",
        ),
        pytest.param(
            {"likelihood": [{"value": 1, "label": "   "}, *scale([2, 3])]},
            r"likelihood\.0\.label",
            id="blank-label",
        ),
        pytest.param(
            {"colour": "red"},
            "colour",
            id="unknown-field",
        ),
        pytest.param(
            {"matrix": [["low", "low", "medium"], ["low", "medium", "high"]]},
            r"matrix: 3 rows \(likelihood\) of 3 cells \(consequence\) each",
            id="matrix-too-few-rows",
        ),
        pytest.param(
            {"matrix": [*base_data()["matrix"], ["high", "high", "high"]]},
            r"matrix: 3 rows \(likelihood\) of 3 cells \(consequence\) each",
            id="matrix-too-many-rows",
        ),
        pytest.param(
            {"matrix": [["low", "low"], ["low", "medium", "high"], ["medium", "high", "high"]]},
            r"matrix: 3 rows \(likelihood\) of 3 cells \(consequence\) each",
            id="matrix-short-row",
        ),
        pytest.param(
            {
                "consequence": scale(run(4)),
                "matrix": [["low", "low", "medium"], ["low", "medium", "high"], ["medium"] * 3],
            },
            r"matrix: 3 rows \(likelihood\) of 4 cells \(consequence\) each",
            id="matrix-rows-too-short-for-consequence-scale",
        ),
        pytest.param(
            {"matrix": [["low", "low", "medium"], ["low", "medium", "extreme"], ["high"] * 3]},
            "matrix: cell 2x3 names unknown level 'extreme'",
            id="unknown-level-in-cell",
        ),
        pytest.param(
            {"matrix": [["medium", "medium", "high"], ["low", "medium", "high"], ["high"] * 3]},
            r"matrix: cell 2x1 is lower than cell 1x1 \(a likelier risk cannot be a lower level\)",
            id="non-monotonic-likelihood-first-column",
        ),
        pytest.param(
            {
                "matrix": [
                    ["low", "low", "medium"],
                    ["low", "medium", "high"],
                    ["high", "high", "medium"],
                ]
            },
            r"matrix: cell 3x3 is lower than cell 2x3 \(a likelier risk",
            id="non-monotonic-likelihood-corner",
        ),
        pytest.param(
            {"matrix": [["low", "medium", "low"], ["medium", "high", "high"], ["high"] * 3]},
            r"matrix: cell 1x3 is lower than cell 1x2 \(a worse consequence cannot be a lower",
            id="non-monotonic-consequence-first-row",
        ),
        pytest.param(
            {"matrix": [["low", "low", "low"], ["medium", "low", "high"], ["high"] * 3]},
            r"matrix: cell 2x2 is lower than cell 2x1 \(a worse consequence",
            id="non-monotonic-consequence-inner",
        ),
        pytest.param(
            {
                "levels": [
                    three_levels()[0],
                    {"id": "medium", "label": "Medium", "acceptable": True},
                    three_levels()[2],
                ]
            },
            "levels: say who may accept a risk at 'medium'",
            id="acceptable-without-roles",
        ),
    ],
)
def test_criteria_refused(changes: dict[str, Any], message: str) -> None:
    data = base_data() | changes
    with pytest.raises(ValidationError, match=message):
        Criteria.model_validate(data)


@pytest.mark.parametrize("n_l", [3, 4, 5, 6])
@pytest.mark.parametrize("n_c", [3, 4, 5, 6])
def test_criteria_accepts_scales_of_3_to_6(n_l: int, n_c: int) -> None:
    ids = ["low", "medium", "high"]
    criteria = Criteria.model_validate(
        {
            "likelihood": scale(run(n_l)),
            "consequence": scale(run(n_c)),
            "levels": three_levels(),
            "matrix": monotone_matrix(n_l, n_c, ids),
        }
    )
    assert len(criteria.likelihood) == n_l
    assert len(criteria.consequence) == n_c
    assert level_for(criteria, 1, 1) == "low"
    assert level_for(criteria, n_l, n_c) == "high"
    with pytest.raises(ValidationFailed):
        level_for(criteria, n_l + 1, n_c)


def test_unacceptable_level_may_name_no_roles_and_labels_are_stripped() -> None:
    data = base_data()
    data["likelihood"][0]["label"] = "  Rare  "
    criteria = Criteria.model_validate(data)
    assert criteria.level("high").acceptable is False
    assert criteria.level("high").accept_roles == []
    assert criteria.likelihood[0].label == "Rare"


def test_criteria_lookups() -> None:
    assert DEFAULT.level("high").label == "High"
    assert [DEFAULT.rank(i) for i in ("low", "medium", "high", "critical")] == [0, 1, 2, 3]
    with pytest.raises(KeyError):
        DEFAULT.level("extreme")


# --- the default criteria -------------------------------------------------------------------------


def test_default_criteria_is_a_valid_5x5_with_four_levels() -> None:
    assert [s.value for s in DEFAULT.likelihood] == [1, 2, 3, 4, 5]
    assert [s.value for s in DEFAULT.consequence] == [1, 2, 3, 4, 5]
    assert all(s.label and s.description for s in [*DEFAULT.likelihood, *DEFAULT.consequence])
    assert [lv.id for lv in DEFAULT.levels] == ["low", "medium", "high", "critical"]
    assert len(DEFAULT.matrix) == 5
    assert all(len(row) == 5 for row in DEFAULT.matrix)
    # Every level is used, and only the top one may never be accepted.
    assert {cell for row in DEFAULT.matrix for cell in row} == {"low", "medium", "high", "critical"}
    assert [lv.acceptable for lv in DEFAULT.levels] == [True, True, True, False]
    # It passes its own validation when stored and read back.
    assert Criteria.model_validate(DEFAULT.model_dump(mode="json")) == DEFAULT


@pytest.mark.parametrize(
    ("likelihood", "consequence", "level"),
    [
        (1, 1, "low"),
        (1, 5, "medium"),
        (5, 1, "medium"),
        (5, 5, "critical"),
        (3, 3, "medium"),
        (4, 5, "critical"),
        (2, 5, "high"),
    ],
)
def test_level_for_default_matrix(likelihood: int, consequence: int, level: str) -> None:
    assert level_for(DEFAULT, likelihood, consequence) == level


@pytest.mark.parametrize(
    ("likelihood", "consequence", "prefix", "fields"),
    [
        (0, 3, "", ["likelihood"]),
        (6, 3, "", ["likelihood"]),
        (3, 0, "", ["consequence"]),
        (3, 6, "", ["consequence"]),
        (-1, 9, "", ["likelihood", "consequence"]),
        (6, 3, "residual_", ["residual_likelihood"]),
        (3, 0, "residual_", ["residual_consequence"]),
        (0, 0, "inherent_", ["inherent_likelihood", "inherent_consequence"]),
    ],
)
def test_level_for_off_the_scale_names_the_field(
    likelihood: int, consequence: int, prefix: str, fields: list[str]
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        level_for(DEFAULT, likelihood, consequence, prefix=prefix)
    err = caught.value
    assert err.status == 422
    assert [e.loc for e in err.errors] == [("body", f) for f in fields]
    assert all(e.msg == "must be 1 to 5 on this organisation's scale" for e in err.errors)
    for f in fields:
        assert f"{f}: must be 1 to 5" in err.detail


# --- a 4 x 4 matrix of the organisation's own (the Done-when case) --------------------------------


def four_by_four() -> Criteria:
    return Criteria(
        likelihood=[
            ScaleLevel(value=1, label="Unheard of"),
            ScaleLevel(value=2, label="Seldom"),
            ScaleLevel(value=3, label="Often"),
            ScaleLevel(value=4, label="Constantly"),
        ],
        consequence=[
            ScaleLevel(value=1, label="Trivial"),
            ScaleLevel(value=2, label="Noticeable"),
            ScaleLevel(value=3, label="Harmful"),
            ScaleLevel(value=4, label="Disastrous"),
        ],
        levels=[
            RiskLevel(id="green", label="Green", acceptable=True, accept_roles=[Role.MANAGER]),
            RiskLevel(id="amber", label="Amber", acceptable=True, accept_roles=[Role.OWNER]),
            RiskLevel(id="red", label="Red"),
        ],
        matrix=[
            ["green", "green", "amber", "amber"],
            ["green", "green", "amber", "red"],
            ["green", "amber", "red", "red"],
            ["amber", "amber", "red", "red"],
        ],
    )


def test_four_by_four_matrix_built_from_scratch_and_scored() -> None:
    criteria = four_by_four()
    assert level_for(criteria, 1, 1) == "green"
    assert level_for(criteria, 2, 3) == "amber"
    assert level_for(criteria, 4, 4) == "red"
    # Not symmetric: consequence weighs more than likelihood here, and scoring keeps them apart.
    assert (level_for(criteria, 2, 4), level_for(criteria, 4, 2)) == ("red", "amber")
    assert (level_for(criteria, 1, 3), level_for(criteria, 3, 1)) == ("amber", "green")
    # A 5 is on the default scale but not on this one.
    with pytest.raises(ValidationFailed) as caught:
        level_for(criteria, 5, 4)
    assert [(e.loc, e.msg) for e in caught.value.errors] == [
        (("body", "likelihood"), "must be 1 to 4 on this organisation's scale")
    ]
    # Acceptance follows this organisation's levels, not the default ones.
    assert acceptance_refusal(criteria, "green", Role.MANAGER) is None
    assert acceptance_refusal(criteria, "amber", Role.MANAGER) == (
        "at level Amber only these roles may accept a risk: owner"
    )
    assert acceptance_refusal(criteria, "red", Role.OWNER) == (
        "a residual risk at level Red may not be accepted; treat it further"
    )
    assert not needs_acceptance(criteria, "green")
    assert needs_acceptance(criteria, "amber")


# --- rescoring ------------------------------------------------------------------------------------


def stored(
    risk_id: str, inherent: tuple[int, int] | None, residual: tuple[int, int] | None
) -> dict[str, object]:
    """A stored risk scored with the default criteria."""
    risk: dict[str, object] = {"id": risk_id}
    for which, score in (("inherent", inherent), ("residual", residual)):
        if score is None:
            risk |= {f"{which}_likelihood": None, f"{which}_consequence": None}
            risk[f"{which}_level"] = None
        else:
            lk, cq = score
            risk |= {f"{which}_likelihood": lk, f"{which}_consequence": cq}
            risk[f"{which}_level"] = level_for(DEFAULT, lk, cq)
    return risk


def test_rescoring_onto_a_smaller_scale() -> None:
    risks = [
        stored("r1", (2, 2), (1, 1)),  # low -> green (new ids), both
        stored("r2", (5, 5), (4, 4)),  # 5x5 is off a 4x4 scale; 4x4 high -> red
        stored("r3", (3, 2), None),  # no residual score yet: nothing to say about it
    ]
    changes = rescoring(four_by_four(), risks)
    assert changes == [
        Rescore("r1", "inherent", "low", "green", "2x2 is now green"),
        Rescore("r1", "residual", "low", "green", "1x1 is now green"),
        Rescore("r2", "inherent", "critical", None, "5x5 is off the new scales; score it again"),
        Rescore("r2", "residual", "high", "red", "4x4 is now red"),
        Rescore("r3", "inherent", "medium", "amber", "3x2 is now amber"),
    ]


def test_rescoring_reports_only_the_changed_levels() -> None:
    data = DEFAULT.model_dump()
    data["matrix"][2][2] = "high"  # 3x3 medium -> high (still monotone)
    new = Criteria.model_validate(data)
    risks = [
        stored("a", (3, 3), (1, 1)),
        stored("b", (1, 1), (3, 3)),
        stored("c", (5, 5), (2, 2)),
    ]
    assert rescoring(new, risks) == [
        Rescore("a", "inherent", "medium", "high", "3x3 is now high"),
        Rescore("b", "residual", "medium", "high", "3x3 is now high"),
    ]


def test_rescoring_skips_risks_without_a_score() -> None:
    risks: list[dict[str, object]] = [
        {"id": "blank"},
        {"id": "half", "inherent_likelihood": 3, "inherent_level": "medium"},
        {"id": "no-level", "inherent_likelihood": 5, "inherent_consequence": 5},
    ]
    assert rescoring(four_by_four(), risks) == []


# --- acceptance -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "role", "refusal"),
    [
        (
            "critical",
            Role.OWNER,
            "a residual risk at level Critical may not be accepted; treat it further",
        ),
        ("critical", Role.VIEWER, "a residual risk at level Critical may not be accepted"),
        ("high", Role.MANAGER, "at level High only these roles may accept a risk: owner"),
        (
            "medium",
            Role.CONTRIBUTOR,
            "at level Medium only these roles may accept a risk: owner, manager",
        ),
        (
            "low",
            Role.AUDITOR,
            "at level Low only these roles may accept a risk: owner, manager, contributor",
        ),
        ("low", Role.CONTRIBUTOR, None),
        ("medium", Role.MANAGER, None),
        ("high", Role.OWNER, None),
    ],
)
def test_acceptance_refusal(level: str, role: Role, refusal: str | None) -> None:
    result = acceptance_refusal(DEFAULT, level, role)
    if refusal is None:
        assert result is None
    else:
        assert result is not None
        assert result.startswith(refusal)


@pytest.mark.parametrize(
    ("level", "needed"),
    [("low", False), ("medium", True), ("high", True), ("critical", True)],
)
def test_needs_acceptance_above_the_lowest_level(level: str, needed: bool) -> None:
    assert needs_acceptance(DEFAULT, level) is needed


# --- Statement of Applicability -------------------------------------------------------------------

BIAS = Need("risk", "R-1", "Bias in screening")
DRIFT = Need("risk", "R-2", "Data drift")
APPLICANTS = Need("impact", "IA-1", "Impact on applicants")
ACT = Need("requirement", "REQ-1", "EU AI Act Art. 10")
ALL_NEEDS = [BIAS, APPLICANTS, ACT, DRIFT]


def test_soa_needed_and_undecided_is_applicable_with_grouped_justification() -> None:
    row = soa_row(
        "A.7.4",
        "Quality of data",
        ALL_NEEDS,
        Decision(inclusion_note="  Also our own policy.  ", owner="dana"),
    )
    assert row.applicable is True
    assert row.inclusion_justification == (
        "Treats: Bias in screening; Data drift. "
        "Addresses: Impact on applicants. "
        "Required by: EU AI Act Art. 10. "
        "Also our own policy."
    )
    assert row.exclusion_justification == ""
    assert row.needs == ALL_NEEDS
    assert row.problems == []
    assert (row.control_id, row.title, row.own, row.owner) == (
        "A.7.4",
        "Quality of data",
        False,
        "dana",
    )


@pytest.mark.parametrize(
    ("needs", "justification"),
    [
        ([BIAS], "Treats: Bias in screening."),
        ([APPLICANTS], "Addresses: Impact on applicants."),
        ([ACT, BIAS], "Treats: Bias in screening. Required by: EU AI Act Art. 10."),
    ],
)
def test_soa_inclusion_justification_lists_only_the_kinds_present(
    needs: list[Need], justification: str
) -> None:
    row = soa_row("A.6.2.4", "Verification", needs, Decision(owner="dana"))
    assert row.inclusion_justification == justification


def test_soa_not_needed_and_undecided_is_open() -> None:
    row = soa_row("A.10.3", "Suppliers", [], None)
    assert row.applicable is None
    assert row.problems == ["not yet decided: include it or exclude it with a reason"]
    assert row.inclusion_justification == ""
    assert row.exclusion_justification == ""
    assert row.status is ImplementationStatus.NOT_STARTED


@pytest.mark.parametrize(
    ("needs", "decision", "problems"),
    [
        pytest.param(
            [],
            Decision(applicable=False, exclusion_reason="  We buy no AI components.  "),
            [],
            id="excluded-with-reason-no-needs",
        ),
        pytest.param(
            [BIAS, APPLICANTS],
            Decision(applicable=False, exclusion_reason="Covered elsewhere"),
            ["excluded, but needed by: Bias in screening; Impact on applicants"],
            id="excluded-while-needed-no-override",
        ),
        pytest.param(
            [BIAS],
            Decision(applicable=False, exclusion_reason="Covered elsewhere", override_reason="   "),
            ["excluded, but needed by: Bias in screening"],
            id="excluded-while-needed-blank-override",
        ),
        pytest.param(
            [BIAS, APPLICANTS],
            Decision(
                applicable=False,
                exclusion_reason="Covered elsewhere",
                override_reason="The group control A.7.4 covers it",
            ),
            [],
            id="excluded-while-needed-with-override",
        ),
        pytest.param(
            [],
            Decision(applicable=False),
            ["excluded without a justification"],
            id="excluded-without-reason",
        ),
        pytest.param(
            [],
            Decision(applicable=False, exclusion_reason="   "),
            ["excluded without a justification"],
            id="excluded-blank-reason",
        ),
        pytest.param(
            [ACT],
            Decision(applicable=False),
            ["excluded, but needed by: EU AI Act Art. 10", "excluded without a justification"],
            id="excluded-needed-no-reason-two-problems",
        ),
        pytest.param(
            [],
            Decision(applicable=True, inclusion_note="Group policy requires it"),
            ["applicable, with no owner"],
            id="included-without-owner",
        ),
        pytest.param(
            [],
            Decision(applicable=True, owner="  "),
            ["applicable, with no owner", "included without a justification: say why it applies"],
            id="included-by-hand-with-a-blank-owner-and-no-reason",
        ),
        pytest.param(
            [BIAS],
            None,
            ["applicable, with no owner"],
            id="needed-undecided-without-owner",
        ),
        pytest.param(
            [],
            Decision(applicable=True, owner="dana", inclusion_note="Good practice"),
            [],
            id="included-by-choice-with-owner",
        ),
    ],
)
def test_soa_row_problems(
    needs: list[Need], decision: Decision | None, problems: list[str]
) -> None:
    assert soa_row("A.4.2", "Resources", needs, decision).problems == problems


def test_soa_excluded_row_carries_the_stripped_reason_and_no_inclusion() -> None:
    row = soa_row(
        "A.10.3",
        "Suppliers",
        [BIAS],
        Decision(
            applicable=False,
            inclusion_note="ignored while excluded",
            exclusion_reason="  No suppliers.  ",
            override_reason="Board decision 2024-07",
            status=ImplementationStatus.PLANNED,
        ),
        own=True,
    )
    assert row.applicable is False
    assert row.exclusion_justification == "No suppliers."
    assert row.inclusion_justification == ""
    assert row.status is ImplementationStatus.PLANNED
    assert row.own is True
    assert row.problems == []


def test_soa_decision_overrides_the_needs_either_way() -> None:
    included = soa_row("X.1", "Own control", [],
                       Decision(applicable=True, owner="dana", inclusion_note="Sector rules"))  # fmt: skip
    assert included.applicable is True
    assert included.problems == []
    assert included.inclusion_justification == "Sector rules"
    excluded = soa_row("X.2", "Own control", [BIAS], Decision(applicable=False))
    assert excluded.applicable is False


@pytest.mark.parametrize(
    ("needs", "reason", "override", "refusal"),
    [
        ([], "", "", "give the reason for excluding it"),
        ([], "   ", "", "give the reason for excluding it"),
        ([BIAS], "", "Board decision", "give the reason for excluding it"),
        (
            [BIAS, ACT],
            "Covered elsewhere",
            "",
            "it is needed by: Bias in screening; EU AI Act Art. 10; "
            "record an override reason to exclude it anyway",
        ),
        (
            [BIAS],
            "Covered elsewhere",
            "  ",
            "it is needed by: Bias in screening; record an override reason to exclude it anyway",
        ),
        ([BIAS], "Covered elsewhere", "Board decision", None),
        ([], "Not relevant to us", "", None),
    ],
)
def test_exclusion_refusal(
    needs: list[Need], reason: str, override: str, refusal: str | None
) -> None:
    assert exclusion_refusal(needs, reason=reason, override_reason=override) == refusal


# --- properties -----------------------------------------------------------------------------------


@st.composite
def criteria_strategy(draw: st.DrawFn) -> Criteria:
    """Any valid criteria: a monotone matrix is built cell by cell, each cell at least as high as
    the cells above and to the left of it, by a random step."""
    n_l = draw(st.integers(3, 6))
    n_c = draw(st.integers(3, 6))
    n_levels = draw(st.integers(2, 6))
    top = n_levels - 1
    ranks: list[list[int]] = []
    for li in range(n_l):
        row: list[int] = []
        for ci in range(n_c):
            floor = max(ranks[li - 1][ci] if li else 0, row[ci - 1] if ci else 0)
            row.append(min(top, floor + draw(st.integers(0, top))))
        ranks.append(row)
    levels = []
    # The acceptable levels are the lowest ones: a higher level is never easier to accept.
    accept_up_to = draw(st.integers(0, n_levels))
    for i in range(n_levels):
        acceptable = i < accept_up_to
        roles = draw(st.lists(st.sampled_from(Role), min_size=1, max_size=3, unique=True))
        levels.append(
            RiskLevel(
                id=f"level_{i}",
                label=f"Level {i}",
                acceptable=acceptable,
                accept_roles=roles if acceptable else [],
            )
        )
    return Criteria(
        likelihood=[ScaleLevel(value=v, label=f"L{v}") for v in run(n_l)],
        consequence=[ScaleLevel(value=v, label=f"C{v}") for v in run(n_c)],
        levels=levels,
        matrix=[[f"level_{r}" for r in row] for row in ranks],
    )


def cells(criteria: Criteria) -> list[tuple[int, int]]:
    return list(itertools.product(run(len(criteria.likelihood)), run(len(criteria.consequence))))


@settings(max_examples=150, deadline=None)
@given(criteria_strategy())
def test_level_never_falls_with_higher_likelihood_or_consequence(criteria: Criteria) -> None:
    rank = {(lk, cq): criteria.rank(level_for(criteria, lk, cq)) for lk, cq in cells(criteria)}
    for (l1, c1), (l2, c2) in itertools.product(rank, rank):
        if l1 <= l2 and c1 <= c2:
            assert rank[(l1, c1)] <= rank[(l2, c2)], ((l1, c1), (l2, c2))


@settings(max_examples=150, deadline=None)
@given(criteria_strategy(), st.data())
def test_lowering_one_cell_below_a_neighbour_is_refused_naming_it(
    criteria: Criteria, data: st.DataObject
) -> None:
    candidates = [
        (lk, cq)
        for lk, cq in cells(criteria)
        if max(
            criteria.rank(criteria.matrix[lk - 2][cq - 1]) if lk > 1 else 0,
            criteria.rank(criteria.matrix[lk - 1][cq - 2]) if cq > 1 else 0,
        )
        > 0
    ]
    assume(candidates)  # some cell sits below or right of a cell above the lowest level
    lk, cq = data.draw(st.sampled_from(candidates))
    dumped = criteria.model_dump()
    dumped["matrix"][lk - 1][cq - 1] = criteria.levels[0].id
    with pytest.raises(ValidationError, match=f"matrix: cell {lk}x{cq} is lower than cell"):
        Criteria.model_validate(dumped)


@settings(max_examples=150, deadline=None)
@given(criteria_strategy())
def test_criteria_round_trip(criteria: Criteria) -> None:
    assert Criteria.model_validate(criteria.model_dump()) == criteria
    assert Criteria.model_validate(criteria.model_dump(mode="json")) == criteria
    assert Criteria.model_validate_json(criteria.model_dump_json()) == criteria


@settings(max_examples=150, deadline=None)
@given(criteria_strategy(), st.data())
def test_rescoring_under_the_same_criteria_changes_nothing(
    criteria: Criteria, data: st.DataObject
) -> None:
    score = st.sampled_from(cells(criteria))
    risks: list[dict[str, object]] = []
    for i in range(data.draw(st.integers(0, 8))):
        risk: dict[str, object] = {"id": f"r{i}"}
        for which in ("inherent", "residual"):
            if data.draw(st.booleans()):
                lk, cq = data.draw(score)
                risk |= {
                    f"{which}_likelihood": lk,
                    f"{which}_consequence": cq,
                    f"{which}_level": level_for(criteria, lk, cq),
                }
        risks.append(risk)
    assert rescoring(criteria, risks) == []


@settings(max_examples=100, deadline=None)
@given(criteria_strategy(), criteria_strategy())
def test_rescoring_reports_exactly_the_risks_whose_level_differs(
    old: Criteria, new: Criteria
) -> None:
    risks = [
        {"id": f"{lk}x{cq}", "inherent_likelihood": lk, "inherent_consequence": cq,
         "inherent_level": level_for(old, lk, cq)}
        for lk, cq in cells(old)
    ]  # fmt: skip
    changes = {c.risk_id: c for c in rescoring(new, risks)}
    for lk, cq in cells(old):
        change = changes.get(f"{lk}x{cq}")
        if lk > len(new.likelihood) or cq > len(new.consequence):
            assert change is not None
            assert change.after is None
        elif new.matrix[lk - 1][cq - 1] == old.matrix[lk - 1][cq - 1]:
            assert change is None
        else:
            assert change is not None
            assert change.after == new.matrix[lk - 1][cq - 1]


# --- purity ---------------------------------------------------------------------------------------

ALLOWED_IMPORTS = {
    "__future__",
    "collections.abc",
    "dataclasses",
    "enum",
    "typing",
    "pydantic",
    "aims.access.rules",
    "aims.errors",
}


def test_rules_import_nothing_that_does_io() -> None:
    source = Path(rules_module.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        "." * node.level + (node.module or "")
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    assert "pydantic" in imported  # the parse found the imports at all
    assert imported <= ALLOWED_IMPORTS, imported - ALLOWED_IMPORTS


def test_a_higher_level_cannot_be_easier_to_accept() -> None:
    data = default_criteria().model_dump()
    data["levels"][3].update(acceptable=True, accept_roles=["owner"])  # critical acceptable
    data["levels"][2].update(acceptable=False, accept_roles=[])  # high not
    with pytest.raises(ValidationError, match="cannot be easier to accept"):
        Criteria.model_validate(data)
