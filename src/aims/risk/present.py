"""A risk as every face shows it, and the register and SoA files (API, pages and CLI)."""

from __future__ import annotations

import uuid
from dataclasses import replace

from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.risk import export, rules, service
from aims.risk.models import Risk, TreatmentAction
from aims.risk.schemas import ActionOut, ActionStatus, Origin, RiskOut, RiskStatus
from aims.store.listing import ListParams
from aims.store.types import utcnow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def action_out(action: TreatmentAction) -> ActionOut:
    return ActionOut(
        id=action.id, title=action.title, owner=action.owner.email if action.owner else None,
        due_date=action.due_date, status=ActionStatus(action.status),
        overdue=service.action_overdue(action), version=action.version,
    )  # fmt: skip


def risk_out(
    db: Session, ctx: Context, risk: Risk, criteria: rules.Criteria | None = None
) -> RiskOut:
    """The API shape of a risk; lists pass the criteria once instead of reading them per risk."""
    if criteria is None:
        _n, criteria, _note = service.current_criteria(db, ctx)
    today = utcnow().date()
    return RiskOut(
        id=risk.id, ref=risk.ref, title=risk.title, description=risk.description,
        system_id=risk.system_id, system_name=risk.system.name if risk.system else None,
        source=risk.source, own_source=risk.own_source, objectives=risk.objectives,
        consequences_org=risk.consequences_org,
        consequences_individuals=risk.consequences_individuals,
        consequences_society=risk.consequences_society,
        owner=risk.owner.email if risk.owner else None,
        inherent_likelihood=risk.inherent_likelihood,
        inherent_consequence=risk.inherent_consequence, inherent_level=risk.inherent_level,
        existing_controls=risk.existing_controls, residual_likelihood=risk.residual_likelihood,
        residual_consequence=risk.residual_consequence, residual_level=risk.residual_level,
        criteria_number=risk.criteria_number, origin=Origin(risk.origin),
        origin_ref=risk.origin_ref, status=RiskStatus(risk.status),
        treatment_option=risk.treatment_option, next_review=risk.next_review,
        review_overdue=bool(risk.next_review and risk.next_review < today),
        controls=[c.control_id for c in service.controls_of(db, ctx, risk)],
        actions=[action_out(a) for a in service.actions_of(db, ctx, risk)],
        acceptance_needed=bool(
            risk.residual_level
            and risk.residual_level in {lv.id for lv in criteria.levels}
            and rules.needs_acceptance(criteria, risk.residual_level)
            and risk.status != RiskStatus.ACCEPTED.value
        ),
        accepted_by=risk.accepted_by.email if risk.accepted_by else None,
        accepted_at=risk.accepted_at, acceptance_reason=risk.acceptance_reason,
        acceptance_expires=risk.acceptance_expires,
        acceptance_expired=bool(risk.acceptance_expires and risk.acceptance_expires < today),
        version=risk.version, updated_at=risk.updated_at,
    )  # fmt: skip


def register_file(
    db: Session,
    ctx: Context,
    fmt: str,
    *,
    system_id: uuid.UUID | None = None,
    residual_level: str | None = None,
    q: str | None = None,
    status: str | None = None,
    owner_id: uuid.UUID | None = None,
) -> tuple[bytes, str, str]:
    """The register file for the API, the pages and the CLI (every risk the filters match, as
    the register page shows them)."""
    params = ListParams(limit=200, q=q or None).with_filters(
        system_id=str(system_id) if system_id else None, residual_level=residual_level,
        status=status, owner_id=str(owner_id) if owner_id else None,
    )  # fmt: skip
    risks: list[RiskOut] = []
    _n, criteria, _note = service.current_criteria(db, ctx)
    while True:
        page = service.list_risks(db, ctx, params)
        risks += [risk_out(db, ctx, r, criteria) for r in page.items]
        if not page.next_cursor:
            break
        params = replace(params, cursor=page.next_cursor)
    org = access.get_organisation(db, ctx).name
    stamp = utcnow().strftime("%Y%m%d")
    if fmt == "csv":
        return export.register_csv(risks), "text/csv; charset=utf-8", f"risk-register-{stamp}.csv"
    about = [("Organisation", org), ("Risks", str(len(risks)))]
    return export.register_xlsx(risks, about=about), XLSX, f"risk-register-{stamp}.xlsx"


def soa_file(
    db: Session, ctx: Context, fmt: str, version_id: uuid.UUID | str | None = None
) -> tuple[bytes, str, str]:
    """The SoA file for the API, the pages and the CLI."""
    org = access.get_organisation(db, ctx).name
    if version_id is not None:
        v = service.get_soa_version(db, ctx, version_id)
        rows, label = v.rows, f"revision {v.revision}, {v.status}"
        about = [("Organisation", org), ("Version", label)]
        if v.approver:
            about.append(("Approved", f"{v.approver.email}, {v.approved_at:%Y-%m-%d}"))
    else:
        rows = [service.row_dict(e) for e in service.soa(db, ctx)]
        about = [("Organisation", org), ("Version", "the live SoA (not an approved version)")]
    name = f"statement-of-applicability-{utcnow():%Y%m%d}"
    if fmt == "pdf":
        return export.soa_pdf(rows, about=about), "application/pdf", f"{name}.pdf"
    return export.soa_xlsx(rows, about=about), XLSX, f"{name}.xlsx"
