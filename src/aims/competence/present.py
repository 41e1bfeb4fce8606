"""Shapes shared by the API, the pages and the CLI: API outputs and the RACI spreadsheet."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.competence import rules, service
from aims.competence.models import AimsRole, Competence, Evidence
from aims.competence.schemas import (
    CompetenceOut,
    EvidenceOut,
    HolderOut,
    MatrixCellOut,
    RaciOut,
    RaciRoleOut,
    RaciRowOut,
    RequirementOut,
    RoleOut,
)
from aims.exports.tables import to_xlsx
from aims.store.types import utcnow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def role_out(db: Session, ctx: Context, role: AimsRole) -> RoleOut:
    today = utcnow().date()
    parent = service.get_role(db, ctx, role.parent_id).name if role.parent_id else None
    holders = [
        HolderOut(id=a.id, user_id=a.user_id, email=a.user.email, name=a.user.full_name,
                  since=a.since, until=a.until, note=a.note, version=a.version,
                  active=a.since <= today and (a.until is None or today <= a.until))
        for a in service.holders_of(db, ctx, role)
    ]  # fmt: skip
    requirements = [
        RequirementOut(id=r.id, competence_id=r.competence_id, competence=r.competence.name,
                       level=r.level, version=r.version)
        for r in service.requirements_of(db, ctx, role)
    ]  # fmt: skip
    return RoleOut(
        id=role.id, name=role.name, description=role.description,
        responsibilities=role.responsibilities, authorities=role.authorities,
        parent_id=role.parent_id, parent=parent, holders=holders, requirements=requirements,
        version=role.version,
    )  # fmt: skip


def competence_out(c: Competence) -> CompetenceOut:
    return CompetenceOut(id=c.id, name=c.name, description=c.description,
                         kind=rules.CompetenceKind(c.kind), validity_months=c.validity_months,
                         version=c.version)  # fmt: skip


def evidence_out(ev: Evidence, today: date | None = None) -> EvidenceOut:
    status = rules.evidence_status(
        service.evidence_facts(ev), today or utcnow().date(), rules.DEFAULT_WINDOW_DAYS
    )
    return EvidenceOut(
        id=ev.id, user_id=ev.user_id, person=ev.user.full_name, kind=rules.EvidenceKind(ev.kind),
        competence_id=ev.competence_id, competence=ev.competence.name, title=ev.title,
        provider=ev.provider, obtained=ev.obtained, expires=ev.expires, reference=ev.reference,
        check_result=rules.CheckResult(ev.check_result), check_date=ev.check_date,
        checked_by=ev.checked_by.email if ev.checked_by else None, check_note=ev.check_note,
        status=status, version=ev.version,
    )  # fmt: skip


def cell_out(c: rules.MatrixCell) -> MatrixCellOut:
    return MatrixCellOut(
        role_id=c.role_id, role=c.role_name, competence_id=c.competence_id,
        competence=c.competence_name, level=c.level, user_id=c.user_id, person=c.person,
        status=c.status, reason=c.reason, evidence_id=c.evidence.id if c.evidence else None,
        expires=c.evidence.expires if c.evidence else None,
    )  # fmt: skip


def raci_row_out(row: service.RaciRow) -> RaciRowOut:
    return RaciRowOut(
        row_id=row.row_id, kind=row.kind, title=row.title, clauses=list(row.clauses),
        cells={str(k): v for k, v in row.cells.items()},
        versions={str(k): v for k, v in row.versions.items()},
        problems=row.problems, gap=row.gap,
    )  # fmt: skip


def raci_out(m: service.RaciMatrix) -> RaciOut:
    return RaciOut(
        roles=[RaciRoleOut(id=r.id, name=r.name) for r in m.roles],
        rows=[raci_row_out(r) for r in m.rows],
        gaps=len(m.gaps),
    )


def raci_file(db: Session, ctx: Context) -> tuple[bytes, str, str]:
    """The whole RACI matrix as XLSX: one row per process and control, one column per role."""
    m = service.raci(db, ctx)
    header = ["Row", "Kind", "Title", *[r.name for r in m.roles], "Problems"]
    rows = [
        [row.row_id, row.kind, row.title, *[row.cells.get(r.id, "") for r in m.roles],
         "; ".join(row.problems)]
        for row in m.rows
    ]  # fmt: skip
    org = access.get_organisation(db, ctx).name
    today = utcnow().date().isoformat()
    about = [
        ("Organisation", org),
        ("What", "RACI matrix of AIMS roles against AIMS processes and Annex A controls "
                 "(ISO/IEC 42001 5.3, A.3.2)"),
        ("Letters", "R responsible, A accountable (exactly one per row), C consulted, I informed"),
        ("Rows nobody is accountable for", str(len(m.gaps))),
        ("Exported", today),
    ]  # fmt: skip
    widths = [18, 10, 48, *[14 for _ in m.roles], 40]
    content = to_xlsx(sheet="RACI", header=header, rows=rows, widths=widths, about=about)
    return content, XLSX, f"raci-{today}.xlsx"
