"""Impact level as a pure function of a questionnaire and one system's answers.

The model follows the public Government of Canada Algorithmic Impact Assessment method:

* raw impact = the weights of the answers chosen on impact questions, summed;
  mitigation = the same for mitigation questions;
* when mitigation reaches 80 % of the maximum mitigation score (inclusive), the impact score
  is reduced by 15 %;
* the level comes from the score AFTER that reduction, as a share of the maximum RAW impact
  score: I up to 25 %, II up to 50 %, III up to 75 %, IV above (each bound inclusive).

All arithmetic is exact (``Fraction``), so 25 % is level I and 80 % earns the reduction
however the totals are made up; floats appear only in the returned ``Score`` for display.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from enum import StrEnum
from fractions import Fraction

from pydantic import BaseModel, ConfigDict

from aims.errors import FieldError, ValidationFailed
from aims.impact.questionnaire import Question, QuestionKind, Questionnaire, QuestionType

# Bump whenever a rule below changes, so stored scores say which rules made them.
RULES_VERSION = "2026.1"

MITIGATION_THRESHOLD = Fraction(4, 5)  # share of the maximum mitigation that earns the reduction
REDUCTION = Fraction(15, 100)  # taken off the raw impact score when it is earned


class ImpactLevel(StrEnum):
    I = "I"  # noqa: E741 - the level is called I in the method
    II = "II"
    III = "III"
    IV = "IV"

    @property
    def rank(self) -> int:
        """1 to 4, for comparing levels."""
        return list(ImpactLevel).index(self) + 1


# Upper bound (inclusive) of each level's share; IV takes everything above the last.
LEVEL_BOUNDS: tuple[tuple[Fraction, ImpactLevel], ...] = (
    (Fraction(1, 4), ImpactLevel.I),
    (Fraction(1, 2), ImpactLevel.II),
    (Fraction(3, 4), ImpactLevel.III),
)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SectionScore(_Out):
    """One section's subtotal, so a page can show where the score came from."""

    section: str
    title: str
    kind: QuestionKind
    score: int
    max: int


class Score(_Out):
    """The outcome of one assessment; ``sections`` add up to ``raw_impact + mitigation``."""

    questionnaire_id: str
    questionnaire_version: str
    rules_version: str
    raw_impact: int
    max_impact: int
    mitigation: int
    max_mitigation: int
    mitigation_share: float
    reduction_applied: bool
    adjusted_impact: float
    impact_share: float
    level: ImpactLevel
    sections: list[SectionScore]
    unanswered: list[str]


Answers = Mapping[str, str | Sequence[str]]


class AnswerError(ValidationFailed, ValueError):
    """Answers that do not fit the questionnaire; ``problems`` lists every one."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        listing = "; ".join(f"{question}: {message}" for question, message in problems)
        super().__init__(
            f"answers are invalid: {listing}",
            errors=[FieldError(loc=(question,), msg=message) for question, message in problems],
        )
        self.problems = problems


def level_for_share(
    share: float | Fraction, thresholds: Sequence[float | Fraction] | None = None
) -> ImpactLevel:
    """The level for a share of the maximum impact score, bounds inclusive (0.25 is I).

    ``thresholds`` are the organisation's upper bounds of levels I-III (its A.5.2 settings);
    without them the quartiles of the public method apply.
    """
    if isinstance(share, float) and math.isnan(share):
        raise ValueError("share must be a number")
    if not 0 <= share <= 1:
        raise ValueError(f"share must be between 0 and 1, got {share}")
    # A float is read as the decimal it prints as (0.2 means 1/5), like the thresholds.
    exact = Fraction(str(share)) if isinstance(share, float) else Fraction(share)
    bounds = LEVEL_BOUNDS
    if thresholds is not None:
        # Decimal text of the threshold (0.2, not the float's binary expansion) is what the
        # organisation meant.
        bounds = tuple(
            (Fraction(str(t)) if isinstance(t, float) else Fraction(t), level)
            for t, (_, level) in zip(thresholds, LEVEL_BOUNDS, strict=True)
        )
    for bound, level in bounds:
        if exact <= bound:
            return level
    return ImpactLevel.IV


def _choice_problems(question: Question, value: object) -> list[str]:
    known = {a.id for a in question.answers}
    if question.type == QuestionType.SINGLE:
        if isinstance(value, str):
            return [] if value in known else [f"unknown answer {value!r}"]
        if isinstance(value, Sequence):
            return ["takes one answer id, not a list"]
        return ["expects an answer id"]
    if isinstance(value, str) or not isinstance(value, Sequence):
        return ["expects a list of answer ids"]
    if not all(isinstance(v, str) for v in value):
        return ["answer ids must be strings"]
    problems = []
    unknown = [v for v in value if v not in known]
    if unknown:
        problems.append(f"unknown answer(s) {', '.join(map(repr, dict.fromkeys(unknown)))}")
    dupes = [v for v, n in Counter(value).items() if n > 1]
    if dupes:
        problems.append(f"lists {', '.join(map(repr, dupes))} more than once")
    return problems


def answer_problems(questionnaire: Questionnaire, answers: Answers) -> list[tuple[str, str]]:
    """Every way the answers do not fit, as (question id, message), in the order given.

    A pure check, so a form can show the problems without catching ``AnswerError``.
    """
    questions = {q.id: q for q in questionnaire.questions}
    problems: list[tuple[str, str]] = []
    for question_id, value in answers.items():
        question = questions.get(question_id)
        if question is None:
            problems.append((question_id, "unknown question"))
            continue
        problems.extend((question_id, m) for m in _choice_problems(question, value))
    return problems


def _points(question: Question, value: str | Sequence[str]) -> int:
    chosen = [value] if isinstance(value, str) else value
    return sum(a.weight for a in question.answers if a.id in chosen)


def score(
    questionnaire: Questionnaire,
    answers: Answers,
    *,
    thresholds: Sequence[float | Fraction] | None = None,
) -> Score:
    """Score one system's answers; unanswered questions count 0 and are listed.

    Raises ``AnswerError`` listing every problem when an answer does not fit the questionnaire.
    """
    problems = answer_problems(questionnaire, answers)
    if problems:
        raise AnswerError(problems)
    points = {q.id: _points(q, answers[q.id]) for q in questionnaire.questions if q.id in answers}
    totals = {kind: 0 for kind in QuestionKind}
    for q in questionnaire.questions:
        totals[q.kind] += points.get(q.id, 0)
    raw_impact, mitigation = totals[QuestionKind.IMPACT], totals[QuestionKind.MITIGATION]
    max_impact, max_mitigation = questionnaire.max_impact, questionnaire.max_mitigation

    # The model guarantees both maxima are positive, so the shares are well defined.
    mitigation_share = Fraction(mitigation, max_mitigation)
    reduction_applied = mitigation_share >= MITIGATION_THRESHOLD
    adjusted = raw_impact * (1 - REDUCTION) if reduction_applied else Fraction(raw_impact)
    impact_share = adjusted / max_impact

    sections = [
        SectionScore(
            section=s.id,
            title=s.title,
            kind=s.kind,
            score=sum(points.get(q.id, 0) for q in questionnaire.questions if q.section == s.id),
            max=sum(q.max_score for q in questionnaire.questions if q.section == s.id),
        )
        for s in questionnaire.sections
    ]
    return Score(
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        rules_version=RULES_VERSION,
        raw_impact=raw_impact,
        max_impact=max_impact,
        mitigation=mitigation,
        max_mitigation=max_mitigation,
        mitigation_share=float(mitigation_share),
        reduction_applied=reduction_applied,
        adjusted_impact=float(adjusted),
        impact_share=float(impact_share),
        level=level_for_share(impact_share, thresholds),
        sections=sections,
        unanswered=[q.id for q in questionnaire.questions if q.id not in answers],
    )
