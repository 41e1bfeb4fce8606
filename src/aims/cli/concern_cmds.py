"""concern list|show: the handlers' view of reported concerns (A.3.3)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from aims.cli.common import OrgOpt, operator_context, organisation, out, work
from aims.concerns import service
from aims.concerns.present import reporter_name
from aims.concerns.vocab import Status, category_label
from aims.store.listing import ListParams

app = typer.Typer(help="Concerns reported about AI (A.3.3), as their handlers see them.",
                  no_args_is_help=True)  # fmt: skip


@app.command("list")
def concern_list(
    org: OrgOpt = None,
    status: Annotated[Status | None, typer.Option(help="Only concerns in this status.")] = None,
    search: Annotated[str | None, typer.Option("--search", "-q", help="Text to find.")] = None,
) -> None:
    """List concerns, newest first, with the count per status."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        params = ListParams(limit=200, q=search).with_filters(
            status=status.value if status else None
        )
        page = service.list_concerns(db, ctx, params)
        table = Table("Ref", "Concern", "Kind", "System", "Status", "Severity", "Owner",
                      "Received")  # fmt: skip
        for c in page.items:
            table.add_row(c.ref, escape(c.summary), category_label(c.category),
                          escape(c.system.name) if c.system else "—", c.status,
                          c.severity or "—", c.owner.email if c.owner else "—",
                          str(c.created_at.date()))  # fmt: skip
        counts = service.counts(db, ctx)
    out.print(table)
    out.print(f"{page.total} concern(s)")
    out.print(", ".join(f"{k}: {v}" for k, v in counts.items()), markup=False)


@app.command("show")
def concern_show(
    key: Annotated[str, typer.Argument(help="Reference (C-001), id or receipt code.")],
    org: OrgOpt = None,
) -> None:
    """Show one concern with its triage and timeline."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        c = service.find_concern(db, ctx, key)
        notes = service.timeline(db, ctx, c)
        from aims.access import service as access

        names = access.names_of(db, ctx, {n.created_by_id for n in notes})
        out.print(f"[bold]{c.ref} {escape(c.summary)}[/bold]")
        raised_by = reporter_name(c) or (
            "someone without an account (public link)" if c.channel == "public"
            else "an anonymous member"
        )  # fmt: skip
        lines = [
            ("kind", category_label(c.category)),
            ("raised by", raised_by),
            ("contact offered", c.contact or "—"),
            ("received", c.created_at.strftime("%Y-%m-%d %H:%M UTC")),
            ("system", c.system.name if c.system else "—"),
            ("when", c.occurred or "—"),
            ("status", c.status),
            ("severity", c.severity or "—"),
            ("owner", c.owner.email if c.owner else "—"),
            ("risk", c.risk.ref if c.risk else "—"),
            ("what happened", c.description),
            ("outcome (internal)", c.outcome or "—"),
            ("message to the reporter", c.reporter_message or "—"),
        ]
        for name, value in lines:
            out.print(f"  {name}: {value}", markup=False)
        for n in notes:
            who = names.get(n.created_by_id, "system") if n.created_by_id else "system"
            out.print(f"  {n.created_at:%Y-%m-%d %H:%M} {who}: {n.body}", markup=False)
