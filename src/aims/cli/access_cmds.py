"""user add|list|role and token create|list|revoke."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from aims.access import service as access
from aims.access.models import Membership
from aims.access.rules import Role
from aims.cli.common import OrgOpt, operator_context, organisation, out, work
from aims.errors import NotFound
from aims.store.listing import ListParams

user_app = typer.Typer(help="People and their roles.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
org_app = typer.Typer(help="Organisations (tenants).", no_args_is_help=True)


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="E-mail address (the sign-in name).")],
    role: Annotated[Role, typer.Option(help="Role in the organisation.")] = Role.VIEWER,
    name: Annotated[str, typer.Option(help="Full name.")] = "",
    job: Annotated[str, typer.Option(help="Job title.")] = "",
    org: OrgOpt = None,
) -> None:
    """Give a person a role; a new account gets a one-time password, printed once."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        new = access.add_member(
            db, ctx, email=email, full_name=name, role=role.value, job_title=job
        )
        db.refresh(new.membership)
        summary = f"{new.membership.user.email} is now {new.membership.role}."
    out.print(summary)
    if new.password:
        out.print(f"Password (shown once): [bold]{new.password}[/bold]")


@user_app.command("list")
def user_list(
    org: OrgOpt = None,
    role: Annotated[Role | None, typer.Option(help="Only this role.")] = None,
    search: Annotated[str | None, typer.Option("--search", "-q", help="Text to find.")] = None,
) -> None:
    """List the members of an organisation with their roles."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        params = ListParams(limit=200, q=search, filters={"role": role.value} if role else {})
        page = access.list_members(db, ctx, params)
        table = Table("E-mail", "Name", "Role", "Job")
        for m in page.items:
            table.add_row(m.user.email, m.user.full_name, m.role, m.job_title)
    out.print(table)
    out.print(f"{page.total} member(s)")


@user_app.command("role")
def user_role(
    email: Annotated[str, typer.Argument(help="The member's e-mail.")],
    role: Annotated[Role, typer.Argument(help="The new role.")],
    org: OrgOpt = None,
) -> None:
    """Change a member's role (the organisation keeps at least one owner)."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        membership = _membership(db, ctx, email)
        access.change_role(db, ctx, membership.id, role=role.value, version=membership.version)
    out.print(f"{email} is now {role.value}.")


def _membership(db: object, ctx: object, email: str) -> Membership:
    from sqlalchemy.orm import Session

    from aims.access.context import Context

    assert isinstance(db, Session) and isinstance(ctx, Context)
    page = access.list_members(db, ctx, ListParams(limit=200, q=email))
    for m in page.items:
        if m.user.email == email.strip().lower():
            return m
    raise NotFound(f"{email} is not a member of this organisation")


@user_app.command("remove")
def user_remove(
    email: Annotated[str, typer.Argument(help="The member's e-mail.")],
    org: OrgOpt = None,
) -> None:
    """Remove a member (their history stays; adding them again restores the membership)."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        membership = _membership(db, ctx, email)
        access.remove_member(db, ctx, membership.id, version=membership.version)
    out.print(f"{email} was removed.")


@user_app.command("password")
def user_password(
    email: Annotated[str, typer.Argument(help="The member's e-mail.")],
    org: OrgOpt = None,
) -> None:
    """Give a member a new one-time password (printed once); their sessions end."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        password = access.reset_password(db, ctx, _membership(db, ctx, email).id)
    out.print(f"New one-time password for {email} (shown once): [bold]{password}[/bold]")


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Option("--user", help="Whose token (e-mail).")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    days: Annotated[int, typer.Option(help="Days until it expires.")] = 90,
    org: OrgOpt = None,
) -> None:
    """Create an API token for a member; the token is printed once and stored only hashed."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        member = _membership(db, ctx, email)
        as_user = access.context_for(db, user=member.user, organisation_id=ctx.organisation_id)
        token, secret = access.create_token(db, as_user, name=name, days=days)
    out.print(f"Token {token.id} for {email}, expires {token.expires_at:%Y-%m-%d}.")
    out.print(secret, markup=False)


@token_app.command("list")
def token_list(org: OrgOpt = None) -> None:
    """List the organisation's tokens (never their secrets)."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        table = Table("Id", "User", "Name", "Starts with", "Expires", "State")
        for t in access.list_tokens(db, ctx, all_users=True):
            state = (
                "active"
                if access.token_is_active(t)
                else ("revoked" if t.revoked_at else "expired")
            )
            table.add_row(
                str(t.id), t.user.email, t.name, t.prefix + "…", f"{t.expires_at:%Y-%m-%d}", state
            )
    out.print(table)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id (see `aims token list`).")],
    org: OrgOpt = None,
) -> None:
    """Revoke a token at once; requests using it get 401 from then on."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        token = access.revoke_token(db, ctx, token_id)
    out.print(f"Revoked token {token.id} ({token.name}).")


@org_app.command("list")
def org_list() -> None:
    """List the organisations in this database."""
    with work() as db:
        table = Table("Short name", "Name", "Members")
        for org, members in access.organisations_with_counts(db):
            table.add_row(org.slug, org.name, str(members))
    out.print(table)


@org_app.command("rename")
def org_rename(
    name: Annotated[str, typer.Argument(help="The new display name.")],
    org: OrgOpt = None,
) -> None:
    """Rename an organisation (its short name stays)."""
    with work() as db:
        target = organisation(db, org)
        ctx = operator_context(db, target)
        access.rename_organisation(db, ctx, name=name, version=target.version)
    out.print(f"Renamed: {name.strip()}")
