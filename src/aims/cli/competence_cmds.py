"""competence gaps|raci: the competence gaps and expiring evidence, and the RACI matrix."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from aims.cli.common import OrgOpt, fail, operator_context, organisation, out, work
from aims.competence import present, rules, service
from aims.competence.schemas import GapsOut

app = typer.Typer(
    help="AIMS roles, the RACI matrix and competence (5.3, 7.2, A.3.2, A.4.6).",
    no_args_is_help=True,
)


class Output(StrEnum):
    TEXT = "text"
    JSON = "json"


@app.command("gaps")
def gaps(
    org: OrgOpt = None,
    fmt: Annotated[Output, typer.Option("--format", help="text or json.")] = Output.TEXT,
    window: Annotated[
        int, typer.Option("--window", min=0, max=3650, help="Days ahead that count as expiring.")
    ] = rules.DEFAULT_WINDOW_DAYS,
) -> None:
    """Competence gaps (missing, expired, unverified) and evidence expiring soon.

    Exits 0 even when there are gaps: this is a report, not a check.
    """
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        found = service.attention(db, ctx, window_days=window)
    if fmt is Output.JSON:
        data = GapsOut(
            gaps=[present.cell_out(c) for c in found.gaps],
            expiring=[present.cell_out(c) for c in found.expiring],
            window_days=window,
        )
        sys.stdout.write(data.model_dump_json(indent=2) + "\n")
        return
    table = Table("Status", "Person", "Competence", "Role", "Expires", title="Competence gaps")
    for c in [*found.gaps, *found.expiring]:
        expires = c.evidence.expires if c.evidence and c.evidence.expires else None
        table.add_row(c.status.value, escape(c.person or "(nobody holds the role)"),
                      escape(c.competence_name), escape(c.role_name),
                      str(expires) if expires else "—")  # fmt: skip
    if found.gaps or found.expiring:
        out.print(table)
    out.print(f"{len(found.gaps)} gap(s), {len(found.expiring)} expiring within {window} days")
    if found.raci_gaps:
        out.print(f"{len(found.raci_gaps)} RACI row(s) with nobody accountable (see `aims "
                  "competence raci --gaps`)", markup=False)  # fmt: skip


@app.command("raci")
def raci(
    org: OrgOpt = None,
    only_gaps: Annotated[
        bool, typer.Option("--gaps", help="Only rows with a problem (no A, or no R).")
    ] = False,
    export: Annotated[
        Path | None, typer.Option("--export", help="Write the whole matrix to this XLSX file.")
    ] = None,
) -> None:
    """Print the RACI matrix: AIMS processes and Annex A controls against AIMS roles."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        m = service.raci(db, ctx)
        content = present.raci_file(db, ctx)[0] if export else None
    if export is not None and content is not None:
        try:
            export.write_bytes(content)
        except OSError as exc:
            fail(f"cannot write {export}: {exc.strerror or exc}")
        out.print(f"Wrote {export}", markup=False)
        return
    if not m.roles:
        fail("no AIMS role yet; add roles first (web /competence/roles or the API)")
    short = _initials([r.name for r in m.roles])
    legend = "; ".join(f"{a} = {r.name}" for a, r in zip(short, m.roles, strict=True))
    out.print(f"Columns: {legend}", markup=False)
    table = Table("Row", *short, "Problem", title="RACI matrix")
    for row in m.rows:
        if only_gaps and not row.problems:
            continue
        table.add_row(escape(row.row_id), *[row.cells.get(r.id, "") for r in m.roles],
                      _problem(list(row.cells.values())))  # fmt: skip
    out.print(table)
    out.print(f"{len(m.gaps)} of {len(m.rows)} row(s) with nobody accountable")


def _initials(names: list[str]) -> list[str]:
    """Short column heads (AIMS manager → AM), numbered when two roles share them."""
    found: list[str] = []
    for name in names:
        base = "".join(w[0] for w in name.split() if w[:1].isalnum()).upper() or "?"
        label, n = base, 2
        while label in found:
            label, n = f"{base}{n}", n + 1
        found.append(label)
    return found


def _problem(letters: list[str]) -> str:
    """The row's problem in a few characters: no A, 2 A, no R."""
    accountable = letters.count(rules.Letter.ACCOUNTABLE.value)
    if accountable == 0:
        return "no A"
    if accountable > 1:
        return f"{accountable} A"
    return "" if rules.Letter.RESPONSIBLE.value in letters else "no R"
