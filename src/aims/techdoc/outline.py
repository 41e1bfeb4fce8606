"""A system's technical documentation outline: each Annex IV section with what it draws on
from the registered sources and what is still missing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.access.rules import Permission
from aims.store.scoping import get_scoped
from aims.store.types import utcnow
from aims.systems.models import AISystem
from aims.techdoc import rules, sources
from aims.techdoc.catalogue import annex_iv
from aims.techdoc.registry import load_source_modules, sources_of
from aims.techdoc.schemas import EntryOut, OutlineOut, SectionOut

sources.register_builtins()  # idempotent: aims's own sources are always there


@dataclass(frozen=True)
class OutlineEntry:
    label: str
    value: str
    href: str | None
    missing: bool
    key: str | None
    source: str


@dataclass(frozen=True)
class Section:
    definition: rules.SectionDef
    entries: list[OutlineEntry]
    completeness: rules.Completeness

    @property
    def missing_entries(self) -> list[OutlineEntry]:
        return [e for e in self.entries if e.missing]


@dataclass(frozen=True)
class Outline:
    system: AISystem
    generated_at: datetime
    sections: list[Section]
    completeness: rules.Completeness


def build(db: Session, ctx: Context, system_id: uuid.UUID | str) -> Outline:
    """Run every section's sources for the system; a missing entry another source filled
    (same key) is dropped, so each section shows only what is really still missing."""
    ctx.require(Permission.READ)
    load_source_modules()
    system = get_scoped(db, AISystem, ctx.organisation_id, system_id, label="AI system")
    sections: list[Section] = []
    for definition in annex_iv().sections:
        found = [
            OutlineEntry(e.label, e.value, e.href, e.missing, e.key, name)
            for name, fn in sources_of(definition.id)
            for e in fn(db, ctx, system)
        ]
        marks = [rules.Mark(e.key, e.missing) for e in found]
        kept = [e for e, keep in zip(found, rules.settled(marks), strict=True) if keep]
        sections.append(Section(definition, kept, rules.completeness(marks)))
    return Outline(system, utcnow(), sections, rules.overall([s.completeness for s in sections]))


def outline_out(outline: Outline) -> OutlineOut:
    total = outline.completeness
    return OutlineOut(
        system_id=outline.system.id,
        system_name=outline.system.name,
        risk_class=outline.system.risk_class,
        generated_at=outline.generated_at,
        state=total.state.value,
        present=total.present,
        missing=total.missing,
        percent=total.percent,
        sections=[
            SectionOut(
                id=s.definition.id,
                point=s.definition.point,
                title=s.definition.title,
                guidance=s.definition.guidance,
                state=s.completeness.state.value,
                present=s.completeness.present,
                missing=s.completeness.missing,
                percent=s.completeness.percent,
                entries=[
                    EntryOut(
                        label=e.label,
                        value=e.value,
                        href=e.href,
                        missing=e.missing,
                        key=e.key,
                        source=e.source,
                    )
                    for e in s.entries
                ],
            )
            for s in outline.sections
        ],
    )
