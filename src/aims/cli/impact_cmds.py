"""impact settings|list|show|export."""

from __future__ import annotations

import uuid
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.approval.rules import Status
from aims.cli.common import OrgOpt, fail, operator_context, organisation, out, work
from aims.impact import present, service
from aims.impact.models import ImpactAssessment
from aims.impact.rules import ImpactLevel
from aims.impact.schemas import ImpactSettingsData
from aims.store.listing import ListParams
from aims.systems import service as systems


class ExportFormat(StrEnum):
    PDF = "pdf"
    DOCX = "docx"


app = typer.Typer(help="AI system impact assessments.", no_args_is_help=True)


@app.command("settings")
def settings(
    set_from: Annotated[
        Path | None, typer.Option("--set-from", help="A YAML or JSON file with new settings.")
    ] = None,
    org: OrgOpt = None,
) -> None:
    """Show the impact assessment process settings (A.5.2), or replace them from a file."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        current = service.get_settings(db, ctx)
        if set_from is not None:
            try:
                raw = yaml.safe_load(set_from.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError) as exc:
                fail(f"cannot read {set_from}: {exc}")
            data = ImpactSettingsData.model_validate(raw)
            current = service.save_settings(db, ctx, data, version=current.version)
        shown = current.model_dump(mode="json")
    out.print(yaml.safe_dump(shown, sort_keys=False, allow_unicode=True).rstrip(), markup=False)
    if not current.saved:
        out.print("(aims's defaults: save your own with --set-from FILE)", style="dim")


def _find(db: Session, ctx: Context, key: str) -> ImpactAssessment:
    """An assessment by id, or the newest version of a system's assessment by system name."""
    try:
        uuid.UUID(key)
    except ValueError:
        system = systems.find_system(db, ctx, key)
        found = service.for_system(db, ctx, system)
        if not found:
            fail(f"{system.name} has no impact assessment yet")
        return found[0]
    return service.get(db, ctx, key)


@app.command("list")
def list_assessments(
    org: OrgOpt = None,
    search: Annotated[str | None, typer.Option("--search", "-q", help="Text to find.")] = None,
    status: Annotated[Status | None, typer.Option(help="Only this status.")] = None,
    level: Annotated[ImpactLevel | None, typer.Option(help="Only this level.")] = None,
    all_versions: Annotated[bool, typer.Option("--all-versions", help="Every version.")] = False,
) -> None:
    """List impact assessments (the newest version of each)."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        params = ListParams(limit=200, q=search).with_filters(
            status=status.value if status else None, level=level.value if level else None
        )
        page = service.list_assessments(db, ctx, params, all_versions=all_versions)
        table = Table("Id", "System", "Revision", "Status", "Level", "Reassess by")
        for a in page.items:
            table.add_row(str(a.id), escape(a.system.name), str(a.revision), a.status,
                          a.level or "—", str(a.due_date or "—"))  # fmt: skip
        found = service.attention(db, ctx)
    out.print(table)
    out.print(f"{page.total} assessment(s)")
    if found.unassessed:
        names = ", ".join(s.name for s in found.unassessed)
        out.print(f"In scope without an approved assessment: {names}", markup=False)
    if found.overdue:
        names = ", ".join(f"{a.system.name} (due {a.due_date})" for a in found.overdue)
        out.print(f"Past their reassessment date: {names}", markup=False)
    if found.reclassified:
        names = ", ".join(a.system.name for a in found.reclassified)
        out.print(f"EU AI Act class changed since approval: {names}", markup=False)


@app.command("show")
def show(
    assessment: Annotated[str, typer.Argument(help="Assessment id, or a system's name.")],
    org: OrgOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full record as JSON.")] = False,
) -> None:
    """Show an assessment: status, level with its breakdown, impacts and FRIA completeness."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        record = _find(db, ctx, assessment)
        detail = present.detail(db, ctx, record)
        fria = present.fria(db, ctx, record)
    if as_json:
        out.print_json(detail.model_dump_json())
        return
    out.print(f"[bold]{escape(detail.title)}[/bold]  ({detail.id})")
    out.print(f"  system: {detail.system_name}; revision {detail.revision}, {detail.status}"
              f"; level {detail.level or '—'}; reassess by {detail.due_date or '—'}",
              markup=False)  # fmt: skip
    progress = detail.progress
    out.print(f"  progress: {progress.percent} %; "
              f"{progress.answered} of {progress.questions} questions answered")  # fmt: skip
    if detail.score:
        s = detail.score
        table = Table("Section", "Kind", "Score", "Of")
        for sec in s.sections:
            table.add_row(escape(sec.title), sec.kind.value, str(sec.score), str(sec.max))
        out.print(table)
        reduction = "applied" if s.reduction_applied else "not applied"
        out.print(f"  raw impact {s.raw_impact}/{s.max_impact}; mitigation {s.mitigation}/"
                  f"{s.max_mitigation}; reduction {reduction}"
                  f"; {s.impact_share:.1%} of the maximum → level {s.level.value}")  # fmt: skip
    for i in detail.impacts:
        sent = " [sent to risk register]" if i.referral_id else ""
        out.print(f"  {i.nature.value} ({i.dimension.value}, residual {i.residual_level or '—'}): "
                  f"{i.description}{sent}", markup=False)  # fmt: skip
    if detail.fria_required or not fria.complete:
        state = "complete" if fria.complete else f"missing {', '.join(fria.missing)}"
        required = "required" if detail.fria_required else "not required"
        out.print(f"  FRIA (Art. 27): {required}; {state}")
    if detail.approved_by:
        out.print(f"  approved by {detail.approved_by} on {detail.approved_at:%Y-%m-%d}",
                  markup=False)  # fmt: skip


@app.command("export")
def export(
    assessment: Annotated[str, typer.Argument(help="Assessment id, or a system's name.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="pdf or docx.")] = ExportFormat.PDF,
    fria: Annotated[bool, typer.Option("--fria", help="The Art. 27 FRIA view only.")] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: its name).")
    ] = None,
    org: OrgOpt = None,
) -> None:
    """Export an assessment (or its FRIA view) as PDF or DOCX."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        record = _find(db, ctx, assessment)
        content, _media, filename = present.render_export(
            db, ctx, record.id, fmt.value, "fria" if fria else "assessment"
        )
    target = output or Path(filename)
    try:
        target.write_bytes(content)
    except OSError as exc:
        fail(f"cannot write {target}: {exc}")
    out.print(f"Wrote {target} ({len(content):,} bytes)", markup=False)
