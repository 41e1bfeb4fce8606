"""impact settings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import yaml

from aims.cli.common import OrgOpt, fail, operator_context, organisation, out, work
from aims.impact import service
from aims.impact.schemas import ImpactSettingsData

app = typer.Typer(help="AI system impact assessments.", no_args_is_help=True)


@app.command("settings")
def settings(
    set_from: Annotated[
        Path | None, typer.Option("--set-from", help="A YAML or JSON file with new settings.")
    ] = None,
    org: OrgOpt = None,
) -> None:
    """Show the impact assessment process settings (A.5.2), or replace them from a file."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        current = service.get_settings(db, ctx)
        if set_from is not None:
            try:
                raw = yaml.safe_load(set_from.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError) as exc:
                fail(f"cannot read {set_from}: {exc}")
            data = ImpactSettingsData.model_validate(raw)
            current = service.save_settings(db, ctx, data, version=current.version)
        shown = current.model_dump(mode="json")
    out.print(yaml.safe_dump(shown, sort_keys=False, allow_unicode=True).rstrip(), markup=False)
    if not current.saved:
        out.print("(aims's defaults: save your own with --set-from FILE)", style="dim")
