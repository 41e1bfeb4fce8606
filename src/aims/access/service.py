"""Access use cases: organisations, people and roles, sign-in, web sessions and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.access.models import ApiToken, LoginFailure, Membership, Organisation, User, WebSession
from aims.access.passwords import (
    generate_password,
    hash_password,
    password_problem,
    verify_password,
)
from aims.access.rules import Permission, Role, role_change_refusal
from aims.config import get_settings
from aims.errors import (
    Conflict,
    FieldError,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
    ValidationFailed,
)
from aims.store.listing import ListParams, ListSpec, Page, paginate
from aims.store.scoping import check_version, get_scoped, scoped
from aims.store.types import utcnow

LOGIN_FAILED = "Sign-in failed: the e-mail or password is not right."
TOKEN_PREFIX = "aims_"  # noqa: S105 - a visible marker, not a secret


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalise_email(email: str, *, loc: tuple[str | int, ...] = ("body", "email")) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationFailed(
            "invalid e-mail address", errors=[FieldError(loc, str(exc))]
        ) from exc


def parse_role(role: str, *, loc: tuple[str | int, ...] = ("body", "role")) -> Role:
    try:
        return Role(role)
    except ValueError as exc:
        allowed = ", ".join(r.value for r in Role)
        raise ValidationFailed(
            f"unknown role '{role}'", errors=[FieldError(loc, f"must be one of: {allowed}")]
        ) from exc


# --- organisations -------------------------------------------------------------------------


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:80] or "organisation"


def create_organisation(db: Session, *, name: str, slug: str | None = None) -> Organisation:
    """A new tenant. Slugs are unique; a clash is a clear 409."""
    name = name.strip()
    if not name:
        raise ValidationFailed(
            "organisation name is required", errors=[FieldError(("body", "name"), "required")]
        )
    slug = slugify(slug or name)
    if db.scalar(select(Organisation.id).where(Organisation.slug == slug)):
        raise Conflict(f"an organisation with the short name '{slug}' already exists")
    org = Organisation(name=name, slug=slug)
    db.add(org)
    db.flush()
    return org


def get_organisation(db: Session, ctx: Context) -> Organisation:
    org = db.get(Organisation, ctx.organisation_id)
    if org is None or org.deleted_at is not None:
        raise NotFound("organisation not found")
    return org


def rename_organisation(db: Session, ctx: Context, *, name: str, version: int) -> Organisation:
    ctx.require(Permission.MANAGE_ORGANISATION)
    org = get_organisation(db, ctx)
    check_version(org, version, label="The organisation")
    if not name.strip():
        raise ValidationFailed(
            "name is required", errors=[FieldError(("body", "name"), "required")]
        )
    org.name = name.strip()
    db.flush()
    return org


def organisation_count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Organisation)) or 0


def organisations_with_counts(db: Session) -> list[tuple[Organisation, int]]:
    """Every live organisation with its number of members (for operators)."""
    members = (
        select(func.count())
        .where(Membership.organisation_id == Organisation.id, Membership.deleted_at.is_(None))
        .scalar_subquery()
    )
    stmt = (
        select(Organisation, members)
        .where(Organisation.deleted_at.is_(None))
        .order_by(Organisation.slug)
    )
    return [(row[0], int(row[1])) for row in db.execute(stmt)]


def find_organisation(db: Session, slug: str) -> Organisation:
    org = db.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise NotFound(f"no organisation '{slug}'")
    return org


def first_organisation(db: Session) -> Organisation | None:
    return db.scalars(select(Organisation).order_by(Organisation.created_at)).first()


# --- people and roles ----------------------------------------------------------------------


def get_user_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(db: Session, *, email: str, full_name: str, password: str) -> User:
    email = normalise_email(email)
    problem = password_problem(password)
    if problem:
        raise ValidationFailed(
            "password too weak", errors=[FieldError(("body", "password"), problem)]
        )
    if get_user_by_email(db, email):
        raise Conflict(f"a user with e-mail {email} already exists")
    user = User(
        email=email, full_name=full_name.strip() or email, password_hash=hash_password(password)
    )
    db.add(user)
    db.flush()
    return user


@dataclass(frozen=True)
class NewMember:
    membership: Membership
    password: str | None  # set when a new account was created: shown once, never stored


def bootstrap_member(
    db: Session, *, organisation: Organisation, user: User, role: Role, job_title: str = ""
) -> Membership:
    """Attach a user to an organisation without a caller (init, demo, tests)."""
    membership = Membership(
        organisation_id=organisation.id, user_id=user.id, role=role.value, job_title=job_title
    )
    db.add(membership)
    db.flush()
    return membership


def _lock_organisation(db: Session, organisation_id: uuid.UUID) -> None:
    """Serialise role changes within one organisation (PostgreSQL row lock; SQLite's write
    lock already does), so two owners demoting each other cannot leave none."""
    db.execute(select(Organisation.id).where(Organisation.id == organisation_id).with_for_update())


def _owners_left(db: Session, ctx: Context, excluding: uuid.UUID | None) -> int:
    stmt = scoped(Membership, ctx.organisation_id).where(Membership.role == Role.OWNER.value)
    if excluding is not None:
        stmt = stmt.where(Membership.id != excluding)
    return db.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def add_member(
    db: Session,
    ctx: Context,
    *,
    email: str,
    full_name: str,
    role: str,
    job_title: str = "",
    password: str | None = None,
) -> NewMember:
    """Give a person a role here, creating their account (with a one-time password) if new."""
    new_role = parse_role(role)
    refusal = role_change_refusal(actor=ctx.role, current=None, new=new_role, owners_left=1)
    if refusal:
        raise PermissionDenied(refusal)
    email = normalise_email(email)
    user = get_user_by_email(db, email)
    shown: str | None = None
    if user is None:
        shown = password or generate_password()
        user = create_user(db, email=email, full_name=full_name or email, password=shown)
        if password:
            shown = None  # the caller chose it; no need to show it back
    existing = db.scalar(
        select(Membership).where(
            Membership.organisation_id == ctx.organisation_id, Membership.user_id == user.id
        )
    )
    if existing is not None and existing.deleted_at is None:
        raise Conflict(f"{email} is already a member (role {existing.role})")
    if existing is not None:  # re-adding someone who was removed restores the membership
        existing.restore()
        existing.role = new_role.value
        existing.job_title = job_title or existing.job_title
        db.flush()
        return NewMember(existing, shown)
    membership = Membership(
        organisation_id=ctx.organisation_id,
        user_id=user.id,
        role=new_role.value,
        job_title=job_title,
    )
    db.add(membership)
    db.flush()
    return NewMember(membership, shown)


MEMBER_LIST = ListSpec(
    id_column=Membership.id,
    sortable={
        "email": User.email,
        "name": User.full_name,
        "role": Membership.role,
        "created_at": Membership.created_at,
    },
    default_sort="name",
    filterable={"role": Membership.role},
    searchable=(User.email, User.full_name, Membership.job_title),
)


def list_members(db: Session, ctx: Context, params: ListParams) -> Page[Membership]:
    ctx.require(Permission.READ)
    stmt = scoped(Membership, ctx.organisation_id).join(User, Membership.user_id == User.id)
    return paginate(db, stmt, MEMBER_LIST, params)


def names_of(db: Session, ctx: Context, user_ids: set[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """Display names of people who are, or were, members here (for 'who wrote this')."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    stmt = (
        select(User.id, User.full_name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == ctx.organisation_id, User.id.in_(ids))
    )
    return {row.id: row.full_name for row in db.execute(stmt)}


def own_membership(db: Session, ctx: Context) -> Membership:
    """The caller's own membership in the context's organisation."""
    found: Membership | None = db.scalar(
        scoped(Membership, ctx.organisation_id).where(Membership.user_id == ctx.user_id)
    )
    if found is None:
        raise NotAuthenticated("you are no longer a member of this organisation")
    return found


def get_member(db: Session, ctx: Context, membership_id: uuid.UUID | str) -> Membership:
    ctx.require(Permission.READ)
    return get_scoped(db, Membership, ctx.organisation_id, membership_id, label="member")


def change_role(
    db: Session, ctx: Context, membership_id: uuid.UUID | str, *, role: str, version: int
) -> Membership:
    """Change someone's role; owners stay at least one, and only owners touch the owner role."""
    _lock_organisation(db, ctx.organisation_id)
    membership = get_member(db, ctx, membership_id)
    check_version(membership, version, label="This membership")
    new_role = parse_role(role)
    current = Role(membership.role)
    owners_left = _owners_left(db, ctx, excluding=membership.id) + (new_role is Role.OWNER)
    refusal = role_change_refusal(
        actor=ctx.role, current=current, new=new_role, owners_left=owners_left
    )
    if refusal:
        raise PermissionDenied(refusal)
    membership.role = new_role.value
    db.flush()
    return membership


def remove_member(
    db: Session, ctx: Context, membership_id: uuid.UUID | str, *, version: int
) -> Membership:
    """Remove someone from the organisation (a soft delete: history keeps their name).

    Their API tokens for this organisation are revoked, so re-adding them later does not
    bring old tokens back to life.
    """
    _lock_organisation(db, ctx.organisation_id)
    membership = get_member(db, ctx, membership_id)
    check_version(membership, version, label="This membership")
    if membership.user_id == ctx.user_id:
        raise Conflict("you cannot remove yourself; ask another owner or manager")
    refusal = role_change_refusal(
        actor=ctx.role,
        current=Role(membership.role),
        new=None,
        owners_left=_owners_left(db, ctx, excluding=membership.id),
    )
    if refusal:
        raise PermissionDenied(refusal)
    membership.mark_deleted(ctx.user_id)
    _revoke_tokens(db, organisation_id=ctx.organisation_id, user_id=membership.user_id)
    db.flush()
    return membership


def _revoke_tokens(db: Session, *, organisation_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Revoke a person's live tokens in one organisation (through the ORM: audited)."""
    now = utcnow()
    live = db.scalars(
        scoped(ApiToken, organisation_id).where(
            ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)
        )
    )
    for token in live:
        token.revoked_at = now


def context_for(db: Session, *, user: User, organisation_id: uuid.UUID | None = None) -> Context:
    """The context a user acts in: the given organisation, or their first one."""
    stmt = (
        select(Membership)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(
            Membership.user_id == user.id,
            Membership.deleted_at.is_(None),
            Organisation.deleted_at.is_(None),
        )
        .order_by(Membership.created_at)
    )
    if organisation_id is not None:
        stmt = stmt.where(Membership.organisation_id == organisation_id)
    membership = db.scalars(stmt).first()
    if membership is None or not user.is_active:
        raise NotAuthenticated("this account has no access to an organisation")
    return Context(
        organisation_id=membership.organisation_id,
        user_id=user.id,
        role=Role(membership.role),
        label=user.email,
    )


def _end_sessions(db: Session, user_id: uuid.UUID, *, keep: str | None = None) -> None:
    stmt = delete(WebSession).where(WebSession.user_id == user_id)
    if keep is not None:
        stmt = stmt.where(WebSession.token_hash != _sha256(keep))
    db.execute(stmt)


def change_password(
    db: Session, ctx: Context, *, current: str, new: str, keep_session: str | None = None
) -> None:
    """A person changes their own password; their other browser sessions end."""
    user = db.get(User, ctx.user_id)
    if user is None:  # pragma: no cover - a context always names an existing user
        raise NotFound("no such user")
    errors = []
    if not verify_password(user.password_hash, current):
        errors.append(FieldError(("body", "current_password"), "is not your current password"))
    problem = password_problem(new)
    if problem:
        errors.append(FieldError(("body", "new_password"), problem))
    elif new == current:
        errors.append(FieldError(("body", "new_password"), "must differ from the current one"))
    if errors:
        raise ValidationFailed("the password was not changed", errors=errors)
    user.password_hash = hash_password(new)
    _end_sessions(db, user.id, keep=keep_session)
    db.flush()


def reset_password(
    db: Session,
    ctx: Context,
    membership_id: uuid.UUID | str,
    *,
    allow_shared_account: bool = False,
) -> str:
    """An owner or manager gives a member a new one-time password (shown once).

    Accounts can belong to several organisations, so a manager here may only reset an
    account that belongs to no other organisation: otherwise they could take over a person's
    access elsewhere. The operator's CLI (with database access anyway) may pass
    ``allow_shared_account``. The person's sessions end and their tokens here are revoked.
    """
    membership = get_member(db, ctx, membership_id)
    ctx.require(Permission.MANAGE_MEMBERS)
    if membership.role == Role.OWNER.value and ctx.role is not Role.OWNER:
        raise PermissionDenied("only an owner may reset an owner's password")
    elsewhere = db.scalar(
        select(func.count())
        .select_from(Membership)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(
            Membership.user_id == membership.user_id,
            Membership.organisation_id != ctx.organisation_id,
            Membership.deleted_at.is_(None),
            Organisation.deleted_at.is_(None),
        )
    )
    if elsewhere and not allow_shared_account:
        raise PermissionDenied(
            "this person also belongs to another organisation, so their password cannot be "
            "reset from here; they can change it under Your account, or an operator can reset "
            "it with `aims user password`"
        )
    password = generate_password()
    user = membership.user
    user.password_hash = hash_password(password)
    _end_sessions(db, user.id)
    _revoke_tokens(db, organisation_id=ctx.organisation_id, user_id=user.id)
    db.flush()
    return password


# --- sign-in and throttling ----------------------------------------------------------------


def _throttle_key(email: str) -> str:
    return email.replace("\x00", "").strip().lower()[:320]


def recent_failures(db: Session, email: str) -> int:
    settings = get_settings()
    since = utcnow() - timedelta(minutes=settings.login_window_minutes)
    stmt = (
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.key == _throttle_key(email), LoginFailure.occurred_at >= since)
    )
    return db.scalar(stmt) or 0


def authenticate(db: Session, *, email: str, password: str) -> User:
    """Check an e-mail and password.

    The same message answers an unknown account and a wrong password, and both take an
    argon2 verification, so a caller learns nothing about which accounts exist. Failures are
    counted per e-mail (in the database, so every app instance shares the count); past the
    limit, even the right password is refused until the window passes.
    """
    settings = get_settings()
    key = _throttle_key(email)
    _serialise_attempts(db, key)
    forget_old_failures(db)
    # The attempt is recorded before the password is checked, so parallel guesses count too;
    # a successful sign-in clears the record.
    db.add(LoginFailure(key=key))
    db.flush()
    if recent_failures(db, email) > settings.login_max_failures:
        raise TooManyAttempts(
            f"Too many failed sign-ins for this e-mail; try again in "
            f"{settings.login_window_minutes} minutes."
        )
    user = get_user_by_email(db, key)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        raise NotAuthenticated(LOGIN_FAILED)
    db.execute(delete(LoginFailure).where(LoginFailure.key == key))
    db.execute(delete(WebSession).where(WebSession.expires_at <= utcnow()))
    user.last_login_at = utcnow()
    db.flush()
    return user


def _serialise_attempts(db: Session, key: str) -> None:
    """One sign-in attempt per e-mail at a time across app instances (PostgreSQL advisory
    lock for this transaction; on SQLite the first write already takes the database lock)."""
    if db.get_bind().dialect.name == "postgresql":
        lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        db.execute(select(func.pg_advisory_xact_lock(lock_id)))


def forget_old_failures(db: Session) -> int:
    """Housekeeping: drop failures older than the throttle window."""
    since = utcnow() - timedelta(minutes=get_settings().login_window_minutes)
    result = db.execute(delete(LoginFailure).where(LoginFailure.occurred_at < since))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- web sessions --------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInfo:
    context: Context
    csrf_token: str
    full_name: str  # plain values: error pages render after the session has closed
    email: str


def start_web_session(db: Session, *, user: User) -> tuple[str, str]:
    """Create a browser session; returns the cookie secret and the CSRF token."""
    ctx = context_for(db, user=user)
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    db.add(
        WebSession(
            token_hash=_sha256(secret),
            user_id=user.id,
            organisation_id=ctx.organisation_id,
            csrf_token=csrf,
            expires_at=utcnow() + timedelta(hours=get_settings().session_hours),
        )
    )
    db.flush()
    return secret, csrf


def resolve_web_session(db: Session, secret: str) -> SessionInfo | None:
    row = db.get(WebSession, _sha256(secret))
    if row is None or row.expires_at <= utcnow():
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    try:
        ctx = context_for(db, user=user, organisation_id=row.organisation_id)
    except NotAuthenticated:
        return None
    return SessionInfo(
        context=ctx, csrf_token=row.csrf_token, full_name=user.full_name, email=user.email
    )


def end_web_session(db: Session, secret: str) -> None:
    db.execute(delete(WebSession).where(WebSession.token_hash == _sha256(secret)))


# --- API tokens ----------------------------------------------------------------------------


def create_token(
    db: Session, ctx: Context, *, name: str, days: int | None = None
) -> tuple[ApiToken, str]:
    """A new API token for the caller in this organisation; the secret is returned only now."""
    settings = get_settings()
    days = settings.token_default_days if days is None else days
    errors = []
    if not name.strip():
        errors.append(FieldError(("body", "name"), "required"))
    if not 1 <= days <= settings.token_max_days:
        errors.append(
            FieldError(("body", "days"), f"must be between 1 and {settings.token_max_days}")
        )
    if errors:
        raise ValidationFailed("invalid token request", errors=errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        organisation_id=ctx.organisation_id,
        user_id=ctx.user_id,
        name=name.strip()[:100],
        prefix=secret[:12],
        token_hash=_sha256(secret),
        expires_at=utcnow() + timedelta(days=days),
    )
    db.add(token)
    db.flush()
    return token, secret


def list_tokens(db: Session, ctx: Context, *, all_users: bool = False) -> list[ApiToken]:
    """The caller's tokens (managers may see everyone's in the organisation)."""
    stmt = scoped(ApiToken, ctx.organisation_id)
    if not (all_users and ctx.can(Permission.MANAGE_MEMBERS)):
        stmt = stmt.where(ApiToken.user_id == ctx.user_id)
    return list(db.scalars(stmt.order_by(ApiToken.created_at.desc())).all())


def revoke_token(db: Session, ctx: Context, token_id: uuid.UUID | str) -> ApiToken:
    """Revoke one's own token (managers and owners may revoke anyone's here)."""
    token = get_scoped(db, ApiToken, ctx.organisation_id, token_id, label="token")
    if token.user_id != ctx.user_id and not ctx.can(Permission.MANAGE_MEMBERS):
        raise NotFound(f"no token with id {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.flush()
    return token


def resolve_token(db: Session, secret: str) -> Context:
    """The context a bearer token acts in; unknown, revoked and expired tokens are all 401."""
    token = db.scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(secret)))
    now = utcnow()
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise NotAuthenticated("the API token is unknown, revoked or expired")
    ctx = context_for(db, user=token.user, organisation_id=token.organisation_id)
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
    return ctx


def token_is_active(token: ApiToken, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return token.revoked_at is None and token.expires_at > now


def member_emails(db: Session, ctx: Context) -> list[str]:
    """Every member's e-mail, sorted: what owner and assignee pickers offer (all of them, not
    a page of them)."""
    ctx.require(Permission.READ)
    return list(
        db.scalars(
            select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == ctx.organisation_id,
                   Membership.deleted_at.is_(None))
            .order_by(User.email)
        )
    )  # fmt: skip


def member_id(
    db: Session, ctx: Context, email: str | None, *, field: str = "owner_email"
) -> uuid.UUID | None:
    """The id of the member with this e-mail (None for none); a stranger is a 422 on ``field``.

    Records name their owners by e-mail on every face; this is the one place that checks it.
    """
    if not email:
        return None
    user = db.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            User.email == email.strip().lower(),
            Membership.organisation_id == ctx.organisation_id,
            Membership.deleted_at.is_(None),
        )
    )
    if user is None:
        raise ValidationFailed(
            f"{email} is not a member of this organisation",
            errors=[FieldError(("body", field), f"{email} is not a member here")],
        )
    return user.id
