"""Meridian's event-log records (DEMO.md): CreditLens's logs are complete and kept 24 months;
the fraud detection system's are recorded too; TalentSift, bought from a vendor and high-risk,
has no record yet, so the flag shows on the dashboard, the system page and /event-logs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from aims.access.models import Organisation
from aims.store.types import utcnow
from aims.systems.models import AISystem
from aims.techdoc import service
from aims.techdoc.models import EventLogRecord
from aims.techdoc.schemas import EventLogIn

PRIYA = "priya.raman@meridian.example"
DANIEL = "daniel.kowalski@meridian.example"


def load(db: Session, org: Organisation) -> None:
    """Add the records once; a demo that already has event-log records is left alone."""
    from aims.demo.service import context_of

    if db.scalars(
        select(EventLogRecord.id).where(EventLogRecord.organisation_id == org.id)
    ).first():
        return
    systems = {
        s.name: s for s in db.scalars(select(AISystem).where(AISystem.organisation_id == org.id))
    }
    today = utcnow().date()
    records = [
        ("Credit decisioning model (CreditLens)", PRIYA, EventLogIn(
            log_system="Elastic (Meridian SIEM)",
            location="index creditlens-decisions-*; cold copies in an object-locked bucket",
            captures=["use_periods", "risk_situations", "monitoring_signals", "operation_events",
                      "inputs", "outputs", "model_version", "overrides", "identities",
                      "access_events"],
            capture_notes="Each decision carries the application id, so the applicant's file "
                          "and the bureau pull can be found again.",
            retention_months=24,
            access="Credit risk model owners and the AI governance team; auditors on request. "
                   "Access is logged.",
            tamper_evident=True,
            last_reviewed=today - timedelta(days=60),
        )),
        ("Transaction fraud detection", DANIEL, EventLogIn(
            log_system="Kafka to the fraud data warehouse",
            location="table fraud.alerts_scored",
            captures=["inputs", "outputs", "model_version", "overrides", "operation_events"],
            retention_months=13,
            access="Fraud operations analysts and the fraud model team",
            tamper_evident=False,
            last_reviewed=today - timedelta(days=200),
        )),
    ]  # fmt: skip
    for name, email, body in records:
        system = systems.get(name)
        if system is None:
            continue
        service.save_log(db, context_of(db, org, email), system.id, body)
