"""Context records as every face shows them, and the legal register as XLSX (API, pages, CLI)."""

from __future__ import annotations

import uuid
from dataclasses import replace

from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.context import rules, service
from aims.context.models import (
    ClimateDetermination,
    ContextIssue,
    InterestedParty,
    LegalRequirement,
    PartyRequirement,
    ScopeStatement,
)
from aims.context.schemas import (
    AttentionOut,
    ClimateOut,
    IssueOut,
    LegalOut,
    PartyOut,
    RequirementOut,
    ScopeItem,
    ScopeOut,
    ScopeSystem,
    SystemRef,
)
from aims.context.vocab import Addressed, Direction, RequirementKind, RequirementStatus
from aims.context.vocab import get_vocabulary as vocabulary
from aims.exports.tables import to_xlsx
from aims.store.listing import ListParams
from aims.store.types import utcnow
from aims.systems.models import AISystem

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def issue_out(issue: ContextIssue) -> IssueOut:
    return IssueOut(
        id=issue.id, title=issue.title, direction=Direction(issue.direction),
        category=issue.category, category_label=vocabulary().category_label(issue.category),
        description=issue.description, effect=issue.effect,
        owner=issue.owner.email if issue.owner else None, review_date=issue.review_date,
        review_overdue=service.review_overdue(issue), climate_related=issue.climate_related,
        version=issue.version, updated_at=issue.updated_at,
    )  # fmt: skip


def attention_out(found: service.ContextAttention) -> AttentionOut:
    return AttentionOut(
        climate_undecided=found.climate_undecided,
        overdue_issues=[issue_out(i) for i in found.overdue_issues],
        unaddressed=[requirement_out(r) for r in found.unaddressed],
        scope_unapproved=found.scope_unapproved,
    )


def climate_out(row: ClimateDetermination | None) -> ClimateOut:
    if row is None:
        return ClimateOut(state="undecided", relevant=None, reasoning="", decided_by=None,
                          decided_at=None, version=0)  # fmt: skip
    return ClimateOut(
        state=rules.climate_state(row.relevant), relevant=row.relevant, reasoning=row.reasoning,
        decided_by=row.decided_by.email if row.decided_by else None, decided_at=row.decided_at,
        version=row.version,
    )  # fmt: skip


def requirement_out(r: PartyRequirement) -> RequirementOut:
    # A link to a requirement since deleted from the register reads as no link.
    legal = (
        r.legal_requirement if r.legal_requirement and not r.legal_requirement.is_deleted else None
    )
    return RequirementOut(
        id=r.id, party_id=r.party_id, party_name=r.party.name, text=r.text,
        climate_related=r.climate_related, addressed=Addressed(r.addressed), response=r.response,
        legal_requirement_id=legal.id if legal else None,
        legal_requirement_title=legal.title if legal else None,
        version=r.version,
    )  # fmt: skip


def party_out(party: InterestedParty, requirements: list[PartyRequirement]) -> PartyOut:
    return PartyOut(
        id=party.id, name=party.name, kind=party.kind,
        kind_label=vocabulary().kind_label(party.kind), description=party.description,
        requirements=[requirement_out(r) for r in requirements], version=party.version,
        updated_at=party.updated_at,
    )  # fmt: skip


def legal_out(row: LegalRequirement, systems: list[AISystem]) -> LegalOut:
    return LegalOut(
        id=row.id, title=row.title, kind=RequirementKind(row.kind),
        jurisdiction=row.jurisdiction, reference=row.reference, obligations=row.obligations,
        owner=row.owner.email if row.owner else None, status=RequirementStatus(row.status),
        applies_from=row.applies_from,
        systems=[SystemRef(id=s.id, name=s.name) for s in systems], controls=list(row.controls),
        calls_for_controls=rules.calls_for_controls(row.kind, row.status) and bool(row.controls),
        version=row.version, updated_at=row.updated_at,
    )  # fmt: skip


def scope_out(db: Session, ctx: Context, record: ScopeStatement) -> ScopeOut:
    return ScopeOut(
        id=record.id, series_id=record.series_id, revision=record.revision,
        status=record.status, boundaries=record.boundaries, units=record.units,
        inclusions=[ScopeItem(**i) for i in record.inclusions],
        exclusions=[ScopeItem(**i) for i in record.exclusions], interfaces=record.interfaces,
        systems=[ScopeSystem(**s) for s in service.scope_systems(db, ctx, record)],
        systems_live=record.systems_snapshot is None,
        author=record.author.email if record.author else None,
        approved_by=record.approver.email if record.approver else None,
        approved_at=record.approved_at, review_note=record.review_note, version=record.version,
    )  # fmt: skip


LEGAL_HEADER = ("Title", "Kind", "Jurisdiction", "Reference", "Obligations", "Owner", "Status",
                "Applies from", "AI systems", "Annex A controls", "Counts in the SoA")  # fmt: skip
LEGAL_WIDTHS = (36, 12, 16, 28, 60, 28, 14, 12, 36, 24, 10)


def legal_file(
    db: Session,
    ctx: Context,
    *,
    kind: str | None = None,
    system_id: uuid.UUID | None = None,
) -> tuple[bytes, str, str]:
    """The legal register as XLSX (every matching entry) for the API, the pages and the CLI."""
    params = ListParams(limit=200).with_filters(kind=kind)
    outs: list[LegalOut] = []
    while True:
        page = service.list_legal(db, ctx, params, system_id=system_id)
        systems = service.systems_of(db, ctx, page.items)
        outs += [legal_out(r, systems[r.id]) for r in page.items]
        if not page.next_cursor:
            break
        params = replace(params, cursor=page.next_cursor)
    rows = [
        [o.title, o.kind.value, o.jurisdiction, o.reference, o.obligations, o.owner or "",
         o.status.value.replace("_", " "), str(o.applies_from or ""),
         "; ".join(s.name for s in o.systems), ", ".join(o.controls),
         "Yes" if o.calls_for_controls else "No"]
        for o in outs
    ]  # fmt: skip
    about = [("Organisation", access.get_organisation(db, ctx).name),
             ("Register", "Legal, regulatory and contractual requirements (ISO/IEC 42001 4.2)"),
             ("Entries", str(len(outs)))]  # fmt: skip
    content = to_xlsx(sheet="Legal requirements", header=LEGAL_HEADER, rows=rows,
                      widths=LEGAL_WIDTHS, about=about)  # fmt: skip
    return content, XLSX, f"legal-requirements-{utcnow():%Y%m%d}.xlsx"
