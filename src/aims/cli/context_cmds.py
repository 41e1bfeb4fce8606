"""context list|export and scope show: the context register (4.1, 4.2) and the scope (4.3)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from aims.cli.common import OrgOpt, fail, operator_context, organisation, out, work
from aims.context import present, service
from aims.context.models import PartyRequirement
from aims.context.vocab import RequirementKind, get_vocabulary
from aims.store.listing import ListParams

context_app = typer.Typer(
    help="The context: issues, interested parties, legal requirements (4.1, 4.2).",
    no_args_is_help=True,
)
scope_app = typer.Typer(help="The scope of the AI management system (4.3).", no_args_is_help=True)


class What(StrEnum):
    ALL = "all"
    ISSUES = "issues"
    PARTIES = "parties"
    REQUIREMENTS = "requirements"


@context_app.command("list")
def context_list(
    what: Annotated[What, typer.Argument(help="all, issues, parties or requirements.")] = What.ALL,
    kind: Annotated[
        str | None,
        typer.Option(help="A party kind (e.g. regulators) or a requirement kind (e.g. legal)."),
    ] = None,
    search: Annotated[str | None, typer.Option("--search", "-q", help="Text to find.")] = None,
    org: OrgOpt = None,
) -> None:
    """List issues, interested parties with their requirements, and the legal register."""
    vocab = get_vocabulary()
    party_kinds = {t.id for t in vocab.party_kinds}
    legal_kinds = {k.value for k in RequirementKind}
    if kind and kind not in party_kinds | legal_kinds:
        fail(f"unknown kind '{kind}'; one of: {', '.join(sorted(party_kinds | legal_kinds))}")
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        climate = present.climate_out(service.get_climate(db, ctx))
        tables: list[tuple[Table, str]] = []
        if what in (What.ALL, What.ISSUES) and not kind:
            page = service.list_issues(db, ctx, ListParams(limit=200, q=search))
            table = Table("Issue", "In/Ex", "Category", "Owner", "Review", "Climate",
                          title="Issues (4.1)")  # fmt: skip
            for i in page.items:
                table.add_row(escape(i.title), i.direction, vocab.category_label(i.category),
                              i.owner.email if i.owner else "—", str(i.review_date or "—"),
                              "yes" if i.climate_related else "")  # fmt: skip
            tables.append((table, f"{page.total} issue(s)"))
        if what in (What.ALL, What.PARTIES) and (not kind or kind in party_kinds):
            params = ListParams(limit=200, q=search).with_filters(kind=kind)
            parties = service.list_parties(db, ctx, params)
            found = service.requirements_of(db, ctx, parties.items)
            table = Table("Party", "Kind", "Requirement", "Addressed", title="Interested parties")
            for p in parties.items:
                reqs: list[PartyRequirement | None] = [*found[p.id]] or [None]
                for n, r in enumerate(reqs):
                    first = n == 0
                    text, addressed = (escape(r.text), r.addressed) if r else ("—", "")
                    name = escape(p.name) if first else ""
                    table.add_row(name, vocab.kind_label(p.kind) if first else "", text, addressed)
            tables.append((table, f"{parties.total} interested part(y/ies)"))
        if what in (What.ALL, What.REQUIREMENTS) and (not kind or kind in legal_kinds):
            params = ListParams(limit=200, q=search).with_filters(kind=kind)
            legal = service.list_legal(db, ctx, params)
            systems = service.systems_of(db, ctx, legal.items)
            table = Table("Requirement", "Kind", "Reference", "Status", "AI systems", "Controls",
                          title="Legal, regulatory and contractual requirements")  # fmt: skip
            for entry in legal.items:
                table.add_row(escape(entry.title), entry.kind, escape(entry.reference) or "—",
                              entry.status.replace("_", " "),
                              escape(", ".join(s.name for s in systems[entry.id])) or "—",
                              ", ".join(entry.controls) or "—")  # fmt: skip
            tables.append((table, f"{legal.total} requirement(s)"))
        unaddressed = len(service.unaddressed_requirements(db, ctx))
    if climate.state == "undecided":
        out.print("Climate change: NOT DECIDED — record whether it is a relevant issue")
    else:
        answer = "relevant" if climate.relevant else "not relevant"
        out.print(f"Climate change: {answer} (decided by {climate.decided_by or '—'})",
                  markup=False)  # fmt: skip
    for table, summary in tables:
        out.print(table)
        out.print(summary)
    if unaddressed:
        out.print(f"{unaddressed} requirement(s) of interested parties not fully addressed")


@context_app.command("export")
def context_export(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
    kind: Annotated[RequirementKind | None, typer.Option(help="Only this kind.")] = None,
    org: OrgOpt = None,
) -> None:
    """Export the legal requirements register as XLSX."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        content, _media, name = present.legal_file(db, ctx, kind=kind.value if kind else None)
    target = output or Path(name)
    try:
        target.write_bytes(content)
    except OSError as exc:
        fail(f"cannot write {target}: {exc}")
    out.print(f"Wrote {target} ({len(content):,} bytes)", markup=False)


@scope_app.command("show")
def scope_show(
    org: OrgOpt = None,
    approved: Annotated[
        bool, typer.Option("--approved", help="The approved version, not the newest.")
    ] = False,
) -> None:
    """Show the scope: boundaries, inclusions, exclusions and the AI systems in scope."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        record = service.approved_scope(db, ctx) if approved else service.current_scope(db, ctx)
        if record is None:
            fail("no approved scope statement" if approved else "no scope statement yet")
        s = present.scope_out(db, ctx, record)
    out.print(f"[bold]Scope of the AIMS, revision {s.revision} ({s.status.replace('_', ' ')})"
              "[/bold]")  # fmt: skip
    if s.approved_by:
        out.print(f"  approved by {s.approved_by} on {s.approved_at:%Y-%m-%d}", markup=False)
    for label, value in (("boundaries", s.boundaries), ("units and locations", s.units),
                         ("interfaces and dependencies", s.interfaces)):  # fmt: skip
        out.print(f"  {label}: {value or '—'}", markup=False)
    for label, items in (("included", s.inclusions), ("excluded", s.exclusions)):
        for item in items:
            reason = f" — {item.reason}" if item.reason else ""
            out.print(f"  {label}: {item.item}{reason}", markup=False)
    where = "live from the inventory" if s.systems_live else "as approved"
    table = Table("AI system", "EU AI Act class", title=f"AI systems in scope ({where})")
    for x in s.systems:
        table.add_row(escape(x.name), (x.risk_class or "not classified").replace("_", " "))
    out.print(table)
