"""risk list|show|add|harms|take-up and soa show|export|approve."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from aims.cli.common import (
    OrgOpt,
    fail,
    member_context,
    operator_context,
    organisation,
    out,
    work,
)
from aims.risk import service
from aims.risk.present import soa_file
from aims.risk.schemas import FromReferralIn, RiskIn
from aims.store.listing import ListParams
from aims.systems import service as systems

risk_app = typer.Typer(help="The AI risk register (6.1.2, 6.1.3, 8.2, 8.3).", no_args_is_help=True)
soa_app = typer.Typer(help="The Statement of Applicability, derived.", no_args_is_help=True)


@risk_app.command("list")
def risk_list(
    org: OrgOpt = None,
    search: Annotated[str | None, typer.Option("--search", "-q", help="Text to find.")] = None,
    system: Annotated[str | None, typer.Option(help="Only this system (name or id).")] = None,
    level: Annotated[str | None, typer.Option(help="Only this residual level.")] = None,
) -> None:
    """List risks with their inherent and residual levels."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        system_id = str(systems.find_system(db, ctx, system).id) if system else None
        params = ListParams(limit=200, q=search).with_filters(
            system_id=system_id, residual_level=level
        )
        page = service.list_risks(db, ctx, params)
        table = Table("Ref", "Risk", "System", "Inherent", "Residual", "Status", "Owner")
        for r in page.items:
            table.add_row(r.ref, escape(r.title), escape(r.system.name) if r.system else "—",
                          r.inherent_level, r.residual_level or "—", r.status,
                          r.owner.email if r.owner else "—")  # fmt: skip
        found = service.attention(db, ctx)
    out.print(table)
    out.print(f"{page.total} risk(s)")
    if found.overdue_reviews:
        out.print("Review overdue: " + ", ".join(r.ref for r in found.overdue_reviews))
    if found.expired_acceptances:
        out.print("Acceptance expired: " + ", ".join(r.ref for r in found.expired_acceptances))
    if found.overdue_actions:
        out.print(f"{len(found.overdue_actions)} treatment action(s) overdue")


@risk_app.command("show")
def risk_show(
    risk: Annotated[str, typer.Argument(help="Reference (R-001) or id.")], org: OrgOpt = None
) -> None:
    """Show a risk: scores, treatment, selected controls and acceptance."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        r = service.find_risk(db, ctx, risk)
        controls = [c.control_id for c in service.controls_of(db, ctx, r)]
        actions = service.actions_of(db, ctx, r)
        out.print(f"[bold]{r.ref} {escape(r.title)}[/bold]")
        lines = [
            ("system", r.system.name if r.system else "the organisation"),
            ("source", r.source or r.own_source or "—"),
            ("objectives", ", ".join(r.objectives) or "—"),
            ("owner", r.owner.email if r.owner else "—"),
            ("inherent", f"{r.inherent_likelihood} x {r.inherent_consequence} = "
                         f"{r.inherent_level}"),
            ("residual", f"{r.residual_likelihood} x {r.residual_consequence} = {r.residual_level}"
             if r.residual_level else "not scored"),
            ("treatment", r.treatment_option or "—"),
            ("controls", ", ".join(controls) or "none selected"),
            ("status", r.status),
            ("next review", str(r.next_review or "—")),
            ("origin", f"{r.origin} {r.origin_ref}".strip()),
        ]  # fmt: skip
        if r.accepted_by:
            lines.append(("accepted", f"by {r.accepted_by.email} until {r.acceptance_expires}: "
                                      f"{r.acceptance_reason}"))  # fmt: skip
        for key, value in lines:
            out.print(f"  {key}: {value}", markup=False)
        for a in actions:
            owner = a.owner.email if a.owner else "no owner"
            out.print(f"  action: {a.title} ({a.status}, {owner}, due {a.due_date or '—'})",
                      markup=False)  # fmt: skip


@risk_app.command("add")
def risk_add(
    title: Annotated[str, typer.Argument(help="What could go wrong.")],
    likelihood: Annotated[int, typer.Option(help="Inherent likelihood on your scale.")],
    consequence: Annotated[int, typer.Option(help="Inherent consequence on your scale.")],
    system: Annotated[str | None, typer.Option(help="The AI system (name or id).")] = None,
    source: Annotated[str | None, typer.Option(help="Annex C risk source id.")] = None,
    owner: Annotated[str | None, typer.Option(help="The risk owner's e-mail.")] = None,
    review: Annotated[str | None, typer.Option(help="Next review date (YYYY-MM-DD).")] = None,
    org: OrgOpt = None,
) -> None:
    """Add a risk; its level comes from your criteria."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        system_id = systems.find_system(db, ctx, system).id if system else None
        body = RiskIn(
            title=title, inherent_likelihood=likelihood, inherent_consequence=consequence,
            system_id=system_id, source=source, owner_email=owner,
            next_review=date.fromisoformat(review) if review else None,
        )  # fmt: skip
        r = service.create_risk(db, ctx, body)
        ref, level = r.ref, r.inherent_level
    out.print(f"Added {ref} at level {level}", markup=False)


@risk_app.command("harms")
def risk_harms(org: OrgOpt = None) -> None:
    """Harms sent from impact assessments that no risk has taken up yet."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        pending = [(str(h.id), h.residual_level, h.title)
                   for h in service.pending_referrals(db, ctx)]  # fmt: skip
    # One line each with the whole id, so it can be copied or scripted.
    for harm_id, level, title in pending:
        out.print(f"{harm_id}  level {level}  {title}", markup=False, soft_wrap=True)
    out.print(f"{len(pending)} harm(s) waiting (take one up with: aims risk take-up ID)")


@risk_app.command("take-up")
def risk_take_up(
    harm: Annotated[str, typer.Argument(help="The harm's id from `aims risk harms`.")],
    owner: Annotated[str | None, typer.Option(help="The risk owner's e-mail.")] = None,
    org: OrgOpt = None,
) -> None:
    """Turn a harm from an impact assessment into a risk linked back to it."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        r = service.risk_from_referral(db, ctx, harm, FromReferralIn(owner_email=owner))
        ref, level = r.ref, r.inherent_level
    out.print(f"Took the harm up as {ref} at level {level}", markup=False)


@soa_app.command("show")
def soa_show(
    org: OrgOpt = None,
    problems: Annotated[bool, typer.Option("--problems", help="Only rows with a problem.")] = False,
) -> None:
    """The SoA: every Annex A control, applicable or not, why, and what an auditor would ask."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        entries = service.soa(db, ctx)
    table = Table("Control", "Applicable", "Justification", "Status", "Owner", "Problems")
    shown = 0
    for e in entries:
        row = e.row
        if problems and not row.problems:
            continue
        shown += 1
        applicable = {True: "yes", False: "no", None: "undecided"}[row.applicable]
        why = row.inclusion_justification or row.exclusion_justification or "—"
        table.add_row(f"{row.control_id} {escape(row.title)}", applicable, escape(why),
                      row.status.value.replace("_", " "), row.owner or "—",
                      escape("; ".join(row.problems)) or "—")  # fmt: skip
    out.print(table)
    with_problems = sum(1 for e in entries if e.row.problems)
    out.print(f"{len(entries)} controls; {with_problems} with something to resolve")


class SoaFormat(StrEnum):
    XLSX = "xlsx"
    PDF = "pdf"


@soa_app.command("export")
def soa_export(
    fmt: Annotated[SoaFormat, typer.Option("--format", help="xlsx or pdf.")] = SoaFormat.XLSX,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
    version: Annotated[
        str | None, typer.Option(help="A version's id (default: the live SoA).")
    ] = None,
    org: OrgOpt = None,
) -> None:
    """Export the SoA as XLSX (one row per control, filters, printable) or PDF."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        content, _media, name = soa_file(db, ctx, fmt.value, version)
    target = output or Path(name)
    try:
        target.write_bytes(content)
    except OSError as exc:
        fail(f"cannot write {target}: {exc}")
    out.print(f"Wrote {target} ({len(content):,} bytes)", markup=False)


@soa_app.command("approve")
def soa_approve(
    note: Annotated[str, typer.Option(help="What this version is for.")] = "",
    as_email: Annotated[
        str | None,
        typer.Option("--as", help="The approving member's e-mail (default: the first owner)."),
    ] = None,
    org: OrgOpt = None,
) -> None:
    """Freeze the SoA as it stands and approve it (refused to whoever changed its decisions)."""
    with work() as db:
        found = organisation(db, org)
        ctx = member_context(db, found, as_email) if as_email else operator_context(db, found)
        draft = service.snapshot_soa(db, ctx, note)
        approved = service.approve_soa(db, ctx, draft, expected=draft.version, note=note)
        revision, problems = approved.revision, approved.problems
        who = ctx.actor.label
    out.print(f"Approved SoA revision {revision} ({problems} row(s) with open questions), "
              f"by {who}")  # fmt: skip
