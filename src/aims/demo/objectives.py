"""Meridian's AI objectives (DEMO.md): approval-rate parity for CreditLens, measured monthly, one
month breaching the 0.8 threshold; hardship cases handed to people by the customer service
assistant; approved impact assessments for the high-risk systems (achieved); AI-literacy
training completion with the HR analytics lead (overdue and short of target)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aims.access.models import Organisation
from aims.objectives import service
from aims.objectives.models import Objective
from aims.objectives.schemas import MeasurementIn, ObjectiveIn
from aims.store.types import utcnow
from aims.systems.models import AISystem

DANIEL = "daniel.kowalski@meridian.example"
PRIYA = "priya.raman@meridian.example"
TOMAS = "tomas.obriain@meridian.example"
SOFIA = "sofia.marino@meridian.example"


def month_ends(today: date, count: int) -> list[date]:
    """The last day of each of the ``count`` months before this one, oldest first."""
    ends: list[date] = []
    first = today.replace(day=1)
    for _ in range(count):
        end = first - timedelta(days=1)
        ends.append(end)
        first = end.replace(day=1)
    return list(reversed(ends))


def load(db: Session, org: Organisation) -> None:
    """Add the objectives once; a demo that already has objectives is left alone."""
    from aims.demo.service import context_of

    if db.scalars(select(Objective.id).where(Objective.organisation_id == org.id)).first():
        return
    daniel = context_of(db, org, DANIEL)
    today = utcnow().date()
    systems = {
        s.name: s.id for s in db.scalars(select(AISystem).where(AISystem.organisation_id == org.id))
    }
    months = month_ends(today, 6)

    plans: list[tuple[dict[str, Any], str, list[tuple[date, float, str]]]] = [
        (
            {
                "title": "CreditLens approves applicants of every age band at comparable rates",
                "description": "Applicants over 60 were declined more often than their records "
                "justified (see the impact assessment and the risk register). This objective "
                "keeps the gap measured and inside the four-fifths threshold.",
                "kind": "responsible_development", "annex_c": "fairness",
                "system_id": systems.get("Credit decisioning model (CreditLens)"),
                "metric": "approval-rate parity ratio across age bands "
                "(demographic_parity_ratio:age_band)", "unit": "ratio",
                "direction": "at_least", "target": 0.8, "range_min": 0, "range_max": 1,
                "baseline": 0.74, "due_date": today + timedelta(days=120),
                "owner_email": PRIYA,
                "resources": "The fairness test suite in the model validation pipeline; two "
                "days a month of the credit-model team; the decision log.",
                "evaluation": "Each month the lowest age band's approval rate is divided by the "
                "highest band's, on that month's decisions. The model risk committee reviews "
                "the result; a value below 0.8 opens a root-cause review and a re-validation "
                "under A.6.2.4.",
            },
            PRIYA,
            [(months[0], 0.81, ""), (months[1], 0.83, ""),
             (months[2], 0.76, "After the bureau data change; root cause under review"),
             (months[3], 0.80, "Thin-file features reweighted"), (months[4], 0.82, ""),
             (months[5], 0.84, "")],
        ),
        (
            {
                "title": "The customer service assistant hands hardship cases to a person",
                "description": "Customers who mention arrears, job loss or illness should reach "
                "a trained agent rather than an automated answer.",
                "kind": "responsible_use", "annex_c": "accountability",
                "system_id": systems.get("Customer service assistant"),
                "metric": "share of conversations flagged as financial hardship handed to an "
                "agent", "unit": "%", "direction": "at_least", "target": 95,
                "range_min": 0, "range_max": 100, "baseline": 82,
                "due_date": today + timedelta(days=90), "owner_email": SOFIA,
                "resources": "Hardship keyword and intent detection; a sample review of 200 "
                "conversations a month by team leads.",
                "evaluation": "Team leads label a monthly sample; the share handed over is "
                "reported to the customer service manager and the AI governance lead.",
            },
            DANIEL,
            [(months[2], 86, ""), (months[3], 90, "Escalation prompt rewritten"),
             (months[4], 93, ""), (months[5], 96, "")],
        ),
        (
            {
                "title": "Every high-risk AI system has an approved impact assessment",
                "kind": "aims", "annex_c": "accountability",
                "metric": "share of in-scope high-risk AI systems with an approved impact "
                "assessment", "unit": "%", "direction": "at_least", "target": 100,
                "range_min": 0, "range_max": 100, "baseline": 0,
                "due_date": months[4], "owner_email": DANIEL,
                "resources": "The AI governance team; the impact assessment process (A.5.2).",
                "evaluation": "Counted from the inventory and the impact assessments at each "
                "management review.",
            },
            DANIEL,
            [(months[1], 50, "CreditLens approved; TalentSift in review"),
             (months[5], 100, "")],
        ),
        (
            {
                "title": "Staff who work with AI complete AI-literacy training",
                "description": "The EU AI Act has asked for AI literacy since February 2025; "
                "the AI policy asks every employee who builds, buys or uses AI to take the "
                "course.",
                "kind": "aims", "annex_c": "ai_expertise",
                "metric": "share of staff in AI-related roles who completed the course",
                "unit": "%", "direction": "at_least", "target": 90, "range_min": 0,
                "range_max": 100, "baseline": 35, "due_date": today - timedelta(days=14),
                "owner_email": TOMAS,
                "resources": "The learning platform; one hour per person; HR analytics for the "
                "completion report.",
                "evaluation": "HR analytics reports completion by department each month; the "
                "AIMS manager follows up departments below target.",
            },
            TOMAS,
            [(months[3], 62, ""), (months[4], 71, ""), (months[5], 78, "Sales and HR behind")],
        ),
    ]  # fmt: skip
    for fields, recorder, measurements in plans:
        objective = service.create_objective(db, daniel, ObjectiveIn.model_validate(fields))
        ctx = context_of(db, org, recorder)
        for when, value, note in measurements:
            body = MeasurementIn(value=value, unit=objective.unit, measured_at=when, note=note)
            service.add_measurement(db, ctx, objective, body)
    db.flush()
