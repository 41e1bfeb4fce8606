"""What controls in operation and their evidence add to a system's technical documentation
(A.6.2.7, EU AI Act Annex IV): registered with techdoc's source registry."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.controls import service as controls
from aims.evidence import service as evidence
from aims.systems.models import AISystem
from aims.techdoc.registry import Entry, register_source

# Controls whose evidence shows verification and validation (Annex IV 2(g), A.6.2.4) and
# operation and monitoring (Annex IV 3, A.6.2.6).
VERIFICATION = "A.6.2.4"
MONITORING = "A.6.2.6"


def _implemented(db: Session, ctx: Context, system: AISystem) -> Iterator[Entry]:
    for c in controls.controls_for_system(db, ctx, system.id):
        scope = "this system" if c.system_id else "organisation-wide"
        checked = f"; last checked {c.last_checked} ({c.last_result})" if c.last_checked else ""
        yield Entry(f"{c.control_id} implemented ({scope})",
                    f"{c.status.replace('_', ' ')}{checked}", href=f"/controls/{c.id}",
                    key="controls")  # fmt: skip


def _evidence_of(db: Session, ctx: Context, system: AISystem, control_id: str) -> list[Entry]:
    ids = [str(c.id) for c in controls.controls_for_system(db, ctx, system.id)
           if c.control_id == control_id]  # fmt: skip
    items = evidence.items_for(db, ctx, "implementation", ids)
    return [Entry(f"Evidence: {i.title}", f"{i.evidence_date}", href=f"/evidence/{i.id}")
            for i in items]  # fmt: skip


def _verification(db: Session, ctx: Context, system: AISystem) -> Iterator[Entry]:
    found = _evidence_of(db, ctx, system, VERIFICATION)
    for entry in found:
        yield Entry(entry.label, entry.value, entry.href, key="verification")


def _monitoring(db: Session, ctx: Context, system: AISystem) -> Iterator[Entry]:
    yield from _evidence_of(db, ctx, system, MONITORING)


register_source("risk_management", _implemented, name="controls")
register_source("development", _verification, name="verification evidence")
register_source("monitoring", _monitoring, name="monitoring evidence")
