"""doc list|show|approve|export: controlled documents from the command line."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.cli.common import (
    OrgOpt,
    fail,
    member_context,
    operator_context,
    organisation,
    out,
    work,
)
from aims.documents import present, service
from aims.documents.models import DocumentVersion
from aims.documents.rules import Kind
from aims.store.listing import ListParams


class ExportFormat(StrEnum):
    PDF = "pdf"
    DOCX = "docx"


class DocStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    RETIRED = "retired"


app = typer.Typer(
    help="Controlled documents (7.5), the AI policy and acknowledgements.", no_args_is_help=True
)

DocArg = Annotated[str, typer.Argument(help="The document's identifier (e.g. POL-001) or id.")]


@app.command("list")
def list_documents(
    org: OrgOpt = None,
    search: Annotated[str | None, typer.Option("--search", "-q", help="Text to find.")] = None,
    kind: Annotated[Kind | None, typer.Option(help="Only this kind.")] = None,
    status: Annotated[DocStatus | None, typer.Option(help="Only this status.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only reviews past due.")] = False,
) -> None:
    """List documents with their status and next review."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        params = ListParams(limit=200, q=search).with_filters(
            kind=kind.value if kind else None, status=status.value if status else None
        )
        page = service.list_documents(db, ctx, params, overdue=overdue)
        table = Table("Identifier", "Title", "Kind", "Status", "Owner", "Next review")
        for d in page.items:
            due = str(d.next_review_on or "—") + (
                " (overdue)" if service.is_review_overdue(d) else ""
            )
            table.add_row(
                escape(d.code),
                escape(d.title),
                d.kind.replace("_", " "),
                d.status.replace("_", " "),
                escape(d.owner.email if d.owner else "—"),
                due,
            )
    out.print(table)
    out.print(f"{page.total} document(s)")


@app.command("show")
def show(
    document: DocArg,
    org: OrgOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full record as JSON.")] = False,
) -> None:
    """Show a document: metadata, versions, approvals, links and acknowledgement completion."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        doc = service.find_document(db, ctx, document)
        d = present.detail(db, ctx, doc)
        done = service.completion(db, ctx, doc)
        gaps = present.ai_policy_out(db, ctx).gaps if doc.is_ai_policy else []
    if as_json:
        out.print_json(d.model_dump_json())
        return
    out.print(f"{d.code} {d.title}  ({d.id})", markup=False, style="bold")
    out.print(
        f"  {d.kind.value.replace('_', ' ')}, {d.classification.value}, {d.status}; "
        f"owner {d.owner or '—'}; effective {d.effective_date or '—'}; next review "
        f"{d.next_review_on or '—'}{' (overdue)' if d.review_overdue else ''}",
        markup=False,
    )
    for v in d.versions:
        approved = (
            f", approved by {v.approved_by} {v.approved_at:%Y-%m-%d}" if v.approved_at else ""
        )
        out.print(f"  revision {v.revision}: {v.status}{approved}", markup=False)
    if d.open is not None:
        out.print(
            f"  open revision {d.open.revision}: {d.open.quorum.given} of "
            f"{d.open.quorum.needed} approvals",
            markup=False,
        )
    for link in d.links:
        out.print(f"  aligns with {link.target_code}: {link.note or '—'}", markup=False)
    if done.total:
        out.print(f"  acknowledged by {done.label}", markup=False)
    if gaps:
        out.print(f"  AI policy gaps: {', '.join(gaps)}", markup=False)


@app.command("approve")
def approve(
    document: DocArg,
    as_email: Annotated[str, typer.Option("--as", help="The approving member's e-mail.")],
    note: Annotated[str, typer.Option("--note", help="Approval note.")] = "",
    org: OrgOpt = None,
) -> None:
    """Approve the document's version in review as a named member."""
    with work() as db:
        organisation_ = organisation(db, org)
        ctx = member_context(db, organisation_, as_email)
        doc = service.find_document(db, ctx, document)
        ver = service.open_version(db, ctx, doc)
        if ver is None or ver.status != "in_review":
            fail(f"{doc.code} has no version in review")
        progress = service.approve(db, ctx, ver, version=ver.version, note=note)
        code, revision, status = doc.code, ver.revision, ver.status
    if status == "approved":
        out.print(f"{code} revision {revision} approved ({progress.label})", markup=False)
    else:
        out.print(
            f"{code} revision {revision}: approval recorded, {progress.label}; "
            "waiting for more approvers",
            markup=False,
        )


def _version(db: Session, ctx: Context, key: str, revision: int | None) -> DocumentVersion:
    doc = service.find_document(db, ctx, key)
    if revision is not None:
        return service.version_by_revision(db, ctx, doc, revision)
    found = service.current_version(db, ctx, doc) or service.open_version(db, ctx, doc)
    if found is None:
        fail(f"{doc.code} has no version to export")
    return found


@app.command("export")
def export(
    document: DocArg,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="pdf or docx.")] = ExportFormat.PDF,
    revision: Annotated[
        int | None, typer.Option("--revision", help="Default: the version in force.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: its name).")
    ] = None,
    org: OrgOpt = None,
) -> None:
    """Export a version as PDF or DOCX with its metadata and approval block."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        ver = _version(db, ctx, document, revision)
        doc = service.get_document(db, ctx, ver.document_id)
        content, _media, filename = present.export_file(db, ctx, doc, ver, fmt.value)
    target = output or Path(filename)
    try:
        target.write_bytes(content)
    except OSError as exc:
        fail(f"cannot write {target}: {exc}")
    out.print(f"Wrote {target} ({len(content):,} bytes)", markup=False)
