"""Meridian's risks and SoA (DEMO.md): the over-60s harm taken up as a risk and treated with
A.5.4, A.6.2.4 and A.7.4; a TalentSift risk; an organisation-wide risk; an SoA with A.10.4
excluded for a reason, approved by the Chief Risk Officer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from aims.access.models import Organisation
from aims.impact.models import HarmReferral
from aims.risk import service
from aims.risk.models import Risk
from aims.risk.rules import ImplementationStatus
from aims.risk.schemas import ActionIn, DecisionIn, FromReferralIn, RiskIn, RiskPatch
from aims.store.types import utcnow
from aims.systems.models import AISystem

AOIFE = "aoife.byrne@meridian.example"
DANIEL = "daniel.kowalski@meridian.example"
PRIYA = "priya.raman@meridian.example"
TOMAS = "tomas.obriain@meridian.example"
LENA = "lena.vogel@meridian.example"

OWNERS = {"A.2.2": AOIFE, "A.5.4": LENA, "A.6.2.4": PRIYA, "A.7.4": PRIYA, "A.9.2": DANIEL,
          "A.6.2.6": PRIYA}  # fmt: skip


def load(db: Session, org: Organisation) -> None:
    """Add the risks and the SoA once; a demo that already has risks is left alone."""
    from aims.demo.service import context_of

    if db.scalars(select(Risk.id).where(Risk.organisation_id == org.id)).first():
        return
    daniel = context_of(db, org, DANIEL)
    today = utcnow().date()
    systems = {
        s.name: s for s in db.scalars(select(AISystem).where(AISystem.organisation_id == org.id))
    }

    referral = db.scalars(
        select(HarmReferral).where(HarmReferral.organisation_id == org.id)
    ).first()
    if referral is not None:
        age = service.risk_from_referral(db, daniel, referral.id, FromReferralIn(owner_email=PRIYA))
        service.update_risk(
            db, daniel, age,
            RiskPatch(
                version=age.version, source="machine_learning",
                title="CreditLens declines applicants over 60 more often than their record "
                "justifies",
                consequences_org="Breach of equal-treatment law and the Consumer Credit "
                "Directive; supervisory findings; remediation of declined applicants.",
                consequences_society="Older people lose fair access to credit.",
                residual_likelihood=2, residual_consequence=3, treatment_option="modify",
                next_review=today + timedelta(days=90),
            ),
            version=age.version,
        )  # fmt: skip
        for control in ("A.5.4", "A.6.2.4", "A.7.4"):
            service.select_control(db, daniel, age, control)
        service.add_action(db, daniel, age, ActionIn(
            title="Quarterly approval-rate parity test across age bands", owner_email=PRIYA,
            due_date=today + timedelta(days=60)))  # fmt: skip
        service.add_action(db, daniel, age, ActionIn(
            title="Reweight thin-file features in the 2027 retraining", owner_email=PRIYA,
            due_date=today + timedelta(days=180)))  # fmt: skip

    talent = systems.get("CV screening service (TalentSift)")
    cv = service.create_risk(db, daniel, RiskIn(
        title="CV ranking penalises career breaks", system_id=talent.id if talent else None,
        description="The vendor's model ranks applicants with gaps in employment lower, which "
        "falls harder on women and carers.", source="lack_of_transparency",
        objectives=["fairness", "transparency"], owner_email=TOMAS,
        consequences_individuals="Qualified applicants are never shortlisted.",
        inherent_likelihood=4, inherent_consequence=3, residual_likelihood=3,
        residual_consequence=3, treatment_option="share", next_review=today + timedelta(days=30),
        existing_controls="Recruiters see every application, ranked or not."))  # fmt: skip
    service.select_control(db, daniel, cv, "A.10.3")
    service.select_control(db, daniel, cv, "A.6.2.6")
    shadow = service.create_risk(db, daniel, RiskIn(
        title="Staff paste customer data into unapproved generative AI tools",
        source="technology_readiness", objectives=["privacy", "security"], owner_email=DANIEL,
        consequences_org="A personal-data breach to report within 72 hours.",
        inherent_likelihood=3, inherent_consequence=4, residual_likelihood=2,
        residual_consequence=3, treatment_option="modify",
        next_review=today + timedelta(days=120)))  # fmt: skip
    service.select_control(db, daniel, shadow, "A.2.2")
    service.select_control(db, daniel, shadow, "A.9.2")

    for control, owner in OWNERS.items():
        service.decide(db, daniel, control, DecisionIn(
            version=0, applicable=True, owner_email=owner,
            status=ImplementationStatus.PARTIAL if control in ("A.5.4", "A.7.4")
            else ImplementationStatus.IMPLEMENTED))  # fmt: skip
    service.decide(db, daniel, "A.10.4", DecisionIn(
        version=0, applicable=False,
        exclusion_reason="Meridian supplies no AI system to customers or other organisations; "
        "its AI serves its own lending, hiring and service."))  # fmt: skip
    draft = service.snapshot_soa(db, daniel, "First SoA for the certification audit")
    service.approve_soa(db, context_of(db, org, AOIFE), draft, expected=draft.version,
                        note="Approved for stage 1")  # fmt: skip
