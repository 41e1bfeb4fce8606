"""EU AI Act classification: decision tables, dates from the catalogue, properties, loader."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from aims.regulation import (
    ANNEX_III_POINTS,
    ART5_POINTS,
    ART6_3_CONDITIONS,
    ART50_PARAGRAPHS,
    RULES_VERSION,
    SCOPE_EXCLUSIONS,
    TRANSPARENCY_TRIGGERS,
    AnnexIIIPoint,
    Answers,
    AnswersError,
    Art63Condition,
    Obligations,
    ObligationsError,
    OperatorRole,
    ProhibitedException,
    ProhibitedPractice,
    Result,
    RiskClass,
    ScopeExclusion,
    TransparencyTrigger,
    answer_problems,
    classify,
    get_obligations,
    load_obligations,
    parse_answers,
)
from aims.regulation import dates as dates_module
from aims.regulation.schemas import EXCEPTION_POINT

TODAY = dt.date(2026, 11, 29)
CATALOGUE = load_obligations()
RANK = {
    RiskClass.MINIMAL_RISK: 0,
    RiskClass.LIMITED_RISK: 1,
    RiskClass.HIGH_RISK: 2,
    RiskClass.PROHIBITED: 3,
}


def run(**fields: Any) -> Result:
    """Classify an answer set given as keyword overrides of an in-scope provider."""
    base: dict[str, Any] = {"operator_role": "provider", "in_eu": True}
    return classify(Answers.model_validate({**base, **fields}), today=TODAY, catalogue=CATALOGUE)


def refs(result: Result) -> list[str]:
    return [s.reference for s in result.trace]


def obligation(result: Result, duty_id: str) -> Any:
    return next(o for o in result.obligations if o.id == duty_id)


def ids(result: Result) -> set[str]:
    return {o.id for o in result.obligations}


def error_fields(exc: ValidationError) -> list[str]:
    return [str(e["loc"][0]) for e in exc.errors()]


# --- (1) scope ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "exclusion", [e for e in ScopeExclusion if e != ScopeExclusion.NONE], ids=str
)
def test_each_scope_exclusion_is_out_of_scope(exclusion: ScopeExclusion) -> None:
    result = run(scope_exclusion=exclusion, annex_iii=["5b"], prohibited_practices=["c"])
    assert result.risk_class == RiskClass.OUT_OF_SCOPE
    assert result.obligations == [] and result.gpai is None
    assert SCOPE_EXCLUSIONS[exclusion].reference in refs(result)


def test_scope_exclusion_references() -> None:
    assert SCOPE_EXCLUSIONS[ScopeExclusion.MILITARY_DEFENCE_SECURITY].reference == "Art. 2(3)"
    assert SCOPE_EXCLUSIONS[ScopeExclusion.SCIENTIFIC_RESEARCH_ONLY].reference == "Art. 2(6)"
    assert SCOPE_EXCLUSIONS[ScopeExclusion.PERSONAL_NON_PROFESSIONAL].reference == "Art. 2(10)"
    assert (
        SCOPE_EXCLUSIONS[ScopeExclusion.THIRD_COUNTRY_PUBLIC_AUTHORITY_COOPERATION].reference
        == "Art. 2(4)"
    )


def test_not_in_eu_is_out_of_scope_and_stops() -> None:
    result = run(in_eu=False, prohibited_practices=["a"], gpai_model=True)
    assert result.risk_class == RiskClass.OUT_OF_SCOPE
    assert len(result.trace) == 1
    assert result.trace[0].reference == "Art. 2(1)" and result.trace[0].question == "in_eu"


# --- (2) prohibited practices -------------------------------------------------------------------


@pytest.mark.parametrize("point", list(ProhibitedPractice), ids=str)
def test_every_art5_point_is_prohibited(point: ProhibitedPractice) -> None:
    result = run(prohibited_practices=[point], annex_iii=["4a"], transparency=["deep_fake"])
    assert result.risk_class == RiskClass.PROHIBITED
    assert result.transparency_obligations == [] and result.high_risk_route is None
    assert ART5_POINTS[point].reference in refs(result)
    assert [o.article for o in result.obligations] == [ART5_POINTS[point].reference]


@pytest.mark.parametrize(
    ("point", "exception", "reference"),
    [
        ("f", "medical_or_safety", "Art. 5(1)(f)"),
        ("h", "law_enforcement_authorised", "Art. 5(1)(h)"),
    ],
)
def test_exception_lifts_its_own_point(point: str, exception: str, reference: str) -> None:
    result = run(prohibited_practices=[point], prohibited_exception=exception)
    assert result.risk_class == RiskClass.MINIMAL_RISK
    step = next(s for s in result.trace if s.reference == reference)
    assert step.question == "prohibited_exception" and "exception" in step.finding.lower()
    assert not any(o.article.startswith("Art. 5") for o in result.obligations)


def test_exception_does_not_lift_other_points() -> None:
    result = run(prohibited_practices=["f", "c"], prohibited_exception="medical_or_safety")
    assert result.risk_class == RiskClass.PROHIBITED
    assert [o.id for o in result.obligations] == ["art5-1-c"]


@pytest.mark.parametrize(
    ("practices", "exception"),
    [
        (["h"], "medical_or_safety"),
        (["f"], "law_enforcement_authorised"),
        ([], "medical_or_safety"),
        (["a", "b"], "law_enforcement_authorised"),
    ],
)
def test_exception_that_does_not_fit_is_rejected(practices: list[str], exception: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Answers(
            operator_role=OperatorRole.PROVIDER,
            in_eu=True,
            prohibited_practices=[ProhibitedPractice(p) for p in practices],
            prohibited_exception=ProhibitedException(exception),
        )
    assert error_fields(caught.value) == ["prohibited_exception"]


# --- (3) Annex I and (4) Annex III --------------------------------------------------------------


@pytest.mark.parametrize("point", list(AnnexIIIPoint), ids=str)
def test_every_annex_iii_point_is_high_risk(point: AnnexIIIPoint) -> None:
    result = run(annex_iii=[point])
    assert result.risk_class == RiskClass.HIGH_RISK
    assert result.high_risk_route == "annex_iii" and not result.derogation_applied
    assert ANNEX_III_POINTS[point].reference in refs(result)


@pytest.mark.parametrize("condition", list(Art63Condition), ids=str)
def test_art6_3_condition_without_profiling_derogates(condition: Art63Condition) -> None:
    result = run(annex_iii=["4a"], art6_3_conditions=[condition])
    assert result.derogation_applied and result.risk_class == RiskClass.MINIMAL_RISK
    assert result.high_risk_route is None
    assert f"Art. 6(3)({condition.value})" in refs(result)
    assert {"derogation-assessment", "derogation-registration"} <= ids(result)
    assert obligation(result, "derogation-assessment").article == "Art. 6(4)"
    assert obligation(result, "derogation-registration").article == "Art. 49(2)"
    assert not any(o.id.startswith("hr-") for o in result.obligations)


def test_derogated_system_with_transparency_is_limited() -> None:
    result = run(annex_iii=["3b"], art6_3_conditions=["a"], transparency=["interacts_with_people"])
    assert result.derogation_applied and result.risk_class == RiskClass.LIMITED_RISK


@pytest.mark.parametrize("condition", list(Art63Condition), ids=str)
def test_profiling_refuses_the_derogation(condition: Art63Condition) -> None:
    result = run(annex_iii=["4a"], art6_3_conditions=[condition], profiles_natural_persons=True)
    assert result.risk_class == RiskClass.HIGH_RISK and not result.derogation_applied
    step = next(s for s in result.trace if s.reference == "Art. 6(3), third subparagraph")
    assert step.question == "profiles_natural_persons" and "refused" in step.finding


def test_derogation_lifts_only_the_annex_iii_route_when_also_annex_i() -> None:
    result = run(
        operator_role="deployer",
        deployer_public_service=True,
        annex_i_safety_component=True,
        annex_i_third_party_conformity=True,
        annex_iii=["5a"],
        art6_3_conditions=["a"],
    )
    # Still high-risk by the product route, but the Annex III duties (FRIA) do not follow.
    assert result.risk_class == RiskClass.HIGH_RISK and result.high_risk_route == "annex_i"
    assert result.derogation_applied and not result.fria_required
    assert any(s.reference == "Art. 6(3)" and "Art. 6(1)" in s.finding for s in result.trace)


@pytest.mark.parametrize(
    ("component", "third_party", "expected"),
    [
        (True, True, RiskClass.HIGH_RISK),
        (True, False, RiskClass.MINIMAL_RISK),
        (False, True, RiskClass.MINIMAL_RISK),
        (False, False, RiskClass.MINIMAL_RISK),
    ],
)
def test_annex_i_needs_both_flags(component: bool, third_party: bool, expected: RiskClass) -> None:
    result = run(annex_i_safety_component=component, annex_i_third_party_conformity=third_party)
    assert result.risk_class == expected
    assert result.high_risk_route == ("annex_i" if expected == RiskClass.HIGH_RISK else None)
    assert "Art. 6(1)" in refs(result)


# --- (5) transparency ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "trigger", "expected"),
    [
        ("provider", "interacts_with_people", ["50(1)"]),
        ("deployer", "interacts_with_people", []),
        ("provider", "synthetic_content", ["50(2)"]),
        ("deployer", "synthetic_content", []),
        ("deployer", "emotion_recognition", ["50(3)"]),
        ("provider", "emotion_recognition", []),
        ("deployer", "biometric_categorisation", ["50(3)"]),
        ("deployer", "deep_fake", ["50(4)"]),
        ("provider", "deep_fake", []),
        ("deployer", "public_interest_text", ["50(4)"]),
        ("importer", "interacts_with_people", []),
    ],
)
def test_art50_paragraph_by_role(role: str, trigger: str, expected: list[str]) -> None:
    result = run(operator_role=role, transparency=[trigger])
    assert result.transparency_obligations == expected
    # The risk tier describes the system: it falls under Art. 50 whoever holds the duty.
    assert result.risk_class == RiskClass.LIMITED_RISK
    paragraph = f"Art. {TRANSPARENCY_TRIGGERS[TransparencyTrigger(trigger)].reference[5:]}"
    assert paragraph in refs(result)
    assert {o.article for o in result.obligations if o.article.startswith("Art. 50")} == {
        f"Art. {p}" for p in expected
    }


def test_transparency_stands_beside_high_risk() -> None:
    result = run(annex_iii=["4a"], transparency=["interacts_with_people", "synthetic_content"])
    assert result.risk_class == RiskClass.HIGH_RISK
    assert result.transparency_obligations == ["50(1)", "50(2)"]


def test_two_triggers_of_one_paragraph_give_it_once() -> None:
    result = run(operator_role="deployer", transparency=["deep_fake", "public_interest_text"])
    assert result.transparency_obligations == ["50(4)"]
    assert [o.id for o in result.obligations].count("transparency-50-4") == 1


def test_art50_2_carries_the_marking_grace_note() -> None:
    note = obligation(run(transparency=["synthetic_content"]), "transparency-50-2").note
    assert note is not None and "2 December 2026" in note and "2 August 2026" in note


# --- (6) general-purpose AI models --------------------------------------------------------------

ART53 = ["Art. 53(1)(a)", "Art. 53(1)(b)", "Art. 53(1)(c)", "Art. 53(1)(d)"]
ART53_OPEN = ["Art. 53(1)(c)", "Art. 53(1)(d)"]
SYSTEMIC = [
    *ART53,
    "Art. 52(1)",
    "Art. 55(1)(a)",
    "Art. 55(1)(b)",
    "Art. 55(1)(c)",
    "Art. 55(1)(d)",
]


@pytest.mark.parametrize(
    ("flop", "open_source", "systemic", "articles"),
    [
        (None, False, False, ART53),
        (1e24, False, False, ART53),
        (1e25, False, False, ART53),  # Art. 51(2) presumes systemic risk only *above* 10^25
        (2e25, False, True, SYSTEMIC),
        (None, True, False, ART53_OPEN),
        (1e24, True, False, ART53_OPEN),
        (1e26, True, True, SYSTEMIC),
    ],
)
def test_gpai_duties(
    flop: float | None, open_source: bool, systemic: bool, articles: list[str]
) -> None:
    result = run(gpai_model=True, gpai_training_flop=flop, gpai_open_source=open_source)
    assert result.gpai is not None
    assert result.gpai.systemic_risk is systemic
    assert result.gpai.obligations == articles
    assert [o.article for o in result.obligations if o.id.startswith("gpai-")] == articles
    assert "Art. 51(2)" in refs(result)
    if open_source:
        assert "Art. 53(2)" in refs(result)
    assert all(
        o.applies_from == dt.date(2025, 8, 2)
        for o in result.obligations
        if o.id.startswith("gpai-")
    )


def test_no_gpai_block_without_a_model() -> None:
    assert run().gpai is None


def test_gpai_duties_bind_the_provider_only() -> None:
    result = run(operator_role="deployer", gpai_model=True, gpai_training_flop=5e25)
    assert result.gpai is not None and result.gpai.systemic_risk
    assert not any(o.id.startswith("gpai-") for o in result.obligations)
    assert any(
        s.question == "operator_role" and "provider of the model" in s.finding for s in result.trace
    )


# --- (7) role shifts (Art. 25) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "flag", "annex_iii", "effective", "reference"),
    [
        ("deployer", "rebranded", ["4a"], "provider", "Art. 25(1)(a)"),
        ("deployer", "substantial_modification", ["4a"], "provider", "Art. 25(1)(b)"),
        (
            "distributor",
            "changes_intended_purpose_to_high_risk",
            ["4b"],
            "provider",
            "Art. 25(1)(c)",
        ),
        ("importer", "rebranded", ["5b"], "provider", "Art. 25(1)(a)"),
        ("product_manufacturer", "substantial_modification", ["2"], "provider", "Art. 25(1)(b)"),
        ("deployer", "rebranded", [], "deployer", "Art. 25(1)"),
        ("distributor", "changes_intended_purpose_to_high_risk", [], "distributor", "Art. 25(1)"),
        (
            "authorised_representative",
            "rebranded",
            ["4a"],
            "authorised_representative",
            "Art. 25(1)",
        ),
    ],
)
def test_role_shift(
    role: str, flag: str, annex_iii: list[str], effective: str, reference: str
) -> None:
    result = run(operator_role=role, annex_iii=annex_iii, **{flag: True})
    assert result.effective_role == effective
    assert reference in refs(result)
    if effective == "provider":
        # The provider's duties are added; the organisation's own role keeps its duties.
        assert {"hr-risk-management", "hr-conformity-assessment"} <= ids(result)
        assert {o.role for o in result.obligations} <= {"provider", role}
        if role == "deployer":
            assert "hr-deployer-use" in ids(result)


def test_no_shift_without_a_trigger() -> None:
    result = run(operator_role="deployer", annex_iii=["4a"])
    assert result.effective_role == "deployer"
    assert "hr-deployer-use" in ids(result) and "hr-risk-management" not in ids(result)


def test_product_manufacturer_rebranding_an_annex_i_system_uses_art25_3() -> None:
    result = run(
        operator_role="product_manufacturer",
        annex_i_safety_component=True,
        annex_i_third_party_conformity=True,
        rebranded=True,
    )
    assert result.effective_role == "provider" and "Art. 25(3)" in refs(result)


def test_shifted_deployer_takes_provider_transparency() -> None:
    result = run(
        operator_role="deployer",
        annex_iii=["4a"],
        rebranded=True,
        transparency=["interacts_with_people"],
    )
    assert result.transparency_obligations == ["50(1)"]


# --- (8) fundamental rights impact assessment ---------------------------------------------------


@pytest.mark.parametrize(
    ("role", "points", "public", "required"),
    [
        ("deployer", ["4a"], True, True),
        ("deployer", ["5b"], False, True),
        ("deployer", ["5c"], False, True),
        ("deployer", ["4a"], False, False),
        ("provider", ["5b"], True, False),
        ("deployer", ["2"], True, False),
        ("deployer", ["2", "4a"], True, True),
        ("deployer", ["5b"], False, True),
    ],
)
def test_fria(role: str, points: list[str], public: bool, required: bool) -> None:
    result = run(operator_role=role, annex_iii=points, deployer_public_service=public)
    assert result.fria_required is required
    assert ("hr-deployer-fria" in ids(result)) is required
    assert "Art. 27(1)" in refs(result)
    if required:
        assert obligation(result, "hr-deployer-fria").applies_from == dt.date(2027, 12, 2)


def test_no_fria_when_derogated_or_annex_i_only() -> None:
    assert not run(
        operator_role="deployer", annex_iii=["5b"], art6_3_conditions=["d"]
    ).fria_required
    assert not run(
        operator_role="deployer",
        deployer_public_service=True,
        annex_i_safety_component=True,
        annex_i_third_party_conformity=True,
    ).fria_required


def test_shifted_deployer_still_assesses_fundamental_rights() -> None:
    result = run(operator_role="deployer", annex_iii=["5b"], substantial_modification=True)
    assert result.effective_role == "provider" and result.fria_required
    assert {"hr-risk-management", "hr-deployer-fria", "hr-deployer-use"} <= ids(result)


# --- the Meridian Lending demo systems ----------------------------------------------------------


def test_meridian_credit_scoring() -> None:
    result = run(operator_role="provider", annex_iii=["5b"], profiles_natural_persons=True)
    assert result.risk_class == RiskClass.HIGH_RISK and result.high_risk_route == "annex_iii"
    assert not result.derogation_applied and not result.fria_required
    assert "Annex III 5(b)" in refs(result)
    assert obligation(result, "hr-risk-management").applies_from == dt.date(2027, 12, 2)


@pytest.mark.parametrize("public", [False, True])
def test_meridian_cv_screening(public: bool) -> None:
    result = run(operator_role="deployer", annex_iii=["4a"], deployer_public_service=public)
    assert result.risk_class == RiskClass.HIGH_RISK and result.fria_required is public
    assert {"hr-deployer-use", "hr-deployer-logs", "hr-deployer-inform-persons"} <= ids(result)


def test_meridian_customer_chat_assistant() -> None:
    result = run(operator_role="provider", transparency=["interacts_with_people"])
    assert result.risk_class == RiskClass.LIMITED_RISK
    assert result.transparency_obligations == ["50(1)"]
    assert obligation(result, "transparency-50-1").applies_from == dt.date(2026, 8, 2)


def test_meridian_fraud_detection() -> None:
    result = run(operator_role="provider")
    assert result.risk_class == RiskClass.MINIMAL_RISK
    assert [o.id for o in result.obligations] == ["art4-literacy"]
    assert "fraud" in ANNEX_III_POINTS[AnnexIIIPoint.P5B].text


# --- (9) obligations and their dates ------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "duty", "expected"),
    [
        ({"annex_iii": ["5b"]}, "hr-risk-management", dt.date(2027, 12, 2)),
        (
            {"annex_i_safety_component": True, "annex_i_third_party_conformity": True},
            "hr-risk-management",
            dt.date(2028, 8, 2),
        ),
        ({"transparency": ["interacts_with_people"]}, "transparency-50-1", dt.date(2026, 8, 2)),
        ({"prohibited_practices": ["a"]}, "art5-1-a", dt.date(2025, 2, 2)),
        ({"prohibited_practices": ["ncii"]}, "art5-ncii", dt.date(2026, 12, 2)),
        ({"prohibited_practices": ["csam"]}, "art5-csam", dt.date(2026, 12, 2)),
        ({}, "art4-literacy", dt.date(2025, 2, 2)),
        (
            {"annex_iii": ["4a"], "art6_3_conditions": ["b"]},
            "derogation-assessment",
            dt.date(2027, 12, 2),
        ),
        ({"gpai_model": True}, "gpai-copyright-policy", dt.date(2025, 8, 2)),
    ],
)
def test_obligation_dates(fields: dict[str, Any], duty: str, expected: dt.date) -> None:
    found = obligation(run(**fields), duty)
    assert found.applies_from == expected
    assert found.in_effect is (expected <= TODAY)
    assert "Regulation (EU)" in found.source


def test_system_on_both_routes_takes_the_earlier_date() -> None:
    result = run(
        annex_i_safety_component=True, annex_i_third_party_conformity=True, annex_iii=["5b"]
    )
    assert obligation(result, "hr-risk-management").applies_from == dt.date(2027, 12, 2)
    assert "hr-registration" in ids(result)


def test_high_risk_provider_duties_are_complete() -> None:
    articles = {o.article for o in run(annex_iii=["5b"]).obligations}
    for article in (
        "Art. 9", "Art. 10", "Art. 11, Annex IV", "Art. 12", "Art. 13", "Art. 14", "Art. 15",
        "Art. 16, 17", "Art. 43", "Art. 47", "Art. 48", "Art. 49(1)", "Art. 72", "Art. 73",
        "Art. 4",
    ):  # fmt: skip
        assert article in articles
    incidents = obligation(run(annex_iii=["5b"]), "hr-serious-incidents").duty
    assert all(days in incidents for days in ("15 days", "2 days", "10 days"))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("importer", {"hr-importer-checks", "hr-importer-conduct"}),
        ("distributor", {"hr-distributor-checks", "hr-distributor-conduct"}),
        ("authorised_representative", {"hr-authorised-representative"}),
    ],
)
def test_other_operator_duties(role: str, expected: set[str]) -> None:
    result = run(operator_role=role, annex_iii=["4a"])
    assert ids(result) == expected
    assert all(o.role == role for o in result.obligations)


def test_milestones_match_the_domain_dates() -> None:
    dates = {m.id: m.date for m in CATALOGUE.milestones}
    assert dates["entry_into_force"] == dt.date(2024, 8, 1)
    assert dates["prohibitions_literacy"] == dt.date(2025, 2, 2)
    assert dates["gpai_penalties"] == dt.date(2025, 8, 2)
    assert dates["transparency"] == dt.date(2026, 8, 2)
    assert dates["art50_2_grace"] == dt.date(2026, 12, 2)
    assert dates["omnibus_bans"] == dt.date(2026, 12, 2)
    assert dates["high_risk_annex_iii"] == dt.date(2027, 12, 2)
    assert dates["high_risk_annex_i"] == dt.date(2028, 8, 2)
    omnibus = "Regulation (EU) 2026/1744 (the AI digital omnibus)"
    assert all(
        omnibus in CATALOGUE.milestone(k).source for k in ("omnibus_bans", "high_risk_annex_i")
    )


def test_dates_come_from_the_catalogue_passed_in() -> None:
    raw = CATALOGUE.model_dump()
    for milestone in raw["milestones"]:
        if milestone["id"] == "high_risk_annex_iii":
            milestone["date"] = dt.date(2029, 1, 1)
    corrected = Obligations.model_validate(raw)
    answers = Answers(
        operator_role=OperatorRole.PROVIDER, in_eu=True, annex_iii=[AnnexIIIPoint.P5B]
    )
    result = classify(answers, today=TODAY, catalogue=corrected)
    assert obligation(result, "hr-risk-management").applies_from == dt.date(2029, 1, 1)


# --- result metadata and trace ------------------------------------------------------------------


def test_result_carries_versions_and_a_numbered_trace() -> None:
    result = run(annex_iii=["4a"], transparency=["interacts_with_people"], gpai_model=True)
    assert result.rules_version == RULES_VERSION and result.catalogue_version == "1"
    assert result.as_of == TODAY
    assert [s.step for s in result.trace] == list(range(1, len(result.trace) + 1))
    order = refs(result)
    for earlier, later in [
        ("Art. 2(1)", "Art. 5(1)"),
        ("Art. 5(1)", "Art. 6(1)"),
        ("Art. 6(1)", "Annex III 4(a)"),
        ("Annex III 4(a)", "Art. 50(1)"),
        ("Art. 50(1)", "Art. 51(2)"),
        ("Art. 51(2)", "Art. 25(1)"),
        ("Art. 25(1)", "Art. 27(1)"),
        ("Art. 27(1)", "Art. 113"),
    ]:
        assert order.index(earlier) < order.index(later)
    assert "No prohibited practice selected." in [s.finding for s in result.trace]


def test_today_defaults_to_the_clock() -> None:
    answers = Answers(operator_role=OperatorRole.PROVIDER, in_eu=True)
    assert classify(answers).as_of == dt.date.today()


def test_result_serialises_to_json() -> None:
    result = run(annex_iii=["5b"], gpai_model=True, transparency=["synthetic_content"])
    assert Result.model_validate_json(result.model_dump_json()) == result


# --- answers: validation and parsing ------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"art6_3_conditions": ["a"]}, ["art6_3_conditions"]),
        ({"gpai_training_flop": 1e20}, ["gpai_training_flop"]),
        ({"gpai_open_source": True}, ["gpai_open_source"]),
        ({"prohibited_practices": ["a", "a"]}, ["prohibited_practices"]),
        ({"annex_iii": ["4a", "4a"]}, ["annex_iii"]),
        ({"transparency": ["deep_fake", "deep_fake"]}, ["transparency"]),
        ({"gpai_model": True, "gpai_training_flop": -1}, ["gpai_training_flop"]),
        ({"annex_iii": ["9z"]}, ["annex_iii"]),
        ({"operator_role": "owner"}, ["operator_role"]),
        ({"colour": "blue"}, ["colour"]),
        (
            {
                "art6_3_conditions": ["b"],
                "gpai_open_source": True,
                "prohibited_exception": "medical_or_safety",
            },
            ["prohibited_exception", "art6_3_conditions", "gpai_open_source"],
        ),
        (
            {"operator_role": "owner", "gpai_training_flop": 3.0, "annex_iii": ["1a", "1a"]},
            ["operator_role", "annex_iii", "gpai_training_flop"],
        ),
    ],
)
def test_contradictions_name_every_field(fields: dict[str, Any], expected: list[str]) -> None:
    with pytest.raises(ValidationError) as caught:
        Answers.model_validate({"operator_role": "provider", "in_eu": True, **fields})
    assert sorted(error_fields(caught.value)) == sorted(expected)


def test_answer_problems_is_a_pure_check_on_raw_mappings() -> None:
    assert answer_problems({"operator_role": "provider", "in_eu": True}) == []
    problems = answer_problems(
        {"annex_iii": "junk", "art6_3_conditions": ["a", "a"], "gpai_training_flop": -5}
    )
    assert [field for field, _ in problems] == [
        "art6_3_conditions",
        "art6_3_conditions",
        "gpai_training_flop",
        "gpai_training_flop",
    ]


def test_negative_flop_reported_once() -> None:
    with pytest.raises(ValidationError) as caught:
        Answers.model_validate(
            {
                "operator_role": "provider",
                "in_eu": True,
                "gpai_model": True,
                "gpai_training_flop": -1,
            }
        )
    assert error_fields(caught.value) == ["gpai_training_flop"]


def test_errors_nest_under_a_parent_model() -> None:
    from pydantic import BaseModel

    class Envelope(BaseModel):
        answers: Answers

    with pytest.raises(ValidationError) as caught:
        Envelope.model_validate(
            {"answers": {"operator_role": "provider", "in_eu": True, "gpai_open_source": True}}
        )
    assert [e["loc"] for e in caught.value.errors()] == [("answers", "gpai_open_source")]


YAML_ANSWERS = """
operator_role: deployer
in_eu: yes
annex_iii: [2, 4a]
deployer_public_service: true
"""


def test_parse_answers_yaml_and_json() -> None:
    answers = parse_answers(YAML_ANSWERS, "yaml")
    assert answers.annex_iii == [AnnexIIIPoint.P2, AnnexIIIPoint.P4A]
    again = parse_answers(answers.model_dump_json(), "json")
    assert again == answers


def test_parse_answers_names_each_field() -> None:
    text = (
        "operator_role: provider\nin_eu: true\nannex_iii: [4a, 4a]\n"
        "gpai_open_source: true\ncolor: x\n"
    )
    with pytest.raises(AnswersError) as caught:
        parse_answers(text, "yaml")
    assert isinstance(caught.value, ValueError) and caught.value.status == 422
    locs = sorted(e.loc for e in caught.value.errors)
    assert locs == [("annex_iii",), ("color",), ("gpai_open_source",)]
    assert "gpai_open_source" in str(caught.value) and "unknown field" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ("operator_role: [provider", "yaml", "not valid YAML"),
        ('{"operator_role": ', "json", "not valid JSON"),
        ("- provider\n", "yaml", "mapping"),
        ("null", "json", "mapping"),
    ],
)
def test_parse_answers_rejects_unreadable_text(text: str, fmt: Any, message: str) -> None:
    with pytest.raises(AnswersError, match=message):
        parse_answers(text, fmt)


def test_help_text_covers_every_code() -> None:
    assert set(ANNEX_III_POINTS) == set(AnnexIIIPoint)
    assert set(ART5_POINTS) == set(ProhibitedPractice)
    assert set(SCOPE_EXCLUSIONS) == set(ScopeExclusion)
    assert set(ART6_3_CONDITIONS) == set(Art63Condition)
    assert set(TRANSPARENCY_TRIGGERS) == set(TransparencyTrigger)
    assert [p.value for p in ART50_PARAGRAPHS] == ["50(1)", "50(2)", "50(3)", "50(4)"]
    assert EXCEPTION_POINT == {
        ProhibitedException.MEDICAL_OR_SAFETY: ProhibitedPractice.F,
        ProhibitedException.LAW_ENFORCEMENT_AUTHORISED: ProhibitedPractice.H,
    }


def test_rules_module_does_no_io() -> None:
    import aims.regulation.rules as rules

    tree = ast.parse(Path(rules.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {
        "__future__", "datetime", "dataclasses", "typing",
        "aims.regulation.dates", "aims.regulation.schemas",
    }  # fmt: skip
    assert "open(" not in Path(rules.__file__).read_text(encoding="utf-8")


# --- properties ---------------------------------------------------------------------------------


@st.composite
def answer_dicts(draw: st.DrawFn, *, in_scope: bool = False) -> dict[str, Any]:
    """Valid answer sets: every contradiction the validator rejects is avoided by construction."""
    practices = draw(st.lists(st.sampled_from(list(ProhibitedPractice)), unique=True, max_size=3))
    exceptions = [ProhibitedException.NONE] + [
        e for e, point in EXCEPTION_POINT.items() if point in practices
    ]
    annex_iii = draw(st.lists(st.sampled_from(list(AnnexIIIPoint)), unique=True, max_size=3))
    gpai = draw(st.booleans())
    return {
        "operator_role": draw(st.sampled_from(list(OperatorRole))),
        "in_eu": True if in_scope else draw(st.booleans()),
        "scope_exclusion": (
            ScopeExclusion.NONE if in_scope else draw(st.sampled_from(list(ScopeExclusion)))
        ),
        "prohibited_practices": practices,
        "prohibited_exception": draw(st.sampled_from(exceptions)),
        "annex_i_safety_component": draw(st.booleans()),
        "annex_i_third_party_conformity": draw(st.booleans()),
        "annex_iii": annex_iii,
        "art6_3_conditions": (
            draw(st.lists(st.sampled_from(list(Art63Condition)), unique=True)) if annex_iii else []
        ),
        "profiles_natural_persons": draw(st.booleans()),
        "transparency": draw(
            st.lists(st.sampled_from(list(TransparencyTrigger)), unique=True, max_size=3)
        ),
        "gpai_model": gpai,
        "gpai_training_flop": (
            draw(st.none() | st.floats(min_value=0, max_value=1e30, allow_nan=False))
            if gpai
            else None
        ),
        "gpai_open_source": draw(st.booleans()) if gpai else False,
        "deployer_public_service": draw(st.booleans()),
        "substantial_modification": draw(st.booleans()),
        "rebranded": draw(st.booleans()),
        "changes_intended_purpose_to_high_risk": draw(st.booleans()),
    }


def classify_dict(fields: dict[str, Any]) -> Result:
    return classify(Answers.model_validate(fields), today=TODAY, catalogue=CATALOGUE)


def banned(fields: dict[str, Any]) -> bool:
    lifted = EXCEPTION_POINT.get(fields["prohibited_exception"])
    return any(p != lifted for p in fields["prohibited_practices"])


@settings(deadline=None)
@given(answer_dicts())
def test_generated_answers_are_valid(fields: dict[str, Any]) -> None:
    assert answer_problems(fields) == []
    Answers.model_validate(fields)


@settings(deadline=None)
@given(answer_dicts(in_scope=True).filter(banned))
def test_unexcepted_practice_is_always_prohibited(fields: dict[str, Any]) -> None:
    result = classify_dict(fields)
    assert result.risk_class == RiskClass.PROHIBITED
    assert result.transparency_obligations == [] and not result.fria_required


@settings(deadline=None)
@given(answer_dicts(), st.data())
def test_out_of_scope_wins_over_everything(fields: dict[str, Any], data: st.DataObject) -> None:
    if data.draw(st.booleans()):
        fields["in_eu"] = False
    else:
        fields["scope_exclusion"] = data.draw(
            st.sampled_from([e for e in ScopeExclusion if e != ScopeExclusion.NONE])
        )
    result = classify_dict(fields)
    assert result.risk_class == RiskClass.OUT_OF_SCOPE
    assert result.obligations == [] and result.transparency_obligations == []
    assert result.gpai is None and not result.fria_required and not result.derogation_applied
    assert result.high_risk_route is None and result.effective_role == fields["operator_role"]


@settings(deadline=None)
@given(answer_dicts(), st.sampled_from(list(TransparencyTrigger)))
def test_transparency_never_lowers_the_class(
    fields: dict[str, Any], extra: TransparencyTrigger
) -> None:
    before = classify_dict(fields).risk_class
    more = {**fields, "transparency": sorted({*fields["transparency"], extra})}
    after = classify_dict(more).risk_class
    if before == RiskClass.OUT_OF_SCOPE:
        assert after == RiskClass.OUT_OF_SCOPE
    else:
        assert RANK[after] >= RANK[before]


@settings(deadline=None)
@given(answer_dicts())
def test_classify_is_deterministic(fields: dict[str, Any]) -> None:
    answers = Answers.model_validate(fields)
    first = classify(answers, today=TODAY, catalogue=CATALOGUE)
    assert classify(answers, today=TODAY, catalogue=CATALOGUE) == first
    round_trip = Answers.model_validate_json(answers.model_dump_json())
    assert classify(round_trip, today=TODAY, catalogue=CATALOGUE) == first


@settings(deadline=None)
@given(answer_dicts(in_scope=True))
def test_result_invariants(fields: dict[str, Any]) -> None:
    result = classify_dict(fields)
    high = result.risk_class == RiskClass.HIGH_RISK
    assert (result.high_risk_route is not None) is high
    if result.derogation_applied:
        assert fields["annex_iii"] and not fields["profiles_natural_persons"]
        assert not high or result.high_risk_route == "annex_i"
    if result.fria_required:
        assert high and fields["operator_role"] == OperatorRole.DEPLOYER
    if result.effective_role != fields["operator_role"]:
        assert high and result.effective_role == OperatorRole.PROVIDER
    assert all(
        o.role in {result.effective_role, fields["operator_role"]} for o in result.obligations
    )
    assert [s.step for s in result.trace] == list(range(1, len(result.trace) + 1))
    assert (result.gpai is not None) is fields["gpai_model"]


# --- the catalogue loader -----------------------------------------------------------------------


def _write(tmp_path: Path, mutate: Any) -> Path:
    raw = yaml.safe_load(dates_module.DEFAULT_FILE.read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "eu_ai_act.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def _duty(raw: dict[str, Any], duty_id: str) -> dict[str, Any]:
    return next(d for d in raw["duties"] if d["id"] == duty_id)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda raw: _duty(raw, "hr-data-governance").update(applies_from="someday"),
            ["entry 'hr-data-governance'", "unknown milestone 'someday'"],
        ),
        (
            lambda raw: _duty(raw, "transparency-50-3").update(roles=["regulator"]),
            ["entry 'transparency-50-3'", "roles"],
        ),
        (
            lambda raw: _duty(raw, "art4-literacy").update(id="art5-1-a"),
            ["entry 'art5-1-a'", "duplicate duty id"],
        ),
        (
            lambda raw: _duty(raw, "hr-risk-management").update(applies_from="high_risk_annex_iii"),
            ["entry 'hr-risk-management'", "one milestone per route"],
        ),
        (
            lambda raw: raw["milestones"][1].update(date="2025-02-30"),
            ["entry 'prohibitions_literacy'", "date"],
        ),
        (
            lambda raw: raw["milestones"][1].pop("source"),
            ["entry 'prohibitions_literacy'", "source"],
        ),
        (
            lambda raw: raw.update(
                duties=[d for d in raw["duties"] if d["when"] != "prohibited_csam"]
            ),
            ["no duty for trigger(s): prohibited_csam"],
        ),
    ],
)
def test_broken_catalogue_entry_is_named(tmp_path: Path, mutate: Any, expected: list[str]) -> None:
    path = _write(tmp_path, mutate)
    with pytest.raises(ObligationsError) as caught:
        load_obligations(path)
    message = str(caught.value)
    assert message.startswith("obligation file eu_ai_act.yaml")
    for part in expected:
        assert part in message


def test_invalid_yaml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("regulation:\n  id: [x\n", encoding="utf-8")
    with pytest.raises(ObligationsError, match="not valid YAML at line"):
        load_obligations(bad)
    with pytest.raises(ObligationsError, match="cannot read"):
        load_obligations(tmp_path / "missing.yaml")


def test_catalogue_is_cached_and_valid() -> None:
    assert get_obligations() is get_obligations()
    assert get_obligations() == CATALOGUE
    assert len({d.id for d in CATALOGUE.duties}) == len(CATALOGUE.duties)


@pytest.mark.parametrize(
    ("annex_iii", "public", "fria"),
    [(["5b"], False, True), (["4a"], False, False), (["4a"], True, True), ([], False, False)],
)
def test_a_provider_that_also_deploys_carries_both_sets_of_duties(
    annex_iii: list[str], public: bool, fria: bool
) -> None:
    result = run(operator_role="provider", also_deployer=True, annex_iii=annex_iii,
                 deployer_public_service=public)  # fmt: skip
    assert result.fria_required is fria
    if annex_iii:
        assert {"hr-risk-management", "hr-deployer-use"} <= ids(result)
    assert "also_deployer" in {s.question for s in result.trace}


def test_only_a_provider_can_also_be_the_deployer() -> None:
    with pytest.raises(ValidationError) as info:
        Answers.model_validate({"operator_role": "deployer", "in_eu": True, "also_deployer": True})
    assert "also_deployer" in {e["loc"][0] for e in info.value.errors()}
