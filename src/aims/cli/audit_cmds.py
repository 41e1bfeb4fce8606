"""audit verify."""

from __future__ import annotations

from typing import Annotated

import typer

from aims.audit import service
from aims.cli.common import EXIT_ERROR, err, organisation, out, work

app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)


@app.command("verify")
def verify(
    org: Annotated[
        str | None, typer.Option("--org", help="Only this organisation's chain.")
    ] = None,
) -> None:
    """Walk the hash chain; exit 0 when intact, 2 naming the first broken event otherwise."""
    with work() as db:
        chain = str(organisation(db, org).id) if org else None
        report = service.verify(db, chain=chain)
    if report.ok:
        out.print(f"Audit trail intact: {report.checked} events in {report.chains} chain(s).")
        return
    for p in report.problems:
        where = f"event #{p.seq}" if p.seq is not None else "the chain"
        row = f" (row id {p.row_id})" if p.row_id is not None else ""
        err.print(f"error: audit chain {p.chain}: {where}{row} is broken: {p.reason}", markup=False)
    raise typer.Exit(EXIT_ERROR)
