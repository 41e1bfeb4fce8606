"""Load the demo organisation (see shared design DEMO.md): its people and their roles."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.access.models import Organisation
from aims.access.rules import Role
from aims.errors import NotFound

DEMO_SLUG = "meridian-lending"
DEMO_NAME = "Meridian Lending Ltd"
# A demo is for looking around: one known password, printed by `aims demo` and `make run`.
DEMO_PASSWORD = "meridian-demo-42001"  # noqa: S105


@dataclass(frozen=True)
class DemoPerson:
    full_name: str
    email: str
    job_title: str
    role: Role


PEOPLE = (
    DemoPerson("Aoife Byrne", "aoife.byrne@meridian.example", "Chief Risk Officer", Role.OWNER),
    DemoPerson(
        "Daniel Kowalski", "daniel.kowalski@meridian.example", "Head of AI Governance", Role.MANAGER
    ),
    DemoPerson(
        "Priya Raman",
        "priya.raman@meridian.example",
        "Lead ML engineer, credit models",
        Role.CONTRIBUTOR,
    ),
    DemoPerson(
        "Tomás Ó Briain", "tomas.obriain@meridian.example", "HR analytics lead", Role.CONTRIBUTOR
    ),
    DemoPerson(
        "Lena Vogel", "lena.vogel@meridian.example", "Data protection officer", Role.CONTRIBUTOR
    ),
    DemoPerson("Marc Dubois", "marc.dubois@meridian.example", "Internal auditor", Role.AUDITOR),
    DemoPerson(
        "Sofia Marino", "sofia.marino@meridian.example", "Customer service manager", Role.VIEWER
    ),
)


def find_demo(db: Session) -> Organisation | None:
    try:
        return access.find_organisation(db, DEMO_SLUG)
    except NotFound:
        return None


def load_demo(db: Session) -> tuple[Organisation, bool]:
    """Create Meridian with its people and records; returns (organisation, created).

    Idempotent, and it tops up: a demo loaded by an older aims gets the records that later
    capabilities add (each part loads only when its records are missing).
    """
    existing = find_demo(db)
    created = existing is None
    org = existing or access.create_organisation(db, name=DEMO_NAME, slug=DEMO_SLUG)
    if created:
        for person in PEOPLE:
            user = access.get_user_by_email(db, person.email) or access.create_user(
                db, email=person.email, full_name=person.full_name, password=DEMO_PASSWORD
            )
            access.bootstrap_member(
                db, organisation=org, user=user, role=person.role, job_title=person.job_title
            )
    # Each part needs the ones before it: the inventory needs the people; assessments the
    # inventory; the scope lists the inventory's systems and the legal register becomes SoA
    # needs, so context comes before risk; risks take up the assessments' harms.
    from aims.demo import (
        competence,
        concerns,
        context,
        controls,
        documents,
        impact,
        inventory,
        objectives,
        risk,
        runs,
        support,
        techdoc,
    )

    inventory.load(db, org)
    impact.load(db, org)
    context.load(db, org)
    risk.load(db, org)
    support.load(db, org)
    concerns.load(db, org)
    competence.load(db, org)
    objectives.load(db, org)
    documents.load(db, org)
    techdoc.load(db, org)
    controls.load(db, org)
    runs.load(db, org)
    return org, created


def context_of(db: Session, org: Organisation, email: str) -> Context:
    """Act as one of the demo people (their actions carry their name in the audit trail)."""
    user = access.get_user_by_email(db, email)
    assert user is not None
    ctx = access.context_for(db, user=user, organisation_id=org.id)
    db.info["actor"] = ctx.actor
    return ctx
