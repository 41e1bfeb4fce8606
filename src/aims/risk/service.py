"""Risk use cases: criteria (versioned), the register, treatment, acceptance, review, the SoA.

Levels are never typed: they come from the organisation's criteria, and a risk keeps the
number of the criteria that scored it. Changing the criteria shows what would change first.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.access.rules import Permission
from aims.approval import service as approval
from aims.catalog.loader import get_catalog
from aims.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from aims.risk import rules
from aims.risk.models import (
    OwnControl,
    Risk,
    RiskControl,
    RiskCriteria,
    RiskReview,
    SoaDecision,
    SoaVersion,
    TreatmentAction,
)
from aims.risk.rules import Criteria, Decision, ImplementationStatus, Need
from aims.risk.schemas import (
    ActionIn,
    ActionPatch,
    ActionStatus,
    DecisionIn,
    FromReferralIn,
    Origin,
    RiskFields,
    RiskStatus,
)
from aims.store.listing import ListParams, ListSpec, Page, paginate
from aims.store.scoping import check_version, get_scoped, scoped
from aims.store.types import utcnow
from aims.systems import service as systems

LABEL = "risk"

# --- Criteria (6.1.2) --------------------------------------------------------------------------


def _latest_criteria(db: Session, ctx: Context) -> RiskCriteria | None:
    row: RiskCriteria | None = db.scalars(
        select(RiskCriteria)
        .where(RiskCriteria.organisation_id == ctx.organisation_id)
        .order_by(RiskCriteria.number.desc())
        .limit(1)
    ).first()
    return row


def current_criteria(db: Session, ctx: Context) -> tuple[int, Criteria, str]:
    """(number, criteria, note): aims's defaults are number 0 until someone saves their own."""
    ctx.require(Permission.READ)
    row = _latest_criteria(db, ctx)
    if row is None:
        return 0, rules.default_criteria(), ""
    return row.number, Criteria.model_validate(row.data), row.note


def _risk_scores(db: Session, ctx: Context) -> list[Risk]:
    return list(db.scalars(scoped(Risk, ctx.organisation_id).order_by(Risk.ref)))


@dataclass(frozen=True)
class CriteriaChange:
    applied: bool
    number: int
    changes: list[tuple[Risk, rules.Rescore]]


def save_criteria(
    db: Session, ctx: Context, criteria: Criteria, *, based_on: int, confirm: bool, note: str = ""
) -> CriteriaChange:
    """Save a new version of the criteria. When stored risks would change level, nothing is
    saved unless ``confirm``; then their levels follow and each change is kept as a review."""
    ctx.require(Permission.APPROVE)
    number, _current, _note = current_criteria(db, ctx)
    if based_on != number:
        raise Conflict(
            f"the risk criteria changed since you read them (now version {number}); "
            "reload and try again"
        )
    risks = _risk_scores(db, ctx)
    by_id = {str(r.id): r for r in risks}
    rescored = rules.rescoring(criteria, [_score_map(r) for r in risks])
    off_scale = [c for c in rescored if c.after is None]
    if off_scale:
        refs = ", ".join(sorted({by_id[c.risk_id].ref for c in off_scale}))
        raise Conflict(
            f"these risks are scored off the new scales: {refs}; lower their scores first, "
            "or keep the scales as long"
        )
    changes = [(by_id[c.risk_id], c) for c in rescored]
    if changes and not confirm:
        return CriteriaChange(applied=False, number=number, changes=changes)
    row = RiskCriteria(
        organisation_id=ctx.organisation_id, number=number + 1,
        data=criteria.model_dump(mode="json"), note=note,
    )  # fmt: skip
    db.add(row)
    for risk in risks:
        risk.criteria_number = number + 1
    for risk, change in changes:
        setattr(risk, f"{change.which}_level", change.after)
        if change.which == "residual" and risk.accepted_by_id is not None:
            _clear_acceptance(risk)
        db.add(
            RiskReview(
                organisation_id=ctx.organisation_id, risk_id=risk.id,
                note=f"Criteria version {number + 1}: {change.reason}",
                changes={f"{change.which}_level": [change.before, change.after]},
            )
        )  # fmt: skip
    db.flush()
    return CriteriaChange(applied=True, number=number + 1, changes=changes)


def _score_map(risk: Risk) -> dict[str, object]:
    return {
        "id": str(risk.id),
        "inherent_likelihood": risk.inherent_likelihood,
        "inherent_consequence": risk.inherent_consequence,
        "inherent_level": risk.inherent_level,
        "residual_likelihood": risk.residual_likelihood,
        "residual_consequence": risk.residual_consequence,
        "residual_level": risk.residual_level,
    }


# --- The register ------------------------------------------------------------------------------


def _check_annex_c(fields: Mapping[str, Any]) -> None:
    catalog = get_catalog()
    sources = {s.id for s in catalog.risk_sources}
    objectives = {o.id for o in catalog.objectives}
    errors = []
    if fields.get("source") and fields["source"] not in sources:
        known = ", ".join(sorted(sources))
        errors.append(
            FieldError(("body", "source"), f"not an Annex C risk source; one of: {known}")
        )
    unknown = [o for o in fields.get("objectives") or [] if o not in objectives]
    if unknown:
        errors.append(FieldError(("body", "objectives"),
                                 f"not Annex C objectives: {', '.join(unknown)}"))  # fmt: skip
    if errors:
        raise ValidationFailed("; ".join(e.msg for e in errors), errors=errors)


def _apply(db: Session, ctx: Context, risk: Risk, fields: Mapping[str, Any]) -> None:
    """Set fields and derive both levels from the current criteria (one write)."""
    _check_annex_c(fields)
    residual_before = risk.residual_level
    number, criteria, _note = current_criteria(db, ctx)
    values = dict(fields)
    if "system_id" in values and values["system_id"] is not None:
        values["system_id"] = systems.get_system(db, ctx, values["system_id"]).id
    if "owner_email" in values:
        risk.owner_id = access.member_id(db, ctx, values.pop("owner_email"), field="owner_email")
    for key, value in values.items():
        setattr(risk, key, value)
    risk.inherent_level = rules.level_for(
        criteria, risk.inherent_likelihood, risk.inherent_consequence, prefix="inherent_"
    )
    if (risk.residual_likelihood is None) != (risk.residual_consequence is None):
        raise ValidationFailed(
            "give both residual likelihood and consequence, or neither",
            errors=[FieldError(("body", "residual_consequence"), "give both or neither")],
        )
    risk.residual_level = (
        rules.level_for(
            criteria, risk.residual_likelihood, risk.residual_consequence, prefix="residual_"
        )
        if risk.residual_likelihood is not None and risk.residual_consequence is not None
        else None
    )
    risk.criteria_number = number
    if risk.accepted_by_id is not None and risk.residual_level != residual_before:
        _clear_acceptance(risk)


def _clear_acceptance(risk: Risk) -> None:
    """A new residual level needs a new acceptance: the old one spoke of another risk."""
    risk.accepted_by_id = None
    risk.accepted_at = None
    risk.acceptance_reason = ""
    risk.acceptance_expires = None
    if risk.status == RiskStatus.ACCEPTED.value:
        risk.status = RiskStatus.OPEN.value


def _next_ref(db: Session, ctx: Context) -> str:
    count = db.scalar(
        select(func.count()).select_from(Risk).where(Risk.organisation_id == ctx.organisation_id)
    )
    return f"R-{int(count or 0) + 1:03d}"


def create_risk(
    db: Session,
    ctx: Context,
    fields: RiskFields,
    *,
    origin: Origin = Origin.MANUAL,
    origin_ref: str = "",
) -> Risk:
    ctx.require(Permission.EDIT)
    values = fields.model_dump(exclude_unset=True)
    risk = Risk(organisation_id=ctx.organisation_id, ref=_next_ref(db, ctx),
                origin=origin.value, origin_ref=origin_ref)  # fmt: skip
    with db.no_autoflush:
        _apply(db, ctx, risk, values)
    db.add(risk)
    db.flush()
    return risk


def get_risk(db: Session, ctx: Context, risk_id: uuid.UUID | str) -> Risk:
    ctx.require(Permission.READ)
    return get_scoped(db, Risk, ctx.organisation_id, risk_id, label=LABEL)


def find_risk(db: Session, ctx: Context, key: str) -> Risk:
    """A risk by id or by its reference (R-001)."""
    ctx.require(Permission.READ)
    found = db.scalars(scoped(Risk, ctx.organisation_id).where(Risk.ref == key.upper())).first()
    return found if found is not None else get_risk(db, ctx, key)


def update_risk(db: Session, ctx: Context, risk: Risk, fields: RiskFields, *, version: int) -> Risk:
    ctx.require(Permission.EDIT)
    check_version(risk, version, label="The risk")
    with db.no_autoflush:
        _apply(db, ctx, risk, fields.model_dump(exclude_unset=True, exclude={"version"}))
    db.flush()
    db.expire(risk, ["owner", "accepted_by", "system"])  # loaded before their ids changed
    return risk


def delete_risk(db: Session, ctx: Context, risk: Risk, *, version: int) -> None:
    from aims.impact.models import HarmReferral

    ctx.require(Permission.EDIT)
    check_version(risk, version, label="The risk")
    risk.mark_deleted(ctx.user_id)
    # The harm it came from waits to be taken up again rather than pointing at nothing.
    for referral in db.scalars(
        scoped(HarmReferral, ctx.organisation_id).where(HarmReferral.risk_id == risk.id)
    ):
        referral.risk_id = None
        referral.status = "pending"
    db.flush()


RISK_LIST = ListSpec(
    id_column=Risk.id,
    sortable={
        "ref": Risk.ref,
        "title": Risk.title,
        "updated_at": Risk.updated_at,
        "inherent_level": Risk.inherent_level,
    },
    default_sort="ref",
    filterable={
        "system_id": Risk.system_id,
        "inherent_level": Risk.inherent_level,
        "residual_level": Risk.residual_level,
        "owner_id": Risk.owner_id,
        "status": Risk.status,
        "origin": Risk.origin,
    },
    searchable=(Risk.ref, Risk.title, Risk.description),
)


def list_risks(db: Session, ctx: Context, params: ListParams) -> Page[Risk]:
    ctx.require(Permission.READ)
    return paginate(db, scoped(Risk, ctx.organisation_id), RISK_LIST, params)


# --- Harms from impact assessments -------------------------------------------------------------

DIMENSION_OBJECTIVES = {
    "fairness": ["fairness"], "privacy": ["privacy"], "safety": ["safety"],
    "transparency": ["transparency"], "security": ["security"],
    "environment": ["environmental_impact"], "autonomy": ["accountability"],
}  # fmt: skip


def _on_scale(value: int, of: int, size: int) -> int:
    """A value on a 1..of scale placed on a 1..size scale (rounded, never off the ends)."""
    return max(1, min(size, round(value * size / of)))


def risk_from_referral(
    db: Session, ctx: Context, referral_id: uuid.UUID | str, body: FromReferralIn
) -> Risk:
    """Take up a harm sent from an impact assessment: a risk linked back to the impact."""
    from aims.impact.models import HarmReferral, ImpactAssessment

    ctx.require(Permission.EDIT)
    referral = get_scoped(db, HarmReferral, ctx.organisation_id, referral_id, label="referral")
    if referral.risk_id is not None:
        raise Conflict(f"this harm is already risk {get_risk(db, ctx, referral.risk_id).ref}")
    assessment = db.get(ImpactAssessment, referral.assessment_id)
    impact = next(
        (i for i in (assessment.impacts if assessment else []) if i["key"] == referral.impact_key),
        {},
    )
    _n, criteria, _note = current_criteria(db, ctx)
    fields = RiskFields(
        title=referral.title,
        description=referral.description,
        system_id=referral.system_id,
        objectives=DIMENSION_OBJECTIVES.get(referral.dimension, []),
        consequences_individuals=str(impact.get("description", "")),
        existing_controls=str(impact.get("existing_measures", "")),
        owner_email=body.owner_email,
        inherent_likelihood=body.inherent_likelihood
        or _on_scale(int(impact.get("likelihood", 2)), 4, len(criteria.likelihood)),
        inherent_consequence=body.inherent_consequence
        or _on_scale(int(impact.get("severity", 2)), 4, len(criteria.consequence)),
    )
    risk = create_risk(db, ctx, fields, origin=Origin.IMPACT_HARM, origin_ref=str(referral.id))
    referral.risk_id = risk.id
    referral.status = "linked"
    db.flush()
    return risk


# --- Treatment (6.1.3) -------------------------------------------------------------------------


def controls_of(db: Session, ctx: Context, risk: Risk) -> list[RiskControl]:
    return list(
        db.scalars(
            select(RiskControl)
            .where(
                RiskControl.organisation_id == ctx.organisation_id, RiskControl.risk_id == risk.id
            )
            .order_by(RiskControl.control_id)
        )
    )


def select_control(db: Session, ctx: Context, risk: Risk, control_id: str, note: str = "") -> None:
    """The treatment selects an Annex A control for this risk."""
    ctx.require(Permission.EDIT)
    key = _known_control(db, ctx, control_id)
    if any(c.control_id == key for c in controls_of(db, ctx, risk)):
        raise Conflict(f"{key} is already selected for {risk.ref}")
    db.add(RiskControl(organisation_id=ctx.organisation_id, risk_id=risk.id,
                       control_id=key, note=note))  # fmt: skip
    db.flush()


def _known_control(db: Session, ctx: Context, control_id: str) -> str:
    """An Annex A control id (any case) or one of the organisation's own codes; else a 422."""
    key = _control_key(control_id)
    if key in get_catalog().controls:
        return key
    own = _own_by_code(db, ctx).get(control_id.strip().upper())
    if own is not None:
        return own.code
    raise ValidationFailed(
        f"'{control_id}' is neither an Annex A control nor one of your own",
        errors=[FieldError(("body", "control_id"),
                           "not an Annex A control (A.2.2 to A.10.4) or one of your own codes")],
    )  # fmt: skip


def _own_by_code(db: Session, ctx: Context) -> dict[str, OwnControl]:
    return {c.code: c for c in db.scalars(scoped(OwnControl, ctx.organisation_id)).all()}


def own_controls(db: Session, ctx: Context) -> list[OwnControl]:
    ctx.require(Permission.READ)
    return sorted(_own_by_code(db, ctx).values(), key=lambda c: c.code)


def create_own_control(
    db: Session, ctx: Context, *, code: str, title: str, description: str = ""
) -> OwnControl:
    """Add a control of the organisation's own; its code must not look like Annex A's."""
    ctx.require(Permission.EDIT)
    key = code.strip().upper()
    if key.startswith("A."):
        raise ValidationFailed(
            "codes starting with A. belong to Annex A",
            errors=[FieldError(("body", "code"), "choose a code that does not start with A.")],
        )
    if key in _own_by_code(db, ctx):
        raise Conflict(f"you already have a control {key}")
    control = OwnControl(organisation_id=ctx.organisation_id, code=key, title=title.strip(),
                         description=description.strip())  # fmt: skip
    db.add(control)
    db.flush()
    return control


def _control_key(control_id: str) -> str:
    key = control_id.strip()
    return "A." + key[2:] if key.upper().startswith("A.") else key


def deselect_control(db: Session, ctx: Context, risk: Risk, control_id: str) -> None:
    ctx.require(Permission.EDIT)
    keys = {_control_key(control_id), control_id.strip().upper()}
    key = _control_key(control_id)
    found = next((c for c in controls_of(db, ctx, risk) if c.control_id in keys), None)
    if found is None:
        raise NotFound(f"{key} is not selected for {risk.ref}")
    db.delete(found)
    db.flush()


def actions_of(db: Session, ctx: Context, risk: Risk) -> list[TreatmentAction]:
    return list(
        db.scalars(
            scoped(TreatmentAction, ctx.organisation_id)
            .where(TreatmentAction.risk_id == risk.id)
            .order_by(TreatmentAction.created_at)
        )
    )


def add_action(db: Session, ctx: Context, risk: Risk, body: ActionIn) -> TreatmentAction:
    ctx.require(Permission.EDIT)
    action = TreatmentAction(
        organisation_id=ctx.organisation_id, risk_id=risk.id, title=body.title,
        owner_id=access.member_id(db, ctx, body.owner_email, field="owner_email"),
        due_date=body.due_date, status=body.status.value,
    )  # fmt: skip
    db.add(action)
    db.flush()
    return action


def update_action(
    db: Session, ctx: Context, risk: Risk, action_id: uuid.UUID | str, body: ActionPatch
) -> TreatmentAction:
    ctx.require(Permission.EDIT)
    action = get_scoped(db, TreatmentAction, ctx.organisation_id, action_id, label="action")
    if action.risk_id != risk.id:
        raise NotFound(f"no action {action_id} on {risk.ref}")
    check_version(action, body.version, label="The action")
    sent = body.model_dump(exclude_unset=True, exclude={"version"})
    if "owner_email" in sent:
        action.owner_id = access.member_id(db, ctx, sent.pop("owner_email"), field="owner_email")
    for key, value in sent.items():
        setattr(action, key, value.value if isinstance(value, ActionStatus) else value)
    db.flush()
    return action


def action_overdue(action: TreatmentAction, today: date | None = None) -> bool:
    return (
        action.due_date is not None
        and action.status in (ActionStatus.PLANNED.value, ActionStatus.IN_PROGRESS.value)
        and action.due_date < (today or utcnow().date())
    )


# --- Acceptance and review (6.1.3, 8.2) --------------------------------------------------------


def accept_risk(
    db: Session, ctx: Context, risk: Risk, *, reason: str, expires: date, version: int
) -> Risk:
    """The risk owner accepts a residual risk, named, with a reason and an expiry date."""
    check_version(risk, version, label="The risk")
    if risk.residual_level is None:
        raise ValidationFailed(
            "score the residual risk before accepting it",
            errors=[FieldError(("body", "residual_likelihood"), "score the residual risk first")],
        )
    if risk.owner_id != ctx.user_id:
        raise PermissionDenied("only the risk's owner may accept it")
    _n, criteria, _note = current_criteria(db, ctx)
    refusal = rules.acceptance_refusal(criteria, risk.residual_level, ctx.role)
    if refusal:
        raise PermissionDenied(refusal)
    if not reason.strip():
        raise ValidationFailed(
            "give the reason", errors=[FieldError(("body", "reason"), "required")]
        )
    if expires <= utcnow().date():
        raise ValidationFailed(
            "an acceptance expires in the future",
            errors=[FieldError(("body", "expires"), "must be after today")],
        )
    risk.accepted_by_id = ctx.user_id
    risk.accepted_at = utcnow()
    risk.acceptance_reason = reason.strip()
    risk.acceptance_expires = expires
    risk.status = RiskStatus.ACCEPTED.value
    db.flush()
    db.expire(risk, ["accepted_by"])
    return risk


def review_risk(
    db: Session,
    ctx: Context,
    risk: Risk,
    *,
    note: str,
    version: int,
    next_review: date | None,
    residual: tuple[int, int] | None,
) -> RiskReview:
    """A periodic reassessment: what changed is recorded with the review."""
    ctx.require(Permission.EDIT)
    check_version(risk, version, label="The risk")
    before = {"residual_level": risk.residual_level, "next_review": str(risk.next_review)}
    fields: dict[str, Any] = {"next_review": next_review} if next_review else {}
    if residual is not None:
        fields["residual_likelihood"], fields["residual_consequence"] = residual
    with db.no_autoflush:
        _apply(db, ctx, risk, fields)
    after = {"residual_level": risk.residual_level, "next_review": str(risk.next_review)}
    review = RiskReview(
        organisation_id=ctx.organisation_id, risk_id=risk.id, note=note,
        changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
    )  # fmt: skip
    db.add(review)
    db.flush()
    db.expire(risk, ["accepted_by"])
    return review


def reviews_of(db: Session, ctx: Context, risk: Risk) -> list[RiskReview]:
    return list(
        db.scalars(
            select(RiskReview)
            .where(RiskReview.organisation_id == ctx.organisation_id, RiskReview.risk_id == risk.id)
            .order_by(RiskReview.created_at.desc())
        )
    )


@dataclass(frozen=True)
class RiskAttention:
    expired_acceptances: list[Risk]
    overdue_actions: list[TreatmentAction]
    overdue_reviews: list[Risk]


def attention(db: Session, ctx: Context, today: date | None = None) -> RiskAttention:
    """What the dashboard lists: expired acceptances, overdue treatments and reviews."""
    ctx.require(Permission.READ)
    today = today or utcnow().date()
    risks = scoped(Risk, ctx.organisation_id)
    expired = db.scalars(
        risks.where(Risk.status == RiskStatus.ACCEPTED.value, Risk.acceptance_expires < today)
    ).all()
    overdue_reviews = db.scalars(
        risks.where(Risk.next_review < today, Risk.status != RiskStatus.CLOSED.value)
    ).all()
    live = scoped(Risk, ctx.organisation_id).where(Risk.id == TreatmentAction.risk_id).exists()
    actions = db.scalars(
        scoped(TreatmentAction, ctx.organisation_id).where(
            live,
            TreatmentAction.due_date < today,
            TreatmentAction.status.in_(
                [ActionStatus.PLANNED.value, ActionStatus.IN_PROGRESS.value]
            ),
        )
    ).all()
    return RiskAttention(list(expired), list(actions), list(overdue_reviews))


# --- Statement of Applicability ----------------------------------------------------------------


def _needs(db: Session, ctx: Context) -> dict[str, list[Need]]:
    """Per control, the risks whose treatment selects it, the approved impact assessments that
    carry it out and the active legal or contractual requirements that call for it."""
    rows = db.execute(
        select(RiskControl.control_id, Risk.id, Risk.ref, Risk.title)
        .join(Risk, Risk.id == RiskControl.risk_id)
        .where(RiskControl.organisation_id == ctx.organisation_id, Risk.deleted_at.is_(None))
        .order_by(Risk.ref)
    ).all()
    needs: dict[str, list[Need]] = defaultdict(list)
    for control_id, risk_id, ref, title in rows:
        needs[control_id].append(Need("risk", str(risk_id), f"{ref} {title}"))
    for control_id, found in _impact_needs(db, ctx).items():
        needs[control_id].extend(found)
    from aims.context.service import requirement_needs  # the legal register (4.2)

    for control_id, found in requirement_needs(db, ctx).items():
        needs[control_id].extend(found)
    return needs


def _impact_needs(db: Session, ctx: Context) -> dict[str, list[Need]]:
    """Approved impact assessments call for the A.5 controls they carry out: every one for
    the process and its documentation (A.5.2, A.5.3), those with impacts on individuals or
    groups for A.5.4, those with impacts on society for A.5.5."""
    from aims.impact.models import ImpactAssessment

    needs: dict[str, list[Need]] = defaultdict(list)
    approved = db.scalars(
        scoped(ImpactAssessment, ctx.organisation_id)
        .where(ImpactAssessment.status == "approved")
        .order_by(ImpactAssessment.title)
    ).all()
    for a in approved:
        need = Need("impact", str(a.id), f"{a.title} (revision {a.revision})")
        needs["A.5.2"].append(need)
        needs["A.5.3"].append(need)
        audiences = {i.get("affected") for i in a.impacts}
        if audiences & {"individuals", "groups"}:
            needs["A.5.4"].append(need)
        if "society" in audiences:
            needs["A.5.5"].append(need)
    return needs


def _decisions(db: Session, ctx: Context) -> dict[str, SoaDecision]:
    return {d.control_id: d for d in db.scalars(scoped(SoaDecision, ctx.organisation_id)).all()}


@dataclass(frozen=True)
class SoaEntry:
    row: rules.SoaRow
    version: int
    evidence: int = 0  # valid evidence items for the control (aims.evidence)


def soa(db: Session, ctx: Context) -> list[SoaEntry]:
    """The SoA as it stands: one row per Annex A control, derived from the treatments."""
    ctx.require(Permission.READ)
    from aims.evidence.service import evidence_counts

    needs = _needs(db, ctx)
    decisions = _decisions(db, ctx)
    counts = evidence_counts(db, ctx)
    entries = []
    for control in get_catalog().controls.values():
        stored = decisions.get(control.id)
        decision = _decision(stored) if stored else None
        row = rules.soa_row(control.id, control.title, needs.get(control.id, []), decision)
        entries.append(SoaEntry(row, stored.version if stored else 0, counts.get(control.id, 0)))
    for own in own_controls(db, ctx):
        stored = decisions.get(own.code)
        row = rules.soa_row(own.code, own.title, needs.get(own.code, []),
                            _decision(stored) if stored else None, own=True)  # fmt: skip
        entries.append(SoaEntry(row, stored.version if stored else 0, counts.get(own.code, 0)))
    return entries


def _decision(stored: SoaDecision) -> Decision:
    return Decision(
        applicable=stored.applicable, inclusion_note=stored.inclusion_note,
        exclusion_reason=stored.exclusion_reason, override_reason=stored.override_reason,
        status=ImplementationStatus(stored.status),
        owner=stored.owner.email if stored.owner else None,
    )  # fmt: skip


def stored_decision(db: Session, ctx: Context, control_id: str) -> dict[str, Any] | None:
    """What people decided for a row, as a form shows it (None when nothing yet)."""
    ctx.require(Permission.READ)
    stored = _decisions(db, ctx).get(_control_key(control_id)) or _decisions(db, ctx).get(
        control_id.strip().upper()
    )
    if stored is None:
        return None
    return {
        "applicable": stored.applicable, "inclusion_note": stored.inclusion_note,
        "exclusion_reason": stored.exclusion_reason, "override_reason": stored.override_reason,
        "status": stored.status, "owner_email": stored.owner.email if stored.owner else None,
    }  # fmt: skip


def decide(db: Session, ctx: Context, control_id: str, body: DecisionIn) -> SoaEntry:
    """Record what people decided for one control; excluding a needed control needs an
    override reason, and the refusal lists the risks that need it."""
    ctx.require(Permission.EDIT)
    try:
        key = _known_control(db, ctx, control_id)
    except ValidationFailed as exc:
        raise NotFound(f"no Annex A control or own control '{control_id}'") from exc
    needs = _needs(db, ctx).get(key, [])
    if body.applicable is False:
        refusal = rules.exclusion_refusal(
            needs, reason=body.exclusion_reason, override_reason=body.override_reason
        )
        if refusal:
            field = "exclusion_reason" if not body.exclusion_reason.strip() else "override_reason"
            raise ValidationFailed(refusal, errors=[FieldError(("body", field), refusal)])
    owner_id = access.member_id(db, ctx, body.owner_email, field="owner_email")
    stored = _decisions(db, ctx).get(key)
    if stored is None:
        if body.version != 0:
            raise Conflict(f"the SoA row for {key} changed since you read it; reload")
        stored = SoaDecision(organisation_id=ctx.organisation_id, control_id=key)
        db.add(stored)
    else:
        check_version(stored, body.version, label=f"The SoA row for {key}")
    stored.applicable = body.applicable
    stored.inclusion_note = body.inclusion_note
    stored.exclusion_reason = body.exclusion_reason
    stored.override_reason = body.override_reason
    stored.status = body.status.value
    stored.owner_id = owner_id
    db.flush()
    db.expire(stored, ["owner"])
    return next(e for e in soa(db, ctx) if e.row.control_id == key)


# --- SoA versions ------------------------------------------------------------------------------


def row_dict(entry: SoaEntry) -> dict[str, Any]:
    row = entry.row
    return {
        "control_id": row.control_id, "title": row.title, "own": row.own,
        "applicable": row.applicable, "needs": [n.label for n in row.needs],
        "inclusion_justification": row.inclusion_justification,
        "exclusion_justification": row.exclusion_justification,
        "status": row.status.value, "owner": row.owner, "problems": row.problems,
        "evidence": entry.evidence,
    }  # fmt: skip


def soa_versions(db: Session, ctx: Context) -> list[SoaVersion]:
    """Every SoA version of the organisation, oldest first (one series per organisation)."""
    ctx.require(Permission.READ)
    return list(db.scalars(scoped(SoaVersion, ctx.organisation_id).order_by(SoaVersion.revision)))


def get_soa_version(db: Session, ctx: Context, version_id: uuid.UUID | str) -> SoaVersion:
    ctx.require(Permission.READ)
    return get_scoped(db, SoaVersion, ctx.organisation_id, version_id, label="SoA version")


SOA_CONTENT_TABLES = ("soa_decisions", "risk_controls", "own_controls")


def _soa_edits(db: Session, ctx: Context, since: Any) -> list[uuid.UUID]:
    """Who changed what the SoA is made of since the last approval (its decisions, the
    controls risks select, own controls), oldest first, from the audit trail: so a change
    later overwritten by someone else still counts, and so does a removal."""
    from aims.audit.models import AuditEvent

    stmt = (
        select(AuditEvent.actor_id)
        .where(
            AuditEvent.organisation_id == ctx.organisation_id,
            AuditEvent.record_type.in_(SOA_CONTENT_TABLES),
            AuditEvent.actor_id.is_not(None),
        )
        .order_by(AuditEvent.id)
    )
    if since is not None:
        stmt = stmt.where(AuditEvent.occurred_at > since)
    return [a for a in db.scalars(stmt) if a is not None]


def snapshot_soa(db: Session, ctx: Context, note: str = "") -> SoaVersion:
    """Freeze the SoA as it stands into a draft version (refreshing an open draft).

    Whoever changed the decisions since the last approval counts as an editor of the
    version, so a second person approves; taking the snapshot is not editing it.
    """
    ctx.require(Permission.EDIT)
    rows = [row_dict(e) for e in soa(db, ctx)]
    problems = sum(1 for r in rows if r["problems"])
    existing = soa_versions(db, ctx)
    approved = [v for v in existing if v.approved_at is not None]
    edits = _soa_edits(db, ctx, approved[-1].approved_at if approved else None)
    editors = sorted({str(e) for e in edits})
    content = {"rows": rows, "note": note}
    if not existing:
        draft = approval.create_first(db, ctx, SoaVersion, content, derived={"problems": problems})
    else:
        open_draft = approval.open_version(db, ctx, SoaVersion, existing[0].series_id)
        if open_draft is not None and open_draft.status == "in_review":
            approval.return_to_draft(db, ctx, open_draft, version=open_draft.version,
                                     note="refreshed with the current SoA")  # fmt: skip
        if open_draft is not None:
            counted = {"problems": problems}
            draft = approval.edit(db, ctx, open_draft, version=open_draft.version,
                                  content=content, derived=lambda _r: counted)  # fmt: skip
        else:
            draft = approval.start_new_version(db, ctx, existing[-1], content=content,
                                               derived={"problems": problems})  # fmt: skip
    draft.author_id = edits[-1] if edits else None
    draft.content_editor_ids = editors
    db.flush()
    return draft


def approve_soa(
    db: Session, ctx: Context, version: SoaVersion, *, expected: int, note: str = ""
) -> SoaVersion:
    """Approve a draft SoA version (an owner or manager who changed none of its decisions)."""
    approved = [v for v in soa_versions(db, ctx) if v.approved_at is not None]
    edits = _soa_edits(db, ctx, approved[-1].approved_at if approved else None)
    approval.approve(db, ctx, version, version=expected, note=note,
                     last_editor_id=edits[-1] if edits else None)  # fmt: skip
    db.expire(version, ["approver"])
    return version


def compare_soa(
    db: Session, ctx: Context, first: str, second: str
) -> tuple[SoaVersion, SoaVersion, list[tuple[str, dict[str, tuple[object, object]]]]]:
    a, b = sorted([get_soa_version(db, ctx, first), get_soa_version(db, ctx, second)],
                  key=lambda v: v.revision)  # fmt: skip
    return a, b, rules.soa_changes(a.rows, b.rows)


def heat_map(db: Session, ctx: Context) -> dict[str, dict[tuple[int, int], int]]:
    """How many risks sit in each likelihood x consequence cell, inherent and residual (one
    grouped query each, so it stays quick with thousands of risks)."""
    ctx.require(Permission.READ)
    maps: dict[str, dict[tuple[int, int], int]] = {}
    for which, lk, cq in (
        ("inherent", Risk.inherent_likelihood, Risk.inherent_consequence),
        ("residual", Risk.residual_likelihood, Risk.residual_consequence),
    ):
        rows = db.execute(
            select(lk, cq, func.count())
            .where(
                Risk.organisation_id == ctx.organisation_id,
                Risk.deleted_at.is_(None),
                lk.is_not(None),
            )
            .group_by(lk, cq)
        ).all()
        maps[which] = {(int(a), int(b)): int(n) for a, b, n in rows}
    return maps


def pending_referrals(db: Session, ctx: Context) -> list[Any]:
    """Harms sent from impact assessments that no risk has taken up yet."""
    from aims.impact.models import HarmReferral

    ctx.require(Permission.READ)
    return list(
        db.scalars(
            scoped(HarmReferral, ctx.organisation_id)
            .where(HarmReferral.risk_id.is_(None))
            .order_by(HarmReferral.created_at)
        )
    )
