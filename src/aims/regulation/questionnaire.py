"""The classification questionnaire: questions in order, plain-language help, and skip logic.

The same list drives the web wizard and the interactive CLI, so both ask the same things in
the same order and skip the same questions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from aims.regulation.schemas import (
    ANNEX_III_POINTS,
    ART5_POINTS,
    ART6_3_CONDITIONS,
    PROHIBITED_EXCEPTIONS,
    SCOPE_EXCLUSIONS,
    TRANSPARENCY_TRIGGERS,
    CodeHelp,
    OperatorRole,
)

EUR_LEX = "https://eur-lex.europa.eu/eli/reg/2024/1689/oj"
Answers = Mapping[str, Any]


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    reference: str = ""


@dataclass(frozen=True)
class Question:
    """One answer field: how to ask it, which article it comes from, and when it applies."""

    field: str
    text: str
    kind: str  # choice | multi | bool | number
    help: str
    reference: str
    step: str
    options: tuple[Option, ...] = ()
    applies: Callable[[Answers], bool] = dataclass_field(default=lambda _a: True)
    default: Any = None  # what the form shows before anyone answers


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    intro: str


def _options(helps: Mapping[Any, CodeHelp]) -> tuple[Option, ...]:
    return tuple(Option(str(code.value), h.text, h.reference) for code, h in helps.items())


def _in_scope(a: Answers) -> bool:
    return bool(a.get("in_eu", True)) and a.get("scope_exclusion", "none") in ("none", None)


def _not_prohibited(a: Answers) -> bool:
    practices = set(a.get("prohibited_practices") or [])
    excepted = {"medical_or_safety": {"f"}, "law_enforcement_authorised": {"h"}}.get(
        str(a.get("prohibited_exception") or "none"), set()
    )
    return _in_scope(a) and not (practices - excepted)


def _is_gpai(a: Answers) -> bool:
    return _in_scope(a) and bool(a.get("gpai_model"))


STEPS: tuple[Step, ...] = (
    Step("scope", "Your role and the EU", "Whether the AI Act reaches this system at all."),
    Step("prohibited", "Prohibited practices", "Art. 5 bans a few uses outright."),
    Step("annex_i", "Products under EU safety law", "Art. 6(1): the product-safety route."),
    Step("annex_iii", "High-risk uses", "Art. 6(2) and Annex III: uses that are high-risk."),
    Step("derogation", "Not significant after all?", "Art. 6(3) lets some Annex III systems out."),
    Step("transparency", "Transparency", "Art. 50 duties towards the people exposed."),
    Step("gpai", "General-purpose AI models", "Art. 51-55 for providers of GPAI models."),
    Step("changes", "Deployment and changes", "Art. 25 role shifts and the Art. 27 assessment."),
)

QUESTIONS: tuple[Question, ...] = (
    Question(
        "operator_role", "What is your organisation's role for this system?", "choice",
        "Provider: you develop it (or have it developed) and place it on the market or put it "
        "into service under your name. Deployer: you use it under your authority. Importers and "
        "distributors bring or pass on someone else's system.",
        "Art. 3(3)-(8)", "scope",
        tuple(Option(r.value, r.value.replace("_", " ")) for r in OperatorRole),
    ),
    Question(
        "in_eu", "Is it placed on the EU market, put into service in the EU, or is its output "
        "used in the EU?", "bool",
        "The Act also reaches providers and deployers outside the EU when the output is used "
        "in the EU.", "Art. 2(1)", "scope", default=True,
    ),
    Question(
        "scope_exclusion", "Does one of the exclusions apply?", "choice",
        "Some uses fall outside the Act entirely.", "Art. 2(3)-(10)", "scope",
        _options(SCOPE_EXCLUSIONS), lambda a: bool(a.get("in_eu", True)),
    ),
    Question(
        "prohibited_practices", "Does the system do any of these?", "multi",
        "These practices are banned. Tick only what the system actually does.", "Art. 5(1)",
        "prohibited", _options(ART5_POINTS), _in_scope,
    ),
    Question(
        "prohibited_exception", "Does a narrow exception apply?", "choice",
        "Only for emotion recognition used for medical or safety reasons (5(1)(f)), or "
        "authorised law-enforcement identification (5(1)(h)).", "Art. 5(1)(f), 5(1)(h), 5(2)",
        "prohibited", _options(PROHIBITED_EXCEPTIONS),
        lambda a: _in_scope(a) and bool({"f", "h"} & set(a.get("prohibited_practices") or [])),
    ),
    Question(
        "annex_i_safety_component", "Is the system a product, or a safety component of a "
        "product, covered by the EU laws listed in Annex I (machinery, toys, medical devices, "
        "lifts, radio equipment …)?", "bool",
        "", "Art. 6(1)(a), Annex I", "annex_i", applies=_not_prohibited,
    ),
    Question(
        "annex_i_third_party_conformity", "Must that product undergo a third-party conformity "
        "assessment under that law?", "bool",
        "Only then is the system high-risk by the product route.", "Art. 6(1)(b)", "annex_i",
        applies=lambda a: _not_prohibited(a) and bool(a.get("annex_i_safety_component")),
    ),
    Question(
        "annex_iii", "Is it intended for any of these uses?", "multi",
        "Tick each that applies. Note: fraud detection is not credit scoring (5(b)).",
        "Art. 6(2), Annex III", "annex_iii", _options(ANNEX_III_POINTS), _not_prohibited,
    ),
    Question(
        "art6_3_conditions", "Does the system only do one of these, without posing a significant "
        "risk to health, safety or fundamental rights?", "multi",
        "If so, it may not be high-risk; you must document why (Art. 6(4)) and register it.",
        "Art. 6(3)", "derogation", _options(ART6_3_CONDITIONS),
        lambda a: _not_prohibited(a) and bool(a.get("annex_iii")),
    ),
    Question(
        "profiles_natural_persons", "Does it profile natural persons (evaluate personal aspects "
        "such as work performance, economic situation, health, behaviour)?", "bool",
        "A system that profiles people stays high-risk whatever the conditions above.",
        "Art. 6(3) last subparagraph", "derogation",
        applies=lambda a: _not_prohibited(a) and bool(a.get("annex_iii")),
    ),
    Question(
        "transparency", "Which of these does the system do?", "multi",
        "Transparency duties stand beside any other class.", "Art. 50", "transparency",
        _options(TRANSPARENCY_TRIGGERS), _not_prohibited,
    ),
    Question(
        "gpai_model", "Is it, or does it contain, a general-purpose AI model that your "
        "organisation provides?", "bool",
        "A model trained on broad data that can do a wide range of tasks, which you place on "
        "the market. Using someone else's model through an API does not make you its provider.",
        "Art. 3(63), 51-55", "gpai", applies=_in_scope,
    ),
    Question(
        "gpai_training_flop", "Training compute in floating-point operations, where known",
        "number", "Above 10^25 FLOP the model is presumed to have systemic risk.",
        "Art. 51(2)", "gpai", applies=_is_gpai,
    ),
    Question(
        "gpai_open_source", "Is the model released under a free and open-source licence with "
        "its weights public?", "bool",
        "Open-source models without systemic risk are spared some documentation duties.",
        "Art. 53(2)", "gpai", applies=_is_gpai,
    ),
    Question(
        "also_deployer", "Do you also use the system yourself, under your own authority?",
        "bool", "Many in-house systems are both: you provide it and you deploy it. The deployer's "
        "duties (Art. 26, and the Art. 27 assessment where it applies) then bind you too.",
        "Art. 3(4), 26", "changes",
        applies=lambda a: _not_prohibited(a) and a.get("operator_role") == "provider",
    ),
    Question(
        "deployer_public_service", "Are you a public body, or a private entity providing public "
        "services?", "bool",
        "Such deployers of high-risk systems assess the impact on fundamental rights first.",
        "Art. 27(1)", "changes",
        applies=lambda a: _not_prohibited(a)
        and (a.get("operator_role") == "deployer" or bool(a.get("also_deployer"))),
    ),
    Question(
        "rebranded", "Have you put your name or trademark on a high-risk system someone else "
        "placed on the market?", "bool", "You then become its provider.", "Art. 25(1)(a)",
        "changes", applies=lambda a: _not_prohibited(a) and a.get("operator_role") != "provider",
    ),
    Question(
        "substantial_modification", "Have you substantially modified a high-risk system?",
        "bool", "You then become its provider.", "Art. 25(1)(b)", "changes",
        applies=lambda a: _not_prohibited(a) and a.get("operator_role") != "provider",
    ),
    Question(
        "changes_intended_purpose_to_high_risk", "Have you changed the intended purpose of a "
        "system so that it becomes high-risk?", "bool", "You then become its provider.",
        "Art. 25(1)(c)", "changes",
        applies=lambda a: _not_prohibited(a) and a.get("operator_role") != "provider",
    ),
)  # fmt: skip

BY_FIELD = {q.field: q for q in QUESTIONS}


def questions_for(step: str, answers: Answers) -> list[Question]:
    """The questions of one step that apply given the answers so far."""
    return [q for q in QUESTIONS if q.step == step and q.applies(answers)]


def visible_steps(answers: Answers) -> list[Step]:
    """The steps with at least one applicable question (the rest are skipped)."""
    return [s for s in STEPS if questions_for(s.id, answers)]


def next_step(answers: Answers, current: str | None) -> str | None:
    """The step after ``current`` (or the first), or None when only the review is left."""
    ids = [s.id for s in visible_steps(answers)]
    if current is None:
        return ids[0] if ids else None
    order = [s.id for s in STEPS]
    later = [i for i in ids if order.index(i) > order.index(current)]
    return later[0] if later else None


def previous_step(answers: Answers, current: str | None) -> str | None:
    ids = [s.id for s in visible_steps(answers)]
    if current is None:
        return ids[-1] if ids else None
    order = [s.id for s in STEPS]
    earlier = [i for i in ids if order.index(i) < order.index(current)]
    return earlier[-1] if earlier else None


def applicable_answers(answers: Answers) -> dict[str, Any]:
    """Only the answers to questions that apply: skipped questions keep no stale values."""
    return {f: v for f, v in answers.items() if f in BY_FIELD and BY_FIELD[f].applies(answers)}
