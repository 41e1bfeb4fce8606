"""A control implementation as every face shows it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.controls import service
from aims.controls.models import ControlImplementation
from aims.controls.rules import CheckResult, Status
from aims.controls.schemas import EvidenceBrief, ImplementationOut
from aims.evidence import rules as evidence_rules
from aims.evidence import service as evidence
from aims.store.types import utcnow


def implementation_out(db: Session, ctx: Context, impl: ControlImplementation) -> ImplementationOut:
    today = utcnow().date()
    items = evidence.items_for(db, ctx, "implementation", [str(impl.id)])
    return ImplementationOut(
        id=impl.id,
        control_id=impl.control_id,
        control_title=service.control_title(db, ctx, impl.control_id),
        system_id=impl.system_id,
        system_name=impl.system.name if impl.system else None,
        description=impl.description,
        owner=impl.owner.email if impl.owner else None,
        status=Status(impl.status),
        check_months=impl.check_months,
        last_checked=impl.last_checked,
        last_result=CheckResult(impl.last_result) if impl.last_result else None,
        last_note=impl.last_note,
        next_check=impl.next_check,
        check_overdue=service.check_overdue(impl, today),
        evidence=[
            EvidenceBrief(
                id=i.id,
                kind=i.kind,
                title=i.title,
                valid_until=i.valid_until,
                validity=evidence_rules.validity(i.valid_until, today).value,
            )
            for i in items
        ],
        version=impl.version,
        updated_at=impl.updated_at,
    )
