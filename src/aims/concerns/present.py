"""The shapes of a concern for handlers and for the person who raised it (API and CLI)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.concerns import service
from aims.concerns.models import Concern
from aims.concerns.schemas import ConcernOut, NoteOut, ReporterViewOut, SettingsOut
from aims.concerns.service import SettingsView
from aims.concerns.vocab import Severity, Status, category_label


def reporter_name(concern: Concern) -> str | None:
    if concern.anonymous or concern.reporter is None:
        return None
    return f"{concern.reporter.full_name} <{concern.reporter.email}>"


def concern_out(db: Session, ctx: Context, concern: Concern) -> ConcernOut:
    notes = service.timeline(db, ctx, concern)
    names = access.names_of(db, ctx, {n.created_by_id for n in notes})
    return ConcernOut(
        id=concern.id, ref=concern.ref, channel=concern.channel, anonymous=concern.anonymous,
        reporter=reporter_name(concern), contact=concern.contact,
        system_id=concern.system_id, system_name=concern.system.name if concern.system else None,
        category=concern.category, category_label=category_label(concern.category),
        summary=concern.summary, description=concern.description, occurred=concern.occurred,
        status=Status(concern.status), owner=concern.owner.email if concern.owner else None,
        severity=Severity(concern.severity) if concern.severity else None,
        outcome=concern.outcome, reporter_message=concern.reporter_message,
        risk_id=concern.risk_id, risk_ref=concern.risk.ref if concern.risk else None,
        received_at=concern.created_at, updated_at=concern.updated_at, version=concern.version,
        timeline=[NoteOut(at=n.created_at, by=names.get(n.created_by_id) if n.created_by_id
                          else None, kind=n.kind, body=n.body) for n in notes],
    )  # fmt: skip


def reporter_view(concern: Concern) -> ReporterViewOut:
    return ReporterViewOut(
        id=concern.id, ref=concern.ref, category_label=category_label(concern.category),
        summary=concern.summary, system_name=concern.system.name if concern.system else None,
        status=Status(concern.status), last_update=concern.reporter_updated_at,
        message=concern.reporter_message, received_at=concern.created_at,
    )  # fmt: skip


def settings_out(view: SettingsView) -> SettingsOut:
    return SettingsOut(
        anonymous_enabled=view.anonymous_enabled,
        handler_roles=view.handler_roles,
        intro=view.intro,
        link_path=view.link_path,
        version=view.version,
    )
