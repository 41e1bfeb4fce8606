"""What every command shares: the database, a unit of work, output and errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.access.models import Membership, Organisation, User
from aims.access.rules import Role
from aims.config import get_settings
from aims.errors import AimsError, ConfigurationError, NotAuthenticated, NotFound
from aims.store import migrate
from aims.store.engine import Actor, check_connection, get_engine, unit_of_work
from aims.store.registry import session_factory

OrgOpt = Annotated[
    str | None, typer.Option("--org", help="Organisation short name (default: the first).")
]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
EXIT_ERROR = 2


def fail(message: str) -> NoReturn:
    """One clear line on stderr and exit code 2: the CLI's way to report any error."""
    err.print(f"error: {message}", markup=False)
    raise SystemExit(EXIT_ERROR)


def engine(*, migrate_to_head: bool = False) -> Engine:
    """The configured database, reachable and (optionally) brought to the newest schema."""
    eng = get_engine(get_settings().database_url)
    check_connection(eng)
    if migrate_to_head:
        migrate.upgrade(eng)
    elif migrate.current_revision(eng) is None:
        raise ConfigurationError("the database has no aims schema yet; run `aims init` first")
    elif migrate.needs_upgrade(eng):
        raise ConfigurationError("the database schema is older than this aims; run `aims init`")
    return eng


@contextmanager
def work(actor: Actor | None = None, *, migrate_to_head: bool = False) -> Iterator[Session]:
    """A unit of work for one command: everything it writes lands together or not at all."""
    factory = session_factory(engine(migrate_to_head=migrate_to_head))
    with unit_of_work(factory, actor or Actor(None, None, "cli")) as db:
        yield db


def organisation(db: Session, slug: str | None) -> Organisation:
    """The organisation a command acts on: by short name, or the only/first one."""
    if slug:
        return access.find_organisation(db, slug)
    org = access.first_organisation(db)
    if org is None:
        raise NotFound("no organisation yet; run `aims init` or `aims demo`")
    return org


def operator_context(db: Session, org: Organisation) -> Context:
    """The CLI runs with database access, so it acts as owner, on behalf of the first owner."""
    owner = db.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organisation_id == org.id,
            Membership.role == Role.OWNER.value,
            Membership.deleted_at.is_(None),
        )
        .order_by(Membership.created_at)
    ).first()
    if owner is None:
        raise NotFound(f"organisation {org.slug} has no owner")
    ctx = Context(org.id, owner.id, Role.OWNER, f"cli ({owner.email})")
    db.info["actor"] = ctx.actor
    return ctx


def member_context(db: Session, org: Organisation, email: str) -> Context:
    """Act as a named member: their role decides, and the audit trail carries their name."""
    user = access.get_user_by_email(db, email.strip().lower())
    if user is None:
        fail(f"{email} is not a member of {org.slug}")
    try:
        ctx = access.context_for(db, user=user, organisation_id=org.id)
    except NotAuthenticated:
        fail(f"{email} is not a member of {org.slug}")
    db.info["actor"] = ctx.actor
    return ctx


def report(exc: BaseException) -> NoReturn:
    if isinstance(exc, AimsError):
        detail = exc.detail
        # A detail that already names every field's problem is not repeated.
        if exc.errors and not all(e.msg in detail for e in exc.errors):
            detail += (
                " ("
                + "; ".join(
                    f"{'.'.join(map(str, e.loc[1:] or e.loc))}: {e.msg}" for e in exc.errors
                )
                + ")"
            )
        fail(detail)
    fail(str(exc) or exc.__class__.__name__)
