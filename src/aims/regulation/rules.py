"""EU AI Act classification as a pure function of an answer set and the obligation catalogue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypedDict

from aims.regulation.dates import get_obligations
from aims.regulation.schemas import (
    ANNEX_III_POINTS,
    ART5_POINTS,
    ART6_3_CONDITIONS,
    ART50_ROLE,
    ART50_TRIGGER,
    EXCEPTION_POINT,
    PROHIBITED_EXCEPTIONS,
    PROHIBITED_TRIGGER,
    SCOPE_EXCLUSIONS,
    TRANSPARENCY_PARAGRAPH,
    TRANSPARENCY_TRIGGERS,
    AnnexIIIPoint,
    Answers,
    Art50Paragraph,
    GpaiResult,
    HighRiskRoute,
    Milestone,
    Obligation,
    Obligations,
    OperatorRole,
    ProhibitedPractice,
    Result,
    RiskClass,
    ScopeExclusion,
    TraceStep,
    Trigger,
)

# Bump whenever a rule below changes, so stored classifications say which rules made them.
RULES_VERSION = "2026-11-omnibus-1"

# Art. 51(2): systemic risk is presumed above this much training compute.
SYSTEMIC_RISK_FLOP = 1e25

# Roles that become the provider of a high-risk system under Art. 25(1); an authorised
# representative acts under the provider's mandate, so it is not shifted.
SHIFTABLE_ROLES = frozenset(
    {
        OperatorRole.DEPLOYER,
        OperatorRole.IMPORTER,
        OperatorRole.DISTRIBUTOR,
        OperatorRole.PRODUCT_MANUFACTURER,
    }
)

# Art. 27(1): these Annex III points need a FRIA from every deployer; point 2 never does.
FRIA_ANY_DEPLOYER = frozenset({AnnexIIIPoint.P5B, AnnexIIIPoint.P5C})
FRIA_EXCLUDED = frozenset({AnnexIIIPoint.P2})

_ROUTE_FIELDS = "annex_i_safety_component, annex_i_third_party_conformity"
_SHIFT_FIELDS = "rebranded, substantial_modification, changes_intended_purpose_to_high_risk"


def _name(role: OperatorRole) -> str:
    return role.value.replace("_", " ")


def _lower(text: str) -> str:
    return text[0].lower() + text[1:].rstrip(".")


class _Trace:
    """Collects numbered steps in the order decisions are taken."""

    def __init__(self) -> None:
        self.steps: list[TraceStep] = []

    def add(self, reference: str, question: str, finding: str) -> None:
        self.steps.append(
            TraceStep(
                step=len(self.steps) + 1, reference=reference, question=question, finding=finding
            )
        )


class _Stamp(TypedDict):
    """The fields every result carries besides the decisions themselves."""

    trace: list[TraceStep]
    rules_version: str
    catalogue_version: str
    as_of: dt.date


@dataclass(frozen=True)
class _Shift:
    """The Art. 25 outcome, decided early (transparency and GPAI depend on it), traced later."""

    role: OperatorRole
    lines: tuple[tuple[str, str, str], ...]


# --- (1) scope --------------------------------------------------------------------------------


def _in_scope(answers: Answers, trace: _Trace) -> bool:
    if not answers.in_eu:
        trace.add(
            "Art. 2(1)",
            "in_eu",
            "Not placed on the EU market, put into service or used in the EU: outside the Act's "
            "territorial scope, so no duties under the Act.",
        )
        return False
    trace.add(
        "Art. 2(1)",
        "in_eu",
        "Placed on the EU market, put into service or its output used in the EU: in scope.",
    )
    if answers.scope_exclusion != ScopeExclusion.NONE:
        help_ = SCOPE_EXCLUSIONS[answers.scope_exclusion]
        trace.add(
            help_.reference,
            "scope_exclusion",
            f"Excluded from the Act ({_lower(help_.text)}): no duties under the Act.",
        )
        return False
    trace.add("Art. 2", "scope_exclusion", "No scope exclusion applies.")
    return True


# --- (2) prohibited practices -----------------------------------------------------------------


def _prohibited(answers: Answers, trace: _Trace) -> list[ProhibitedPractice]:
    if not answers.prohibited_practices:
        trace.add("Art. 5(1)", "prohibited_practices", "No prohibited practice selected.")
        return []
    selected = set(answers.prohibited_practices)
    lifted = EXCEPTION_POINT.get(answers.prohibited_exception)
    banned: list[ProhibitedPractice] = []
    for point in ProhibitedPractice:  # canonical order, whatever order the answers used
        if point not in selected:
            continue
        help_ = ART5_POINTS[point]
        if point == lifted:
            exception = PROHIBITED_EXCEPTIONS[answers.prohibited_exception]
            trace.add(
                help_.reference,
                "prohibited_exception",
                f"Exception claimed ({_lower(exception.text)}): this point does not prohibit "
                "the system. Check Annex III point 1, which may still make it high-risk.",
            )
            continue
        trace.add(help_.reference, "prohibited_practices", f"Prohibited: {_lower(help_.text)}.")
        banned.append(point)
    return banned


# --- (3) and (4) high risk --------------------------------------------------------------------


def _annex_i(answers: Answers, trace: _Trace) -> bool:
    component = answers.annex_i_safety_component
    third_party = answers.annex_i_third_party_conformity
    if component and third_party:
        finding = (
            "A product, or safety component of a product, under Annex I law that needs "
            "third-party conformity assessment: high-risk."
        )
    elif component:
        finding = (
            "Product or safety component under Annex I law, but no third-party conformity "
            "assessment is required: not high-risk under Art. 6(1)."
        )
    elif third_party:
        finding = (
            "Third-party conformity assessment answered, but the system is not a product or "
            "safety component under Annex I law: not high-risk under Art. 6(1)."
        )
    else:
        finding = "Not a product or safety component under Annex I law."
    trace.add("Art. 6(1)", _ROUTE_FIELDS, finding)
    return component and third_party


def _annex_iii(answers: Answers, annex_i: bool, trace: _Trace) -> tuple[bool, bool]:
    """Return (high-risk under Art. 6(2), Art. 6(3) derogation applied)."""
    if not answers.annex_iii:
        trace.add("Art. 6(2)", "annex_iii", "No Annex III use case selected.")
        return False, False
    for point in AnnexIIIPoint:
        if point in answers.annex_iii:
            help_ = ANNEX_III_POINTS[point]
            trace.add(help_.reference, "annex_iii", f"Listed use case: {_lower(help_.text)}.")
    if not answers.art6_3_conditions:
        trace.add(
            "Art. 6(2)",
            "art6_3_conditions",
            "No Art. 6(3) condition claimed: the Annex III system is high-risk.",
        )
        return True, False
    for condition in sorted(answers.art6_3_conditions):
        help_ = ART6_3_CONDITIONS[condition]
        trace.add(help_.reference, "art6_3_conditions", f"Condition claimed: {_lower(help_.text)}.")
    if answers.profiles_natural_persons:
        trace.add(
            "Art. 6(3), third subparagraph",
            "profiles_natural_persons",
            "The system profiles natural persons, so the derogation is refused: it stays "
            "high-risk.",
        )
        return True, False
    also = (
        " It remains high-risk under Art. 6(1): the derogation only lifts the Annex III route."
        if annex_i
        else ""
    )
    trace.add(
        "Art. 6(3)",
        "art6_3_conditions",
        "Derogation applies: the Annex III use does not make the system high-risk. The provider "
        f"must document the assessment (Art. 6(4)) and register the system (Art. 49(2)).{also}",
    )
    return False, True


# --- (5) transparency -------------------------------------------------------------------------


def _transparency(answers: Answers, role: OperatorRole, trace: _Trace) -> list[Art50Paragraph]:
    """Trace each Art. 50 trigger; return the paragraphs the system falls under (any role)."""
    if not answers.transparency:
        trace.add("Art. 50", "transparency", "No Art. 50 transparency trigger selected.")
        return []
    paragraphs: set[Art50Paragraph] = set()
    for trigger in sorted(answers.transparency, key=list(TRANSPARENCY_TRIGGERS).index):
        paragraph = TRANSPARENCY_PARAGRAPH[trigger]
        bound = ART50_ROLE[paragraph]
        whose = (
            f"it binds you as {_name(role)}"
            if bound == role
            else f"it binds the {_name(bound)}, not you as {_name(role)}"
        )
        trace.add(
            f"Art. {paragraph.value}",
            "transparency",
            f"{TRANSPARENCY_TRIGGERS[trigger].text.rstrip('.')}: Art. {paragraph.value} "
            f"applies; {whose}.",
        )
        paragraphs.add(paragraph)
    return sorted(paragraphs)


# --- (6) general-purpose AI models ------------------------------------------------------------


def _gpai(
    answers: Answers, role: OperatorRole, catalogue: Obligations, trace: _Trace
) -> tuple[GpaiResult | None, set[Trigger]]:
    if not answers.gpai_model:
        trace.add(
            "Art. 53(1)",
            "gpai_model",
            "The organisation provides no general-purpose AI model with this system.",
        )
        return None, set()
    flop = answers.gpai_training_flop
    systemic = flop is not None and flop > SYSTEMIC_RISK_FLOP
    if flop is None:
        finding = (
            "No training compute given: systemic risk is not presumed (the Commission can still "
            "designate the model, Art. 51(1)(b))."
        )
    elif systemic:
        finding = f"Training compute of {flop:.3g} FLOP exceeds 10^25: systemic risk is presumed."
    else:
        finding = (
            f"Training compute of {flop:.3g} FLOP does not exceed 10^25: systemic risk is not "
            "presumed."
        )
    trace.add("Art. 51(2)", "gpai_training_flop", finding)
    triggers = {Trigger.GPAI}
    if answers.gpai_open_source and not systemic:
        trace.add(
            "Art. 53(2)",
            "gpai_open_source",
            "Free and open-source model without systemic risk: exempt from technical "
            "documentation and downstream information (Art. 53(1)(a)-(b)); the copyright policy "
            "and training summary remain.",
        )
    else:
        triggers.add(Trigger.GPAI_DOCUMENTATION)
        trace.add(
            "Art. 53(2)" if answers.gpai_open_source else "Art. 53(1)",
            "gpai_open_source",
            "Open-source release gives no exemption to a model with systemic risk."
            if answers.gpai_open_source
            else "Not released as free and open-source: all Art. 53(1) duties apply.",
        )
    if systemic:
        triggers.add(Trigger.GPAI_SYSTEMIC)
        trace.add(
            "Art. 52(1)",
            "gpai_training_flop",
            "Notify the Commission within two weeks and meet the Art. 55 duties for models with "
            "systemic risk.",
        )
    if role != OperatorRole.PROVIDER:
        trace.add(
            "Art. 53(1)",
            "operator_role",
            f"GPAI model duties bind the provider of the model, not the {_name(role)} of this "
            "system; they are reported under gpai but not listed among your duties.",
        )
    articles = [d.article for d in catalogue.duties if d.when in triggers]
    return GpaiResult(obligations=articles, systemic_risk=systemic), triggers


# --- (7) role shifts --------------------------------------------------------------------------


def _role_shift(answers: Answers, high_risk: bool, annex_i: bool) -> _Shift:
    """Art. 25: a non-provider becomes the provider of a high-risk system it rebrands,
    substantially modifies, or repurposes into high risk; nothing shifts otherwise."""
    role = answers.operator_role
    if role == OperatorRole.PROVIDER:
        return _Shift(role, (("Art. 25(1)", "operator_role", "You are the provider already."),))
    flags = [
        (answers.rebranded, "rebranded", "Art. 25(1)(a)", "put your name or trademark on it"),
        (
            answers.substantial_modification,
            "substantial_modification",
            "Art. 25(1)(b)",
            "substantially modified it",
        ),
        (
            answers.changes_intended_purpose_to_high_risk,
            "changes_intended_purpose_to_high_risk",
            "Art. 25(1)(c)",
            "changed its intended purpose so that it became high-risk",
        ),
    ]
    active = [f for f in flags if f[0]]
    if not high_risk:
        fields = ", ".join(f[1] for f in active) or "operator_role"
        return _Shift(
            role,
            (
                (
                    "Art. 25(1)",
                    fields,
                    f"Not high-risk: Art. 25 role shifts do not arise; you stay {_name(role)}.",
                ),
            ),
        )
    if role not in SHIFTABLE_ROLES:
        return _Shift(
            role,
            (
                (
                    "Art. 25(1)",
                    "operator_role",
                    "An authorised representative acts under the provider's mandate; no Art. 25 "
                    "role shift is applied.",
                ),
            ),
        )
    if not active:
        lines: tuple[tuple[str, str, str], ...] = (
            (
                "Art. 25(1)",
                _SHIFT_FIELDS,
                f"No rebranding, substantial modification or change of purpose: you stay "
                f"{_name(role)}.",
            ),
        )
        if role == OperatorRole.PRODUCT_MANUFACTURER and annex_i:
            lines += (
                (
                    "Art. 25(3)",
                    "rebranded",
                    "If the system goes to market with your product under your name, you are "
                    "its provider: answer 'rebranded' in that case.",
                ),
            )
        return _Shift(role, lines)
    shifted = []
    for _, field, reference, what in active:
        if role == OperatorRole.PRODUCT_MANUFACTURER and field == "rebranded" and annex_i:
            reference = "Art. 25(3)"
        shifted.append(
            (
                reference,
                field,
                f"As {_name(role)} you {what}: you become the provider of the high-risk system "
                "and take on the provider duties (Art. 16).",
            )
        )
    return _Shift(OperatorRole.PROVIDER, tuple(shifted))


# --- (8) fundamental rights impact assessment -------------------------------------------------


def _fria(answers: Answers, role: OperatorRole, high: bool, annex_iii: bool, trace: _Trace) -> bool:
    """Art. 27(1): deployers of Annex III systems (not point 2) that are public bodies or
    provide public services, and every deployer of points 5(b) and 5(c)."""
    points = set(answers.annex_iii)
    if not high:
        finding, question, required = "Not high-risk: no FRIA.", "annex_iii", False
    elif role != OperatorRole.DEPLOYER:
        finding = f"The FRIA is a deployer duty; as {_name(role)} it does not bind you."
        question, required = "operator_role", False
    elif not annex_iii:
        finding = "High-risk only under Annex I: Art. 27 covers Annex III systems."
        question, required = "annex_iii", False
    elif points & FRIA_ANY_DEPLOYER:
        finding = (
            "Deployer of an Annex III 5(b) or 5(c) system: a FRIA is required whoever deploys it."
        )
        question, required = "annex_iii", True
    elif answers.deployer_public_service and points - FRIA_EXCLUDED:
        finding = (
            "Public body or provider of public services deploying an Annex III system: a FRIA "
            "is required."
        )
        question, required = "deployer_public_service", True
    elif answers.deployer_public_service:
        finding = "Annex III point 2 (critical infrastructure) is excluded from Art. 27: no FRIA."
        question, required = "annex_iii", False
    else:
        finding = "Private deployer of an Annex III system outside points 5(b) and 5(c): no FRIA."
        question, required = "deployer_public_service", False
    trace.add("Art. 27(1)", question, finding)
    return required


# --- (9) obligations --------------------------------------------------------------------------


def _obligations(
    catalogue: Obligations,
    triggers: set[Trigger],
    roles: set[OperatorRole],
    routes: set[HighRiskRoute],
    today: dt.date,
    trace: _Trace,
) -> list[Obligation]:
    """Catalogue duties the result triggers that bind one of ``roles``, dated from the
    catalogue. A duty dated per route takes the earliest date among the routes that apply.
    """
    selected: list[Obligation] = []
    for duty in catalogue.duties:
        bound = [r for r in duty.roles if r in roles]
        if duty.when not in triggers or not bound:
            continue
        role = OperatorRole.PROVIDER if OperatorRole.PROVIDER in bound else bound[0]
        if isinstance(duty.applies_from, str):
            milestone = catalogue.milestone(duty.applies_from)
        else:
            candidates: list[Milestone] = [
                catalogue.milestone(duty.applies_from[r]) for r in sorted(routes)
            ]
            milestone = min(candidates, key=lambda m: m.date)
        selected.append(
            Obligation(
                id=duty.id,
                article=duty.article,
                duty=duty.duty,
                role=role,
                applies_from=milestone.date,
                source=milestone.source,
                note=duty.note,
                in_effect=milestone.date <= today,
            )
        )
    who = " and ".join(sorted(_name(r) for r in roles))
    if selected:
        first = min(selected, key=lambda o: o.applies_from)
        in_effect = sum(o.in_effect for o in selected)
        finding = (
            f"{len(selected)} duties bind you as {who}; the earliest applies from "
            f"{first.applies_from.isoformat()} ({first.source}); in effect on "
            f"{today.isoformat()}: {in_effect}."
        )
    else:
        finding = f"No duty under the Act binds you as {who} for this system."
    trace.add("Art. 113", "operator_role", finding)
    return selected


# --- the engine -------------------------------------------------------------------------------


def classify(
    answers: Answers, *, today: dt.date | None = None, catalogue: Obligations | None = None
) -> Result:
    """Classify one AI system and list the duties that bind the organisation, with a trace.

    Pure apart from reading the clock when ``today`` is None and the cached catalogue when
    ``catalogue`` is None; pass both for fully reproducible results.
    """
    catalogue = catalogue if catalogue is not None else get_obligations()
    as_of = today if today is not None else dt.date.today()
    trace = _Trace()
    role = answers.operator_role

    def stamp() -> _Stamp:
        return {
            "trace": list(trace.steps),
            "rules_version": RULES_VERSION,
            "catalogue_version": catalogue.regulation.content_version,
            "as_of": as_of,
        }

    # (1) scope wins over everything.
    if not _in_scope(answers, trace):
        return Result(
            risk_class=RiskClass.OUT_OF_SCOPE,
            high_risk_route=None,
            derogation_applied=False,
            effective_role=role,
            transparency_obligations=[],
            gpai=None,
            fria_required=False,
            obligations=[],
            **stamp(),
        )

    # (2) prohibited practices: nothing else about the system's use matters any more.
    banned = _prohibited(answers, trace)
    if banned:
        trace.add(
            "Art. 5",
            "prohibited_practices",
            "Prohibited: high-risk, transparency, role-shift and FRIA rules are not assessed; "
            "the system must not be placed on the market, put into service or used.",
        )
        gpai, gpai_triggers = _gpai(answers, role, catalogue, trace)
        triggers = {PROHIBITED_TRIGGER[p] for p in banned} | gpai_triggers
        obligations = _obligations(catalogue, triggers, {role}, set(), as_of, trace)
        return Result(
            risk_class=RiskClass.PROHIBITED,
            high_risk_route=None,
            derogation_applied=False,
            effective_role=role,
            transparency_obligations=[],
            gpai=gpai,
            fria_required=False,
            obligations=obligations,
            **stamp(),
        )

    # (3) Annex I and (4) Annex III with the Art. 6(3) derogation.
    annex_i = _annex_i(answers, trace)
    annex_iii, derogation = _annex_iii(answers, annex_i, trace)
    routes = {
        r
        for r, hit in ((HighRiskRoute.ANNEX_I, annex_i), (HighRiskRoute.ANNEX_III, annex_iii))
        if hit
    }
    high = bool(routes)
    route = HighRiskRoute.ANNEX_I if annex_i else HighRiskRoute.ANNEX_III if annex_iii else None
    shift = _role_shift(answers, high, annex_i)
    effective = shift.role

    # (5) transparency stands beside high risk.
    paragraphs = _transparency(answers, effective, trace)
    if high:
        both = (
            " It is also listed in Annex III, so Annex III duties apply too."
            if annex_i and annex_iii
            else ""
        )
        risk = RiskClass.HIGH_RISK
        trace.add(
            "Art. 6(1)" if annex_i else "Art. 6(2)",
            _ROUTE_FIELDS if annex_i else "annex_iii",
            f"High-risk via {'Annex I' if annex_i else 'Annex III'}.{both}",
        )
    elif paragraphs:
        risk = RiskClass.LIMITED_RISK
        trace.add(
            "Art. 50",
            "transparency",
            "No high-risk route, but Art. 50 transparency applies: limited risk.",
        )
    else:
        risk = RiskClass.MINIMAL_RISK
        trace.add(
            "Art. 95",
            "annex_iii, transparency",
            "No prohibited practice, high-risk route or transparency trigger: minimal risk "
            "(voluntary codes of conduct only).",
        )

    # (6) GPAI, (7) role shift, (8) FRIA.
    gpai, gpai_triggers = _gpai(answers, effective, catalogue, trace)
    for reference, question, finding in shift.lines:
        trace.add(reference, question, finding)
    # A shifted role adds the provider's duties; the organisation still deploys (or imports,
    # distributes) the system, so the duties of its own role stay, FRIA included.
    roles = {effective, role}
    if answers.also_deployer:
        roles.add(OperatorRole.DEPLOYER)
        trace.add(
            "Art. 3(4)",
            "also_deployer",
            "You also use the system under your own authority: the deployer's duties apply too.",
        )
    fria = _fria(
        answers, OperatorRole.DEPLOYER if answers.also_deployer else role, high, annex_iii, trace
    )

    # (9) obligations with dates.
    triggers = {Trigger.IN_SCOPE, *gpai_triggers, *(ART50_TRIGGER[p] for p in paragraphs)}
    if high:
        triggers.add(Trigger.HIGH_RISK)
    if annex_iii:
        triggers.add(Trigger.HIGH_RISK_ANNEX_III)
    if fria:
        triggers.add(Trigger.FRIA)
    if derogation:
        triggers.add(Trigger.DEROGATION)
    obligations = _obligations(catalogue, triggers, roles, routes, as_of, trace)
    return Result(
        risk_class=risk,
        high_risk_route=route,
        derogation_applied=derogation,
        effective_role=effective,
        transparency_obligations=[p for p in paragraphs if ART50_ROLE[p] in roles],
        gpai=gpai,
        fria_required=fria,
        obligations=obligations,
        **stamp(),
    )
