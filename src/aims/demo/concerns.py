"""Meridian's concerns (DEMO.md): the public link switched on; Sofia Marino, customer service
manager, raises an agent's worry about the assistant's answers to customers in hardship, and
Daniel Kowalski is investigating it; an older report from the public link is resolved."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from aims.access.models import Organisation
from aims.access.rules import Role
from aims.concerns import service
from aims.concerns.models import Concern, ConcernSettings
from aims.concerns.schemas import ConcernIn, NoteIn, PublicConcernIn, SettingsIn, TriageIn
from aims.systems.models import AISystem

AOIFE = "aoife.byrne@meridian.example"
DANIEL = "daniel.kowalski@meridian.example"
SOFIA = "sofia.marino@meridian.example"

INTRO = (
    "Meridian wants to hear about anything our AI systems do that seems wrong, unfair or "
    "unsafe, to customers, applicants or colleagues. You can stay anonymous. The AI governance "
    "team reads every concern and answers through your receipt code."
)


def load(db: Session, org: Organisation) -> None:
    """Add the settings and two concerns once; a demo that already has concerns is left alone."""
    from aims.demo.service import context_of

    if db.scalars(select(Concern.id).where(Concern.organisation_id == org.id)).first():
        return
    aoife = context_of(db, org, AOIFE)
    if (
        db.scalars(
            select(ConcernSettings.id).where(ConcernSettings.organisation_id == org.id)
        ).first()
        is None
    ):
        service.save_settings(
            db, aoife,
            SettingsIn(version=0, anonymous_enabled=True,
                       handler_roles=[Role.OWNER, Role.MANAGER], intro=INTRO),
        )  # fmt: skip
    systems = {
        s.name: s for s in db.scalars(select(AISystem).where(AISystem.organisation_id == org.id))
    }
    assistant = systems.get("Customer service assistant")
    fraud = systems.get("Transaction fraud detection")
    settings = db.scalars(
        select(ConcernSettings).where(ConcernSettings.organisation_id == org.id)
    ).one()

    # An older report through the public link, already resolved.
    old, _code = service.raise_public_concern(
        db, settings,
        PublicConcernIn(
            category="transparency",
            summary="My card was blocked abroad and nobody could tell me why",
            description="My card was declined three times on holiday in Portugal. The phone "
            "line said 'the system' had flagged it but could not say what I had done wrong.",
            occurred="Easter holidays",
        ),
    )  # fmt: skip
    daniel = context_of(db, org, DANIEL)
    service.triage(
        db, daniel, old,
        TriageIn(version=old.version, status="triage", owner_email=DANIEL, severity="low",
                 system_id=fraud.id if fraud else None),
    )  # fmt: skip
    service.add_note(db, daniel, old, NoteIn(
        body="Fraud operations confirm the three declines were the travel-pattern rule; the "
        "customer had no travel notice. Agents have no script to explain a flag."
    ))  # fmt: skip
    service.triage(
        db, daniel, old,
        TriageIn(
            version=old.version, status="resolved",
            outcome="Added a call-centre script explaining fraud flags in plain words and "
            "how to lift them; travel notices now offered in the app.",
            reporter_message="Thank you. The block came from our fraud checks on unusual "
            "card use abroad. We have changed how our staff explain these blocks and you can "
            "now tell us about travel in the app.",
        ),
    )  # fmt: skip

    # Sofia passes on an agent's worry about the assistant and hardship cases.
    sofia = context_of(db, org, SOFIA)
    concern, _code = service.raise_concern(
        db, sofia,
        ConcernIn(
            category="wrong_information",
            summary="Assistant tells customers in financial difficulty the wrong things",
            description="One of my agents noticed, in chats handed over to her, that the "
            "assistant told customers who said they had lost their income that a payment "
            "holiday is granted automatically and that missed payments never affect their "
            "credit record. Neither is true. Some customers stopped paying because of it. The "
            "agent asked me to raise it; I have put my name to it.",
            occurred="Noticed over the last three weeks",
            system_id=assistant.id if assistant else None,
        ),
    )  # fmt: skip
    daniel = context_of(db, org, DANIEL)
    service.triage(
        db, daniel, concern,
        TriageIn(version=concern.version, status="triage", owner_email=DANIEL,
                 severity="high"),
    )  # fmt: skip
    service.add_note(db, daniel, concern, NoteIn(
        body="Pulled 40 transcripts with hardship keywords: 9 contain the wrong payment-holiday "
        "answer. The hardship policy page in the assistant's knowledge base is the 2023 version."
    ))  # fmt: skip
    service.add_note(db, daniel, concern, NoteIn(
        body="Asked the vendor contact and Priya's team to route hardship conversations to a "
        "person while we fix the knowledge base; collections to pause contact for affected "
        "customers."
    ))  # fmt: skip
    service.triage(
        db, daniel, concern,
        TriageIn(
            version=concern.version, status="investigating",
            reporter_message="Thank you for raising this. We confirmed the assistant gave "
            "wrong answers on payment holidays. Hardship chats now go to a person while we "
            "correct it, and we are contacting the customers affected.",
        ),
    )  # fmt: skip
