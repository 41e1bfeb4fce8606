"""Meridian's planned changes (6.3), communication plan (7.4) and the resources its top
management committed (5.1, 7.1), per DEMO.md."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from aims.access.models import Organisation
from aims.changes import service as changes
from aims.changes.models import ChangeRecord
from aims.changes.rules import ChangeStatus
from aims.changes.schemas import ChangeIn, MoveIn
from aims.communication import service as communication
from aims.communication.schemas import DoneIn, ItemIn
from aims.leadership import service as leadership
from aims.leadership.rules import CommitmentStatus, ResourceKind
from aims.leadership.schemas import CommitmentIn
from aims.store.types import utcnow
from aims.systems.models import AISystem

AOIFE = "aoife.byrne@meridian.example"
DANIEL = "daniel.kowalski@meridian.example"
PRIYA = "priya.raman@meridian.example"
TOMAS = "tomas.obriain@meridian.example"
LENA = "lena.vogel@meridian.example"


def load(db: Session, org: Organisation) -> None:
    """Add the records once; a demo that already has change records is left alone."""
    from aims.demo.service import context_of

    if db.scalars(select(ChangeRecord.id).where(ChangeRecord.organisation_id == org.id)).first():
        return
    today = utcnow().date()
    talentsift = db.scalars(
        select(AISystem.id).where(AISystem.organisation_id == org.id,
                                  AISystem.name.like("%TalentSift%"))
    ).first()  # fmt: skip

    daniel = context_of(db, org, DANIEL)
    change = changes.create_change(db, daniel, ChangeIn(
        title="Bring the CV screening service under full lifecycle controls",
        purpose="TalentSift is high risk under Annex III 4(a); HR bought it before the AIMS "
                "existed and it runs outside the model governance process.",
        description="Add TalentSift to the model governance process: vendor evidence reviewed "
                    "each quarter, an impact assessment, and HR analytics as its owner.",
        consequences="One more high-risk system in scope; supplier oversight (A.10.3) and "
                     "impact assessment (A.5.2) take on a vendor-run system; HR analytics "
                     "needs AI-ethics training before it owns the system.",
        resources="0.3 FTE of the AI governance team for two quarters; vendor audit budget.",
        responsibilities="Tomás Ó Briain owns the system; Daniel Kowalski runs the change.",
        affected="Supplier oversight procedure, impact assessment settings, RACI",
        system_ids=[talentsift] if talentsift else [], owner_email=TOMAS,
        planned_date=today + timedelta(days=45),
    ))  # fmt: skip
    aoife = context_of(db, org, AOIFE)
    changes.move(db, aoife, change, MoveIn(status=ChangeStatus.APPROVED, version=change.version,
                                           note="Approved at the AIMS steering meeting."))  # fmt: skip
    daniel = context_of(db, org, DANIEL)
    changes.move(db, daniel, change, MoveIn(status=ChangeStatus.IN_PROGRESS,
                                            version=change.version))  # fmt: skip
    changes.create_change(db, daniel, ChangeIn(
        title="Quarterly fairness testing for every credit model release",
        purpose="Make the age-band parity test a release gate rather than a yearly review.",
        description="Add the parity test to the release checklist of credit models.",
        owner_email=PRIYA, planned_date=today + timedelta(days=90),
    ))  # fmt: skip

    for body, done_days_ago in (
        (ItemIn(topic="The AI policy and what changed in it", audience="All staff",
                channel="Intranet notice and team meetings", timing="After each approval",
                frequency="yearly", first_due=today - timedelta(days=60),
                communicator_email=DANIEL), 40),
        (ItemIn(topic="How to raise a concern about an AI system", audience="All staff",
                channel="Onboarding pack and intranet", frequency="half_yearly",
                first_due=today - timedelta(days=200), communicator_email=DANIEL), 190),
        (ItemIn(topic="AIMS performance and open risks", audience="Executive committee",
                channel="Quarterly board paper", frequency="quarterly",
                first_due=today - timedelta(days=100), communicator_email=AOIFE), 95),
        (ItemIn(topic="How credit decisions use automated scoring", audience="Loan applicants",
                direction="external", channel="Website and adverse-action letters",
                frequency="yearly", first_due=today + timedelta(days=30),
                communicator_email=LENA), None),
        (ItemIn(topic="Serious incident involving a high-risk AI system",
                audience="Market surveillance authority and affected customers",
                direction="external", channel="Formal notification",
                timing="Within the legal deadline after becoming aware",
                frequency="on_event", communicator_email=LENA), None),
    ):  # fmt: skip
        item = communication.create_item(db, daniel, body)
        if done_days_ago is not None:
            communication.record_done(
                db,
                daniel,
                item,
                DoneIn(version=item.version, on=today - timedelta(days=done_days_ago)),
            )

    for commitment in (
        CommitmentIn(kind=ResourceKind.PEOPLE, description="AI governance team",
                     amount="3 FTE", purpose="Run the AIMS day to day and prepare certification.",
                     committed_by_email=AOIFE, committed_on=today - timedelta(days=300),
                     starts=today - timedelta(days=300), status=CommitmentStatus.PROVIDED),
        CommitmentIn(kind=ResourceKind.BUDGET, description="Independent model validation",
                     amount="EUR 120,000 a year", purpose="External validation of CreditLens "
                     "before each major release.", committed_by_email=AOIFE,
                     committed_on=today - timedelta(days=200)),
        CommitmentIn(kind=ResourceKind.TRAINING, description="AI literacy for all staff",
                     amount="2 hours per person", purpose="EU AI Act Art. 4 literacy and the "
                     "AI policy.", committed_by_email=AOIFE,
                     committed_on=today - timedelta(days=120),
                     until=today + timedelta(days=60)),
    ):  # fmt: skip
        leadership.create_commitment(db, daniel, commitment)
