"""Meridian's controlled documents (DEMO.md): the AI policy written by the Head of AI
Governance, approved by the Chief Risk Officer and acknowledged by most but not all staff;
the information security and privacy policies it aligns with; a development procedure in
review and a model card template in draft."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from aims.access.models import Organisation
from aims.access.rules import Role
from aims.documents import service
from aims.documents.models import Document, DocumentVersion
from aims.documents.rules import Classification, Kind
from aims.documents.schemas import (
    ChecklistMark,
    DocumentIn,
    LinkIn,
    PublishIn,
    VersionEdit,
)

AOIFE = "aoife.byrne@meridian.example"
DANIEL = "daniel.kowalski@meridian.example"
PRIYA = "priya.raman@meridian.example"
TOMAS = "tomas.obriain@meridian.example"
LENA = "lena.vogel@meridian.example"
MARC = "marc.dubois@meridian.example"
SOFIA = "sofia.marino@meridian.example"

# Everyone reads the AI policy; Tomás and Sofia have not confirmed yet.
ACKNOWLEDGED = (AOIFE, DANIEL, PRIYA, LENA, MARC)

AI_POLICY = """\
# 1 Why Meridian uses AI

Meridian Lending uses AI to decide faster and more consistently on consumer credit, to spot
fraud, to help customers and to support our own staff. We use it only where it serves our
customers and our business, and never where a person's rights would depend on a system nobody
can explain or overrule.

# 2 Principles

- **Fairness**: no system may treat applicants worse because of age, sex, ethnicity,
  disability or any other protected characteristic; we test for it before and after release.
- **Human oversight**: a trained person can question, overrule and switch off every system
  that affects customers or staff.
- **Transparency**: people are told when they deal with AI and get reasons for decisions that
  matter to them.
- **Privacy and security**: AI systems follow the information security and privacy policies.
- **Accountability**: every AI system has a named owner.

# 3 Objectives

The AI governance committee sets measurable AI objectives each year from these principles and
from the risk and impact assessments, tracks them quarterly and reports them to the board.

# 4 Commitments

We meet the laws, regulations and contracts that apply to our AI systems, the EU AI Act and
data protection law first among them, and we keep improving the AI management system through
internal audits, management reviews and corrective action.

# 5 Risks and impacts

Before a system is built, bought or changed substantially, its risks to Meridian and its
impacts on people and society are assessed and treated; high-risk systems are reassessed at
least yearly.

# 6 Roles

The Chief Risk Officer sponsors this policy. The Head of AI Governance owns it and runs the
AI management system. System owners answer for their systems. Anyone may raise a concern with
the AI governance committee or through the speak-up line.

# 7 Exceptions

A departure from this policy needs a written request to the Head of AI Governance, stating why
and for how long. Only the Chief Risk Officer may grant it, for at most six months, and every
exception granted is recorded in the risk register.

# 8 Related policies and review

This policy relies on the information security policy and the privacy and data protection
policy. It is reviewed every year, and sooner after a serious AI incident, a change in law or a
new kind of AI use.
"""

AI_CHECKLIST = {
    "purpose": "1 Why Meridian uses AI",
    "objectives_framework": "3 Objectives",
    "requirements": "4 Commitments",
    "continual_improvement": "4 Commitments",
    "principles": "2 Principles",
    "risk_and_impact": "5 Risks and impacts",
    "roles": "6 Roles",
    "exceptions": "7 Exceptions",
    "topic_policies": "8 Related policies and review",
    "review": "8 Related policies and review",
    # "communication" is left open: the policy does not yet say how it reaches people.
}

INFOSEC = """\
# Purpose

Protect the confidentiality, integrity and availability of Meridian's information, including
the data and models of AI systems.

# Scope

All information, systems and people of Meridian Lending, suppliers with access included.

# Rules

- Access is granted on need to know and reviewed quarterly.
- Security incidents are reported at once to the security operations centre.
- Suppliers handling our data sign our security terms.
"""

PRIVACY = """\
# Purpose

Process personal data lawfully, fairly and transparently, and only for the purposes we told
people about.

# Rules

- A data protection impact assessment precedes any new processing likely to be high risk,
  AI systems that profile customers included.
- Training data with personal data is minimised and kept no longer than needed.
- People can ask for a human review of automated decisions about them.
"""

PROCEDURE = """\
# 1 Scope

How Meridian designs, builds, tests and releases AI systems made in-house.

# 2 Stages

1. Proposal: the system owner states the purpose and intended use.
2. Impact and risk assessment before any build starts.
3. Data preparation with documented provenance and quality checks.
4. Build and verification against the acceptance criteria, fairness tests included.
5. Release approval by the AI governance committee.
6. Monitoring in production, with a reassessment at least yearly.
"""

TEMPLATE = """\
# Model card: <model name>

## Intended use

## Out-of-scope uses

## Training data

## Evaluation (overall and per group)

## Known limitations

## Owner and review date
"""


def _create(
    db: Session, org: Organisation, author: str, body: DocumentIn
) -> tuple[Document, DocumentVersion]:
    from aims.demo.service import context_of

    ctx = context_of(db, org, author)
    doc = service.create_document(db, ctx, body)
    draft = service.open_version(db, ctx, doc)
    assert draft is not None
    return doc, draft


def _approve(
    db: Session, org: Organisation, author: str, draft: DocumentVersion, note: str
) -> None:
    from aims.demo.service import context_of

    service.submit(db, context_of(db, org, author), draft, version=draft.version)
    service.approve(db, context_of(db, org, AOIFE), draft, version=draft.version, note=note)


def load(db: Session, org: Organisation) -> None:
    """Add the documents once; a demo that already has documents is left alone."""
    from aims.demo.service import context_of

    if db.scalars(select(Document.id).where(Document.organisation_id == org.id)).first():
        return

    infosec, draft = _create(
        db,
        org,
        LENA,
        DocumentIn(
            code="POL-001",
            title="Information security policy",
            kind=Kind.POLICY,
            classification=Classification.INTERNAL,
            owner_email=LENA,
            review_interval_months=12,
            retention_months=72,
            body=INFOSEC,
            effective_date=date(2025, 3, 1),
            change_summary="Reissued for the ISO/IEC 27001 recertification",
        ),
    )
    _approve(db, org, LENA, draft, "Approved for the 2025 recertification")

    privacy, draft = _create(
        db,
        org,
        LENA,
        DocumentIn(
            code="POL-002",
            title="Privacy and data protection policy",
            kind=Kind.POLICY,
            classification=Classification.PUBLIC,
            owner_email=LENA,
            review_interval_months=12,
            retention_months=72,
            body=PRIVACY,
            effective_date=date(2026, 1, 15),
        ),
    )
    _approve(db, org, LENA, draft, "")

    policy, draft = _create(
        db,
        org,
        DANIEL,
        DocumentIn(
            code="AI-POL-001",
            title="AI policy",
            kind=Kind.POLICY,
            classification=Classification.INTERNAL,
            owner_email=DANIEL,
            review_interval_months=12,
            retention_months=120,
            is_ai_policy=True,
            body=AI_POLICY,
            effective_date=date(2026, 2, 1),
            change_summary="First AI policy of Meridian",
        ),
    )
    daniel = context_of(db, org, DANIEL)
    service.edit_version(
        db,
        daniel,
        draft,
        VersionEdit(
            version=draft.version,
            checklist={
                k: ChecklistMark(addressed=True, section=v) for k, v in AI_CHECKLIST.items()
            },
        ),
    )
    _approve(db, org, DANIEL, draft, "Approved by the board's risk committee, 20 January 2026")
    daniel = context_of(db, org, DANIEL)
    service.add_link(
        db,
        daniel,
        policy,
        LinkIn(
            target_id=infosec.id,
            note="AI systems, their data and models are information assets "
            "under the security policy; AI incidents follow the same incident process.",
        ),
    )
    service.add_link(
        db,
        daniel,
        policy,
        LinkIn(
            target_id=privacy.id,
            note="Personal data in training and use of AI follows the privacy "
            "policy; the impact assessment and the DPIA are run together.",
        ),
    )
    service.publish(
        db,
        daniel,
        policy,
        PublishIn(
            everyone=True, note="Please read the AI policy and confirm by the end of the month."
        ),
    )
    for email in ACKNOWLEDGED:
        reader = context_of(db, org, email)
        for owed in service.owed_by_me(db, reader):
            service.acknowledge(db, reader, owed.id)
    publication = service.publications(db, daniel, policy)[0]
    service.chase(db, daniel, publication)

    procedure, draft = _create(
        db,
        org,
        PRIYA,
        DocumentIn(
            code="PRO-001",
            title="AI system development procedure",
            kind=Kind.PROCEDURE,
            classification=Classification.INTERNAL,
            owner_email=DANIEL,
            review_interval_months=24,
            retention_months=72,
            body=PROCEDURE,
            approver_roles=[Role.MANAGER, Role.OWNER],
            change_summary="First draft for the AI governance committee",
        ),
    )
    service.submit(db, context_of(db, org, PRIYA), draft, version=draft.version)
    service.add_link(
        db,
        context_of(db, org, DANIEL),
        procedure,
        LinkIn(target_id=policy.id, note="Carries out section 5 of the AI policy."),
    )

    _create(
        db,
        org,
        PRIYA,
        DocumentIn(
            code="TPL-001",
            title="Model card template",
            kind=Kind.RECORD_TEMPLATE,
            classification=Classification.INTERNAL,
            owner_email=PRIYA,
            review_interval_months=24,
            body=TEMPLATE,
        ),
    )
