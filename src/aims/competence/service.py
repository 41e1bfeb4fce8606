"""Competence use cases: AIMS roles and who holds them (5.3), the RACI matrix (A.3.2), the
competence catalogue, evidence with its effectiveness check, and the matrix of gaps (7.2)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.access.models import Membership, User
from aims.access.rules import Permission
from aims.catalog.loader import get_catalog
from aims.competence import rules
from aims.competence.models import (
    AimsRole,
    Competence,
    Evidence,
    RaciCell,
    RoleAssignment,
    RoleRequirement,
)
from aims.competence.processes import get_processes
from aims.competence.rules import CheckResult, Letter
from aims.competence.schemas import (
    AssignmentIn,
    AssignmentPatch,
    CheckIn,
    CompetenceFields,
    CompetenceIn,
    EvidenceFields,
    EvidenceIn,
    RequirementIn,
    RoleFields,
    RoleIn,
)
from aims.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from aims.store.listing import ListParams, ListSpec, Page, paginate
from aims.store.scoping import check_version, get_scoped, scoped
from aims.store.types import utcnow


def _invalid(field_name: str, msg: str) -> ValidationFailed:
    return ValidationFailed(msg, errors=[FieldError(("body", field_name), msg)])


def _same_name(column: Any, name: str) -> ColumnElement[bool]:
    """Names compare without case: "AI System Owner" is the role "AI system owner"."""
    return func.lower(column) == name.strip().lower()


def _today() -> date:
    return utcnow().date()


# --- Roles (5.3) -------------------------------------------------------------------------------

ROLE_LIST = ListSpec(
    id_column=AimsRole.id,
    sortable={"name": AimsRole.name, "updated_at": AimsRole.updated_at},
    default_sort="name",
    filterable={"parent_id": AimsRole.parent_id},
    searchable=(AimsRole.name, AimsRole.description, AimsRole.responsibilities),
)


def list_roles(db: Session, ctx: Context, params: ListParams) -> Page[AimsRole]:
    ctx.require(Permission.READ)
    return paginate(db, scoped(AimsRole, ctx.organisation_id), ROLE_LIST, params)


def all_roles(db: Session, ctx: Context) -> list[AimsRole]:
    """Every live role, by name (the columns of the RACI matrix)."""
    ctx.require(Permission.READ)
    return list(db.scalars(scoped(AimsRole, ctx.organisation_id).order_by(AimsRole.name)))


def get_role(db: Session, ctx: Context, role_id: uuid.UUID | str) -> AimsRole:
    ctx.require(Permission.READ)
    return get_scoped(db, AimsRole, ctx.organisation_id, role_id, label="AIMS role")


def find_role(db: Session, ctx: Context, name_or_id: str) -> AimsRole:
    """A role by id or by its name (case does not matter)."""
    ctx.require(Permission.READ)
    for role in all_roles(db, ctx):
        if str(role.id) == name_or_id or role.name.lower() == name_or_id.strip().lower():
            return role
    raise NotFound(f"no AIMS role '{name_or_id}'")


def _check_role(db: Session, ctx: Context, role: AimsRole, values: Mapping[str, Any]) -> None:
    if "name" in values:
        clash = db.scalar(
            scoped(AimsRole, ctx.organisation_id).where(
                _same_name(AimsRole.name, values["name"]), AimsRole.id != role.id
            )
        )
        if clash is not None:
            raise _invalid("name", f"there is already a role named '{values['name']}'")
    if values.get("parent_id") is not None:
        try:
            parent = get_role(db, ctx, values["parent_id"])
        except NotFound as exc:
            raise _invalid("parent_id", "no such role here") from exc
        parents = {r.id: r.parent_id for r in all_roles(db, ctx)}
        if parent.id == role.id or rules.creates_cycle(parents, role.id, parent.id):
            raise _invalid("parent_id", "a role cannot report to itself, even through others")


def create_role(db: Session, ctx: Context, body: RoleIn) -> AimsRole:
    ctx.require(Permission.EDIT)
    role = AimsRole(organisation_id=ctx.organisation_id, id=uuid.uuid4())
    values = body.model_dump(exclude_unset=True)
    values["name"] = body.name
    _check_role(db, ctx, role, values)
    for key, value in values.items():
        setattr(role, key, value)
    db.add(role)
    db.flush()
    return role


def update_role(
    db: Session, ctx: Context, role: AimsRole, body: RoleFields, *, version: int
) -> AimsRole:
    ctx.require(Permission.EDIT)
    check_version(role, version, label="The role")
    values = body.model_dump(exclude_unset=True, exclude={"version"})
    _check_role(db, ctx, role, values)
    for key, value in values.items():
        setattr(role, key, value)
    db.flush()
    return role


def delete_role(db: Session, ctx: Context, role: AimsRole, *, version: int) -> None:
    """Soft delete: its people, requirements and RACI letters stay for a restore."""
    ctx.require(Permission.EDIT)
    check_version(role, version, label="The role")
    for child in db.scalars(
        scoped(AimsRole, ctx.organisation_id).where(AimsRole.parent_id == role.id)
    ):
        raise Conflict(f"'{child.name}' reports to this role; change its reporting line first")
    role.mark_deleted(ctx.user_id)
    db.flush()


def restore_role(db: Session, ctx: Context, role_id: uuid.UUID | str) -> AimsRole:
    ctx.require(Permission.EDIT)
    role = get_scoped(db, AimsRole, ctx.organisation_id, role_id, label="AIMS role", deleted=True)
    if role.deleted_at is None:
        return role
    if db.scalar(scoped(AimsRole, ctx.organisation_id).where(_same_name(AimsRole.name, role.name))):
        raise Conflict(f"another role is now named '{role.name}'; rename it first")
    # A row keeps one A (A.3.2): another role may have become accountable meanwhile.
    own = db.scalars(
        scoped(RaciCell, ctx.organisation_id).where(
            RaciCell.role_id == role.id, RaciCell.letter == Letter.ACCOUNTABLE.value
        )
    )
    rows = {r.row_id: r for r in raci(db, ctx).rows}
    taken = sorted(c.row_id for c in own if c.row_id in rows and rows[c.row_id].cells and
                   Letter.ACCOUNTABLE.value in rows[c.row_id].cells.values())  # fmt: skip
    if taken:
        raise Conflict(
            f"'{role.name}' was accountable for {', '.join(taken)}, where another role is now; "
            "change those cells first so each row keeps one accountable role"
        )
    role.restore()
    db.flush()
    return role


# --- People in roles ---------------------------------------------------------------------------


def holders_of(db: Session, ctx: Context, role: AimsRole) -> list[RoleAssignment]:
    ctx.require(Permission.READ)
    return list(
        db.scalars(
            scoped(RoleAssignment, ctx.organisation_id)
            .where(RoleAssignment.role_id == role.id)
            .order_by(RoleAssignment.since)
        )
    )


def roles_of_person(db: Session, ctx: Context, user_id: uuid.UUID) -> list[AimsRole]:
    """The roles a person holds today."""
    ctx.require(Permission.READ)
    today = _today()
    rows = db.scalars(
        scoped(RoleAssignment, ctx.organisation_id).where(RoleAssignment.user_id == user_id)
    )
    ids = {a.role_id for a in rows if a.since <= today and (a.until is None or today <= a.until)}
    return [r for r in all_roles(db, ctx) if r.id in ids]


def get_assignment(db: Session, ctx: Context, assignment_id: uuid.UUID | str) -> RoleAssignment:
    ctx.require(Permission.READ)
    return get_scoped(db, RoleAssignment, ctx.organisation_id, assignment_id, label="assignment")


def _check_dates(since: date, until: date | None) -> None:
    if until is not None and until < since:
        raise _invalid("until", "must not be before the start date")


def _overlapping(
    db: Session, ctx: Context, role: AimsRole, user_id: uuid.UUID, since: date,
    until: date | None, *, own: uuid.UUID | None,
) -> bool:  # fmt: skip
    """Whether the person already holds the role for part of since..until (``own`` aside)."""
    return any(
        a.user_id == user_id and a.id != own and (a.until is None or a.until >= since)
        and (until is None or a.since <= until)
        for a in holders_of(db, ctx, role)
    )  # fmt: skip


def assign(db: Session, ctx: Context, role: AimsRole, body: AssignmentIn) -> RoleAssignment:
    """Give a member of the organisation an AIMS role from a date (until another, perhaps)."""
    ctx.require(Permission.EDIT)
    user_id = access.member_id(db, ctx, body.email, field="email")
    assert user_id is not None
    _check_dates(body.since, body.until)
    if _overlapping(db, ctx, role, user_id, body.since, body.until, own=None):
        raise _invalid("email", f"{body.email} already holds this role for part of that time")
    found = RoleAssignment(
        organisation_id=ctx.organisation_id, role_id=role.id, user_id=user_id,
        since=body.since, until=body.until, note=body.note,
    )  # fmt: skip
    db.add(found)
    db.flush()
    return found


def update_assignment(
    db: Session, ctx: Context, found: RoleAssignment, body: AssignmentPatch
) -> RoleAssignment:
    ctx.require(Permission.EDIT)
    check_version(found, body.version, label="The assignment")
    values = body.model_dump(exclude_unset=True, exclude={"version"})
    since, until = values.get("since", found.since), values.get("until", found.until)
    _check_dates(since, until)
    role = db.get(AimsRole, found.role_id)
    if role is not None and _overlapping(db, ctx, role, found.user_id, since, until, own=found.id):
        field_name = "until" if "until" in values else "since"
        raise _invalid(field_name, "this person already holds the role for part of that time")
    for key, value in values.items():
        setattr(found, key, value)
    db.flush()
    return found


def remove_assignment(db: Session, ctx: Context, found: RoleAssignment, *, version: int) -> None:
    """Take a role away as if it never was (set ``until`` to keep the history instead)."""
    ctx.require(Permission.EDIT)
    check_version(found, version, label="The assignment")
    found.mark_deleted(ctx.user_id)
    db.flush()


# --- Competences and requirements --------------------------------------------------------------

COMPETENCE_LIST = ListSpec(
    id_column=Competence.id,
    sortable={"name": Competence.name, "updated_at": Competence.updated_at},
    default_sort="name",
    filterable={"kind": Competence.kind},
    searchable=(Competence.name, Competence.description),
)


def list_competences(db: Session, ctx: Context, params: ListParams) -> Page[Competence]:
    ctx.require(Permission.READ)
    return paginate(db, scoped(Competence, ctx.organisation_id), COMPETENCE_LIST, params)


def all_competences(db: Session, ctx: Context) -> list[Competence]:
    ctx.require(Permission.READ)
    return list(db.scalars(scoped(Competence, ctx.organisation_id).order_by(Competence.name)))


def get_competence(db: Session, ctx: Context, competence_id: uuid.UUID | str) -> Competence:
    ctx.require(Permission.READ)
    return get_scoped(db, Competence, ctx.organisation_id, competence_id, label="competence")


def _competence_field(db: Session, ctx: Context, competence_id: uuid.UUID | str) -> Competence:
    """A competence named in a body: an unknown one is a 422 on that field."""
    try:
        return get_competence(db, ctx, competence_id)
    except NotFound as exc:
        raise _invalid("competence_id", "no such competence here") from exc


def _check_competence_name(db: Session, ctx: Context, name: str, own: uuid.UUID | None) -> None:
    stmt = scoped(Competence, ctx.organisation_id).where(_same_name(Competence.name, name))
    if own is not None:
        stmt = stmt.where(Competence.id != own)
    if db.scalar(stmt) is not None:
        raise _invalid("name", f"there is already a competence named '{name}'")


def create_competence(db: Session, ctx: Context, body: CompetenceIn) -> Competence:
    ctx.require(Permission.EDIT)
    _check_competence_name(db, ctx, body.name, None)
    found = Competence(
        organisation_id=ctx.organisation_id, name=body.name, description=body.description or "",
        kind=body.kind.value, validity_months=body.validity_months,
    )  # fmt: skip
    db.add(found)
    db.flush()
    return found


def update_competence(
    db: Session, ctx: Context, found: Competence, body: CompetenceFields, *, version: int
) -> Competence:
    ctx.require(Permission.EDIT)
    check_version(found, version, label="The competence")
    values = body.model_dump(exclude_unset=True, exclude={"version"})
    if "name" in values:
        _check_competence_name(db, ctx, values["name"], found.id)
    if "kind" in values:
        values["kind"] = str(values["kind"])
    for key, value in values.items():
        setattr(found, key, value)
    db.flush()
    return found


def delete_competence(db: Session, ctx: Context, found: Competence, *, version: int) -> None:
    ctx.require(Permission.EDIT)
    check_version(found, version, label="The competence")
    required = [r for r in _requirements(db, ctx) if r.competence_id == found.id]
    if required:
        names = ", ".join(sorted({_role_name(db, r.role_id) for r in required}))
        raise Conflict(f"roles still require this competence ({names}); remove that first")
    found.mark_deleted(ctx.user_id)
    db.flush()


def _role_name(db: Session, role_id: uuid.UUID) -> str:
    role = db.get(AimsRole, role_id)
    return role.name if role else "?"


def _requirements(db: Session, ctx: Context) -> list[RoleRequirement]:
    return list(db.scalars(scoped(RoleRequirement, ctx.organisation_id)))


def requirement_rows(db: Session, ctx: Context) -> list[RoleRequirement]:
    """Every live requirement of the organisation."""
    ctx.require(Permission.READ)
    return _requirements(db, ctx)


def requirements_of(db: Session, ctx: Context, role: AimsRole) -> list[RoleRequirement]:
    ctx.require(Permission.READ)
    found = [r for r in _requirements(db, ctx) if r.role_id == role.id]
    return sorted(found, key=lambda r: r.competence.name)


def add_requirement(
    db: Session, ctx: Context, role: AimsRole, body: RequirementIn
) -> RoleRequirement:
    """Say that a role requires a competence (once per role)."""
    ctx.require(Permission.EDIT)
    competence = _competence_field(db, ctx, body.competence_id)
    if any(r.competence_id == competence.id for r in requirements_of(db, ctx, role)):
        raise _invalid("competence_id", f"'{role.name}' already requires '{competence.name}'")
    found = RoleRequirement(
        organisation_id=ctx.organisation_id, role_id=role.id, competence_id=competence.id,
        level=body.level,
    )  # fmt: skip
    db.add(found)
    db.flush()
    return found


def get_requirement(db: Session, ctx: Context, requirement_id: uuid.UUID | str) -> RoleRequirement:
    ctx.require(Permission.READ)
    return get_scoped(
        db, RoleRequirement, ctx.organisation_id, requirement_id, label="required competence"
    )


def remove_requirement(db: Session, ctx: Context, found: RoleRequirement, *, version: int) -> None:
    ctx.require(Permission.EDIT)
    check_version(found, version, label="The required competence")
    found.mark_deleted(ctx.user_id)
    db.flush()


# --- Evidence (7.2 c, d) -----------------------------------------------------------------------


def person(db: Session, ctx: Context, user_id: uuid.UUID | str) -> Membership:
    """A member of the organisation by user id (a stranger is a 404)."""
    ctx.require(Permission.READ)
    try:
        key = user_id if isinstance(user_id, uuid.UUID) else uuid.UUID(str(user_id))
    except ValueError as exc:
        raise NotFound(f"no person with id {user_id}") from exc
    found: Membership | None = db.scalar(
        scoped(Membership, ctx.organisation_id).where(Membership.user_id == key)
    )
    if found is None:
        raise NotFound(f"no person with id {user_id} in this organisation")
    return found


def people(db: Session, ctx: Context) -> list[Membership]:
    """Every member, by name."""
    ctx.require(Permission.READ)
    stmt = (
        scoped(Membership, ctx.organisation_id)
        .join(User, Membership.user_id == User.id)
        .order_by(User.full_name)
    )
    return list(db.scalars(stmt))


EVIDENCE_LIST = ListSpec(
    id_column=Evidence.id,
    sortable={"title": Evidence.title, "updated_at": Evidence.updated_at},
    default_sort="title",
    filterable={
        "user_id": Evidence.user_id,
        "competence_id": Evidence.competence_id,
        "kind": Evidence.kind,
        "check_result": Evidence.check_result,
    },
    searchable=(Evidence.title, Evidence.provider, Evidence.reference),
)


def list_evidence(db: Session, ctx: Context, params: ListParams) -> Page[Evidence]:
    ctx.require(Permission.READ)
    return paginate(db, scoped(Evidence, ctx.organisation_id), EVIDENCE_LIST, params)


def evidence_of(db: Session, ctx: Context, user_id: uuid.UUID) -> list[Evidence]:
    ctx.require(Permission.READ)
    stmt = scoped(Evidence, ctx.organisation_id).where(Evidence.user_id == user_id)
    return sorted(db.scalars(stmt), key=lambda e: (e.competence.name, e.obtained), reverse=False)


def get_evidence(db: Session, ctx: Context, evidence_id: uuid.UUID | str) -> Evidence:
    ctx.require(Permission.READ)
    return get_scoped(db, Evidence, ctx.organisation_id, evidence_id, label="evidence")


def _apply_evidence(
    db: Session, ctx: Context, ev: Evidence, values: dict[str, Any], *, new: bool
) -> None:
    if "competence_id" in values:
        values["competence_id"] = _competence_field(db, ctx, values["competence_id"]).id
    if "kind" in values:
        values["kind"] = str(values["kind"])
    competence_changed = "competence_id" in values or "obtained" in values
    for key, value in values.items():
        setattr(ev, key, value)
    if ("expires" not in values and (new or competence_changed)) or (
        new and values.get("expires") is None
    ):
        competence = db.get(Competence, ev.competence_id)
        ev.expires = rules.default_expiry(
            ev.obtained, competence.validity_months if competence else None
        )
    if ev.obtained > _today():
        raise _invalid("obtained", "must not be in the future")
    if ev.expires is not None and ev.expires < ev.obtained:
        raise _invalid("expires", "must not be before the date obtained")


def add_evidence(db: Session, ctx: Context, user_id: uuid.UUID, body: EvidenceIn) -> Evidence:
    """Record what shows a person's competence; the expiry defaults from the competence."""
    ctx.require(Permission.EDIT)
    member = person(db, ctx, user_id)
    ev = Evidence(organisation_id=ctx.organisation_id, user_id=member.user_id)
    _apply_evidence(db, ctx, ev, body.model_dump(exclude_unset=True), new=True)
    db.add(ev)
    db.flush()
    db.refresh(ev)
    return ev


# What an effectiveness check looked at: changing any of them makes the check pending again.
_CHECKED_FIELDS = ("kind", "competence_id", "title", "provider", "obtained", "expires", "reference")


def update_evidence(
    db: Session, ctx: Context, ev: Evidence, body: EvidenceFields, *, version: int
) -> Evidence:
    ctx.require(Permission.EDIT)
    check_version(ev, version, label="The evidence")
    before = {name: getattr(ev, name) for name in _CHECKED_FIELDS}
    with db.no_autoflush:
        _apply_evidence(
            db, ctx, ev, body.model_dump(exclude_unset=True, exclude={"version"}), new=False
        )
        if ev.check_result != CheckResult.PENDING.value and any(
            getattr(ev, name) != value for name, value in before.items()
        ):
            # The check was of the evidence as it stood: what changed needs checking again
            # (else its holder could edit evidence someone else had found effective).
            ev.check_result = CheckResult.PENDING.value
            ev.check_date = None
            ev.checked_by_id = None
            ev.check_note = ""
    db.flush()
    db.expire(ev, ["competence", "checked_by"])
    return ev


def delete_evidence(db: Session, ctx: Context, ev: Evidence, *, version: int) -> None:
    ctx.require(Permission.EDIT)
    check_version(ev, version, label="The evidence")
    ev.mark_deleted(ctx.user_id)
    db.flush()


def check_evidence(db: Session, ctx: Context, ev: Evidence, body: CheckIn) -> Evidence:
    """Record whether the action worked (7.2 d); nobody checks their own evidence."""
    ctx.require(Permission.EDIT)
    check_version(ev, body.version, label="The evidence")
    if ev.user_id == ctx.user_id and body.result != CheckResult.PENDING:
        raise PermissionDenied("someone other than the person checks their own evidence")
    check_date = body.check_date or _today()
    if check_date < ev.obtained:
        raise _invalid("check_date", "must not be before the date obtained")
    if check_date > _today():
        raise _invalid("check_date", "must not be in the future")
    ev.check_result = body.result.value
    pending = body.result == CheckResult.PENDING
    ev.check_date = None if pending else check_date
    ev.checked_by_id = None if pending else ctx.user_id
    ev.check_note = body.note
    db.flush()
    db.expire(ev, ["checked_by"])
    return ev


def evidence_facts(ev: Evidence) -> rules.EvidenceFacts:
    return rules.EvidenceFacts(
        id=str(ev.id), user_id=str(ev.user_id), competence_id=str(ev.competence_id),
        title=ev.title, obtained=ev.obtained, expires=ev.expires, check_result=ev.check_result,
    )  # fmt: skip


# --- The competence matrix (7.2) ---------------------------------------------------------------


def matrix(
    db: Session,
    ctx: Context,
    *,
    today: date | None = None,
    window_days: int = rules.DEFAULT_WINDOW_DAYS,
) -> list[rules.MatrixCell]:
    """Role → required competence → person holding it today → their best evidence."""
    ctx.require(Permission.READ)
    if not 0 <= window_days <= 3650:
        raise ValidationFailed(
            "window must be 0 to 3650 days",
            errors=[FieldError(("query", "window_days"), "must be 0 to 3650 days")],
        )
    today = today or _today()
    roles = {r.id: r for r in all_roles(db, ctx)}
    competences = {c.id: c for c in all_competences(db, ctx)}
    requirements = [
        rules.Requirement(str(r.role_id), roles[r.role_id].name, str(r.competence_id),
                          competences[r.competence_id].name, r.level)
        for r in _requirements(db, ctx)
        if r.role_id in roles and r.competence_id in competences
    ]  # fmt: skip
    requirements.sort(key=lambda r: (r.role_name, r.competence_name))
    members = {m.user_id for m in people(db, ctx)}
    holders = [
        rules.Holder(str(a.role_id), str(a.user_id), a.user.full_name, a.since, a.until)
        for a in db.scalars(scoped(RoleAssignment, ctx.organisation_id))
        if a.role_id in roles and a.user_id in members  # someone who left holds no role
    ]
    holders.sort(key=lambda h: h.name)
    evidence = [
        evidence_facts(e)
        for e in db.scalars(scoped(Evidence, ctx.organisation_id))
        if e.competence_id in competences
    ]
    return rules.competence_matrix(requirements, holders, evidence, today, window_days)


def filter_cells(
    cells: list[rules.MatrixCell],
    *,
    role_id: str | None = None,
    user_id: str | None = None,
    status: str | None = None,
) -> list[rules.MatrixCell]:
    return [
        c for c in cells
        if (not role_id or c.role_id == role_id) and (not user_id or c.user_id == user_id)
        and (not status or c.status.value == status)
    ]  # fmt: skip


@dataclass(frozen=True)
class CompetenceAttention:
    """What the dashboard shows: competence gaps, evidence expiring soon, RACI rows nobody is
    accountable for."""

    gaps: list[rules.MatrixCell]
    expiring: list[rules.MatrixCell]
    raci_gaps: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {"gaps": len(self.gaps), "expiring": len(self.expiring),
                "raci_gaps": len(self.raci_gaps)}  # fmt: skip


def attention(
    db: Session,
    ctx: Context,
    *,
    today: date | None = None,
    window_days: int = rules.DEFAULT_WINDOW_DAYS,
) -> CompetenceAttention:
    """Gaps (missing, expired, unverified), expiring evidence, and RACI rows without an A."""
    cells = matrix(db, ctx, today=today, window_days=window_days)
    return CompetenceAttention(
        gaps=[c for c in cells if c.is_gap],
        expiring=[c for c in cells if c.status is rules.CellStatus.EXPIRING],
        raci_gaps=[r.row_id for r in raci(db, ctx).rows if r.gap],
    )


# --- The RACI matrix (5.3, A.3.2) --------------------------------------------------------------


@dataclass(frozen=True)
class RaciRow:
    row_id: str
    kind: str  # process or control
    title: str
    clauses: tuple[str, ...]
    cells: dict[uuid.UUID, str]
    versions: dict[uuid.UUID, int]

    @property
    def problems(self) -> list[str]:
        return rules.raci_problems(self.cells.values())

    @property
    def gap(self) -> bool:
        return rules.is_gap(self.cells.values())


@dataclass(frozen=True)
class RaciMatrix:
    roles: list[AimsRole]
    rows: list[RaciRow]

    @property
    def gaps(self) -> list[RaciRow]:
        return [r for r in self.rows if r.gap]


def raci_rows() -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(id, kind, title, clauses) of every row: the AIMS processes, then Annex A."""
    rows = [(p.id, "process", p.title, p.clauses) for p in get_processes()]
    rows += [(c.id, "control", c.title, ()) for c in get_catalog().controls.values()]
    return rows


def raci(db: Session, ctx: Context) -> RaciMatrix:
    ctx.require(Permission.READ)
    roles = all_roles(db, ctx)
    live = {r.id for r in roles}
    stored: dict[str, list[RaciCell]] = {}
    for cell in db.scalars(scoped(RaciCell, ctx.organisation_id)):
        if cell.role_id in live:
            stored.setdefault(cell.row_id, []).append(cell)
    rows = []
    for row_id, kind, title, clauses in raci_rows():
        cells = stored.get(row_id, [])
        rows.append(RaciRow(
            row_id, kind, title, clauses,
            cells={c.role_id: c.letter for c in cells if c.letter},
            versions={c.role_id: c.version for c in cells},
        ))  # fmt: skip
    return RaciMatrix(roles, rows)


def raci_row(db: Session, ctx: Context, row_id: str) -> RaciRow:
    found = next((r for r in raci(db, ctx).rows if r.row_id == row_id), None)
    if found is None:
        raise NotFound(f"no AIMS process or Annex A control '{row_id}'")
    return found


def set_raci_cell(
    db: Session,
    ctx: Context,
    row_id: str,
    role_id: uuid.UUID | str,
    letter: Letter | None,
    *,
    version: int,
) -> RaciRow:
    """Set one cell (R, A, C, I, or empty); a row keeps a single A."""
    ctx.require(Permission.EDIT)
    row = raci_row(db, ctx, row_id)
    role = get_role(db, ctx, role_id)
    value = letter.value if letter else ""
    refusal = rules.letter_refusal(row.cells, role.id, value)
    if refusal:
        raise _invalid("letter", refusal)
    cell: RaciCell | None = db.scalar(
        scoped(RaciCell, ctx.organisation_id).where(
            RaciCell.row_id == row_id, RaciCell.role_id == role.id
        )
    )
    if cell is None:
        if version != 0:
            raise Conflict(f"the cell {row_id} / {role.name} changed since you read it; reload")
        cell = RaciCell(organisation_id=ctx.organisation_id, row_id=row_id, role_id=role.id)
        cell.letter = value
        db.add(cell)
    else:
        check_version(cell, version, label=f"The cell {row_id} / {role.name}")
        if cell.letter != value:
            cell.letter = value
    db.flush()
    return raci_row(db, ctx, row_id)
