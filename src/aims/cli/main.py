"""Entry point of the `aims` command."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from pydantic import ValidationError

from aims.cli import (
    access_cmds,
    audit_cmds,
    catalog_cmds,
    changes_cmds,
    competence_cmds,
    concern_cmds,
    context_cmds,
    documents_cmds,
    evidence_cmds,
    impact_cmds,
    measure_cmds,
    objectives_cmds,
    risk_cmds,
    setup_cmds,
    systems_cmds,
    techdoc_cmds,
)
from aims.cli.common import fail, report
from aims.config import get_settings
from aims.errors import AimsError
from aims.store.dberrors import translate

app = typer.Typer(
    name="aims",
    help="aims: an AI management system for ISO/IEC 42001 (web app, API and this CLI).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def main(
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="AIMS_DATABASE_URL",
            help="Database to use.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Set the database for every sub-command (default sqlite:///./aims.db)."""
    if database_url:
        os.environ["AIMS_DATABASE_URL"] = database_url
        get_settings.cache_clear()


setup_cmds.register(app)
app.add_typer(access_cmds.user_app, name="user")
app.add_typer(access_cmds.token_app, name="token")
app.add_typer(access_cmds.org_app, name="org")
app.add_typer(systems_cmds.systems_app, name="systems")
app.add_typer(systems_cmds.bom_app, name="bom")
app.command("classify")(systems_cmds.classify_command)
app.add_typer(impact_cmds.app, name="impact")
app.add_typer(risk_cmds.risk_app, name="risk")
app.add_typer(risk_cmds.soa_app, name="soa")
app.add_typer(changes_cmds.change_app, name="change")
app.add_typer(changes_cmds.communication_app, name="communication")
app.add_typer(changes_cmds.leadership_app, name="leadership")
app.add_typer(context_cmds.context_app, name="context")
app.add_typer(context_cmds.scope_app, name="scope")
app.add_typer(catalog_cmds.app, name="catalog")
app.add_typer(audit_cmds.app, name="audit")
app.add_typer(concern_cmds.app, name="concern")
app.add_typer(competence_cmds.app, name="competence")
app.add_typer(objectives_cmds.app, name="objective")
app.add_typer(documents_cmds.app, name="doc")
app.add_typer(techdoc_cmds.techdoc_app, name="techdoc")
app.add_typer(techdoc_cmds.logs_app, name="logs")
app.add_typer(evidence_cmds.control_app, name="control")
app.add_typer(evidence_cmds.evidence_app, name="evidence")
app.add_typer(measure_cmds.app, name="measure")


def run() -> None:
    """Run the CLI; any error becomes one line on stderr and exit code 2."""
    try:
        app(standalone_mode=True)
    except SystemExit:
        raise
    except AimsError as exc:
        report(exc)
    except KeyboardInterrupt:
        fail("interrupted")
    except ValidationError as exc:
        fail("; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()))
    except Exception as exc:
        error = translate(exc)
        if error is not None:
            report(error)
        if os.environ.get("AIMS_DEBUG") == "1":
            raise
        fail(f"unexpected {type(exc).__name__}: {exc} (set AIMS_DEBUG=1 for the traceback)")
