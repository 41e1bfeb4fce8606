"""control list|show and evidence add|list|expiring."""

from __future__ import annotations

import mimetypes
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from aims.cli.common import OrgOpt, fail, operator_context, organisation, out, work
from aims.config import get_settings
from aims.controls import present as controls_present
from aims.controls import service as controls
from aims.controls.rules import Status
from aims.evidence import rules, service
from aims.evidence.models import EvidenceItem
from aims.evidence.rules import Kind, Validity
from aims.evidence.service import ItemFields
from aims.store.listing import ListParams
from aims.systems import service as systems

control_app = typer.Typer(help="Controls in operation (A.4.3, A.6.2, A.7, 9.1).",
                          no_args_is_help=True)  # fmt: skip
evidence_app = typer.Typer(help="The evidence store.", no_args_is_help=True)


@control_app.command("list")
def control_list(
    org: OrgOpt = None,
    control: Annotated[str | None, typer.Option(help="Only this control id.")] = None,
    system: Annotated[str | None, typer.Option(help="Only this system (name or id).")] = None,
    status: Annotated[Status | None, typer.Option(help="Only this status.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue checks.")] = False,
) -> None:
    """List control implementations with their scope, status and next check."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        system_id = str(systems.find_system(db, ctx, system).id) if system else None
        params = ListParams(limit=200).with_filters(
            control_id=control.strip().upper() if control else None, system_id=system_id,
            status=status.value if status else None,
        )  # fmt: skip
        page = controls.list_implementations(db, ctx, params, overdue=overdue)
        table = Table("Control", "Scope", "Status", "Owner", "Next check", "Id")
        for i in page.items:
            due = str(i.next_check or "—")
            if controls.check_overdue(i):
                due += " (overdue)"
            table.add_row(i.control_id, escape(i.system.name) if i.system else "organisation",
                          i.status.replace("_", " "), i.owner.email if i.owner else "—", due,
                          str(i.id))  # fmt: skip
    out.print(table)
    out.print(f"{page.total} implementation(s)")


@control_app.command("show")
def control_show(
    implementation: Annotated[str, typer.Argument(help="Implementation id.")],
    org: OrgOpt = None,
) -> None:
    """Show one implementation: how, who, checks and evidence."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        impl = controls.get_implementation(db, ctx, implementation)
        o = controls_present.implementation_out(db, ctx, impl)  # fmt: skip
    out.print(f"[bold]{o.control_id} {escape(o.control_title)}[/bold]")
    last = (
        f"{o.last_checked}: {o.last_result.value}" if o.last_checked and o.last_result else "never"
    )
    for label, value in [
        ("scope", o.system_name or "organisation-wide"), ("status", o.status.value),
        ("owner", o.owner or "—"), ("how", o.description or "—"),
        ("checked every", f"{o.check_months} months" if o.check_months else "not set"),
        ("last check", last),
        ("next check", f"{o.next_check or '—'}{' (overdue)' if o.check_overdue else ''}"),
    ]:  # fmt: skip
        out.print(f"{label}: {escape(value)}")
    out.print(f"evidence: {len(o.evidence)} item(s)")
    for e in o.evidence:
        out.print(f"  - {escape(e.title)} ({e.kind}, {e.validity})")


def _record(value: str) -> tuple[str, str]:
    record_type, _sep, record_id = value.partition(":")
    if not record_id:
        fail("--record takes TYPE:ID, e.g. soa_version:1f0c...")
    return record_type.strip(), record_id.strip()


@evidence_app.command("add")
def evidence_add(
    title: Annotated[str, typer.Option(help="What the evidence is.")],
    file: Annotated[Path | None, typer.Option(help="A file to store.")] = None,
    url: Annotated[str | None, typer.Option(help="An http(s) link.")] = None,
    record: Annotated[str | None, typer.Option(help="A record in aims as TYPE:ID.")] = None,
    control: Annotated[str | None, typer.Option(help="Supports this control.")] = None,
    system: Annotated[str | None, typer.Option(help="About this AI system (name or id).")] = None,
    valid_until: Annotated[str | None, typer.Option(help="Last valid day, YYYY-MM-DD.")] = None,
    owner: Annotated[str | None, typer.Option(help="Owner's e-mail.")] = None,
    description: Annotated[str, typer.Option(help="A description.")] = "",
    org: OrgOpt = None,
) -> None:
    """Add a file, a link or a record as evidence (exactly one of --file, --url, --record)."""
    if sum(x is not None for x in (file, url, record)) != 1:
        fail("give exactly one of --file, --url or --record")
    until = None
    if valid_until:
        try:
            until = date.fromisoformat(valid_until)
        except ValueError:
            fail(f"--valid-until: '{valid_until}' is not a date (YYYY-MM-DD)")
    data = b""
    if file is not None:
        if not file.is_file():
            fail(f"no file {file}")
        if file.stat().st_size > get_settings().max_upload_bytes:
            fail(
                f"{file} is larger than the upload limit ({get_settings().max_upload_bytes} bytes)"
            )
        data = file.read_bytes()
    fields = ItemFields(title, None, until, owner, description)
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        if file is not None:
            item = service.add_file(db, ctx, fields, data=data, filename=file.name,
                                    declared_type=mimetypes.guess_type(file.name)[0])  # fmt: skip
        elif url is not None:
            item = service.add_link(db, ctx, fields, url=url)
        else:
            record_type, record_id = _record(record or "")
            item = service.add_record(db, ctx, fields, record_type=record_type,
                                      record_id=record_id)  # fmt: skip
        if control:
            service.link(db, ctx, item, "control", control)
        if system:
            service.link(db, ctx, item, "system", system)
        item_id, kind = item.id, item.kind
    out.print(f"Added {kind} evidence {item_id}")


@evidence_app.command("list")
def evidence_list(
    org: OrgOpt = None,
    kind: Annotated[Kind | None, typer.Option(help="Only this kind.")] = None,
    control: Annotated[str | None, typer.Option(help="Only for this control.")] = None,
    system: Annotated[str | None, typer.Option(help="Only for this system (name or id).")] = None,
    validity: Annotated[Validity | None, typer.Option(help="valid, expiring or expired.")] = None,
) -> None:
    """List evidence items."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        system_id = str(systems.find_system(db, ctx, system).id) if system else None
        params = ListParams(limit=200).with_filters(kind=kind.value if kind else None)
        page = service.list_items(db, ctx, params, system_id=system_id,
                                  control_id=control.strip().upper() if control else None,
                                  validity=validity)  # fmt: skip
        table = _table(page.items)
    out.print(table)
    out.print(f"{page.total} item(s)")


def _table(items: list[EvidenceItem]) -> Table:
    from aims.store.types import utcnow

    today = utcnow().date()
    table = Table("Title", "Kind", "Date", "Valid until", "Owner", "Id")
    for i in items:
        state = rules.validity(i.valid_until, today)
        until = str(i.valid_until or "—") + ("" if state == Validity.VALID else f" ({state})")
        table.add_row(escape(i.title), i.kind, str(i.evidence_date), until,
                      i.owner.email if i.owner else "—", str(i.id))  # fmt: skip
    return table


@evidence_app.command("expiring")
def evidence_expiring(
    org: OrgOpt = None,
    days: Annotated[int, typer.Option(help="Within how many days.")] = 30,
) -> None:
    """Evidence already expired, and evidence expiring within --days."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        found = service.expiring(db, ctx, days=days)
        expired, soon = _table(found.expired), _table(found.expiring)
        counts = len(found.expired), len(found.expiring)
    out.print(f"Expired: {counts[0]}")
    if counts[0]:
        out.print(expired)
    out.print(f"Expiring within {days} days: {counts[1]}")
    if counts[1]:
        out.print(soon)
