"""Impact assessment: the shipped questionnaire, exact scoring tables, properties, loader errors."""

from __future__ import annotations

import ast
import math
from collections import Counter
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from aims.errors import ConfigurationError, ValidationFailed
from aims.impact import rules as rules_module
from aims.impact.questionnaire import (
    DEFAULT_FILE,
    MIN_IMPACT_QUESTIONS,
    MIN_MITIGATION_QUESTIONS,
    MIN_QUESTIONS_PER_DIMENSION,
    AnswerOption,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireError,
    QuestionType,
    Section,
    coverage_problems,
    get_questionnaire,
    load_questionnaire,
)
from aims.impact.rules import (
    RULES_VERSION,
    AnswerError,
    ImpactLevel,
    Score,
    answer_problems,
    level_for_share,
    score,
)

SHIPPED = load_questionnaire()
IMPACT, MITIGATION = QuestionKind.IMPACT, QuestionKind.MITIGATION
SINGLE, MULTI = QuestionType.SINGLE, QuestionType.MULTI

# --- building small questionnaires ----------------------------------------------------------------


def make_question(
    qid: str, section: str, weights: Sequence[int], *, kind: QuestionKind, multi: bool = False
) -> Question:
    """A question whose answer ids are a0, a1, ... with the given weights."""
    return Question(
        id=qid,
        kind=kind,
        section=section,
        text=f"Test question {qid}?",
        type=MULTI if multi else SINGLE,
        answers=tuple(
            AnswerOption(id=f"a{i}", label=f"weight {w}", weight=w) for i, w in enumerate(weights)
        ),
    )


def make_questionnaire(questions: Sequence[Question]) -> Questionnaire:
    """Sections are derived from the questions, in order of first use."""
    sections: dict[str, QuestionKind] = {}
    for q in questions:
        sections.setdefault(q.section, q.kind)
    return Questionnaire(
        id="test",
        version="t1",
        title="Test questionnaire",
        sections=tuple(Section(id=s, title=f"Section {s}", kind=k) for s, k in sections.items()),
        questions=tuple(questions),
    )


def scale(max_impact: int, max_mitigation: int) -> Questionnaire:
    """One impact and one mitigation question whose answer ``a<n>`` weighs n, for exact shares."""
    return make_questionnaire(
        [
            make_question("i", "harm", range(max_impact + 1), kind=IMPACT),
            make_question("m", "controls", range(max_mitigation + 1), kind=MITIGATION),
        ]
    )


def run_scale(max_impact: int, raw: int, max_mitigation: int, mitigation: int) -> Score:
    return score(scale(max_impact, max_mitigation), {"i": f"a{raw}", "m": f"a{mitigation}"})


# A small questionnaire with both question types across four sections.
SMALL = make_questionnaire(
    [
        make_question("harm-1", "harm", [0, 1, 3], kind=IMPACT),
        make_question("harm-2", "harm", [1, 2, 3], kind=IMPACT, multi=True),
        make_question("people-1", "people", [0, 2, 4], kind=IMPACT),
        make_question("ctl-1", "controls", [0, 1, 2], kind=MITIGATION),
        make_question("ctl-2", "controls", [1, 1, 1], kind=MITIGATION, multi=True),
        make_question("rev-1", "review", [0, 3], kind=MITIGATION),
    ]
)


# --- the shipped questionnaire --------------------------------------------------------------------


def test_shipped_questionnaire_meets_the_counts() -> None:
    q = SHIPPED
    assert (q.id, q.version) == ("aims-impact", "2026.1")
    assert len(q.impact_questions) >= MIN_IMPACT_QUESTIONS == 40
    assert len(q.mitigation_questions) >= MIN_MITIGATION_QUESTIONS == 25
    per_section = Counter(x.section for x in q.impact_questions)
    dimensions = [s.id for s in q.sections if s.kind == IMPACT]
    assert dimensions == [
        "fairness", "privacy", "safety", "autonomy", "transparency", "accessibility",
        "environment", "work", "rights", "security", "misuse",
    ]  # fmt: skip
    assert all(per_section[d] >= MIN_QUESTIONS_PER_DIMENSION == 3 for d in dimensions)
    assert coverage_problems(q) == []


def test_shipped_ids_are_unique_and_follow_the_convention() -> None:
    ids = [x.id for x in SHIPPED.questions]
    assert len(ids) == len(set(ids))
    for x in SHIPPED.questions:
        prefix = "imp-" if x.kind == IMPACT else "mit-"
        assert x.id.startswith(prefix), x.id
        assert x.text.endswith("?"), x.id
        assert len({a.id for a in x.answers}) == len(x.answers)
        assert all(isinstance(a.id, str) for a in x.answers)  # no YAML `no` read as False
        if x.type == SINGLE:
            assert min(a.weight for a in x.answers) == 0, f"{x.id} has no zero answer"
    assert all(x.charter_article for x in SHIPPED.questions if x.section == "rights")


def test_shipped_maxima_and_helpers() -> None:
    q = SHIPPED
    assert q.max_impact == sum(x.max_score for x in q.impact_questions) > 0
    assert q.max_mitigation == sum(x.max_score for x in q.mitigation_questions) > 0
    assert q.section("rights").title == "Other fundamental rights (EU Charter)"
    assert q.question("imp-fair-02").max_score == sum(
        a.weight for a in q.question("imp-fair-02").answers
    )
    with pytest.raises(KeyError):
        q.section("nowhere")
    assert get_questionnaire() is get_questionnaire()
    assert get_questionnaire() == q


def test_max_score_per_question_type() -> None:
    assert make_question("s", "x", [0, 3, 1], kind=IMPACT).max_score == 3
    assert make_question("m", "x", [0, 3, 1], kind=IMPACT, multi=True).max_score == 4
    assert SMALL.max_impact == 3 + 6 + 4
    assert SMALL.max_mitigation == 2 + 3 + 3


# --- level boundaries -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("share", "level"),
    [
        (0.0, ImpactLevel.I),
        (0.25, ImpactLevel.I),
        (Fraction(1, 4), ImpactLevel.I),
        (math.nextafter(0.25, 1), ImpactLevel.II),
        (0.5, ImpactLevel.II),
        (math.nextafter(0.5, 1), ImpactLevel.III),
        (0.75, ImpactLevel.III),
        (math.nextafter(0.75, 1), ImpactLevel.IV),
        (1.0, ImpactLevel.IV),
    ],
)
def test_level_for_share(share: float | Fraction, level: ImpactLevel) -> None:
    assert level_for_share(share) is level


@pytest.mark.parametrize("share", [-0.01, 1.01, math.nan, math.inf])
def test_level_for_share_outside_zero_to_one(share: float) -> None:
    with pytest.raises(ValueError, match="share must be"):
        level_for_share(share)


@pytest.mark.parametrize(
    ("max_impact", "raw", "max_mitigation", "mitigation", "level", "reduced"),
    [
        # exact boundaries, no mitigation
        (4, 0, 10, 0, ImpactLevel.I, False),
        (4, 1, 10, 0, ImpactLevel.I, False),  # 25 %
        (100, 25, 10, 0, ImpactLevel.I, False),
        (100, 26, 10, 0, ImpactLevel.II, False),  # just above 25 %
        (4, 2, 10, 0, ImpactLevel.II, False),  # 50 %
        (100, 51, 10, 0, ImpactLevel.III, False),
        (4, 3, 10, 0, ImpactLevel.III, False),  # 75 %
        (100, 76, 10, 0, ImpactLevel.IV, False),
        (4, 4, 10, 0, ImpactLevel.IV, False),
        # the reduction lands exactly on a bound: 20 * 0.85 = 17 = 25 % of 68
        (68, 20, 10, 8, ImpactLevel.I, True),
        (68, 21, 10, 8, ImpactLevel.II, True),
        (68, 40, 5, 4, ImpactLevel.II, True),  # 34 = 50 % of 68
        (68, 60, 5, 4, ImpactLevel.III, True),  # 51 = 75 % of 68
        (68, 61, 5, 4, ImpactLevel.IV, True),
    ],
)
def test_level_boundaries(
    max_impact: int,
    raw: int,
    max_mitigation: int,
    mitigation: int,
    level: ImpactLevel,
    reduced: bool,
) -> None:
    result = run_scale(max_impact, raw, max_mitigation, mitigation)
    assert result.level is level
    assert result.reduction_applied is reduced
    assert result.raw_impact == raw
    assert result.max_impact == max_impact


@pytest.mark.parametrize(
    ("max_mitigation", "mitigation", "reduced"),
    [
        (10, 8, True),  # exactly 80 %
        (5, 4, True),
        (100, 80, True),
        (100, 79, False),
        (24, 19, False),  # 79.17 %
        (1000, 799, False),  # 79.9 %
        (10, 10, True),
        (10, 0, False),
    ],
)
def test_reduction_threshold_is_inclusive(
    max_mitigation: int, mitigation: int, reduced: bool
) -> None:
    result = run_scale(100, 40, max_mitigation, mitigation)
    assert result.reduction_applied is reduced
    assert result.mitigation_share == mitigation / max_mitigation
    assert result.adjusted_impact == (34.0 if reduced else 40.0)
    assert result.impact_share == (0.34 if reduced else 0.40)


@pytest.mark.parametrize(
    ("raw", "without", "with_mitigation"),
    [
        (29, ImpactLevel.II, ImpactLevel.I),  # 29 -> 24.65
        (58, ImpactLevel.III, ImpactLevel.II),  # 58 -> 49.3
        (88, ImpactLevel.IV, ImpactLevel.III),  # 88 -> 74.8
        (30, ImpactLevel.II, ImpactLevel.II),  # 30 -> 25.5 stays above 25 %
    ],
)
def test_reduction_can_move_a_system_down_a_level(
    raw: int, without: ImpactLevel, with_mitigation: ImpactLevel
) -> None:
    assert run_scale(100, raw, 10, 7).level is without
    assert run_scale(100, raw, 10, 8).level is with_mitigation


def test_adjusted_impact_keeps_its_fraction() -> None:
    result = run_scale(100, 29, 10, 8)
    assert result.adjusted_impact == pytest.approx(24.65)
    assert result.impact_share == pytest.approx(0.2465)


# --- answers: multi, unanswered, sections ---------------------------------------------------------


@pytest.mark.parametrize(
    ("ticked", "points"),
    [([], 0), (["a0"], 1), (["a0", "a2"], 4), (["a2", "a1", "a0"], 6), (("a1",), 2)],
)
def test_multi_answers_add_their_weights(ticked: Sequence[str], points: int) -> None:
    result = score(SMALL, {"harm-2": ticked})
    assert result.raw_impact == points
    assert "harm-2" not in result.unanswered  # an empty tick list is an answer: none apply


def test_unanswered_questions_count_zero_and_are_listed_in_order() -> None:
    result = score(SMALL, {"people-1": "a2", "ctl-1": "a1"})
    assert result.raw_impact == 4
    assert result.mitigation == 1
    assert result.unanswered == ["harm-1", "harm-2", "ctl-2", "rev-1"]
    empty = score(SMALL, {})
    assert (empty.raw_impact, empty.mitigation, empty.level) == (0, 0, ImpactLevel.I)
    assert empty.unanswered == [q.id for q in SMALL.questions]


@pytest.mark.parametrize(
    ("answers", "sections"),
    [
        (
            {
                "harm-1": "a2",
                "harm-2": ["a0", "a2"],
                "people-1": "a1",
                "ctl-1": "a2",
                "ctl-2": ["a0"],
                "rev-1": "a1",
            },
            {"harm": 7, "people": 2, "controls": 3, "review": 3},
        ),
        ({"people-1": "a2", "rev-1": "a0"}, {"harm": 0, "people": 4, "controls": 0, "review": 0}),
        ({}, {"harm": 0, "people": 0, "controls": 0, "review": 0}),
    ],
)
def test_section_breakdown_adds_up_to_the_totals(
    answers: dict[str, Any], sections: dict[str, int]
) -> None:
    result = score(SMALL, answers)
    assert [s.section for s in result.sections] == ["harm", "people", "controls", "review"]
    assert {s.section: s.score for s in result.sections} == sections
    impact = [s for s in result.sections if s.kind == IMPACT]
    mitigation = [s for s in result.sections if s.kind == MITIGATION]
    assert sum(s.score for s in impact) == result.raw_impact
    assert sum(s.score for s in mitigation) == result.mitigation
    assert sum(s.max for s in impact) == result.max_impact == 13
    assert sum(s.max for s in mitigation) == result.max_mitigation == 8
    assert result.sections[0].title == "Section harm"


def test_score_carries_versions_and_serialises() -> None:
    result = score(SMALL, {"harm-1": "a1"})
    assert (result.questionnaire_id, result.questionnaire_version) == ("test", "t1")
    assert result.rules_version == RULES_VERSION
    dumped = result.model_dump(mode="json")
    assert dumped["level"] == "I"
    assert Score.model_validate(dumped) == result


# --- answer errors --------------------------------------------------------------------------------


def test_every_answer_problem_is_reported_together() -> None:
    answers: dict[str, Any] = {
        "ghost": "a0",
        "harm-1": ["a1"],
        "harm-2": ["a0", "zz", "a0", "yy", "zz"],
        "people-1": "a9",
        "ctl-2": "a0",
        "rev-1": "a1",
    }
    expected = [
        ("ghost", "unknown question"),
        ("harm-1", "takes one answer id, not a list"),
        ("harm-2", "unknown answer(s) 'zz', 'yy'"),
        ("harm-2", "lists 'a0', 'zz' more than once"),
        ("people-1", "unknown answer 'a9'"),
        ("ctl-2", "expects a list of answer ids"),
    ]
    assert answer_problems(SMALL, answers) == expected
    with pytest.raises(AnswerError) as caught:
        score(SMALL, answers)
    error = caught.value
    assert error.problems == expected
    assert isinstance(error, ValueError)
    assert isinstance(error, ValidationFailed)
    assert [e.loc for e in error.errors] == [(q,) for q, _ in expected]
    assert str(error).startswith("answers are invalid: ghost: unknown question; harm-1:")


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"nope": "a0"}, [("nope", "unknown question")]),
        ({"harm-1": "a7"}, [("harm-1", "unknown answer 'a7'")]),
        ({"harm-1": ["a0", "a1"]}, [("harm-1", "takes one answer id, not a list")]),
        ({"harm-1": 1}, [("harm-1", "expects an answer id")]),
        ({"harm-2": ["a1", "a1"]}, [("harm-2", "lists 'a1' more than once")]),
        ({"harm-2": [1]}, [("harm-2", "answer ids must be strings")]),
        ({"harm-2": "a1"}, [("harm-2", "expects a list of answer ids")]),
    ],
)
def test_single_answer_problem(answers: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    with pytest.raises(AnswerError) as caught:
        score(SMALL, answers)
    assert caught.value.problems == expected


def test_rules_module_does_no_io() -> None:
    source = Path(rules_module.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {
        "__future__", "math", "collections", "collections.abc", "enum", "fractions", "pydantic",
        "aims.errors", "aims.impact.questionnaire", "calendar", "datetime", "typing",
        "aims.impact.vocab",
    }  # fmt: skip
    assert "open(" not in source


# --- properties -----------------------------------------------------------------------------------


@st.composite
def questionnaires(draw: st.DrawFn) -> Questionnaire:
    """Small random questionnaires; each kind gets at least one answer that scores."""
    questions: list[Question] = []
    for kind, prefix in ((IMPACT, "imp"), (MITIGATION, "mit")):
        for s in range(draw(st.integers(1, 3))):
            for n in range(draw(st.integers(1, 3))):
                multi = draw(st.booleans())
                weights = draw(st.lists(st.integers(0, 4), min_size=1 if multi else 2, max_size=5))
                if not questions or questions[-1].kind != kind:
                    weights.append(draw(st.integers(1, 4)))  # first question of the kind
                questions.append(
                    make_question(
                        f"{prefix}-{s}-{n}", f"{prefix}{s}", weights, kind=kind, multi=multi
                    )
                )
    return make_questionnaire(questions)


@st.composite
def answer_sets(draw: st.DrawFn, q: Questionnaire) -> dict[str, str | list[str]]:
    answers: dict[str, str | list[str]] = {}
    for question in q.questions:
        ids = [a.id for a in question.answers]
        if not draw(st.booleans()) and draw(st.booleans()):
            continue  # about a quarter left unanswered
        if question.type == SINGLE:
            answers[question.id] = draw(st.sampled_from(ids))
        else:
            answers[question.id] = draw(st.lists(st.sampled_from(ids), unique=True))
    return answers


@st.composite
def cases(draw: st.DrawFn, shipped: bool = False) -> tuple[Questionnaire, dict[str, Any]]:
    q = SHIPPED if shipped else draw(questionnaires())
    return q, draw(answer_sets(q))


@st.composite
def heavier(
    draw: st.DrawFn, q: Questionnaire, answers: dict[str, Any], kind: QuestionKind
) -> dict[str, Any]:
    """The same answers with one question of ``kind`` moved to an answer at least as heavy."""
    question = draw(st.sampled_from([x for x in q.questions if x.kind == kind]))
    current = answers.get(question.id)
    changed = dict(answers)
    if question.type == SINGLE:
        chosen = question.answer(current) if isinstance(current, str) else None
        floor = chosen.weight if chosen else 0
        changed[question.id] = draw(
            st.sampled_from([a.id for a in question.answers if a.weight >= floor])
        )
    else:
        ticked = list(current or [])
        extra = [a.id for a in question.answers if a.id not in ticked]
        added = draw(st.lists(st.sampled_from(extra), unique=True)) if extra else []
        changed[question.id] = ticked + added
    return changed


def check_invariants(result: Score, q: Questionnaire) -> None:
    assert result.level in set(ImpactLevel)
    assert 0 <= result.impact_share <= 1
    assert 0 <= result.mitigation_share <= 1
    assert result.level is level_for_share(result.impact_share)
    assert result.reduction_applied is (result.mitigation_share >= 0.8)
    assert sum(s.score for s in result.sections) == result.raw_impact + result.mitigation
    assert sum(s.max for s in result.sections) == q.max_impact + q.max_mitigation
    assert all(0 <= s.score <= s.max for s in result.sections)
    assert result.adjusted_impact <= result.raw_impact


@settings(max_examples=200, deadline=None)
@given(cases())
def test_invariants_on_random_questionnaires(case: tuple[Questionnaire, dict[str, Any]]) -> None:
    q, answers = case
    check_invariants(score(q, answers), q)


@settings(max_examples=100, deadline=None)
@given(cases(shipped=True))
def test_invariants_on_the_shipped_questionnaire(
    case: tuple[Questionnaire, dict[str, Any]],
) -> None:
    q, answers = case
    result = score(q, answers)
    check_invariants(result, q)
    assert result.unanswered == [x.id for x in q.questions if x.id not in answers]


@pytest.mark.parametrize("shipped", [False, True], ids=["random", "shipped"])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_heavier_impact_answer_never_lowers_the_score(shipped: bool, data: st.DataObject) -> None:
    q, answers = data.draw(cases(shipped))
    before = score(q, answers)
    after = score(q, data.draw(heavier(q, answers, IMPACT)))
    assert after.raw_impact >= before.raw_impact
    assert after.adjusted_impact >= before.adjusted_impact
    assert after.level.rank >= before.level.rank


@pytest.mark.parametrize("shipped", [False, True], ids=["random", "shipped"])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_more_mitigation_never_raises_the_level(shipped: bool, data: st.DataObject) -> None:
    q, answers = data.draw(cases(shipped))
    before = score(q, answers)
    after = score(q, data.draw(heavier(q, answers, MITIGATION)))
    assert after.mitigation >= before.mitigation
    assert after.raw_impact == before.raw_impact
    assert after.adjusted_impact <= before.adjusted_impact
    assert after.level.rank <= before.level.rank


# --- loader ---------------------------------------------------------------------------------------


def _write(tmp_path: Path, mutate: Callable[[dict[str, Any]], Any]) -> Path:
    raw = yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "questionnaire.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _question(raw: dict[str, Any], qid: str) -> dict[str, Any]:
    return next(q for q in raw["questions"] if q["id"] == qid)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda raw: _question(raw, "imp-fair-02").update(id="imp-fair-01"),
            ["entry 'imp-fair-01'", "questions.1.id", "duplicate question id 'imp-fair-01'"],
        ),
        (
            lambda raw: _question(raw, "imp-priv-03").update(section="privcy"),
            ["entry 'imp-priv-03'", "unknown section 'privcy'"],
        ),
        (
            lambda raw: _question(raw, "mit-gov-01").update(section="fairness"),
            ["entry 'mit-gov-01'", "a mitigation question cannot sit in impact section 'fairness'"],
        ),
        (
            lambda raw: raw["sections"].append(
                {"id": "fairness", "kind": "impact", "title": "Again"}
            ),
            ["entry 'fairness'", "duplicate section id 'fairness'"],
        ),
        (
            lambda raw: raw["sections"].append(
                {"id": "unused", "kind": "impact", "title": "Unused"}
            ),
            ["entry 'unused'", "section 'unused' has no questions"],
        ),
        (
            lambda raw: _question(raw, "imp-safe-02")["answers"][1].update(id="no"),
            ["entry 'imp-safe-02'", "answer id(s) 'no' used more than once"],
        ),
        (
            lambda raw: _question(raw, "imp-safe-02")["answers"][2].update(weight=-1),
            ["entry 'imp-safe-02 > distress'", "greater than or equal to 0"],
        ),
        (
            lambda raw: _question(raw, "imp-safe-02")["answers"][2].update(weight="2"),
            ["entry 'imp-safe-02 > distress'", "valid integer"],
        ),
        (
            lambda raw: _question(raw, "imp-safe-02")["answers"][0].update(id=False),
            ["entry 'imp-safe-02 > False'", "answers.0.id: Input should be a valid string"],
        ),
        (
            lambda raw: _question(raw, "imp-env-04").update(
                answers=[{"id": "x", "label": "X", "weight": 1}]
            ),
            ["entry 'imp-env-04'", "at least two answers"],
        ),
        (
            lambda raw: _question(raw, "imp-env-04").update(kind="side-effect"),
            ["entry 'imp-env-04'", "kind: Input should be 'impact' or 'mitigation'"],
        ),
        (
            lambda raw: _question(raw, "mit-red-05").update(owner="someone"),
            ["entry 'mit-red-05'", "Extra inputs are not permitted"],
        ),
        (lambda raw: raw.update(version=2026.1), ["top level", "version"]),
        (
            lambda raw: raw.update(
                questions=[
                    q for q in raw["questions"] if q["id"] not in {"imp-env-03", "imp-env-04"}
                ]
            ),
            ["entry 'environment': 2 impact questions; at least 3 needed"],
        ),
        (
            lambda raw: (
                raw.update(
                    questions=[q for q in raw["questions"] if q["section"] != "redress"],
                    sections=[s for s in raw["sections"] if s["id"] != "redress"],
                )
                or raw["questions"].pop()
            ),
            ["top level: 24 mitigation questions; at least 25 needed"],
        ),
    ],
)
def test_broken_entry_is_named(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], Any], expected: list[str]
) -> None:
    path = _write(tmp_path, mutate)
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path)
    message = str(caught.value)
    assert message.startswith("questionnaire file questionnaire.yaml: ")
    for part in expected:
        assert part in message
    assert isinstance(caught.value, ConfigurationError)


def test_invalid_yaml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [x\n", encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="not valid YAML at line"):
        load_questionnaire(bad)
    with pytest.raises(QuestionnaireError, match="cannot read"):
        load_questionnaire(tmp_path / "missing.yaml")


def test_models_are_frozen_and_strict() -> None:
    with pytest.raises(ValidationError):
        SMALL.questions[0].answers[0].__setattr__("weight", 9)
    with pytest.raises(ValidationError, match="valid integer"):
        AnswerOption(id="a", label="A", weight=True)
    with pytest.raises(ValidationError, match="no impact question can score above 0"):
        make_questionnaire(
            [
                make_question("i", "harm", [0, 0], kind=IMPACT),
                make_question("m", "ctl", [0, 1], kind=MITIGATION),
            ]
        )


@pytest.mark.parametrize(
    ("share", "thresholds", "expected"),
    [
        (0.2, [0.2, 0.5, 0.8], "I"),
        (0.21, [0.2, 0.5, 0.8], "II"),
        (0.8, [0.2, 0.5, 0.8], "III"),
        (0.81, [0.2, 0.5, 0.8], "IV"),
        (0.3, None, "II"),
    ],
)
def test_the_organisations_thresholds_set_the_levels(
    share: float, thresholds: list[float] | None, expected: str
) -> None:
    # The A.5.2 settings may move the level boundaries; each bound stays inclusive.
    assert level_for_share(share, thresholds).value == expected


@pytest.mark.parametrize(
    ("mutate", "named"),
    [
        (lambda raw: raw["questions"][0]["answers"][0].update(weight="heavy"), "imp-fair-01"),
        (lambda raw: raw["questions"][1].update(id=raw["questions"][0]["id"]), "duplicate"),
    ],
)
def test_the_app_refuses_to_start_on_a_broken_questionnaire(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], Any], named: str
) -> None:
    from aims.api.app import create_app
    from aims.config import Settings

    path = _write(tmp_path, mutate)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(QuestionnaireError, match=named):
        create_app(settings, questionnaire_path=path)
