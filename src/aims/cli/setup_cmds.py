"""init, serve, demo, backup and restore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aims.access import service as access
from aims.access.passwords import generate_password
from aims.access.rules import Role
from aims.cli.common import engine, fail, out, work
from aims.config import get_settings
from aims.demo import service as demo
from aims.store import backup as backups
from aims.store.engine import Actor


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("serve")(serve)
    app.command("demo")(load_demo)
    app.command("backup")(backup)
    app.command("restore")(restore)


def init(
    organisation: Annotated[
        str, typer.Option("--org", help="Name of the first organisation.")
    ] = "My organisation",
    email: Annotated[str, typer.Option(help="E-mail of the first owner.")] = "owner@example.com",
    name: Annotated[str, typer.Option(help="Full name of the first owner.")] = "AIMS owner",
) -> None:
    """Create or upgrade the database; on an empty one, add the first organisation and owner.

    The owner's password is printed once and never stored in clear.
    """
    with work(Actor(None, None, "aims init"), migrate_to_head=True) as db:
        if access.organisation_count(db):
            out.print("Database is up to date; organisations already exist, nothing else to do.")
            return
        org = access.create_organisation(db, name=organisation)
        password = generate_password()
        user = access.get_user_by_email(db, email) or access.create_user(
            db, email=email, full_name=name, password=password
        )
        access.bootstrap_member(db, organisation=org, user=user, role=Role.OWNER)
    out.print(f"Created organisation [bold]{org.name}[/bold] ({org.slug}).")
    out.print(f"Owner: {user.email}")
    out.print(f"Password (shown once, store it now): [bold]{password}[/bold]")


def load_demo(
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Only when the database has no organisation yet.")
    ] = False,
) -> None:
    """Load the demo organisation, Meridian Lending Ltd, with its people and roles."""
    with work(Actor(None, None, "aims demo"), migrate_to_head=True) as db:
        if if_empty and access.organisation_count(db) and demo.find_demo(db) is None:
            out.print("The database already holds an organisation; the demo was not loaded.")
            return
        org, created = demo.load_demo(db)
    out.print(
        f"{'Loaded' if created else 'Already loaded'}: demo organisation [bold]{org.name}[/bold]."
    )
    out.print(
        f"Sign in as any of these people, all with the password [bold]{demo.DEMO_PASSWORD}[/bold]:"
    )
    for person in demo.PEOPLE:
        out.print(
            f"  {person.email:<36} {person.role.value:<12} {person.full_name}, {person.job_title}"
        )


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Bring the database to the newest schema, then serve the web app and the API."""
    import uvicorn

    settings = get_settings()
    engine(migrate_to_head=True)
    from aims.api.app import create_app

    create_app(settings)  # fail here, with one clear line, if the catalogue is broken
    host = host or settings.host
    port = port or settings.port
    out.print(f"aims is serving on [bold]http://{host}:{port}[/bold]  (API docs: /api/docs)")
    uvicorn.run(
        "aims.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        log_level="info",
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
    )


def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the backup (gzip JSON).")],
) -> None:
    """Write a consistent copy of the database while the app keeps running."""
    if file.exists() and file.is_dir():
        fail(f"{file} is a directory")
    summary = backups.backup(engine(), file)
    out.print(
        f"Backed up {summary.rows} rows from {summary.tables} tables to {summary.path} "
        f"(schema {summary.schema_revision})."
    )


def restore(
    file: Annotated[Path, typer.Argument(help="A file written by `aims backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that holds data.")
    ] = False,
) -> None:
    """Restore a backup into this database, all or nothing; refuses a tampered audit trail."""
    from aims.store.engine import check_connection, get_engine

    eng = get_engine(get_settings().database_url)
    check_connection(eng)
    summary = backups.restore(eng, file, force=force)
    out.print(
        f"Restored {summary.rows} rows from {file} (schema {summary.schema_revision}); "
        "the audit trail verified."
    )
