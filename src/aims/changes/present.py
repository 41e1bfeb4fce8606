"""How a change record looks to the API, the pages and the CLI."""

from __future__ import annotations

import uuid

from aims.changes import rules, service
from aims.changes.models import ChangeRecord
from aims.changes.rules import ChangeStatus
from aims.changes.schemas import ChangeOut


def change_out(change: ChangeRecord) -> ChangeOut:
    return ChangeOut(
        id=change.id, ref=change.ref, title=change.title, purpose=change.purpose,
        description=change.description, consequences=change.consequences,
        resources=change.resources, responsibilities=change.responsibilities,
        affected=change.affected, system_ids=[uuid.UUID(s) for s in change.system_ids],
        owner_email=change.owner.email if change.owner else None,
        planned_date=change.planned_date, completed_date=change.completed_date,
        status=ChangeStatus(change.status),
        approved_by_email=change.approved_by.email if change.approved_by else None,
        approved_at=change.approved_at, decision_note=change.decision_note,
        outcome=change.outcome,
        plan_gaps=rules.plan_gaps({n: getattr(change, n) for n in rules.PLAN_FIELDS}),
        overdue=service.overdue(change), version=change.version,
        created_at=change.created_at, updated_at=change.updated_at,
    )  # fmt: skip
