"""systems list|show|add|import, bom import|export, and classify."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from aims.cli.common import OrgOpt, err, fail, operator_context, organisation, out, work
from aims.regulation import service as regulation
from aims.regulation.questionnaire import QUESTIONS, applicable_answers
from aims.regulation.rules import classify
from aims.regulation.schemas import Answers, AnswersError, Result, parse_answers
from aims.store.listing import ListParams
from aims.systems import bomstore, imports, service
from aims.systems.bom import BomError
from aims.systems.schemas import SystemIn
from aims.systems.vocab import LifecycleStage, OperatorRole

systems_app = typer.Typer(help="The AI system register.", no_args_is_help=True)
bom_app = typer.Typer(help="AI bills of materials (CycloneDX).", no_args_is_help=True)


@systems_app.command("list")
def systems_list(
    org: OrgOpt = None,
    search: Annotated[str | None, typer.Option("--search", "-q", help="Text to find.")] = None,
    stage: Annotated[LifecycleStage | None, typer.Option(help="Only this stage.")] = None,
    risk_class: Annotated[str | None, typer.Option(help="e.g. high_risk.")] = None,
) -> None:
    """List registered AI systems."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        params = ListParams(limit=200, q=search).with_filters(
            lifecycle_stage=stage.value if stage else None, risk_class=risk_class
        )
        page = service.list_systems(db, ctx, params)
        table = Table("Name", "Stage", "Role", "EU AI Act class", "Owner")
        for s in page.items:
            table.add_row(s.name, s.lifecycle_stage, s.operator_role or "—",
                          s.risk_class or "not classified", s.owner_email or "—")  # fmt: skip
    out.print(table)
    out.print(f"{page.total} system(s)")


@systems_app.command("show")
def systems_show(
    system: Annotated[str, typer.Argument(help="Name or id.")], org: OrgOpt = None
) -> None:
    """Show a system, its components and its classification."""
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        record = service.find_system(db, ctx, system)
        out.print(f"[bold]{record.name}[/bold]  ({record.id})")
        for key in ("purpose", "intended_use", "foreseeable_misuse", "business_unit",
                    "lifecycle_stage", "operator_role", "ai_roles", "used_in_eu",
                    "affected_persons", "vulnerable_groups", "automation_level",
                    "decisions_about_people", "personal_data", "in_scope", "scope_reason",
                    "review_date"):  # fmt: skip
            value = getattr(record, key)
            if value not in (None, "", []):
                out.print(f"  {key.replace('_', ' ')}: {value}", markup=False)
        out.print(f"  owner: {record.owner_email or '—'}", markup=False)
        components = service.components_of(db, ctx, record)
        if components:
            out.print("Components:")
            for c in components:
                out.print(f"  {c.kind}: {c.name} {c.version_label}".rstrip(), markup=False)
        history = regulation.history(db, ctx, record)
        if history:
            _print_result(regulation.result_of(history[0]), brief=True)
        else:
            out.print("Not classified under the EU AI Act yet (aims classify).")


@systems_app.command("add")
def systems_add(
    name: Annotated[str, typer.Argument(help="The system's name.")],
    purpose: Annotated[str, typer.Option(help="Why it is used.")] = "",
    operator_role: Annotated[OperatorRole | None, typer.Option(help="EU AI Act role.")] = None,
    stage: Annotated[
        LifecycleStage, typer.Option(help="Life-cycle stage.")
    ] = LifecycleStage.INCEPTION,
    owner: Annotated[str | None, typer.Option(help="Owner's e-mail (a member).")] = None,
    business_unit: Annotated[str, typer.Option(help="Business unit.")] = "",
    used_in_eu: Annotated[
        bool | None, typer.Option("--eu/--not-eu", help="Used in the EU?")
    ] = None,
    org: OrgOpt = None,
) -> None:
    """Register a system by hand (edit the rest on its web page or with the API)."""
    fields: dict[str, Any] = {"name": name, "purpose": purpose, "lifecycle_stage": stage,
                              "business_unit": business_unit}  # fmt: skip
    if operator_role:
        fields["operator_role"] = operator_role
    if owner:
        fields["owner_email"] = owner
    if used_in_eu is not None:
        fields["used_in_eu"] = used_in_eu
    body = SystemIn.model_validate(fields)
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        system = service.create_system(db, ctx, body.model_dump(exclude_unset=True))
        summary = f"Registered {system.name} ({system.id})."
    out.print(summary, markup=False)


@systems_app.command("import")
def systems_import(
    file: Annotated[Path, typer.Argument(help="A CSV or XLSX inventory.")],
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="HEADER=FIELD to override the suggested column mapping."),
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Only check; import nothing.")] = False,
    org: OrgOpt = None,
) -> None:
    """Import an inventory spreadsheet: every row, or none (each problem is listed)."""
    try:
        content = file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}")
    overrides = imports.parse_mapping_pairs(mapping or [])
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        plan = imports.plan_import(db, ctx, filename=file.name, content=content, mapping=overrides)
        for header, field in plan.mapping.items():
            out.print(f"  {header!r} → {field or '(ignored)'}", markup=False)
        if not plan.ok:
            for problem in plan.problems:
                out.print(f"  {problem}", markup=False, style="red")
            fail(f"{len(plan.problems)} problem(s) in {file.name}; nothing was imported")
        if dry_run:
            out.print(f"{len(plan.preview.rows)} system(s) would be imported.")
            return
        created = imports.run_import(db, ctx, filename=file.name, content=content,
                                     mapping=overrides)  # fmt: skip
        count = len(created)
    out.print(f"Imported {count} system(s) from {file.name}.")


# --- classification ------------------------------------------------------------------------


def _print_result(result: Result, *, brief: bool = False) -> None:
    headline = f"EU AI Act class: [bold]{result.risk_class.value.replace('_', ' ')}[/bold]"
    if result.high_risk_route:
        headline += f" (route {result.high_risk_route.value})"
    if result.derogation_applied:
        headline += " — Art. 6(3) derogation applied"
    out.print(headline)
    out.print(f"Your role after Art. 25: {result.effective_role.value}")
    if result.transparency_obligations:
        paragraphs = ", ".join(f"Art. {p.value}" for p in result.transparency_obligations)
        out.print(f"Transparency: {paragraphs}")
    if result.gpai:
        out.print(f"General-purpose AI model: {', '.join(result.gpai.obligations)}"
                  + (" (systemic risk)" if result.gpai.systemic_risk else ""))  # fmt: skip
    out.print(f"Fundamental rights impact assessment (Art. 27): "
              f"{'required' if result.fria_required else 'not required'}")  # fmt: skip
    if brief:
        return
    table = Table("Article", "Duty", "Binds", "Applies from")
    for o in result.obligations:
        table.add_row(o.article, o.duty, o.role.value, o.applies_from.isoformat())
    out.print(table)
    out.print("Trace:")
    for step in result.trace:
        out.print(f"  {step.step}. [{step.reference}] {step.finding}", markup=False)


def _ask(answers: dict[str, Any]) -> dict[str, Any]:
    """Ask each applicable question in order; later questions depend on earlier answers."""
    for question in QUESTIONS:
        if not question.applies(answers):
            answers.pop(question.field, None)
            continue
        out.print(f"\n[bold]{question.text}[/bold]  [dim]({question.reference})[/dim]")
        if question.help:
            out.print(question.help, style="dim")
        if question.kind == "bool":
            answers[question.field] = typer.confirm("", default=bool(answers.get(question.field)))
        elif question.kind == "number":
            while True:
                raw = typer.prompt("", default="", show_default=False).strip().replace("_", "")
                try:
                    answers[question.field] = float(raw) if raw else None
                    break
                except ValueError:
                    err.print(f"'{raw}' is not a number (e.g. 3e24); try again", markup=False)
        else:
            for i, option in enumerate(question.options, start=1):
                out.print(f"  {i}. {option.label} [dim]{option.reference}[/dim]")
            prompt = (
                "Number" if question.kind == "choice" else "Numbers, comma-separated (blank: none)"
            )
            raw = typer.prompt(prompt, default="1" if question.kind == "choice" else "",
                               show_default=question.kind == "choice")  # fmt: skip
            picks = [p.strip() for p in raw.split(",") if p.strip()]
            try:
                values = [question.options[int(p) - 1].value for p in picks]
            except (ValueError, IndexError):
                fail(f"'{raw}' is not one of the numbers shown")
            answers[question.field] = values[0] if question.kind == "choice" else values
    return applicable_answers(answers)


def classify_command(
    system: Annotated[
        str | None, typer.Argument(help="A system (name or id) to classify and record.")
    ] = None,
    answers_file: Annotated[
        Path | None, typer.Option("--answers", help="A YAML or JSON answer set.")
    ] = None,
    output: Annotated[str, typer.Option("--format", help="json or text.")] = "text",
    org: OrgOpt = None,
) -> None:
    """Classify under the EU AI Act: interactively for SYSTEM, or from --answers FILE.

    With --answers and no SYSTEM nothing is stored; `--format json` prints the result object.
    """
    if output not in ("json", "text"):
        raise typer.BadParameter("must be json or text", param_hint="--format")
    if system is None and answers_file is None:
        fail("give a SYSTEM to classify interactively, or --answers FILE")
    answers: Answers | None = None
    if answers_file is not None:
        try:
            text = answers_file.read_text(encoding="utf-8")
        except OSError as exc:
            fail(f"cannot read {answers_file}: {exc.strerror or exc}")
        answers = parse_answers(text, "json" if answers_file.suffix.lower() == ".json" else "yaml")
    if system is None:
        assert answers is not None
        result = classify(answers)
        if output == "json":
            sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        else:
            _print_result(result)
        return
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        record = service.find_system(db, ctx, system)
        if answers is None:
            guess = regulation.suggested_answers(record)
            try:
                answers = Answers.model_validate(_ask(dict(guess)))
            except ValueError as exc:
                raise AnswersError(f"the answers do not fit together: {exc}") from exc
        stored = regulation.classify_system(db, ctx, record.id, answers)
        result = regulation.result_of(stored)
        name = record.name
    if output == "json":
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        out.print(f"Classified {name}; the result is kept with its answers.")
        _print_result(result)


# --- AI bills of materials -----------------------------------------------------------------


@bom_app.command("import")
def bom_import(
    system: Annotated[str, typer.Argument(help="The system (name or id).")],
    file: Annotated[Path, typer.Argument(help="A CycloneDX 1.5-1.7 JSON BOM.")],
    org: OrgOpt = None,
) -> None:
    """Import a CycloneDX BOM into a system's components: all of it, or nothing."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {getattr(exc, 'strerror', None) or exc}")
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        record = service.find_system(db, ctx, system)
        try:
            report = bomstore.import_bom(db, ctx, record.id, text)
        except BomError as exc:
            for problem in exc.problems:
                err.print(f"  {problem}", markup=False)
            fail(f"{file.name} was refused; nothing was imported")
        name = record.name
    out.print(f"Imported {report.total} component(s) into {name}: "
              f"{len(report.created)} new, {len(report.updated)} updated.")  # fmt: skip
    if report.not_imported:
        out.print("Not kept from the BOM: " + ", ".join(report.not_imported), style="dim")


@bom_app.command("export")
def bom_export(
    system: Annotated[str, typer.Argument(help="The system (name or id).")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")
    ] = None,
    spec: Annotated[str, typer.Option(help="CycloneDX version: 1.5, 1.6 or 1.7.")] = "1.6",
    org: OrgOpt = None,
) -> None:
    """Export a system's components as a CycloneDX JSON BOM (validated before it is written)."""
    if spec not in ("1.5", "1.6", "1.7"):
        raise typer.BadParameter("must be 1.5, 1.6 or 1.7", param_hint="--spec")
    with work() as db:
        ctx = operator_context(db, organisation(db, org))
        record = service.find_system(db, ctx, system)
        text = bomstore.bom_for(db, ctx, record, spec=spec)
    if output is None:
        sys.stdout.write(text + ("\n" if not text.endswith("\n") else ""))
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    out.print(f"Wrote {output}.")
