"""Context use cases (ISO/IEC 42001 4.1-4.3): issues and the climate-change determination,
interested parties and their requirements, the legal register, and the scope statement.

The scope's workflow (draft, review, approval, versions) is ``aims.approval``'s; this module
adds what is particular to it: the in-scope AI systems read live from the inventory on a draft
and copied into the version when it is approved.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.access.rules import Permission
from aims.approval import service as approval
from aims.approval.rules import Status
from aims.catalog.loader import get_catalog
from aims.context import rules
from aims.context.models import (
    ClimateDetermination,
    ContextIssue,
    InterestedParty,
    LegalRequirement,
    LegalRequirementSystem,
    PartyRequirement,
    ScopeStatement,
)
from aims.context.schemas import (
    IssueFields,
    LegalFields,
    PartyFields,
    RequirementFields,
    ScopeFields,
)
from aims.context.vocab import Addressed, RequirementStatus, get_vocabulary
from aims.errors import Conflict, FieldError, NotFound, ValidationFailed
from aims.risk.rules import Need
from aims.store.listing import ListParams, ListSpec, Page, paginate
from aims.store.scoping import check_version, get_scoped, restore_deleted, scoped, soft_delete
from aims.store.types import utcnow
from aims.systems.models import AISystem


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(("body", field), message)])


def _check_term(value: str | None, field: str, allowed: Sequence[str]) -> None:
    if value is not None and value not in allowed:
        raise _invalid(field, f"'{value}' is not one of: {', '.join(allowed)}")


def _soft_delete(db: Session, ctx: Context, record: Any, version: int, label: str) -> None:
    ctx.require(Permission.EDIT)
    soft_delete(db, record, version, by=ctx.user_id, label=label)


# --- Issues (4.1) ------------------------------------------------------------------------------

ISSUE = "context issue"


def _apply_issue(db: Session, ctx: Context, issue: ContextIssue, fields: IssueFields) -> None:
    values = fields.model_dump(exclude_unset=True, exclude={"version"})
    vocab = get_vocabulary()
    _check_term(values.get("category"), "category", [t.id for t in vocab.issue_categories])
    if "owner_email" in values:
        issue.owner_id = access.member_id(db, ctx, values.pop("owner_email"), field="owner_email")
    if "direction" in values:
        values["direction"] = values["direction"].value
    for key, value in values.items():
        setattr(issue, key, value)


def create_issue(db: Session, ctx: Context, fields: IssueFields) -> ContextIssue:
    ctx.require(Permission.EDIT)
    issue = ContextIssue(organisation_id=ctx.organisation_id)
    with db.no_autoflush:
        _apply_issue(db, ctx, issue, fields)
    db.add(issue)
    db.flush()
    return issue


def get_issue(db: Session, ctx: Context, issue_id: uuid.UUID | str) -> ContextIssue:
    ctx.require(Permission.READ)
    return get_scoped(db, ContextIssue, ctx.organisation_id, issue_id, label=ISSUE)


def update_issue(
    db: Session, ctx: Context, issue: ContextIssue, fields: IssueFields, *, version: int
) -> ContextIssue:
    ctx.require(Permission.EDIT)
    check_version(issue, version, label="The issue")
    with db.no_autoflush:
        _apply_issue(db, ctx, issue, fields)
    db.flush()
    db.expire(issue, ["owner"])
    return issue


def delete_issue(db: Session, ctx: Context, issue: ContextIssue, *, version: int) -> None:
    _soft_delete(db, ctx, issue, version, "The issue")


def restore_issue(db: Session, ctx: Context, issue_id: uuid.UUID | str) -> ContextIssue:
    ctx.require(Permission.EDIT)
    return restore_deleted(db, ContextIssue, ctx.organisation_id, issue_id, label=ISSUE)


ISSUE_LIST = ListSpec(
    id_column=ContextIssue.id,
    sortable={
        "title": ContextIssue.title,
        "category": ContextIssue.category,
        "updated_at": ContextIssue.updated_at,
        "created_at": ContextIssue.created_at,
    },
    default_sort="title",
    filterable={
        "direction": ContextIssue.direction,
        "category": ContextIssue.category,
        "climate_related": ContextIssue.climate_related,
        "owner_id": ContextIssue.owner_id,
    },
    searchable=(ContextIssue.title, ContextIssue.description, ContextIssue.effect),
)


def list_issues(db: Session, ctx: Context, params: ListParams) -> Page[ContextIssue]:
    ctx.require(Permission.READ)
    return paginate(db, scoped(ContextIssue, ctx.organisation_id), ISSUE_LIST, params)


def review_overdue(issue: ContextIssue, today: date | None = None) -> bool:
    return issue.review_date is not None and issue.review_date < (today or utcnow().date())


# --- The climate-change determination (4.1, Amd 1:2024) ----------------------------------------


def get_climate(db: Session, ctx: Context) -> ClimateDetermination | None:
    """The organisation's determination; None while nobody recorded one."""
    ctx.require(Permission.READ)
    row: ClimateDetermination | None = db.scalar(
        select(ClimateDetermination).where(
            ClimateDetermination.organisation_id == ctx.organisation_id
        )
    )
    return row


def save_climate(
    db: Session, ctx: Context, *, relevant: bool | None, reasoning: str, version: int
) -> ClimateDetermination:
    """Record whether climate change is a relevant issue, with the reasoning; the caller is
    the one who decided (owners and managers decide for the organisation)."""
    ctx.require(Permission.APPROVE)
    problem = rules.climate_problem(relevant, reasoning)
    if problem:
        raise _invalid("reasoning", problem)
    row = get_climate(db, ctx)
    if row is None:
        if version != 0:
            raise Conflict(
                f"the climate determination has changed since you loaded it (you sent version "
                f"{version}, nothing is recorded yet); reload and try again"
            )
        row = ClimateDetermination(organisation_id=ctx.organisation_id)
        db.add(row)
    else:
        check_version(row, version, label="The climate-change determination")
    row.relevant = relevant
    row.reasoning = reasoning.strip()
    row.decided_by_id = ctx.user_id if relevant is not None else None
    row.decided_at = utcnow() if relevant is not None else None
    db.flush()
    db.expire(row, ["decided_by"])
    return row


# --- Interested parties and their requirements (4.2) -------------------------------------------

PARTY = "interested party"
PARTY_REQUIREMENT = "requirement"


def _apply_party(party: InterestedParty, fields: PartyFields) -> None:
    values = fields.model_dump(exclude_unset=True, exclude={"version"})
    _check_term(values.get("kind"), "kind", [t.id for t in get_vocabulary().party_kinds])
    for key, value in values.items():
        setattr(party, key, value)


def create_party(db: Session, ctx: Context, fields: PartyFields) -> InterestedParty:
    ctx.require(Permission.EDIT)
    party = InterestedParty(organisation_id=ctx.organisation_id)
    _apply_party(party, fields)
    db.add(party)
    db.flush()
    return party


def get_party(db: Session, ctx: Context, party_id: uuid.UUID | str) -> InterestedParty:
    ctx.require(Permission.READ)
    return get_scoped(db, InterestedParty, ctx.organisation_id, party_id, label=PARTY)


def update_party(
    db: Session, ctx: Context, party: InterestedParty, fields: PartyFields, *, version: int
) -> InterestedParty:
    ctx.require(Permission.EDIT)
    check_version(party, version, label="The interested party")
    _apply_party(party, fields)
    db.flush()
    return party


def delete_party(db: Session, ctx: Context, party: InterestedParty, *, version: int) -> None:
    """Soft delete: the party and its requirements leave the lists; restore brings both back."""
    _soft_delete(db, ctx, party, version, "The interested party")


def restore_party(db: Session, ctx: Context, party_id: uuid.UUID | str) -> InterestedParty:
    ctx.require(Permission.EDIT)
    return restore_deleted(db, InterestedParty, ctx.organisation_id, party_id, label=PARTY)


PARTY_LIST = ListSpec(
    id_column=InterestedParty.id,
    sortable={
        "name": InterestedParty.name,
        "kind": InterestedParty.kind,
        "updated_at": InterestedParty.updated_at,
    },
    default_sort="name",
    filterable={"kind": InterestedParty.kind},
    searchable=(InterestedParty.name, InterestedParty.description),
)


def list_parties(db: Session, ctx: Context, params: ListParams) -> Page[InterestedParty]:
    ctx.require(Permission.READ)
    return paginate(db, scoped(InterestedParty, ctx.organisation_id), PARTY_LIST, params)


def requirements_of(
    db: Session, ctx: Context, parties: Iterable[InterestedParty]
) -> dict[uuid.UUID, list[PartyRequirement]]:
    """Each party's requirements (one query for a whole page of parties)."""
    ids = [p.id for p in parties]
    found: dict[uuid.UUID, list[PartyRequirement]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = db.scalars(
        scoped(PartyRequirement, ctx.organisation_id)
        .where(PartyRequirement.party_id.in_(ids))
        .order_by(PartyRequirement.created_at, PartyRequirement.id)
    ).all()
    for row in rows:
        found[row.party_id].append(row)
    return found


def _apply_requirement(
    db: Session, ctx: Context, requirement: PartyRequirement, fields: RequirementFields
) -> None:
    values = fields.model_dump(exclude_unset=True, exclude={"version"})
    link = values.get("legal_requirement_id")
    if link is not None:
        try:
            get_legal(db, ctx, link)
        except NotFound as exc:
            raise _invalid(
                "legal_requirement_id", "no such requirement in the legal register"
            ) from exc
    if "addressed" in values:
        values["addressed"] = values["addressed"].value
    for key, value in values.items():
        setattr(requirement, key, value)


def add_requirement(
    db: Session, ctx: Context, party: InterestedParty, fields: RequirementFields
) -> PartyRequirement:
    ctx.require(Permission.EDIT)
    requirement = PartyRequirement(organisation_id=ctx.organisation_id, party_id=party.id)
    with db.no_autoflush:
        _apply_requirement(db, ctx, requirement, fields)
    db.add(requirement)
    db.flush()
    return requirement


def get_requirement(db: Session, ctx: Context, requirement_id: uuid.UUID | str) -> PartyRequirement:
    ctx.require(Permission.READ)
    found = get_scoped(
        db, PartyRequirement, ctx.organisation_id, requirement_id, label=PARTY_REQUIREMENT
    )
    if found.party.deleted_at is not None:
        raise NotFound(f"no {PARTY_REQUIREMENT} with id {requirement_id}")
    return found


def update_requirement(
    db: Session,
    ctx: Context,
    requirement: PartyRequirement,
    fields: RequirementFields,
    *,
    version: int,
) -> PartyRequirement:
    ctx.require(Permission.EDIT)
    check_version(requirement, version, label="The requirement")
    with db.no_autoflush:
        _apply_requirement(db, ctx, requirement, fields)
    db.flush()
    db.expire(requirement, ["legal_requirement"])
    return requirement


def delete_requirement(
    db: Session, ctx: Context, requirement: PartyRequirement, *, version: int
) -> None:
    _soft_delete(db, ctx, requirement, version, "The requirement")


def unaddressed_requirements(db: Session, ctx: Context) -> list[PartyRequirement]:
    """Requirements of interested parties that the AIMS meets only partly or not at all."""
    ctx.require(Permission.READ)
    return list(
        db.scalars(
            scoped(PartyRequirement, ctx.organisation_id)
            .join(InterestedParty, InterestedParty.id == PartyRequirement.party_id)
            .where(
                InterestedParty.deleted_at.is_(None),
                PartyRequirement.addressed != Addressed.YES.value,
            )
            .order_by(InterestedParty.name, PartyRequirement.created_at)
        ).all()
    )


# --- Legal, regulatory and contractual requirements --------------------------------------------

LEGAL = "legal requirement"


def _checked_controls(ids: Iterable[str]) -> list[str]:
    controls = rules.normalised_controls(ids)
    unknown = rules.unknown_controls(controls, get_catalog().controls)
    if unknown:
        raise _invalid("controls", f"not Annex A controls: {', '.join(unknown)}")
    return controls


def _checked_systems(db: Session, ctx: Context, ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    found = set(
        db.scalars(
            scoped(AISystem, ctx.organisation_id)
            .where(AISystem.id.in_(wanted))
            .with_only_columns(AISystem.id)
        ).all()
    )
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise _invalid("system_ids", f"not AI systems in the inventory: {', '.join(missing)}")
    return wanted


def _apply_legal(db: Session, ctx: Context, row: LegalRequirement, fields: LegalFields) -> None:
    values = fields.model_dump(exclude_unset=True, exclude={"version"})
    if "controls" in values:
        values["controls"] = _checked_controls(values["controls"])
    system_ids = values.pop("system_ids", None)
    if "owner_email" in values:
        row.owner_id = access.member_id(db, ctx, values.pop("owner_email"), field="owner_email")
    for name in ("kind", "status"):
        if name in values:
            values[name] = values[name].value
    for key, value in values.items():
        setattr(row, key, value)
    if system_ids is not None:
        _set_systems(db, ctx, row, _checked_systems(db, ctx, system_ids))


def _set_systems(
    db: Session, ctx: Context, row: LegalRequirement, system_ids: list[uuid.UUID]
) -> None:
    current = {
        link.system_id: link
        for link in db.scalars(
            select(LegalRequirementSystem).where(LegalRequirementSystem.requirement_id == row.id)
        )
    }
    for system_id, link in current.items():
        if system_id not in system_ids:
            db.delete(link)
    for system_id in system_ids:
        if system_id not in current:
            db.add(
                LegalRequirementSystem(
                    organisation_id=ctx.organisation_id, requirement_id=row.id,
                    system_id=system_id,
                )
            )  # fmt: skip


def create_legal(db: Session, ctx: Context, fields: LegalFields) -> LegalRequirement:
    ctx.require(Permission.EDIT)
    row = LegalRequirement(organisation_id=ctx.organisation_id)
    with db.no_autoflush:
        _apply_legal(db, ctx, row, fields)
    db.add(row)
    db.flush()
    return row


def get_legal(db: Session, ctx: Context, legal_id: uuid.UUID | str) -> LegalRequirement:
    ctx.require(Permission.READ)
    return get_scoped(db, LegalRequirement, ctx.organisation_id, legal_id, label=LEGAL)


def update_legal(
    db: Session, ctx: Context, row: LegalRequirement, fields: LegalFields, *, version: int
) -> LegalRequirement:
    ctx.require(Permission.EDIT)
    check_version(row, version, label="The legal requirement")
    with db.no_autoflush:
        _apply_legal(db, ctx, row, fields)
    db.flush()
    db.expire(row, ["owner"])
    return row


def delete_legal(db: Session, ctx: Context, row: LegalRequirement, *, version: int) -> None:
    """Soft delete: it leaves the register and no longer calls for controls in the SoA."""
    _soft_delete(db, ctx, row, version, "The legal requirement")


def restore_legal(db: Session, ctx: Context, legal_id: uuid.UUID | str) -> LegalRequirement:
    ctx.require(Permission.EDIT)
    return restore_deleted(db, LegalRequirement, ctx.organisation_id, legal_id, label=LEGAL)


LEGAL_LIST = ListSpec(
    id_column=LegalRequirement.id,
    sortable={
        "title": LegalRequirement.title,
        "kind": LegalRequirement.kind,
        "updated_at": LegalRequirement.updated_at,
        "created_at": LegalRequirement.created_at,
    },
    default_sort="title",
    filterable={
        "kind": LegalRequirement.kind,
        "status": LegalRequirement.status,
        "owner_id": LegalRequirement.owner_id,
    },
    searchable=(
        LegalRequirement.title, LegalRequirement.reference, LegalRequirement.jurisdiction,
        LegalRequirement.obligations,
    ),
)  # fmt: skip


def list_legal(
    db: Session, ctx: Context, params: ListParams, *, system_id: uuid.UUID | str | None = None
) -> Page[LegalRequirement]:
    """The register; with ``system_id``, only requirements that touch that AI system."""
    ctx.require(Permission.READ)
    stmt = scoped(LegalRequirement, ctx.organisation_id)
    if system_id is not None:
        try:
            key = system_id if isinstance(system_id, uuid.UUID) else uuid.UUID(str(system_id))
        except ValueError as exc:
            raise ValidationFailed(
                "not a system id", errors=[FieldError(("query", "system_id"), "not a system id")]
            ) from exc
        touches = (
            select(LegalRequirementSystem.id)
            .where(
                LegalRequirementSystem.requirement_id == LegalRequirement.id,
                LegalRequirementSystem.system_id == key,
            )
            .exists()
        )
        stmt = stmt.where(touches)
    return paginate(db, stmt, LEGAL_LIST, params)


def systems_of(
    db: Session, ctx: Context, rows: Iterable[LegalRequirement]
) -> dict[uuid.UUID, list[AISystem]]:
    """The AI systems each requirement touches, by name (one query for a page of rows)."""
    ids = [r.id for r in rows]
    found: dict[uuid.UUID, list[AISystem]] = {i: [] for i in ids}
    if not ids:
        return found
    pairs = db.execute(
        select(LegalRequirementSystem.requirement_id, AISystem)
        .join(AISystem, AISystem.id == LegalRequirementSystem.system_id)
        .where(
            LegalRequirementSystem.organisation_id == ctx.organisation_id,
            LegalRequirementSystem.requirement_id.in_(ids),
            AISystem.deleted_at.is_(None),
        )
        .order_by(AISystem.name)
    ).all()
    for requirement_id, system in pairs:
        found[requirement_id].append(system)
    return found


def requirements_for_system(
    db: Session, ctx: Context, system_id: uuid.UUID | str
) -> list[LegalRequirement]:
    """The legal register's entries that touch one AI system, by title (for its page)."""
    ctx.require(Permission.READ)
    system = get_scoped(db, AISystem, ctx.organisation_id, system_id, label="AI system")
    return list(
        db.scalars(
            scoped(LegalRequirement, ctx.organisation_id)
            .join(
                LegalRequirementSystem,
                LegalRequirementSystem.requirement_id == LegalRequirement.id,
            )
            .where(LegalRequirementSystem.system_id == system.id)
            .order_by(LegalRequirement.title)
        ).all()
    )


def requirement_needs(db: Session, ctx: Context) -> dict[str, list[Need]]:
    """Per Annex A control, the active binding requirements that call for it (SoA needs)."""
    rows = db.scalars(
        scoped(LegalRequirement, ctx.organisation_id)
        .where(LegalRequirement.status == RequirementStatus.ACTIVE.value)
        .order_by(LegalRequirement.title)
    ).all()
    needs: dict[str, list[Need]] = defaultdict(list)
    for row in rows:
        if not rules.calls_for_controls(row.kind, row.status):
            continue
        label = f"{row.title} ({row.reference})" if row.reference else row.title
        for control_id in row.controls:
            needs[control_id].append(Need("requirement", str(row.id), label))
    return needs


# --- Scope (4.3) -------------------------------------------------------------------------------

SCOPE = "scope statement"


def _scope_content(fields: ScopeFields) -> dict[str, Any]:
    content = fields.model_dump(exclude_unset=True, exclude={"version"})
    errors: list[FieldError] = []
    for name, kind in (("inclusions", "inclusion"), ("exclusions", "exclusion")):
        if name not in content:
            continue
        items = [{"item": e["item"].strip(), "reason": e["reason"].strip()}
                 for e in content[name]]  # fmt: skip
        for index, field, message in rules.item_problems(kind, items):
            errors.append(FieldError(("body", name, index, field), message))
        content[name] = items
    if errors:
        raise ValidationFailed("; ".join(e.msg for e in errors), errors=errors)
    return content


def live_systems(db: Session, ctx: Context) -> list[dict[str, Any]]:
    """The inventory's in-scope AI systems now (in scope, not retired), as the scope lists them."""
    systems = db.scalars(scoped(AISystem, ctx.organisation_id)).all()
    return rules.in_scope_systems(
        {"id": s.id, "name": s.name, "risk_class": s.risk_class, "in_scope": s.in_scope,
         "lifecycle_stage": s.lifecycle_stage}
        for s in systems
    )  # fmt: skip


def scope_systems(db: Session, ctx: Context, record: ScopeStatement) -> list[dict[str, Any]]:
    """An approved (or superseded) version's systems as approved; a draft's read live."""
    if record.systems_snapshot is not None:
        return list(record.systems_snapshot)
    return live_systems(db, ctx)


def current_scope(db: Session, ctx: Context) -> ScopeStatement | None:
    """The newest version of the organisation's scope (a draft, in review or approved)."""
    ctx.require(Permission.READ)
    found: ScopeStatement | None = db.scalars(
        scoped(ScopeStatement, ctx.organisation_id)
        .where(ScopeStatement.status != Status.SUPERSEDED.value)
        .order_by(ScopeStatement.revision.desc())
    ).first()
    return found


def approved_scope(db: Session, ctx: Context) -> ScopeStatement | None:
    ctx.require(Permission.READ)
    found: ScopeStatement | None = db.scalars(
        scoped(ScopeStatement, ctx.organisation_id).where(
            ScopeStatement.status == Status.APPROVED.value
        )
    ).first()
    return found


def get_scope(db: Session, ctx: Context, scope_id: uuid.UUID | str) -> ScopeStatement:
    ctx.require(Permission.READ)
    return get_scoped(db, ScopeStatement, ctx.organisation_id, scope_id, label=SCOPE)


def create_scope(db: Session, ctx: Context, fields: ScopeFields) -> ScopeStatement:
    """Start the organisation's scope statement as a draft (one series per organisation)."""
    ctx.require(Permission.EDIT)
    existing = db.scalars(scoped(ScopeStatement, ctx.organisation_id)).first()
    if existing is not None:
        raise Conflict(
            "the organisation already has a scope statement; edit its draft or start a new "
            "version of the approved one"
        )
    return approval.create_first(db, ctx, ScopeStatement, _scope_content(fields))


def update_scope(
    db: Session, ctx: Context, record: ScopeStatement, fields: ScopeFields, *, version: int
) -> ScopeStatement:
    content = _scope_content(fields)
    return approval.edit(db, ctx, record, version=version, content=content)


def submit_scope(db: Session, ctx: Context, record: ScopeStatement, *, version: int) -> None:
    if record.status == Status.DRAFT.value and not record.boundaries.strip():
        raise _invalid("boundaries", "describe the boundaries of the AIMS before review")
    approval.submit(db, ctx, record, version=version)


def return_scope(
    db: Session, ctx: Context, record: ScopeStatement, *, version: int, note: str
) -> None:
    if not note.strip():
        raise _invalid("note", "say what the author should change")
    approval.return_to_draft(db, ctx, record, version=version, note=note)


def approve_scope(
    db: Session, ctx: Context, record: ScopeStatement, *, version: int, note: str = ""
) -> None:
    """Approve a version in review; the in-scope systems are copied into it in the same write."""
    with db.no_autoflush:
        if record.status == Status.IN_REVIEW.value:
            record.systems_snapshot = live_systems(db, ctx)
        approval.approve(db, ctx, record, version=version, note=note)
    db.expire(record, ["approver"])


def new_scope_version(db: Session, ctx: Context, record: ScopeStatement) -> ScopeStatement:
    """A new draft from the approved version; its systems are read live again."""
    return approval.start_new_version(db, ctx, record, derived={"systems_snapshot": None})


def delete_scope(db: Session, ctx: Context, record: ScopeStatement, *, version: int) -> None:
    """Discard a draft (soft delete); approved versions stay for the record."""
    ctx.require(Permission.EDIT)
    check_version(record, version, label="The scope statement")
    if record.status != Status.DRAFT.value:
        raise Conflict("only a draft can be discarded; approved versions are kept")
    record.mark_deleted(ctx.user_id)
    db.flush()


def scope_versions(db: Session, ctx: Context, record: ScopeStatement) -> list[ScopeStatement]:
    return approval.versions(db, ctx, ScopeStatement, record.series_id)


@dataclass(frozen=True)
class ScopeChange:
    part: str
    change: rules.ListChange


@dataclass(frozen=True)
class ScopeComparison:
    before: ScopeStatement
    after: ScopeStatement
    changes: list[ScopeChange]


TEXT_PARTS = {"boundaries": "Boundaries", "units": "Units and locations",
              "interfaces": "Interfaces and dependencies"}  # fmt: skip


def compare_scope(
    db: Session, ctx: Context, before_id: uuid.UUID | str, after_id: uuid.UUID | str
) -> ScopeComparison:
    """Two versions side by side: text parts, inclusions, exclusions and in-scope systems."""
    first, second = get_scope(db, ctx, before_id), get_scope(db, ctx, after_id)
    before, after = sorted([first, second], key=lambda v: v.revision)
    changes: list[ScopeChange] = []
    for c in approval.compare_versions(before, after):
        if c.field in TEXT_PARTS:
            changes.append(ScopeChange(
                TEXT_PARTS[c.field], rules.ListChange("changed", TEXT_PARTS[c.field],
                                                      c.before, c.after)))  # fmt: skip
    for name, part in (("inclusions", "Inclusions"), ("exclusions", "Exclusions")):
        for ch in rules.list_changes(getattr(before, name), getattr(after, name),
                                     key="item", value="reason"):  # fmt: skip
            changes.append(ScopeChange(part, ch))
    for ch in rules.list_changes(scope_systems(db, ctx, before), scope_systems(db, ctx, after),
                                 key="name", value="risk_class"):  # fmt: skip
        changes.append(ScopeChange("AI systems", ch))
    return ScopeComparison(before, after, changes)


# --- What needs attention ----------------------------------------------------------------------


@dataclass(frozen=True)
class ContextAttention:
    climate_undecided: bool
    overdue_issues: list[ContextIssue]
    unaddressed: list[PartyRequirement]
    scope_unapproved: bool


def attention(db: Session, ctx: Context, today: date | None = None) -> ContextAttention:
    """What the dashboard lists: no climate-change determination yet, issues past their review
    date, requirements of interested parties not (fully) met, and no approved scope."""
    ctx.require(Permission.READ)
    today = today or utcnow().date()
    climate = get_climate(db, ctx)
    overdue = db.scalars(
        scoped(ContextIssue, ctx.organisation_id)
        .where(ContextIssue.review_date < today)
        .order_by(ContextIssue.review_date)
    ).all()
    return ContextAttention(
        climate_undecided=climate is None or climate.relevant is None,
        overdue_issues=list(overdue),
        unaddressed=unaddressed_requirements(db, ctx),
        scope_unapproved=approved_scope(db, ctx) is None,
    )
