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

import calendar
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import Any

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


# --- The assessment record ---------------------------------------------------------------------
# Pure rules over an assessment's content as plain data (the stored JSON and text fields), so
# the same rules serve the web form, the API, the exports and the tests.

# The record's narrative parts in the order ISO/IEC 42005 lays them out, each a step of the
# guided form: (field, title, what to write).
TEXT_PARTS: tuple[tuple[str, str, str], ...] = (
    ("scope", "Scope",
     "What this assessment covers and what it leaves out: the system's version, the uses and "
     "places assessed, and the period it speaks for."),
    ("data_info", "Data information and quality",
     "The data the system was built and is run on: sources, how it was collected, personal "
     "data in it, known gaps and quality checks."),
    ("model_info", "Algorithm and model information",
     "How the system reaches its outputs: the kind of model, the main inputs, how it was "
     "validated and its known limits."),
    ("deployment", "Deployment environment and processes",
     "Where and in which business processes the system is used, by whom, and what happens "
     "with its outputs."),
    ("use_period", "Period and frequency of use",
     "Since when and until when the system is used, and how often (per day, per case)."),
    ("interested_parties", "Interested parties",
     "The people and groups with a stake in the system: those affected, users, staff, "
     "regulators, and how their views were sought."),
    ("oversight", "Human oversight",
     "Who watches the system's outputs, what they can see, when they step in and how they "
     "can stop or override it."),
    ("remedies", "If harm materialises",
     "What the organisation does when a harm happens: internal governance, who decides, how "
     "affected people complain and get redress."),
)  # fmt: skip

TEXT_FIELDS: tuple[str, ...] = tuple(f for f, _t, _h in TEXT_PARTS)


def suggested_level(likelihood: int, severity: int) -> ImpactLevel:
    """A starting residual level from likelihood x severity (each 1-4); people may override.

    Products 1-2 are I, 3-4 II, 5-8 III and 9-16 IV: a certain but minor harm (4) stays II,
    a rare but critical one (4) too, while a likely serious harm (9) is IV.
    """
    if not (1 <= likelihood <= 4 and 1 <= severity <= 4):
        raise ValueError("likelihood and severity run from 1 to 4")
    product = likelihood * severity
    for bound, level in ((2, ImpactLevel.I), (4, ImpactLevel.II), (8, ImpactLevel.III)):
        if product <= bound:
            return level
    return ImpactLevel.IV


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when that day does not exist."""
    if months < 0:
        raise ValueError("months must not be negative")
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


class ProgressStep(_Out):
    id: str
    title: str
    done: bool
    detail: str


class Progress(_Out):
    """How far a draft is; ``percent`` counts steps done, answered questions counting pro rata."""

    steps: list[ProgressStep]
    answered: int
    questions: int
    percent: int


def progress(content: Mapping[str, Any], questionnaire: Questionnaire) -> Progress:
    """The guided form's progress: each narrative part, the questionnaire and the impacts."""
    steps = [
        ProgressStep(
            id=name,
            title=title,
            done=bool(str(content.get(name) or "").strip()),
            detail="written" if str(content.get(name) or "").strip() else "still empty",
        )
        for name, title, _hint in TEXT_PARTS
    ]
    answers = content.get("answers") or {}
    known = {q.id for q in questionnaire.questions}
    answered = len([k for k in answers if k in known])
    total = len(questionnaire.questions)
    steps.append(
        ProgressStep(
            id="questionnaire",
            title="Questionnaire",
            done=answered == total,
            detail=f"{answered} of {total} questions answered",
        )
    )
    impacts = list(content.get("impacts") or [])
    steps.append(
        ProgressStep(
            id="impacts",
            title="Impacts",
            done=bool(impacts),
            detail=f"{len(impacts)} recorded" if impacts else "none recorded yet",
        )
    )
    # Text parts and impacts are one unit each; the questionnaire one unit split by questions.
    units = sum(s.done for s in steps if s.id != "questionnaire") + Fraction(answered, total)
    percent = int(units * 100 / len(steps))
    return Progress(steps=steps, answered=answered, questions=total, percent=percent)


class FriaElement(_Out):
    """One element of an EU AI Act Art. 27(1) fundamental rights impact assessment."""

    letter: str
    title: str
    filled: bool
    source: str  # where in the record the text comes from, so people know what to complete
    paragraphs: list[str]


FRIA_TITLES: dict[str, str] = {
    "a": "Processes in which the system is used, in line with its intended purpose",
    "b": "Period of time and frequency of use",
    "c": "Categories of natural persons and groups likely to be affected",
    "d": "Specific risks of harm to those persons and groups",
    "e": "Human oversight measures",
    "f": "Measures if the risks materialise, including internal governance and complaints",
}


def _text(value: object) -> str:
    return str(value or "").strip()


def _impact_line(impact: Mapping[str, Any]) -> str:
    from aims.impact.vocab import Dimension, Likelihood, Severity

    parts = [f"{Dimension(impact['dimension']).label}: {_text(impact.get('description'))}"]
    if impact.get("who"):
        parts.append(f"affects {_text(impact['who'])}")
    if impact.get("likelihood") and impact.get("severity"):
        parts.append(
            f"likelihood {Likelihood(impact['likelihood']).label}, "
            f"severity {Severity(impact['severity']).label}"
        )
    if impact.get("residual_level"):
        parts.append(f"residual level {impact['residual_level']}")
    return "; ".join(parts)


def fria_elements(content: Mapping[str, Any], system: Mapping[str, Any]) -> list[FriaElement]:
    """Art. 27(1)(a)-(f) filled from the assessment and the inventory; empty ones say so.

    Nothing is typed twice: each element quotes the parts of the record that answer it.
    """
    impacts = [i for i in content.get("impacts") or [] if isinstance(i, Mapping)]
    harms = [i for i in impacts if i.get("nature") == "harm"]
    who = list(dict.fromkeys(_text(i.get("who")) for i in impacts if _text(i.get("who"))))
    purpose = _text(system.get("intended_use")) or _text(system.get("purpose"))
    measures = [
        f"Against '{_text(i.get('description'))}': {_text(i.get('existing_measures'))}"
        for i in harms
        if _text(i.get("existing_measures"))
    ]
    planned = [
        f"Against '{_text(i.get('description'))}': {_text(i.get('planned_measures'))}"
        for i in harms
        if _text(i.get("planned_measures"))
    ]

    def element(letter: str, source: str, paragraphs: list[str]) -> FriaElement:
        kept = [p for p in paragraphs if p]
        return FriaElement(
            letter=letter, title=FRIA_TITLES[letter], filled=bool(kept), source=source,
            paragraphs=kept,
        )  # fmt: skip

    return [
        element(
            "a",
            "Deployment environment and processes (intended purpose from the inventory)",
            [_text(content.get("deployment"))]
            + ([f"Intended purpose: {purpose}"] if _text(content.get("deployment")) else []),
        ),
        element("b", "Period and frequency of use", [_text(content.get("use_period"))]),
        element(
            "c",
            "Who each impact affects, and the interested parties",
            [
                f"Affected: {', '.join(who)}" if who else "",
                _text(content.get("interested_parties")),
            ],
        ),
        element("d", "The harms recorded as impacts", [_impact_line(h) for h in harms]),
        element(
            "e",
            "Human oversight, and the measures already in place against each harm",
            [_text(content.get("oversight")), *measures],
        ),
        element(
            "f",
            "If harm materialises, and the measures planned against each harm",
            [_text(content.get("remedies")), *planned],
        ),
    ]


def harm_referral_refusal(impact: Mapping[str, Any], threshold: ImpactLevel) -> str | None:
    """Why this impact cannot go to the risk register (None when it can)."""
    if impact.get("nature") != "harm":
        return "only a harm can be sent to the risk register, not a benefit"
    level = impact.get("residual_level")
    if not level:
        return "give the harm a residual level first"
    if ImpactLevel(level).rank < threshold.rank:
        return (
            f"its residual level {level} is below level {threshold.value}, the level from which "
            "the process settings send harms to the risk register"
        )
    return None


class AnswerChange(_Out):
    question: str
    text: str
    before: list[str]
    after: list[str]


class ImpactChange(_Out):
    key: str
    title: str
    change: str  # added, removed or changed
    fields: dict[str, tuple[Any, Any]]


def _labels(questionnaire: Questionnaire, question_id: str, value: object) -> list[str]:
    if value is None:
        return []
    chosen = [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    try:
        question = questionnaire.question(question_id)
    except KeyError:
        return [str(v) for v in chosen]
    return [(question.answer(str(v)).label if question.answer(str(v)) else str(v)) for v in chosen]  # type: ignore[union-attr]


def answer_changes(
    before: Mapping[str, Any], after: Mapping[str, Any], questionnaire: Questionnaire
) -> list[AnswerChange]:
    """Questions whose answer differs between two versions, in questionnaire order."""
    order = {q.id: i for i, q in enumerate(questionnaire.questions)}
    keys = sorted(set(before) | set(after), key=lambda k: (order.get(k, len(order)), k))
    changes = []
    for key in keys:
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        try:
            text = questionnaire.question(key).text
        except KeyError:
            text = key
        changes.append(
            AnswerChange(
                question=key, text=text,
                before=_labels(questionnaire, key, old), after=_labels(questionnaire, key, new),
            )
        )  # fmt: skip
    return changes


def impact_changes(
    before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]
) -> list[ImpactChange]:
    """Impacts added, removed or changed between two versions, matched by their key."""
    old = {str(i["key"]): i for i in before}
    new = {str(i["key"]): i for i in after}
    changes: list[ImpactChange] = []
    for key, impact in new.items():
        title = _text(impact.get("description"))[:100]
        if key not in old:
            changes.append(ImpactChange(key=key, title=title, change="added", fields={}))
            continue
        fields = {
            name: (old[key].get(name), impact.get(name))
            for name in sorted(set(old[key]) | set(impact))
            if old[key].get(name) != impact.get(name)
        }
        if fields:
            changes.append(ImpactChange(key=key, title=title, change="changed", fields=fields))
    for key, impact in old.items():
        if key not in new:
            title = _text(impact.get("description"))[:100]
            changes.append(ImpactChange(key=key, title=title, change="removed", fields={}))
    return changes


def completeness_problems(
    content: Mapping[str, Any], questionnaire: Questionnaire
) -> list[tuple[str, str]]:
    """What a draft still lacks before review, as (field, message): a reviewer approves a
    scope, a fully answered questionnaire (unanswered questions would score 0 and understate
    the level) and at least one recorded impact."""
    problems: list[tuple[str, str]] = []
    if not _text(content.get("scope")):
        problems.append(("scope", "write the scope"))
    answers = content.get("answers") or {}
    missing = [q.id for q in questionnaire.questions if q.id not in answers]
    if missing:
        problems.append(
            ("answers", f"{len(missing)} question(s) unanswered, the first is {missing[0]}")
        )
    if not content.get("impacts"):
        problems.append(("impacts", "record at least one impact"))
    return problems
