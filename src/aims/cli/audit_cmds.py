"""audit verify."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from aims.audit import service
from aims.cli.common import EXIT_ERROR, OrgOpt, err, operator_context, organisation, out, work
from aims.store.listing import ListParams

app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)


@app.command("verify")
def verify(
    org: OrgOpt = None,
    heads: Annotated[
        bool, typer.Option("--heads", help="Also print each chain's newest event and hash.")
    ] = False,
) -> None:
    """Walk the hash chain; exit 0 when intact, 2 naming the first broken event otherwise."""
    with work() as db:
        chain = str(organisation(db, org).id) if org else None
        report = service.verify(db, chain=chain)
        head_rows = [(h.chain, h.seq, h.hash) for h in service.chain_heads(db)] if heads else []
    for name, seq, digest in head_rows:
        if chain is None or name == chain:
            out.print(f"head {name} #{seq} {digest}")
    if report.ok:
        out.print(f"Audit trail intact: {report.checked} events in {report.chains} chain(s).")
        return
    for p in report.problems:
        where = f"event #{p.seq}" if p.seq is not None else "the chain"
        row = f" (row id {p.row_id})" if p.row_id is not None else ""
        err.print(f"error: audit chain {p.chain}: {where}{row} is broken: {p.reason}", markup=False)
    raise typer.Exit(EXIT_ERROR)


@app.command("list")
def list_events(
    org: OrgOpt = None,
    record_type: Annotated[str | None, typer.Option(help="e.g. memberships, api_tokens.")] = None,
    action: Annotated[str | None, typer.Option(help="create, update, delete or restore.")] = None,
    actor: Annotated[str | None, typer.Option(help="E-mail (or label) of who acted.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="How many, newest first.")] = 20,
) -> None:
    """Show an organisation's newest audit events."""
    filters = {"record_type": record_type, "action": action, "actor": actor}
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        page = service.list_events(
            db, ctx, ListParams(limit=limit, filters={k: v for k, v in filters.items() if v})
        )
        table = Table("#", "When (UTC)", "Who", "Action", "Record", "Fields")
        for e in page.items:
            table.add_row(
                str(e.seq),
                f"{e.occurred_at:%Y-%m-%d %H:%M:%S}",
                e.actor_label,
                e.action,
                f"{e.record_type} {e.record_id[:8]}",
                ", ".join(sorted(e.changes)),
            )
    out.print(table)
    out.print(f"{len(page.items)} of {page.total} event(s)")
