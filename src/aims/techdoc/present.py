"""What the API, pages and CLI share: the shapes of event-log rows and the export files."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.techdoc import export, outline
from aims.techdoc.catalogue import log_catalogue
from aims.techdoc.schemas import (
    CaptureOut,
    CapturesOut,
    EventLogOut,
    FlagOut,
    SystemLogOut,
)
from aims.techdoc.service import SystemLog


def system_log_out(found: SystemLog) -> SystemLogOut:
    return SystemLogOut(
        system_id=found.system.id,
        system_name=found.system.name,
        risk_class=found.system.risk_class,
        high_risk=found.high_risk,
        record=EventLogOut.model_validate(found.record) if found.record else None,
        flags=[
            FlagOut(code=f.code.value, field=f.field, message=f.message, missing=list(f.missing))
            for f in found.flags
        ],
    )


def captures_out() -> CapturesOut:
    cat = log_catalogue()
    return CapturesOut(
        min_retention_months=cat.policy.min_retention_months,
        retention_basis=cat.policy.retention_basis,
        captures=[
            CaptureOut(id=c.id, label=c.label, guidance=c.guidance, required_for=c.required_for)
            for c in cat.captures
        ],
    )


def outline_file(
    db: Session, ctx: Context, system_id: uuid.UUID | str, fmt: str
) -> tuple[bytes, str, str]:
    """The outline as a file: its bytes, media type and download name."""
    return export.export(outline.outline_out(outline.build(db, ctx, system_id)), fmt)
