"""Concern use cases: settings, intake (members and the public link), the receipt page, the
triage queue for the handler roles, the timeline, and raising a concern as a risk.

Anonymity: a concern raised anonymously is written under an anonymous actor, so neither the
record (no reporter, no creator stamp) nor the audit trail (no actor) links it to anyone. The
reporter follows it with the receipt code, of which only a hash is stored.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.access.models import Membership, Organisation, User
from aims.access.rules import Permission, Role
from aims.concerns import rules
from aims.concerns.models import Concern, ConcernAttempt, ConcernNote, ConcernSettings
from aims.concerns.schemas import (
    ConcernIn,
    NoteIn,
    PublicConcernIn,
    RaiseRiskIn,
    SettingsIn,
    TriageIn,
)
from aims.concerns.vocab import OPEN_STATUSES, Channel, Status, category_label
from aims.errors import (
    Conflict,
    FieldError,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
    ValidationFailed,
)
from aims.store.engine import Actor, current_actor
from aims.store.listing import ListParams, ListSpec, Page, paginate
from aims.store.scoping import check_version, get_scoped, scoped
from aims.store.types import utcnow
from aims.systems import service as systems

LABEL = "concern"
ANONYMOUS = "anonymous reporter"
PUBLIC = "public report"
NOT_HANDLER = (
    "only the people who handle concerns here may see this (ask an owner to add your role "
    "in the concern settings)"
)

# --- Settings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingsView:
    anonymous_enabled: bool
    handler_roles: list[Role]
    intro: str
    link_token: str | None
    version: int

    @property
    def link_path(self) -> str | None:
        return f"/report/{self.link_token}" if self.link_token else None


def _row(db: Session, organisation_id: uuid.UUID) -> ConcernSettings | None:
    row: ConcernSettings | None = db.scalars(
        select(ConcernSettings).where(ConcernSettings.organisation_id == organisation_id)
    ).first()
    return row


def _view(row: ConcernSettings | None) -> SettingsView:
    if row is None:
        return SettingsView(False, list(rules.DEFAULT_HANDLERS), "", None, 0)
    return SettingsView(
        anonymous_enabled=row.anonymous_enabled,
        handler_roles=rules.handler_roles(row.handler_roles),
        intro=row.intro,
        link_token=row.link_token,
        version=row.version,
    )


def handler_roles(db: Session, ctx: Context) -> list[Role]:
    return _view(_row(db, ctx.organisation_id)).handler_roles


def is_handler(db: Session, ctx: Context) -> bool:
    """True when the caller's role is one of the organisation's concern handlers."""
    return ctx.can(Permission.READ) and ctx.role in handler_roles(db, ctx)


def require_handler(db: Session, ctx: Context) -> None:
    if not is_handler(db, ctx):
        raise PermissionDenied(NOT_HANDLER)


def handler_emails(db: Session, ctx: Context) -> list[str]:
    """E-mails of the members whose role handles concerns (the possible owners)."""
    require_handler(db, ctx)
    roles = [r.value for r in handler_roles(db, ctx)]
    rows = db.scalars(
        select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organisation_id == ctx.organisation_id,
            Membership.deleted_at.is_(None),
            Membership.role.in_(roles),
        )
        .order_by(User.email)
    )
    return list(rows)


def intro(db: Session, ctx: Context) -> str:
    """The organisation's introduction shown above the form (every member reads it)."""
    ctx.require(Permission.READ)
    return _view(_row(db, ctx.organisation_id)).intro


def get_settings(db: Session, ctx: Context) -> SettingsView:
    """The settings with the public link: handlers only."""
    require_handler(db, ctx)
    return _view(_row(db, ctx.organisation_id))


def _ensure_row(db: Session, ctx: Context, version: int) -> ConcernSettings:
    from aims.errors import StaleVersion

    row = _row(db, ctx.organisation_id)
    if row is None:
        if version != 0:  # never saved: the defaults are version 0
            raise StaleVersion("The concern settings", sent=version, current=0)
        row = ConcernSettings(
            organisation_id=ctx.organisation_id,
            handler_roles=[r.value for r in rules.DEFAULT_HANDLERS],
            rate_salt=rules.new_salt(),
        )
        db.add(row)
    else:
        check_version(row, version, label="The concern settings")
    return row


def save_settings(db: Session, ctx: Context, data: SettingsIn) -> SettingsView:
    """Owners decide who handles concerns and whether the public link works."""
    ctx.require(Permission.MANAGE_ORGANISATION)
    row = _ensure_row(db, ctx, data.version)
    row.anonymous_enabled = data.anonymous_enabled
    row.handler_roles = [r.value for r in rules.handler_roles(data.handler_roles)]
    row.intro = data.intro
    if row.anonymous_enabled and row.link_token is None:
        row.link_token = rules.new_link_token()
    db.flush()
    return _view(row)


def regenerate_link(db: Session, ctx: Context, *, version: int) -> SettingsView:
    """A new public link; the old one answers 404 from now on."""
    ctx.require(Permission.MANAGE_ORGANISATION)
    row = _ensure_row(db, ctx, version)
    row.link_token = rules.new_link_token()
    db.flush()
    return _view(row)


# --- Intake ------------------------------------------------------------------------------------


@contextmanager
def _acting_as(db: Session, actor: Actor) -> Iterator[None]:
    """Write under another actor (stamps and audit trail), then restore the caller."""
    db.flush()  # the caller's own pending changes stay theirs
    saved = db.info.get("actor")
    db.info["actor"] = actor
    try:
        yield
    finally:
        if saved is None:
            db.info.pop("actor", None)
        else:
            db.info["actor"] = saved


def _next_ref(db: Session, organisation_id: uuid.UUID) -> str:
    count = db.scalar(
        select(func.count()).select_from(Concern).where(Concern.organisation_id == organisation_id)
    )
    return rules.format_ref(int(count or 0) + 1)


def _new_concern(
    db: Session, organisation_id: uuid.UUID, actor: Actor, **fields: Any
) -> tuple[Concern, str]:
    code = rules.new_receipt_code()
    digest = rules.receipt_hash(code)
    assert digest is not None
    _serialise(db, f"concern-ref:{organisation_id}")  # numbers are handed out one at a time
    with _acting_as(db, actor):
        concern = Concern(
            organisation_id=organisation_id,
            ref=_next_ref(db, organisation_id),
            receipt_hash=digest,
            status=Status.RECEIVED.value,
            reporter_updated_at=utcnow(),
            **fields,
        )
        db.add(concern)
        db.flush()
    return concern, code


def raise_concern(db: Session, ctx: Context, body: ConcernIn) -> tuple[Concern, str]:
    """Any member raises a concern; returns it and the receipt code (shown once)."""
    ctx.require(Permission.READ)
    system_id = systems.get_system(db, ctx, body.system_id).id if body.system_id else None
    if body.anonymous:
        actor = Actor(user_id=None, organisation_id=ctx.organisation_id, label=ANONYMOUS)
        reporter_id = None
    else:
        actor, reporter_id = current_actor(db), ctx.user_id
    return _new_concern(
        db, ctx.organisation_id, actor,
        channel=Channel.MEMBER.value, anonymous=body.anonymous, reporter_id=reporter_id,
        system_id=system_id, category=body.category, summary=body.summary,
        description=body.description, occurred=body.occurred,
    )  # fmt: skip


def public_settings(db: Session, token: str) -> ConcernSettings:
    """The settings behind a public link; a wrong, revoked or disabled link is a 404."""
    missing = NotFound("this reporting link does not exist or is no longer in use")
    if not token or len(token) > 64:
        raise missing
    row: ConcernSettings | None = db.scalars(
        select(ConcernSettings).where(ConcernSettings.link_token == token)
    ).first()
    if row is None or not row.anonymous_enabled:
        raise missing
    org = db.get(Organisation, row.organisation_id)
    if org is None or org.deleted_at is not None:
        raise missing
    return row


def organisation_name(db: Session, settings: ConcernSettings) -> str:
    org = db.get(Organisation, settings.organisation_id)
    return org.name if org else ""


def _serialise(db: Session, key: str) -> None:
    """One public submission per key at a time across app instances (PostgreSQL advisory lock
    for this transaction; on SQLite the first write takes the database lock)."""
    if db.get_bind().dialect.name == "postgresql":
        lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        db.execute(select(func.pg_advisory_xact_lock(lock_id)))


def count_public_attempt(db: Session, settings: ConcernSettings, client: str) -> None:
    """Record one submission of the public form from ``client`` (an address, never stored) and
    refuse it with 429 past the limit. The caller commits even when this raises."""
    key = rules.attempt_key(settings.rate_salt, str(settings.organisation_id), client)
    _serialise(db, key)
    since = utcnow() - rules.PUBLIC_WINDOW
    db.execute(delete(ConcernAttempt).where(ConcernAttempt.occurred_at < since))
    db.add(ConcernAttempt(organisation_id=settings.organisation_id, key=key))
    db.flush()
    recent = db.scalar(
        select(func.count())
        .select_from(ConcernAttempt)
        .where(ConcernAttempt.key == key, ConcernAttempt.occurred_at >= since)
    )
    if rules.over_limit(int(recent or 0)):
        minutes = int(rules.PUBLIC_WINDOW.total_seconds() // 60)
        raise TooManyAttempts(
            f"Too many reports from your connection in a short time. Please wait {minutes} "
            "minutes and try again; nothing you typed has been sent."
        )


def raise_public_concern(
    db: Session, settings: ConcernSettings, body: PublicConcernIn
) -> tuple[Concern, str]:
    """A concern from the public link: no account, nothing identifying unless offered."""
    actor = Actor(user_id=None, organisation_id=settings.organisation_id, label=PUBLIC)
    return _new_concern(
        db, settings.organisation_id, actor,
        channel=Channel.PUBLIC.value, anonymous=True, reporter_id=None,
        category=body.category, summary=body.summary, description=body.description,
        occurred=body.occurred, contact=body.contact,
    )  # fmt: skip


@dataclass(frozen=True)
class ReceiptStatus:
    status: Status
    last_update: Any
    message: str


def receipt_status(db: Session, code: str) -> ReceiptStatus:
    """What a receipt code shows: status, last update and the message for the reporter."""
    digest = rules.receipt_hash(code)
    missing = NotFound("no concern has this receipt code; check it and try again")
    if digest is None:
        raise missing
    concern: Concern | None = db.scalars(
        select(Concern).where(Concern.receipt_hash == digest, Concern.deleted_at.is_(None))
    ).first()
    if concern is None:
        raise missing
    org = db.get(Organisation, concern.organisation_id)
    if org is None or org.deleted_at is not None:
        raise missing
    return ReceiptStatus(Status(concern.status), concern.reporter_updated_at,
                         concern.reporter_message)  # fmt: skip


# --- Reading -----------------------------------------------------------------------------------

CONCERN_LIST = ListSpec(
    id_column=Concern.id,
    sortable={
        "ref": Concern.ref,
        "created_at": Concern.created_at,
        "updated_at": Concern.updated_at,
        "status": Concern.status,
    },
    default_sort="-created_at",
    filterable={
        "status": Concern.status,
        "category": Concern.category,
        "system_id": Concern.system_id,
        "owner_id": Concern.owner_id,
        "severity": Concern.severity,
    },
    searchable=(Concern.ref, Concern.summary, Concern.description),
)


def list_concerns(db: Session, ctx: Context, params: ListParams) -> Page[Concern]:
    """The triage queue: handlers only."""
    require_handler(db, ctx)
    return paginate(db, scoped(Concern, ctx.organisation_id), CONCERN_LIST, params)


def counts(db: Session, ctx: Context) -> dict[str, int]:
    """How many concerns are in each status (every status listed)."""
    require_handler(db, ctx)
    rows = db.execute(
        select(Concern.status, func.count())
        .where(Concern.organisation_id == ctx.organisation_id, Concern.deleted_at.is_(None))
        .group_by(Concern.status)
    ).all()
    found = {str(status): int(n) for status, n in rows}
    return {s.value: found.get(s.value, 0) for s in Status}


def my_concerns(db: Session, ctx: Context) -> list[Concern]:
    """The concerns the caller raised under their name (anonymous ones link to no one)."""
    ctx.require(Permission.READ)
    return list(
        db.scalars(
            scoped(Concern, ctx.organisation_id)
            .where(Concern.reporter_id == ctx.user_id)
            .order_by(Concern.created_at.desc())
        )
    )


def get_concern(db: Session, ctx: Context, concern_id: uuid.UUID | str) -> Concern:
    """A concern for its handlers (another organisation's id is a 404)."""
    ctx.require(Permission.READ)
    concern = get_scoped(db, Concern, ctx.organisation_id, concern_id, label=LABEL)
    require_handler(db, ctx)
    return concern


def open_concern(db: Session, ctx: Context, concern_id: uuid.UUID | str) -> tuple[Concern, bool]:
    """A concern and whether the caller handles concerns; the person who raised it under
    their name may read it too (the reporter's view); anyone else gets a 403."""
    ctx.require(Permission.READ)
    concern = get_scoped(db, Concern, ctx.organisation_id, concern_id, label=LABEL)
    if is_handler(db, ctx):
        return concern, True
    if concern.reporter_id is not None and concern.reporter_id == ctx.user_id:
        return concern, False
    raise PermissionDenied(NOT_HANDLER)


def find_concern(db: Session, ctx: Context, key: str) -> Concern:
    """A concern by reference (C-001), id or receipt code: handlers only."""
    require_handler(db, ctx)
    found: Concern | None = db.scalars(
        scoped(Concern, ctx.organisation_id).where(Concern.ref == key.strip().upper())
    ).first()
    if found is not None:
        return found
    digest = rules.receipt_hash(key)
    if digest is not None:
        by_code: Concern | None = db.scalars(
            scoped(Concern, ctx.organisation_id).where(Concern.receipt_hash == digest)
        ).first()
        if by_code is not None:
            return by_code
    return get_concern(db, ctx, key)


def timeline(db: Session, ctx: Context, concern: Concern) -> list[ConcernNote]:
    require_handler(db, ctx)
    return list(
        db.scalars(
            scoped(ConcernNote, ctx.organisation_id)
            .where(ConcernNote.concern_id == concern.id)
            .order_by(ConcernNote.created_at, ConcernNote.id)
        )
    )


# --- Triage ------------------------------------------------------------------------------------


def _note(db: Session, ctx: Context, concern: Concern, body: str, *, kind: str) -> None:
    db.add(ConcernNote(organisation_id=ctx.organisation_id, concern_id=concern.id, kind=kind,
                       body=body))  # fmt: skip


def triage(db: Session, ctx: Context, concern: Concern, body: TriageIn) -> Concern:
    """A handler moves a concern on; each change goes on its timeline."""
    require_handler(db, ctx)
    check_version(concern, body.version, label="The concern")
    fields = body.model_fields_set
    changes: list[str] = []
    reporter_facing = False
    with db.no_autoflush:
        if "status" in fields and body.status is not None and body.status.value != concern.status:
            outcome = (
                body.outcome
                if "outcome" in fields and body.outcome is not None
                else (concern.outcome)
            )
            problem = rules.closing_problem(body.status, outcome)
            if problem:
                raise ValidationFailed(problem, errors=[FieldError(("body", "outcome"), problem)])
            changes.append(f"status {concern.status} → {body.status.value}")
            concern.status = body.status.value
            reporter_facing = True
        if "owner_email" in fields:
            owner_id = access.member_id(db, ctx, body.owner_email, field="owner_email")
            if owner_id is not None and (body.owner_email or "").strip().lower() not in (
                handler_emails(db, ctx)
            ):
                message = f"{body.owner_email} does not handle concerns here (see the settings)"
                raise ValidationFailed(
                    message, errors=[FieldError(("body", "owner_email"), message)]
                )
            if owner_id != concern.owner_id:
                concern.owner_id = owner_id
                changes.append(f"owner {body.owner_email or 'none'}")
        if "severity" in fields:
            value = body.severity.value if body.severity else None
            if value != concern.severity:
                concern.severity = value
                changes.append(f"severity {value or 'not set'}")
        if "system_id" in fields:
            system_id = systems.get_system(db, ctx, body.system_id).id if body.system_id else None
            if system_id != concern.system_id:
                concern.system_id = system_id
                changes.append("AI system linked" if system_id else "AI system unlinked")
        if "outcome" in fields and (body.outcome or "") != concern.outcome:
            concern.outcome = body.outcome or ""
            changes.append("outcome updated")
        if "reporter_message" in fields and (body.reporter_message or "") != (
            concern.reporter_message
        ):
            concern.reporter_message = body.reporter_message or ""
            changes.append("message to the reporter updated")
            reporter_facing = True
    if reporter_facing:
        concern.reporter_updated_at = utcnow()
    if changes:
        _note(db, ctx, concern, "; ".join(changes).capitalize(), kind="change")
    db.flush()
    db.expire(concern, ["owner", "system", "risk"])
    return concern


def add_note(db: Session, ctx: Context, concern: Concern, body: NoteIn) -> ConcernNote:
    require_handler(db, ctx)
    note = ConcernNote(organisation_id=ctx.organisation_id, concern_id=concern.id, kind="note",
                       body=body.body)  # fmt: skip
    db.add(note)
    db.flush()
    return note


def raise_as_risk(db: Session, ctx: Context, concern: Concern, body: RaiseRiskIn) -> Concern:
    """Open a risk from a concern (origin 'concern', origin_ref the concern's reference). The
    handler writes the risk's text: the register is visible to every member."""
    from aims.risk import service as risk_service
    from aims.risk.schemas import Origin, RiskIn

    require_handler(db, ctx)
    ctx.require(Permission.EDIT)
    check_version(concern, body.version, label="The concern")
    if concern.risk_id is not None:
        existing = risk_service.get_risk(db, ctx, concern.risk_id)
        raise Conflict(f"this concern is already risk {existing.ref}")
    risk = risk_service.create_risk(
        db, ctx,
        RiskIn(title=body.title, description=body.description, system_id=concern.system_id,
               inherent_likelihood=body.inherent_likelihood,
               inherent_consequence=body.inherent_consequence, owner_email=body.owner_email),
        origin=Origin.CONCERN, origin_ref=concern.ref,
    )  # fmt: skip
    concern.risk_id = risk.id
    _note(db, ctx, concern, f"Raised as risk {risk.ref}", kind="change")
    db.flush()
    db.expire(concern, ["risk"])
    return concern


def delete_concern(db: Session, ctx: Context, concern: Concern, *, version: int) -> None:
    """Soft delete (owners only), e.g. for spam that came through the public link."""
    require_handler(db, ctx)
    ctx.require(Permission.MANAGE_ORGANISATION)
    check_version(concern, version, label="The concern")
    concern.mark_deleted(ctx.user_id)
    db.flush()


def restore_concern(db: Session, ctx: Context, concern_id: uuid.UUID | str) -> Concern:
    """Undo a delete (owners only)."""
    require_handler(db, ctx)
    ctx.require(Permission.MANAGE_ORGANISATION)
    concern = get_scoped(db, Concern, ctx.organisation_id, concern_id, label=LABEL, deleted=True)
    if concern.deleted_at is None:
        raise Conflict(f"{concern.ref} is not deleted")
    concern.restore()
    db.flush()
    return concern


# --- Dashboard ---------------------------------------------------------------------------------


def attention(db: Session, ctx: Context) -> dict[str, int]:
    """Open concerns by status for handlers (received, triage, investigating; zeros
    included); an empty dict for everyone else."""
    if not is_handler(db, ctx):
        return {}
    found = counts(db, ctx)
    return {s.value: found[s.value] for s in OPEN_STATUSES}


def describe(concern: Concern) -> str:
    return f"{concern.ref} {category_label(concern.category)}: {concern.summary}"
