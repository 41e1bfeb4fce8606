"""change list|show, communication list and leadership approvals."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from aims.access.rules import Role
from aims.changes import service as changes
from aims.changes.present import change_out
from aims.cli.common import OrgOpt, operator_context, organisation, out, work
from aims.communication import service as communication
from aims.communication.present import item_out
from aims.leadership import service as leadership
from aims.store.listing import ListParams

change_app = typer.Typer(help="Planned changes to the AIMS (6.3).", no_args_is_help=True)
communication_app = typer.Typer(help="The communication plan (7.4).", no_args_is_help=True)
leadership_app = typer.Typer(help="Leadership and commitment (5.1, 7.1).", no_args_is_help=True)


@change_app.command("list")
def change_list(
    org: OrgOpt = None,
    status: Annotated[str | None, typer.Option(help="Only changes in this status.")] = None,
    search: Annotated[str | None, typer.Option("--search", "-q", help="Text to find.")] = None,
) -> None:
    """List planned changes with their status and planned date."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        page = changes.list_changes(db, ctx, ListParams(limit=200, q=search).with_filters(
            status=status))  # fmt: skip
        rows = [change_out(c) for c in page.items]
    table = Table("Ref", "Change", "Status", "Owner", "Planned")
    for c in rows:
        table.add_row(c.ref, escape(c.title), c.status.value, c.owner_email or "—",
                      f"{c.planned_date or '—'}{' (overdue)' if c.overdue else ''}")  # fmt: skip
    out.print(table)
    out.print(f"{page.total} change(s)")


@change_app.command("show")
def change_show(
    change: Annotated[str, typer.Argument(help="Reference (CH-001) or id.")], org: OrgOpt = None
) -> None:
    """Show a change: purpose, consequences, resources, responsibilities and decision."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        c = change_out(changes.find_change(db, ctx, change))
    out.print(f"[bold]{c.ref} {escape(c.title)}[/bold] ({c.status.value})")
    for label, value in (
        ("purpose", c.purpose), ("consequences", c.consequences), ("resources", c.resources),
        ("responsibilities", c.responsibilities), ("owner", c.owner_email or ""),
        ("planned", str(c.planned_date or "")),
        ("decided by", f"{c.approved_by_email} {c.decision_note}".strip()
         if c.approved_by_email else ""),
        ("outcome", c.outcome),
    ):  # fmt: skip
        out.print(f"{label}: {escape(value) or '—'}")
    if c.plan_gaps:
        out.print("before approval, state: " + ", ".join(c.plan_gaps))


@communication_app.command("list")
def communication_list(org: OrgOpt = None) -> None:
    """The communication plan, with what is overdue."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        page = communication.list_items(db, ctx, ListParams(limit=200))
        rows = sorted((item_out(i) for i in page.items),
                      key=lambda i: (i.next_due is None, i.next_due or date.min))  # fmt: skip
    table = Table("What", "With whom", "How", "Who", "Last done", "Next due")
    for i in rows:
        table.add_row(escape(i.topic), escape(i.audience), escape(i.channel) or "—",
                      i.communicator_email or "—", str(i.last_done or "—"),
                      f"{i.next_due or '—'}{' (overdue)' if i.overdue else ''}")  # fmt: skip
    out.print(table)


@leadership_app.command("approvals")
def leadership_approvals(
    org: OrgOpt = None,
    top: Annotated[bool, typer.Option(help="Only approvals by owners (top management).")] = False,
) -> None:
    """What was approved in the organisation, by whom and when."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        found = leadership.approvals(db, ctx, roles=frozenset({Role.OWNER}) if top else None)
    table = Table("Approved", "By", "Role", "When")
    for a in found:
        table.add_row(escape(a.caption), a.approved_by_email, a.approved_by_role,
                      a.approved_at.strftime("%Y-%m-%d"))  # fmt: skip
    out.print(table)
