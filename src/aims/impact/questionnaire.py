"""Load the impact assessment questionnaire; a broken file names the entry at fault."""

from __future__ import annotations

from collections import Counter
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from aims.datafile import entry_name, read_yaml
from aims.errors import ConfigurationError

DEFAULT_FILE = Path(__file__).parent / "data" / "questionnaire.yaml"

# What the shipped questionnaire must cover. The loader checks these, not the model, so tests
# and future tools can build small questionnaires from the same types.
MIN_IMPACT_QUESTIONS = 40
MIN_MITIGATION_QUESTIONS = 25
MIN_QUESTIONS_PER_DIMENSION = 3

_ID = r"^[a-z0-9][a-z0-9_-]*$"


class QuestionKind(StrEnum):
    """Impact questions raise the score; mitigation questions can earn the reduction."""

    IMPACT = "impact"
    MITIGATION = "mitigation"


class QuestionType(StrEnum):
    SINGLE = "single"  # choose exactly one answer
    MULTI = "multi"  # tick all that apply; an empty list means none apply


class _Strict(BaseModel):
    # Enum and tuple fields opt out of strict mode one by one, because YAML gives strings and
    # lists; everything else (weights above all) must already have the right type.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Section(_Strict):
    """An impact dimension or a mitigation area; every question in it has the same kind."""

    id: str = Field(pattern=_ID)
    title: str = Field(min_length=3)
    kind: QuestionKind = Field(strict=False)


class AnswerOption(_Strict):
    id: str = Field(pattern=_ID)
    label: str = Field(min_length=1)
    weight: int = Field(ge=0)


class Question(_Strict):
    """One question; ``max_score`` is what it adds to the maximum the level is measured on."""

    id: str = Field(pattern=_ID)
    kind: QuestionKind = Field(strict=False)
    section: str
    text: str = Field(min_length=10)
    help: str | None = Field(default=None, min_length=10)
    type: QuestionType = Field(strict=False)
    answers: tuple[AnswerOption, ...] = Field(strict=False, min_length=1)
    charter_article: str | None = Field(default=None, pattern=r"^Art\. \d+")

    @model_validator(mode="after")
    def _answers_fit(self) -> Self:
        """Answer ids are what callers send back, so they must be unique within the question."""
        dupes = sorted(k for k, n in Counter(a.id for a in self.answers).items() if n > 1)
        if dupes:
            raise ValueError(f"answer id(s) {', '.join(map(repr, dupes))} used more than once")
        if self.type == QuestionType.SINGLE and len(self.answers) < 2:
            raise ValueError("a single-choice question needs at least two answers")
        return self

    @property
    def max_score(self) -> int:
        """The heaviest answer for a single choice; every answer ticked for a multi."""
        weights = [a.weight for a in self.answers]
        return max(weights) if self.type == QuestionType.SINGLE else sum(weights)

    def answer(self, answer_id: str) -> AnswerOption | None:
        return next((a for a in self.answers if a.id == answer_id), None)


def _consistency_problems(q: Questionnaire) -> list[InitErrorDetails]:
    problems: list[InitErrorDetails] = []

    def add(loc: tuple[str | int, ...], message: str) -> None:
        problems.append(
            InitErrorDetails(
                type=PydanticCustomError("questionnaire", message), loc=loc, input=None
            )
        )

    kinds: dict[str, QuestionKind] = {}
    for i, s in enumerate(q.sections):
        if s.id in kinds:
            add(("sections", i, "id"), f"duplicate section id '{s.id}'")
        kinds.setdefault(s.id, s.kind)
    seen: set[str] = set()
    for i, question in enumerate(q.questions):
        if question.id in seen:
            add(("questions", i, "id"), f"duplicate question id '{question.id}'")
        seen.add(question.id)
        kind = kinds.get(question.section)
        if kind is None:
            add(("questions", i, "section"), f"unknown section '{question.section}'")
        elif kind != question.kind:
            add(
                ("questions", i, "kind"),
                f"a {question.kind} question cannot sit in {kind} section '{question.section}'",
            )
    used = {question.section for question in q.questions}
    for i, s in enumerate(q.sections):
        if s.id not in used:
            add(("sections", i), f"section '{s.id}' has no questions")
    for kind in QuestionKind:
        if sum(x.max_score for x in q.questions if x.kind == kind) == 0:
            add(("questions",), f"no {kind} question can score above 0")
    return problems


class Questionnaire(_Strict):
    """The whole questionnaire; cross-entry checks keep every reference resolvable."""

    id: str = Field(pattern=_ID)
    version: str = Field(min_length=1)
    title: str = Field(min_length=3)
    sections: tuple[Section, ...] = Field(strict=False, min_length=1)
    questions: tuple[Question, ...] = Field(strict=False, min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        """Report every dangling or duplicate reference at once, each at its entry."""
        problems = _consistency_problems(self)
        if problems:
            raise ValidationError.from_exception_data("Questionnaire", problems)
        return self

    @property
    def impact_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.kind == QuestionKind.IMPACT)

    @property
    def mitigation_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.kind == QuestionKind.MITIGATION)

    @property
    def max_impact(self) -> int:
        """The highest raw impact score; the level is a share of this."""
        return sum(q.max_score for q in self.impact_questions)

    @property
    def max_mitigation(self) -> int:
        return sum(q.max_score for q in self.mitigation_questions)

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(f"no section '{section_id}' in questionnaire {self.id}")

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(f"no question '{question_id}' in questionnaire {self.id}")


def coverage_problems(questionnaire: Questionnaire) -> list[tuple[str, str]]:
    """Where the questionnaire is too thin to assess a system, as (section id or '', message)."""
    problems: list[tuple[str, str]] = []
    impact = len(questionnaire.impact_questions)
    if impact < MIN_IMPACT_QUESTIONS:
        problems.append(("", f"{impact} impact questions; at least {MIN_IMPACT_QUESTIONS} needed"))
    mitigation = len(questionnaire.mitigation_questions)
    if mitigation < MIN_MITIGATION_QUESTIONS:
        problems.append(
            ("", f"{mitigation} mitigation questions; at least {MIN_MITIGATION_QUESTIONS} needed")
        )
    for s in questionnaire.sections:
        if s.kind != QuestionKind.IMPACT:
            continue
        count = sum(q.section == s.id for q in questionnaire.questions)
        if count < MIN_QUESTIONS_PER_DIMENSION:
            problems.append(
                (s.id, f"{count} impact questions; at least {MIN_QUESTIONS_PER_DIMENSION} needed")
            )
    return problems


class QuestionnaireError(ConfigurationError):
    """The questionnaire file is broken; the message names the file and the entry."""


def _where(raw: Any, loc: tuple[Any, ...]) -> str:
    """Every entry id along the path, so a bad answer reads 'imp-fair-01 > high'."""
    names: list[str] = []
    for end in range(1, len(loc) + 1):
        name = entry_name(raw, loc[:end])
        if name and (not names or names[-1] != name):
            names.append(name)
    return f"entry '{' > '.join(names)}'" if names else "top level"


def load_questionnaire(path: Path = DEFAULT_FILE) -> Questionnaire:
    """Read, validate and check coverage; raise ``QuestionnaireError`` naming each bad entry."""
    raw = read_yaml(path, what="questionnaire", error=QuestionnaireError)
    try:
        questionnaire = Questionnaire.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        messages = []
        for error in errors[:5]:
            loc = tuple(error["loc"])
            field_path = ".".join(str(p) for p in loc)
            messages.append(f"{_where(raw, loc)}: {field_path}: {error['msg']}")
        if len(errors) > 5:
            messages.append(f"and {len(errors) - 5} more")
        raise QuestionnaireError(f"questionnaire file {path.name}: " + "; ".join(messages)) from exc
    thin = coverage_problems(questionnaire)
    if thin:
        listing = "; ".join(
            f"{f'entry {entry!r}' if entry else 'top level'}: {message}" for entry, message in thin
        )
        raise QuestionnaireError(f"questionnaire file {path.name}: {listing}")
    return questionnaire


@lru_cache(maxsize=4)
def get_questionnaire(path: Path = DEFAULT_FILE) -> Questionnaire:
    """The questionnaire, loaded once per process."""
    return load_questionnaire(path)
