"""catalog list|show."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markdown import Markdown
from rich.table import Table

from aims.catalog import service
from aims.catalog.loader import get_catalog
from aims.cli.common import out

app = typer.Typer(
    help="ISO/IEC 42001 clauses and Annex A controls, with our guidance.", no_args_is_help=True
)


@app.command("list")
def catalog_list(
    kind: Annotated[str | None, typer.Option(help="clause or control.")] = None,
    search: Annotated[str, typer.Option("--search", "-q", help="Words to find.")] = "",
) -> None:
    """List clauses and controls (id and title)."""
    if kind not in (None, "clause", "control"):
        raise typer.BadParameter("must be 'clause' or 'control'", param_hint="--kind")
    table = Table("Id", "Title", "Kind")
    entries = service.search(search, kind=kind)
    for e in entries:
        table.add_row(e.id, e.title, e.kind)
    out.print(table)
    out.print(f"{len(entries)} entries")


@app.command("show")
def catalog_show(entry_id: Annotated[str, typer.Argument(help="e.g. 6.1.3 or A.10.3")]) -> None:
    """Show one clause or control with our summary, guidance and typical evidence."""
    catalog = get_catalog()
    entry = service.get_entry(entry_id, catalog=catalog)
    lines = [f"# {entry.id} {entry.title}", "", entry.summary]
    group = catalog.groups.get(catalog.group_of.get(entry.id, ""))
    if group:
        lines[1:1] = [f"*Annex A, {group.id} {group.title}*", ""]
    if entry.guidance:
        lines += ["", "## Guidance", "", entry.guidance]
    if entry.evidence:
        lines += ["", "## Typical evidence", ""] + [f"- {e}" for e in entry.evidence]
    if entry.related:
        lines += ["", "## Related", "", ", ".join(entry.related)]
    if entry.objectives or entry.risk_sources:
        lines += ["", "## Annex C", ""]
        lines.append(
            "Objectives: "
            + (", ".join(catalog.annex_c_title(o) for o in entry.objectives) or "none")
        )
        lines.append("")
        lines.append(
            "Risk sources: "
            + (", ".join(catalog.annex_c_title(s) for s in entry.risk_sources) or "none")
        )
    out.print(Markdown("\n".join(lines)))
