"""objective list|show|measure|export: AI objectives (6.2, A.6.1.2, A.9.3) from the shell."""

from __future__ import annotations

from collections import Counter
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from aims.access import service as access
from aims.cli.common import OrgOpt, fail, operator_context, organisation, out, work
from aims.objectives import present, rules, service
from aims.objectives.rules import Kind, State
from aims.objectives.schemas import MeasurementIn
from aims.store.listing import ListParams

app = typer.Typer(
    help="AI objectives and their measurements (6.2, A.6.1.2, A.9.3).", no_args_is_help=True
)

STATE_STYLE = {State.BREACHED: "red", State.ON_TRACK: "green", State.ACHIEVED: "green"}


@app.command("list")
def objective_list(
    org: OrgOpt = None,
    search: Annotated[str | None, typer.Option("--search", "-q", help="Text to find.")] = None,
    state: Annotated[State | None, typer.Option(help="Only objectives in this state.")] = None,
    kind: Annotated[Kind | None, typer.Option(help="Only this kind.")] = None,
    owner: Annotated[str | None, typer.Option(help="Only this owner (e-mail).")] = None,
) -> None:
    """List objectives with their last value, target and state."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        owner_id = access.member_id(db, ctx, owner, field="owner") if owner else None
        params = ListParams(limit=200, q=search).with_filters(
            kind=kind.value if kind else None, owner_id=str(owner_id) if owner_id else None
        )
        page = service.list_objectives(db, ctx, params, state=state)
        found = service.assessments(db, ctx, page.items)
        table = Table("Code", "Objective", "System", "Owner", "Last value", "Target", "State",
                      "Due")  # fmt: skip
        for o in page.items:
            a = found[o.id]
            last = f"{rules.number(a.last.value)} ({a.last.measured_at})" if a.last else "—"
            label = rules.STATE_LABELS[a.state] + (", overdue" if a.overdue else "")
            style = "red" if a.overdue else STATE_STYLE.get(a.state, "")
            table.add_row(
                o.code, escape(o.title), escape(o.system.name) if o.system else "—",
                o.owner.email if o.owner else "—", last, escape(present.target_text(o)),
                f"[{style}]{label}[/{style}]" if style else label, str(o.due_date or "—"),
            )  # fmt: skip
        attention = service.attention(db, ctx)
        counts = Counter(rules.STATE_LABELS[a.state] for a in found.values())
    out.print(table)
    states = ", ".join(f"{n} {label}" for label, n in sorted(counts.items()))
    out.print(f"{page.total} objective(s)" + (f": {states}" if states else ""))
    if attention.breached:
        out.print("Breached: " + ", ".join(f.objective.code for f in attention.breached))
    if attention.overdue:
        out.print("Overdue: " + ", ".join(f.objective.code for f in attention.overdue))


@app.command("show")
def objective_show(
    objective: Annotated[str, typer.Argument(help="Code (OBJ-001) or id.")], org: OrgOpt = None
) -> None:
    """Show an objective with every measurement."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        o = service.find_objective(db, ctx, objective)
        measurements = service.measurements_of(db, ctx, o)
        a = service.assess(o, measurements)
        target = service.target_of(o)
        out.print(f"[bold]{o.code} {escape(o.title)}[/bold]")
        lines = [
            ("kind", rules.KIND_LABELS[o.kind]),
            ("Annex C", o.annex_c.replace("_", " ")),
            ("system", o.system.name if o.system else "the organisation"),
            ("metric", f"{o.metric} ({o.unit})"),
            ("target", present.target_text(o)),
            ("due", str(o.due_date or "—")),
            ("owner", o.owner.email if o.owner else "—"),
            ("status", o.status),
            ("state", rules.STATE_LABELS[a.state] + (", overdue" if a.overdue else "")),
        ]
        for key, value in lines:
            out.print(f"  {key}: {value}", markup=False)
        for m in measurements:
            mark = "meets" if rules.meets(target, m.value) else "MISSES"
            note = f"  {m.note}" if m.note else ""
            out.print(f"  {m.measured_at}  {rules.number(m.value)} {m.unit}  {mark}{note}",
                      markup=False)  # fmt: skip


@app.command("measure")
def objective_measure(
    objective: Annotated[str, typer.Argument(help="Code (OBJ-001) or id.")],
    value: Annotated[float, typer.Argument(help="The measured value.")],
    unit: Annotated[str, typer.Option(help="The unit; must be the objective's.")],
    when: Annotated[
        str | None, typer.Option("--date", help="When it was measured (YYYY-MM-DD; default today).")
    ] = None,
    note: Annotated[str, typer.Option(help="A note kept with the value.")] = "",
    org: OrgOpt = None,
) -> None:
    """Record a measurement; another unit, a value outside the range or a future date is refused."""
    try:
        measured_at = date.fromisoformat(when) if when else None
    except ValueError:
        fail(f"--date: '{when}' is not a date (use YYYY-MM-DD)")
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        o = service.find_objective(db, ctx, objective)
        body = MeasurementIn(value=value, unit=unit, measured_at=measured_at, note=note)
        m = service.add_measurement(db, ctx, o, body)
        a = service.assess(o, service.measurements_of(db, ctx, o))
        met = rules.meets(service.target_of(o), m.value)
        line = (f"Recorded {rules.number(m.value)} {m.unit} for {o.code} on {m.measured_at}: "
                f"{'meets' if met else 'misses'} the target {present.target_text(o)}; "
                f"now {rules.STATE_LABELS[a.state]}")  # fmt: skip
    out.print(line, markup=False)


class ExportFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


@app.command("export")
def objective_export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="xlsx or csv.")] = ExportFormat.XLSX,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
    org: OrgOpt = None,
) -> None:
    """Export every objective with its last measurement."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        content, _media, name = present.objectives_file(db, ctx, fmt.value)
    target = output or Path(name)
    try:
        target.write_bytes(content)
    except OSError as exc:
        fail(f"cannot write {target}: {exc}")
    out.print(f"Wrote {target} ({len(content):,} bytes)", markup=False)
