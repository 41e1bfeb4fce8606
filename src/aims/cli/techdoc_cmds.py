"""techdoc show|export and logs list: technical documentation (A.6.2.7) and event logs (A.6.2.8)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from aims.cli.common import OrgOpt, fail, operator_context, organisation, out, work
from aims.store.listing import ListParams
from aims.systems import service as systems
from aims.techdoc import outline, present, service

techdoc_app = typer.Typer(
    help="Technical documentation of an AI system (A.6.2.7, EU AI Act Annex IV).",
    no_args_is_help=True,
)
logs_app = typer.Typer(
    help="Event-log records of AI systems (A.6.2.8, Art. 12).", no_args_is_help=True
)

SystemArg = Annotated[str, typer.Argument(help="The AI system's name or id.")]


class Format(StrEnum):
    PDF = "pdf"
    DOCX = "docx"


@techdoc_app.command("show")
def show(system: SystemArg, org: OrgOpt = None) -> None:
    """Show the Annex IV outline: each section's state and what is missing."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        found = outline.build(db, ctx, systems.find_system(db, ctx, system).id)
        total = found.completeness
        out.print(f"[bold]Technical documentation of {escape(found.system.name)}[/bold]")
        out.print(f"{total.present} item(s) recorded, {total.missing} missing "
                  f"({total.percent}% complete)")  # fmt: skip
        for s in found.sections:
            c = s.completeness
            out.print(f"\n{s.definition.point}. {escape(s.definition.title)}: {c.state.value} "
                      f"({c.present} of {c.total})")  # fmt: skip
            for e in s.entries:
                mark = "MISSING " if e.missing else ""
                out.print(f"  - {mark}{escape(e.label)}: {escape(e.value)}")


@techdoc_app.command("export")
def export(
    system: SystemArg,
    format: Annotated[Format, typer.Option("--format", "-f", help="pdf or docx.")] = Format.PDF,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: its name).")
    ] = None,
    org: OrgOpt = None,
) -> None:
    """Write the outline as a PDF or DOCX file."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        found = systems.find_system(db, ctx, system)
        content, _media, filename = present.outline_file(db, ctx, found.id, format.value)
    target = output or Path(filename)
    try:
        target.write_bytes(content)
    except OSError as exc:
        fail(f"cannot write {target}: {exc.strerror or exc}")
    out.print(f"Wrote {target} ({len(content)} bytes)")


@logs_app.command("list")
def list_logs(
    org: OrgOpt = None,
    flagged: Annotated[bool, typer.Option("--flagged", help="Only systems with flags.")] = False,
) -> None:
    """List AI systems with where their event logs are kept, and the flags."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        rows = service.list_logs(db, ctx, ListParams(limit=200)).items
    if flagged:
        rows = [r for r in rows if r.flags]
    table = Table("System", "Class", "Where kept", "Retention", "Captures", "Flags")
    for r in rows:
        rec = r.record
        table.add_row(
            escape(r.system.name),
            (r.system.risk_class or "—").replace("_", " "),
            escape(" ".join(p for p in (rec.log_system, rec.location) if p) or "—") if rec
            else "no record",
            f"{rec.retention_months} months" if rec and rec.retention_months is not None else "—",
            str(len(rec.captures)) if rec else "—",
            escape("; ".join(f.message for f in r.flags)) or "OK",
        )  # fmt: skip
    out.print(table)
    count = sum(1 for r in rows if r.flags)
    out.print(f"{len(rows)} system(s), {count} flagged")
