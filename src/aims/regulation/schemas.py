"""Typed answers, results and obligation catalogue for the EU AI Act classification engine."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any, Literal, Self

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from aims.errors import FieldError, ValidationFailed

# --- code lists -------------------------------------------------------------------------------


class OperatorRole(StrEnum):
    PROVIDER = "provider"
    DEPLOYER = "deployer"
    IMPORTER = "importer"
    DISTRIBUTOR = "distributor"
    AUTHORISED_REPRESENTATIVE = "authorised_representative"
    PRODUCT_MANUFACTURER = "product_manufacturer"


class ScopeExclusion(StrEnum):
    NONE = "none"
    MILITARY_DEFENCE_SECURITY = "military_defence_security"
    SCIENTIFIC_RESEARCH_ONLY = "scientific_research_only"
    PERSONAL_NON_PROFESSIONAL = "personal_non_professional"
    THIRD_COUNTRY_PUBLIC_AUTHORITY_COOPERATION = "third_country_public_authority_cooperation"


class ProhibitedPractice(StrEnum):
    A = "a"
    B = "b"
    C = "c"
    D = "d"
    E = "e"
    F = "f"
    G = "g"
    H = "h"
    NCII = "ncii"
    CSAM = "csam"


class ProhibitedException(StrEnum):
    NONE = "none"
    MEDICAL_OR_SAFETY = "medical_or_safety"
    LAW_ENFORCEMENT_AUTHORISED = "law_enforcement_authorised"


class AnnexIIIPoint(StrEnum):
    P1A = "1a"
    P1B = "1b"
    P1C = "1c"
    P2 = "2"
    P3A = "3a"
    P3B = "3b"
    P3C = "3c"
    P3D = "3d"
    P4A = "4a"
    P4B = "4b"
    P5A = "5a"
    P5B = "5b"
    P5C = "5c"
    P5D = "5d"
    P6A = "6a"
    P6B = "6b"
    P6C = "6c"
    P6D = "6d"
    P6E = "6e"
    P7A = "7a"
    P7B = "7b"
    P7C = "7c"
    P7D = "7d"
    P8A = "8a"
    P8B = "8b"


class Art63Condition(StrEnum):
    A = "a"
    B = "b"
    C = "c"
    D = "d"


class TransparencyTrigger(StrEnum):
    INTERACTS_WITH_PEOPLE = "interacts_with_people"
    SYNTHETIC_CONTENT = "synthetic_content"
    EMOTION_RECOGNITION = "emotion_recognition"
    BIOMETRIC_CATEGORISATION = "biometric_categorisation"
    DEEP_FAKE = "deep_fake"
    PUBLIC_INTEREST_TEXT = "public_interest_text"


class Art50Paragraph(StrEnum):
    P1 = "50(1)"
    P2 = "50(2)"
    P3 = "50(3)"
    P4 = "50(4)"


class RiskClass(StrEnum):
    OUT_OF_SCOPE = "out_of_scope"
    PROHIBITED = "prohibited"
    HIGH_RISK = "high_risk"
    LIMITED_RISK = "limited_risk"
    MINIMAL_RISK = "minimal_risk"


class HighRiskRoute(StrEnum):
    ANNEX_I = "annex_i"
    ANNEX_III = "annex_iii"


class Trigger(StrEnum):
    """What in a result makes a catalogue duty apply; rules.py computes the active set."""

    IN_SCOPE = "in_scope"  # in scope and not prohibited (Art. 4)
    PROHIBITED_A = "prohibited_a"
    PROHIBITED_B = "prohibited_b"
    PROHIBITED_C = "prohibited_c"
    PROHIBITED_D = "prohibited_d"
    PROHIBITED_E = "prohibited_e"
    PROHIBITED_F = "prohibited_f"
    PROHIBITED_G = "prohibited_g"
    PROHIBITED_H = "prohibited_h"
    PROHIBITED_NCII = "prohibited_ncii"
    PROHIBITED_CSAM = "prohibited_csam"
    HIGH_RISK = "high_risk"  # either route; dates differ per route
    HIGH_RISK_ANNEX_III = "high_risk_annex_iii"
    FRIA = "fria"
    DEROGATION = "derogation"
    ART50_1 = "art50_1"
    ART50_2 = "art50_2"
    ART50_3 = "art50_3"
    ART50_4 = "art50_4"
    GPAI = "gpai"  # every GPAI model provider
    GPAI_DOCUMENTATION = "gpai_documentation"  # not exempt under Art. 53(2)
    GPAI_SYSTEMIC = "gpai_systemic"


PROHIBITED_TRIGGER: dict[ProhibitedPractice, Trigger] = {
    p: Trigger(f"prohibited_{p.value}") for p in ProhibitedPractice
}
ART50_TRIGGER: dict[Art50Paragraph, Trigger] = {
    Art50Paragraph.P1: Trigger.ART50_1,
    Art50Paragraph.P2: Trigger.ART50_2,
    Art50Paragraph.P3: Trigger.ART50_3,
    Art50Paragraph.P4: Trigger.ART50_4,
}

# --- help text for the UI (our own short wording; references are to Regulation (EU) 2024/1689) --


@dataclass(frozen=True)
class CodeHelp:
    """Help text for one answer code: the legal reference and a one-line description."""

    reference: str
    text: str


SCOPE_EXCLUSIONS: dict[ScopeExclusion, CodeHelp] = {
    ScopeExclusion.NONE: CodeHelp("Art. 2(1)", "No exclusion: the general scope rules apply."),
    ScopeExclusion.MILITARY_DEFENCE_SECURITY: CodeHelp(
        "Art. 2(3)", "Used exclusively for military, defence or national security purposes."
    ),
    ScopeExclusion.SCIENTIFIC_RESEARCH_ONLY: CodeHelp(
        "Art. 2(6)", "Developed and put into service solely for scientific research."
    ),
    ScopeExclusion.PERSONAL_NON_PROFESSIONAL: CodeHelp(
        "Art. 2(10)", "Used by a natural person in a purely personal, non-professional activity."
    ),
    ScopeExclusion.THIRD_COUNTRY_PUBLIC_AUTHORITY_COOPERATION: CodeHelp(
        "Art. 2(4)",
        "Used by a third-country public authority or international organisation under "
        "law-enforcement or judicial cooperation with the EU, with adequate safeguards.",
    ),
}

ART5_POINTS: dict[ProhibitedPractice, CodeHelp] = {
    ProhibitedPractice.A: CodeHelp(
        "Art. 5(1)(a)",
        "Subliminal, manipulative or deceptive techniques that distort behaviour and cause "
        "significant harm.",
    ),
    ProhibitedPractice.B: CodeHelp(
        "Art. 5(1)(b)",
        "Exploiting vulnerabilities from age, disability or social or economic situation to "
        "distort behaviour harmfully.",
    ),
    ProhibitedPractice.C: CodeHelp(
        "Art. 5(1)(c)",
        "Social scoring that leads to unjustified or unrelated detrimental treatment.",
    ),
    ProhibitedPractice.D: CodeHelp(
        "Art. 5(1)(d)",
        "Predicting a person's risk of committing a crime solely from profiling or personality "
        "traits.",
    ),
    ProhibitedPractice.E: CodeHelp(
        "Art. 5(1)(e)",
        "Building facial recognition databases by untargeted scraping of the internet or CCTV.",
    ),
    ProhibitedPractice.F: CodeHelp(
        "Art. 5(1)(f)",
        "Inferring emotions at the workplace or in education (medical or safety uses excepted).",
    ),
    ProhibitedPractice.G: CodeHelp(
        "Art. 5(1)(g)",
        "Biometric categorisation to infer race, politics, union membership, religion, sex life "
        "or sexual orientation.",
    ),
    ProhibitedPractice.H: CodeHelp(
        "Art. 5(1)(h)",
        "Real-time remote biometric identification in public spaces for law enforcement "
        "(narrow authorised exceptions).",
    ),
    ProhibitedPractice.NCII: CodeHelp(
        "Art. 5(1) (NCII, omnibus)",
        "Generating non-consensual intimate imagery of identifiable people (added by "
        "Regulation (EU) 2026/1744).",
    ),
    ProhibitedPractice.CSAM: CodeHelp(
        "Art. 5(1) (CSAM, omnibus)",
        "Generating child sexual abuse material (added by Regulation (EU) 2026/1744).",
    ),
}

PROHIBITED_EXCEPTIONS: dict[ProhibitedException, CodeHelp] = {
    ProhibitedException.NONE: CodeHelp("Art. 5(1)", "No exception claimed."),
    ProhibitedException.MEDICAL_OR_SAFETY: CodeHelp(
        "Art. 5(1)(f)", "Emotion inference put in place for medical or safety reasons only."
    ),
    ProhibitedException.LAW_ENFORCEMENT_AUTHORISED: CodeHelp(
        "Art. 5(1)(h)",
        "Targeted search for victims, prevention of an imminent threat or locating suspects of "
        "serious crimes, with prior authorisation (Art. 5(2)-(3)).",
    ),
}

# Which Art. 5(1) point each exception can lift.
EXCEPTION_POINT: dict[ProhibitedException, ProhibitedPractice] = {
    ProhibitedException.MEDICAL_OR_SAFETY: ProhibitedPractice.F,
    ProhibitedException.LAW_ENFORCEMENT_AUTHORISED: ProhibitedPractice.H,
}

ANNEX_III_POINTS: dict[AnnexIIIPoint, CodeHelp] = {
    AnnexIIIPoint.P1A: CodeHelp(
        "Annex III 1(a)", "Remote biometric identification (not mere identity verification)."
    ),
    AnnexIIIPoint.P1B: CodeHelp(
        "Annex III 1(b)", "Biometric categorisation by sensitive or protected attributes."
    ),
    AnnexIIIPoint.P1C: CodeHelp("Annex III 1(c)", "Emotion recognition."),
    AnnexIIIPoint.P2: CodeHelp(
        "Annex III 2",
        "Safety component in critical digital infrastructure, road traffic or the supply of "
        "water, gas, heating or electricity.",
    ),
    AnnexIIIPoint.P3A: CodeHelp(
        "Annex III 3(a)", "Deciding access, admission or assignment to education or training."
    ),
    AnnexIIIPoint.P3B: CodeHelp(
        "Annex III 3(b)", "Evaluating learning outcomes or steering a person's learning."
    ),
    AnnexIIIPoint.P3C: CodeHelp(
        "Annex III 3(c)", "Assessing the level of education a person will receive or access."
    ),
    AnnexIIIPoint.P3D: CodeHelp(
        "Annex III 3(d)", "Monitoring students for prohibited behaviour during tests."
    ),
    AnnexIIIPoint.P4A: CodeHelp(
        "Annex III 4(a)",
        "Recruitment or selection (targeted job ads, filtering applications, evaluating "
        "candidates).",
    ),
    AnnexIIIPoint.P4B: CodeHelp(
        "Annex III 4(b)",
        "Decisions on work terms, promotion, termination or task allocation, or monitoring and "
        "evaluating workers.",
    ),
    AnnexIIIPoint.P5A: CodeHelp(
        "Annex III 5(a)",
        "Public authorities assessing eligibility for essential public benefits and services.",
    ),
    AnnexIIIPoint.P5B: CodeHelp(
        "Annex III 5(b)",
        "Assessing the creditworthiness or credit score of natural persons; systems used to "
        "detect financial fraud are excluded.",
    ),
    AnnexIIIPoint.P5C: CodeHelp(
        "Annex III 5(c)",
        "Risk assessment and pricing for natural persons in life and health insurance.",
    ),
    AnnexIIIPoint.P5D: CodeHelp(
        "Annex III 5(d)",
        "Evaluating emergency calls, dispatching emergency services or triaging patients.",
    ),
    AnnexIIIPoint.P6A: CodeHelp(
        "Annex III 6(a)", "Law enforcement: assessing the risk of a person becoming a victim."
    ),
    AnnexIIIPoint.P6B: CodeHelp("Annex III 6(b)", "Law enforcement: polygraphs and similar tools."),
    AnnexIIIPoint.P6C: CodeHelp(
        "Annex III 6(c)", "Law enforcement: evaluating the reliability of evidence."
    ),
    AnnexIIIPoint.P6D: CodeHelp(
        "Annex III 6(d)",
        "Law enforcement: assessing the risk of offending or re-offending, not solely by "
        "profiling.",
    ),
    AnnexIIIPoint.P6E: CodeHelp(
        "Annex III 6(e)",
        "Law enforcement: profiling in detecting, investigating or prosecuting crime.",
    ),
    AnnexIIIPoint.P7A: CodeHelp(
        "Annex III 7(a)", "Migration and border control: polygraphs and similar tools."
    ),
    AnnexIIIPoint.P7B: CodeHelp(
        "Annex III 7(b)",
        "Migration: assessing security, irregular-migration or health risks of a person.",
    ),
    AnnexIIIPoint.P7C: CodeHelp(
        "Annex III 7(c)", "Examining asylum, visa or residence applications and complaints."
    ),
    AnnexIIIPoint.P7D: CodeHelp(
        "Annex III 7(d)",
        "Detecting, recognising or identifying people in a migration context (travel document "
        "checks excluded).",
    ),
    AnnexIIIPoint.P8A: CodeHelp(
        "Annex III 8(a)",
        "Helping a judicial authority or ADR body research and interpret facts and law.",
    ),
    AnnexIIIPoint.P8B: CodeHelp(
        "Annex III 8(b)",
        "Influencing the outcome of an election or referendum or how people vote.",
    ),
}

ART6_3_CONDITIONS: dict[Art63Condition, CodeHelp] = {
    Art63Condition.A: CodeHelp("Art. 6(3)(a)", "Performs a narrow procedural task."),
    Art63Condition.B: CodeHelp(
        "Art. 6(3)(b)", "Improves the result of a previously completed human activity."
    ),
    Art63Condition.C: CodeHelp(
        "Art. 6(3)(c)",
        "Detects decision patterns or deviations without replacing or influencing the prior "
        "human assessment without proper review.",
    ),
    Art63Condition.D: CodeHelp(
        "Art. 6(3)(d)", "Performs a preparatory task to an assessment relevant to Annex III."
    ),
}

TRANSPARENCY_TRIGGERS: dict[TransparencyTrigger, CodeHelp] = {
    TransparencyTrigger.INTERACTS_WITH_PEOPLE: CodeHelp(
        "Art. 50(1)", "Interacts directly with natural persons (chatbots, voice assistants)."
    ),
    TransparencyTrigger.SYNTHETIC_CONTENT: CodeHelp(
        "Art. 50(2)", "Generates synthetic audio, image, video or text content."
    ),
    TransparencyTrigger.EMOTION_RECOGNITION: CodeHelp(
        "Art. 50(3)", "Recognises emotions of the people exposed to it."
    ),
    TransparencyTrigger.BIOMETRIC_CATEGORISATION: CodeHelp(
        "Art. 50(3)", "Sorts people into categories from biometric data."
    ),
    TransparencyTrigger.DEEP_FAKE: CodeHelp(
        "Art. 50(4)", "Produces or manipulates image, audio or video as a deep fake."
    ),
    TransparencyTrigger.PUBLIC_INTEREST_TEXT: CodeHelp(
        "Art. 50(4)",
        "Generates or manipulates text published to inform the public on matters "
        "of public interest.",
    ),
}

TRANSPARENCY_PARAGRAPH: dict[TransparencyTrigger, Art50Paragraph] = {
    TransparencyTrigger.INTERACTS_WITH_PEOPLE: Art50Paragraph.P1,
    TransparencyTrigger.SYNTHETIC_CONTENT: Art50Paragraph.P2,
    TransparencyTrigger.EMOTION_RECOGNITION: Art50Paragraph.P3,
    TransparencyTrigger.BIOMETRIC_CATEGORISATION: Art50Paragraph.P3,
    TransparencyTrigger.DEEP_FAKE: Art50Paragraph.P4,
    TransparencyTrigger.PUBLIC_INTEREST_TEXT: Art50Paragraph.P4,
}

# The operator role each Art. 50 paragraph binds.
ART50_ROLE: dict[Art50Paragraph, OperatorRole] = {
    Art50Paragraph.P1: OperatorRole.PROVIDER,
    Art50Paragraph.P2: OperatorRole.PROVIDER,
    Art50Paragraph.P3: OperatorRole.DEPLOYER,
    Art50Paragraph.P4: OperatorRole.DEPLOYER,
}

ART50_PARAGRAPHS: dict[Art50Paragraph, CodeHelp] = {
    Art50Paragraph.P1: CodeHelp(
        "Art. 50(1)", "Provider: people must be told they are dealing with an AI system."
    ),
    Art50Paragraph.P2: CodeHelp(
        "Art. 50(2)", "Provider: synthetic output must be marked as machine-detectable."
    ),
    Art50Paragraph.P3: CodeHelp(
        "Art. 50(3)",
        "Deployer: people exposed to emotion recognition or biometric categorisation must be "
        "informed.",
    ),
    Art50Paragraph.P4: CodeHelp(
        "Art. 50(4)",
        "Deployer: deep fakes and AI-made public-interest text must be disclosed as such.",
    ),
}

# --- answers ----------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_LIST_FIELDS = (
    "prohibited_practices",
    "annex_iii",
    "art6_3_conditions",
    "transparency",
)


def _code(value: Any) -> str:
    return str(value.value) if isinstance(value, Enum) else str(value)


def _codes(value: Any) -> list[str]:
    return [_code(v) for v in value] if isinstance(value, list | tuple) else []


def answer_problems(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Contradictions between answers, as (field, message) pairs, in field order.

    Works on the raw mapping (before or after type validation) so the same checks serve the
    model validator, the API and the UI; values of the wrong type are skipped, because field
    validation reports those.
    """
    problems: list[tuple[str, str]] = []
    for name in _LIST_FIELDS:
        codes = _codes(answers.get(name))
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            problems.append((name, f"lists {', '.join(repr(d) for d in dupes)} more than once"))
    practices = set(_codes(answers.get("prohibited_practices")))
    exception = _code(answers.get("prohibited_exception", ProhibitedException.NONE))
    if exception == ProhibitedException.MEDICAL_OR_SAFETY and "f" not in practices:
        problems.append(
            (
                "prohibited_exception",
                "the medical or safety exception only lifts Art. 5(1)(f); select practice 'f' "
                "or set the exception to 'none'",
            )
        )
    if exception == ProhibitedException.LAW_ENFORCEMENT_AUTHORISED and "h" not in practices:
        problems.append(
            (
                "prohibited_exception",
                "the authorised law-enforcement exception only lifts Art. 5(1)(h); select "
                "practice 'h' or set the exception to 'none'",
            )
        )
    if _codes(answers.get("art6_3_conditions")) and not _codes(answers.get("annex_iii")):
        problems.append(
            (
                "art6_3_conditions",
                "Art. 6(3) conditions only apply to an Annex III system; select an Annex III "
                "point or clear the conditions",
            )
        )
    gpai = answers.get("gpai_model") is True
    flop = answers.get("gpai_training_flop")
    if flop is not None and not gpai:
        problems.append(
            ("gpai_training_flop", "training compute is only asked for a general-purpose AI model")
        )
    if isinstance(flop, int | float) and not isinstance(flop, bool) and flop < 0:
        problems.append(("gpai_training_flop", "training compute cannot be negative"))
    if answers.get("also_deployer") is True and _code(answers.get("operator_role")) != "provider":
        problems.append(
            (
                "also_deployer",
                "only a provider can also be the deployer; choose the role 'provider'",
            )
        )
    if answers.get("gpai_open_source") is True and not gpai:
        problems.append(
            ("gpai_open_source", "open-source release is only asked for a general-purpose AI model")
        )
    return problems


def _reraise(field_errors: list[InitErrorDetails], problems: list[tuple[str, str]]) -> None:
    details = [
        *field_errors,
        *(
            InitErrorDetails(
                type=PydanticCustomError("answer_contradiction", message),
                loc=(name,),
                input=None,
            )
            for name, message in problems
        ),
    ]
    if details:
        raise ValidationError.from_exception_data("Answers", details)


class Answers(_Strict):
    """One answer set from the classification questionnaire; contradictions are rejected."""

    operator_role: OperatorRole
    in_eu: bool
    scope_exclusion: ScopeExclusion = ScopeExclusion.NONE
    prohibited_practices: list[ProhibitedPractice] = Field(default_factory=list)
    prohibited_exception: ProhibitedException = ProhibitedException.NONE
    annex_i_safety_component: bool = False
    annex_i_third_party_conformity: bool = False
    annex_iii: list[AnnexIIIPoint] = Field(default_factory=list)
    art6_3_conditions: list[Art63Condition] = Field(default_factory=list)
    profiles_natural_persons: bool = False
    transparency: list[TransparencyTrigger] = Field(default_factory=list)
    gpai_model: bool = False
    gpai_training_flop: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    gpai_open_source: bool = False
    deployer_public_service: bool = False
    substantial_modification: bool = False
    rebranded: bool = False
    changes_intended_purpose_to_high_risk: bool = False
    also_deployer: bool = False  # a provider that also uses the system under its authority

    @field_validator("annex_iii", mode="before")
    @classmethod
    def _numbers_as_codes(cls, value: Any) -> Any:
        """YAML reads ``annex_iii: [2]`` as an integer; point 2 is meant."""
        if isinstance(value, list):
            return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _no_contradictions(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        """Report field errors and contradictions together, each located at its field."""
        problems = answer_problems(data) if isinstance(data, Mapping) else []
        try:
            answers = handler(data)
        except ValidationError as exc:
            errors = exc.errors()
            failed = {e["loc"][0] for e in errors if e["loc"]}
            field_errors = [
                InitErrorDetails(type=e["type"], loc=e["loc"], input=e["input"], ctx=e["ctx"])
                if "ctx" in e
                else InitErrorDetails(type=e["type"], loc=e["loc"], input=e["input"])
                for e in errors
            ]
            _reraise(field_errors, [p for p in problems if p[0] not in failed])
            raise
        _reraise([], problems)
        return answers


class AnswersError(ValidationFailed, ValueError):
    """Answers text that cannot be read or validated; ``errors`` has one entry per field."""


def parse_answers(text: str, fmt: Literal["yaml", "json"]) -> Answers:
    """Read an answer set from YAML or JSON text; raise ``AnswersError`` naming each field."""
    try:
        raw = yaml.safe_load(text) if fmt == "yaml" else json.loads(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else getattr(exc, "lineno", None)
        where = f" at line {line}" if line else ""
        raise AnswersError(f"answers are not valid {fmt.upper()}{where}") from exc
    if not isinstance(raw, dict):
        raise AnswersError(
            "answers must be a mapping of field names to values",
            errors=[FieldError(loc=(), msg="expected a mapping at the top level")],
        )
    try:
        return Answers.model_validate(raw)
    except ValidationError as exc:
        errors = [
            FieldError(
                loc=tuple(p for p in e["loc"] if isinstance(p, str | int)),
                msg="unknown field" if e["type"] == "extra_forbidden" else e["msg"],
                type=e["type"],
            )
            for e in exc.errors()
        ]
        listing = "; ".join(f"{'.'.join(str(p) for p in e.loc)}: {e.msg}" for e in errors)
        raise AnswersError(f"answers are invalid: {listing}", errors=errors) from exc


# --- obligation catalogue (the shape of data/eu_ai_act.yaml) ------------------------------------


class RegulationInfo(_Strict):
    id: str
    title: str
    amended_by: list[str] = Field(default_factory=list)
    content_version: str = Field(min_length=1)


class Milestone(_Strict):
    """A date from which some duties apply, with the legal source of that date."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    date: dt.date
    source: str = Field(min_length=10)
    description: str = Field(min_length=5)


class Duty(_Strict):
    """One catalogue duty; ``applies_from`` names a milestone, or one per high-risk route."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    article: str = Field(pattern=r"^(Art\.|Annex) ")
    duty: str = Field(min_length=10, max_length=300)
    roles: list[OperatorRole] = Field(min_length=1)
    when: Trigger
    applies_from: str | dict[HighRiskRoute, str]
    note: str | None = None


def _catalogue_problems(data: Obligations) -> list[InitErrorDetails]:
    problems: list[InitErrorDetails] = []

    def add(loc: tuple[str | int, ...], message: str) -> None:
        problems.append(
            InitErrorDetails(type=PydanticCustomError("catalogue", message), loc=loc, input=None)
        )

    seen: set[str] = set()
    for i, m in enumerate(data.milestones):
        if m.id in seen:
            add(("milestones", i, "id"), f"duplicate milestone id '{m.id}'")
        seen.add(m.id)
    ids: set[str] = set()
    for i, d in enumerate(data.duties):
        if d.id in ids:
            add(("duties", i, "id"), f"duplicate duty id '{d.id}'")
        ids.add(d.id)
        keys = [d.applies_from] if isinstance(d.applies_from, str) else [*d.applies_from.values()]
        for key in keys:
            if key not in seen:
                add(("duties", i, "applies_from"), f"unknown milestone '{key}'")
        per_route = isinstance(d.applies_from, dict)
        if d.when == Trigger.HIGH_RISK and (
            not per_route or set(d.applies_from) != set(HighRiskRoute)
        ):
            add(
                ("duties", i, "applies_from"),
                "a high_risk duty needs one milestone per route (annex_i and annex_iii)",
            )
        if d.when != Trigger.HIGH_RISK and per_route:
            add(("duties", i, "applies_from"), "only high_risk duties can date by route")
    unused = [t.value for t in Trigger if all(d.when != t for d in data.duties)]
    if unused:
        add(("duties",), f"no duty for trigger(s): {', '.join(unused)}")
    return problems


class Obligations(_Strict):
    """The whole catalogue: milestones (dates with sources) and the duties that use them."""

    regulation: RegulationInfo
    milestones: list[Milestone] = Field(min_length=1)
    duties: list[Duty] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        """Cross-entry checks, so a correction to the file cannot leave a dangling reference."""
        problems = _catalogue_problems(self)
        if problems:
            raise ValidationError.from_exception_data("Obligations", problems)
        return self

    def milestone(self, key: str) -> Milestone:
        return next(m for m in self.milestones if m.id == key)


# --- result -----------------------------------------------------------------------------------


class TraceStep(_Strict):
    step: int
    reference: str
    question: str
    finding: str


class Obligation(_Strict):
    """A duty that binds the organisation, with the date it applies from and why."""

    id: str
    article: str
    duty: str
    role: OperatorRole
    applies_from: dt.date
    source: str
    note: str | None = None
    in_effect: bool


class GpaiResult(_Strict):
    obligations: list[str]
    systemic_risk: bool


class Result(_Strict):
    risk_class: RiskClass
    high_risk_route: HighRiskRoute | None
    derogation_applied: bool
    effective_role: OperatorRole
    transparency_obligations: list[Art50Paragraph]
    gpai: GpaiResult | None
    fria_required: bool
    obligations: list[Obligation]
    trace: list[TraceStep]
    rules_version: str
    catalogue_version: str
    as_of: dt.date
