"""Meridian's impact assessments (DEMO.md): CreditLens approved with its FRIA and one harm sent
to the risk register; TalentSift's first draft under way."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aims.access.models import Organisation
from aims.impact import service
from aims.impact.models import ImpactAssessment
from aims.impact.questionnaire import QuestionKind, QuestionType, get_questionnaire
from aims.impact.schemas import AssessmentFields, ImpactIn
from aims.systems.models import AISystem

PRIYA = "priya.raman@meridian.example"
LENA = "lena.vogel@meridian.example"
DANIEL = "daniel.kowalski@meridian.example"
TOMAS = "tomas.obriain@meridian.example"

CREDITLENS = "Credit decisioning model (CreditLens)"
TALENTSIFT = "CV screening service (TalentSift)"

CREDIT_TEXT: dict[str, str] = {
    "scope": "CreditLens 4.2 as used for unsecured consumer loans in Ireland, the Netherlands "
    "and Germany, from application to the credit officer's decision. Mortgages and business "
    "lending are out of scope. This assessment speaks for the model release in production "
    "from January 2026.",
    "data_info": "Trained on Meridian's loan book 2015-2024 (1.2 million applications with "
    "repayment outcomes) and the bureau dataset bought from the credit agency. Personal data "
    "throughout; no special-category data is used as an input. Applicants over 60 and under 21 "
    "are thinly represented before 2019.",
    "model_info": "Gradient-boosted trees over 84 features; monotonic constraints on income "
    "and arrears. Validated on a 2024 hold-out: AUC 0.81. Reason codes come from SHAP values "
    "and are shown to the credit officer.",
    "deployment": "Every consumer-loan application is scored on arrival. Scores below the "
    "cut-off are referred to a credit officer, who confirms or overturns the decline; scores "
    "above it go to automated affordability checks.",
    "use_period": "In continuous use since January 2026, about 1,800 applications a day, "
    "every day of the year; the model is retrained yearly.",
    "interested_parties": "Loan applicants and borrowers; credit officers; the credit "
    "committee; the data protection officer; the Central Bank of Ireland and the other "
    "supervisors; consumer associations consulted in 2025 on the decline letters.",
    "oversight": "A credit officer confirms every decline and sees the reason codes; overrides "
    "are logged and reviewed monthly. The Head of Credit can switch the model off and fall "
    "back to manual underwriting within one business day.",
    "remedies": "Applicants can ask for a human review of any decline within 30 days; "
    "complaints go to the customer complaints unit and, unresolved, to the Financial Services "
    "and Pensions Ombudsman. A materialised harm is an incident for the credit committee, "
    "which can suspend the model.",
}

CREDIT_IMPACTS: list[dict[str, Any]] = [
    {"affected": "groups", "who": "Loan applicants aged over 60", "dimension": "fairness",
     "nature": "harm",
     "description": "Indirect discrimination: applicants over 60 are declined more often "
     "than their repayment record justifies, because thin-file features stand in for age",
     "likelihood": 3, "severity": 3, "reversibility": "hard_to_reverse",
     "people": "10k_to_1m",
     "existing_measures": "Credit officer confirms every decline",
     "planned_measures": "Quarterly approval-rate parity test across age bands; "
     "retrain with reweighting if the ratio falls below 0.8",
     "residual_level": "III"},
    {"affected": "individuals", "who": "Applicants with a thin credit file",
     "dimension": "transparency", "nature": "harm",
     "description": "Decline letters do not say which factors weighed most, so people cannot "
     "correct wrong data",
     "likelihood": 2, "severity": 2, "reversibility": "reversible", "people": "10k_to_1m",
     "existing_measures": "Reason codes on request",
     "planned_measures": "Top three reasons in every decline letter"},
    {"affected": "individuals", "who": "Applicants who repay reliably",
     "dimension": "work", "nature": "benefit",
     "description": "Faster, more consistent decisions: most applicants hear back within "
     "minutes",
     "likelihood": 4, "severity": 2, "reversibility": "reversible", "people": "10k_to_1m"},
]  # fmt: skip


def _answers(pick_impact: int, pick_mitigation: int) -> dict[str, Any]:
    """A believable answer set: impact answers at a given step up the scale, mitigation too."""
    answers: dict[str, Any] = {}
    for q in get_questionnaire().questions:
        ordered = sorted(q.answers, key=lambda a: a.weight)
        step = pick_impact if q.kind == QuestionKind.IMPACT else pick_mitigation
        if q.type == QuestionType.SINGLE:
            answers[q.id] = ordered[min(step, len(ordered) - 1)].id
        else:
            answers[q.id] = [a.id for a in ordered[: min(step, len(ordered))]]
    return answers


def load(db: Session, org: Organisation) -> None:
    """Add the assessments once; a demo that already has them is left alone."""
    from aims.demo.service import context_of

    if db.scalars(
        select(ImpactAssessment.id).where(ImpactAssessment.organisation_id == org.id)
    ).first():
        return
    systems = {
        s.name: s for s in db.scalars(select(AISystem).where(AISystem.organisation_id == org.id))
    }
    credit = systems.get(CREDITLENS)
    if credit is not None:
        priya = context_of(db, org, PRIYA)
        record = service.create(
            db, priya, credit.id,
            AssessmentFields.model_validate({**CREDIT_TEXT, "answers": _answers(2, 1)}),
        )  # fmt: skip
        for impact in CREDIT_IMPACTS:
            service.add_impact(
                db, priya, record, ImpactIn.model_validate(impact), version=record.version
            )
        service.submit(db, priya, record, version=record.version)
        daniel = context_of(db, org, DANIEL)
        service.approve(
            db, daniel, record, version=record.version,
            note="Reviewed with the DPO; the age-band harm goes to the risk register.",
        )  # fmt: skip
        service.send_harm(db, daniel, record, record.impacts[0]["key"])
    talent = systems.get(TALENTSIFT)
    if talent is not None:
        tomas = context_of(db, org, TOMAS)
        service.create(
            db, tomas, talent.id,
            AssessmentFields(
                scope="TalentSift as used by Meridian's recruiters for all advertised roles.",
                answers_merge={"imp-fair-01": "public"},
            ),
        )  # fmt: skip
