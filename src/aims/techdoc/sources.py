"""The sources aims itself gives the technical documentation outline: the inventory and its
components, the EU AI Act classification, the impact assessment, risks and treatments, legal
requirements, objectives and the event-log record. Later capabilities add theirs through
``registry.register_source``; the keyed "missing" entries here are the gaps they fill."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.approval.rules import Status
from aims.systems.models import AISystem, Component
from aims.systems.vocab import AIRole, ComponentKind
from aims.techdoc import service
from aims.techdoc.registry import Entry, register_source

NOT_RECORDED = "Not recorded yet"


def _text(label: str, value: object, href: str, *, key: str | None = None) -> Entry:
    text = str(value).strip() if value is not None else ""
    return Entry(label, text or NOT_RECORDED, href=href, missing=not text, key=key)


def _edit(system: AISystem) -> str:
    return f"/systems/{system.id}/edit"


def _words(value: str | None) -> str:
    return (value or "").replace("_", " ")


def _components(db: Session, ctx: Context, system: AISystem) -> list[Component]:
    from aims.systems import service as systems

    return systems.components_of(db, ctx, system)


def _latest_approved(db: Session, ctx: Context, system: AISystem) -> object | None:
    from aims.impact import service as impact

    return next(
        (a for a in impact.for_system(db, ctx, system) if a.status == Status.APPROVED.value), None
    )


def _impact_entry(db: Session, ctx: Context, system: AISystem) -> Entry:
    from aims.impact.models import ImpactAssessment

    found = _latest_approved(db, ctx, system)
    if not isinstance(found, ImpactAssessment):
        return Entry("Approved impact assessment (A.5.2)", "No approved impact assessment",
                     href="/impact", missing=True, key="impact_assessment")  # fmt: skip
    when = found.approved_at.date().isoformat() if found.approved_at else "—"
    level = f", level {found.level}" if found.level else ""
    return Entry("Approved impact assessment (A.5.2)",
                 f"{found.title} (revision {found.revision}, approved {when}{level})",
                 href=f"/impact/{found.id}", key="impact_assessment")  # fmt: skip


# --- 1 General description ---------------------------------------------------------------------


def general(db: Session, ctx: Context, system: AISystem) -> Iterable[Entry]:
    edit = _edit(system)
    roles = ", ".join(_words(r) for r in system.ai_roles or [])
    if system.operator_role:
        roles = f"{roles}; EU AI Act: {_words(system.operator_role)}".strip("; ")
    yield _text("Intended purpose", system.purpose, edit)
    yield _text("Description", system.description, edit)
    yield _text("Intended use and instructions", system.intended_use, edit)
    yield _text("Our role (provider, deployer...)", roles, edit)
    yield _text("Accountable owner", system.owner_email, edit)
    yield _text("Who uses it", system.users_description, edit)
    yield Entry("Life-cycle stage", _words(system.lifecycle_stage), href=edit)
    models = [c for c in _components(db, ctx, system) if c.kind == ComponentKind.MODEL.value]
    if models:
        for m in models:
            yield Entry(f"Model {m.name}", f"version {m.version_label}" if m.version_label
                        else "version not recorded", href=f"/components/{m.id}",
                        missing=not m.version_label)  # fmt: skip
    else:
        yield Entry("Models and versions", "No model component linked",
                    href=f"/systems/{system.id}", missing=True)  # fmt: skip


def classification(db: Session, ctx: Context, system: AISystem) -> Iterable[Entry]:
    from aims.regulation import service as regulation

    records = regulation.history(db, ctx, system)
    href = f"/systems/{system.id}/classify"
    if not records:
        yield Entry("EU AI Act classification", "Not classified yet", href=href, missing=True)
        return
    result = regulation.result_of(records[0])
    routes = {"annex_i": "Annex I (Art. 6(1))", "annex_iii": "Annex III (Art. 6(2))"}
    route = f" via {routes[result.high_risk_route.value]}" if result.high_risk_route else ""
    role = _words(result.effective_role.value)
    yield Entry("EU AI Act classification",
                f"{_words(result.risk_class.value)}{route}; role {role}"
                f" (classified {records[0].classified_at.date().isoformat()})",
                href=f"/systems/{system.id}#classification")  # fmt: skip


# --- 2 Design and development, 2(d) Data ------------------------------------------------------


def development(db: Session, ctx: Context, system: AISystem) -> Iterable[Entry]:
    parts = [c for c in _components(db, ctx, system)
             if c.kind in (ComponentKind.MODEL.value, ComponentKind.TOOLING.value,
                           ComponentKind.COMPUTE.value)]  # fmt: skip
    if not parts:
        yield Entry("Models, tools and computing resources", "No component linked",
                    href=f"/systems/{system.id}", missing=True)  # fmt: skip
    for c in parts:
        facts = [c.model_type, c.description, f"from {c.supplier.name}" if c.supplier else "",
                 f"licence {c.licence}" if c.licence else ""]  # fmt: skip
        yield Entry(f"{c.kind.title()} {c.name}", "; ".join(f for f in facts if f) or "—",
                    href=f"/components/{c.id}")  # fmt: skip
    if system.bom:
        yield Entry("AI bill of materials", "Imported; the dependency graph is kept",
                    href=f"/systems/{system.id}/bom")  # fmt: skip
    yield _text("Degree of automation", _words(system.automation_level), _edit(system))
    yield _text("Human oversight designed in (Art. 14)", system.human_oversight, _edit(system))
    yield Entry("Verification and validation results (A.6.2.4)",
                "Record test results as evidence or measurement runs", missing=True,
                key="verification")  # fmt: skip


def data(db: Session, ctx: Context, system: AISystem) -> Iterable[Entry]:
    sets = [c for c in _components(db, ctx, system) if c.kind == ComponentKind.DATASET.value]
    if not sets:
        yield Entry("Datasets used", "No dataset component linked", href=f"/systems/{system.id}",
                    missing=True)  # fmt: skip
    for c in sets:
        period = ""
        if c.collection_start or c.collection_end:
            start = c.collection_start.isoformat() if c.collection_start else "?"
            end = c.collection_end.isoformat() if c.collection_end else "?"
            period = f"collected {start} to {end}"
        personal = {True: "personal data", False: "no personal data", None: ""}[c.personal_data]
        facts = [c.data_source or "where it comes from is not recorded", c.acquisition, period,
                 personal]  # fmt: skip
        yield Entry(f"Dataset {c.name}", "; ".join(f for f in facts if f) or NOT_RECORDED,
                    href=f"/components/{c.id}", missing=not c.data_source)  # fmt: skip
        yield Entry(f"Provenance of {c.name}", c.provenance_notes or NOT_RECORDED,
                    href=f"/components/{c.id}/edit", missing=not c.provenance_notes)  # fmt: skip
        yield Entry(f"Quality of {c.name}", c.quality_notes or NOT_RECORDED,
                    href=f"/components/{c.id}/edit", missing=not c.quality_notes)  # fmt: skip


# --- 3 Monitoring, functioning and control -----------------------------------------------------


def monitoring(db: Session, ctx: Context, system: AISystem) -> Iterable[Entry]:
    edit = _edit(system)
    yield _text("Foreseeable misuse and limits", system.foreseeable_misuse, edit)
    groups = ", ".join(_words(g) for g in system.vulnerable_groups or [])
    affected = "; ".join(p for p in (system.affected_persons, groups) if p)
    yield _text("People affected", affected, edit)
    yield _text("Human oversight in operation", system.human_oversight, edit)
    yield _impact_entry(db, ctx, system)


def event_logs(db: Session, ctx: Context, system: AISystem) -> Iterable[Entry]:
    found = service.get_log(db, ctx, system.id)
    href = f"/event-logs/{system.id}"
    record = found.record
    if record is None:
        yield Entry("Event logs (A.6.2.8, Art. 12)", "No record of where the logs are kept",
                    href=href, missing=True, key="event_logs")  # fmt: skip
    else:
        where = " — ".join(p for p in (record.log_system, record.location) if p) or "—"
        months = (f"kept {record.retention_months} months" if record.retention_months is not None
                  else "retention not recorded")  # fmt: skip
        yield Entry("Event logs (A.6.2.8, Art. 12)",
                    f"{where}; {months}; captures {len(record.captures)} item(s)",
                    href=href, key="event_logs")  # fmt: skip
    for flag in found.flags:
        if flag.code != "no_record":
            yield Entry("Event logs fall short", flag.message, href=href, missing=True)


# --- 4 Metrics, 5 Risk management --------------------------------------------------------------


def metrics(db: Session, ctx: Context, system: AISystem) -> Iterable[Entry]:
    from aims.objectives import rules as objective_rules
    from aims.objectives import service as objectives
    from aims.store.listing import ListParams

    goals = objectives.list_objectives(
        db, ctx, ListParams(limit=200).with_filters(system_id=str(system.id))
    ).items
    if not goals:
        yield Entry("Objectives with metrics and targets", "No objective names this system",
                    href=f"/objectives/new?system_id={system.id}", missing=True)  # fmt: skip
    states = objectives.assessments(db, ctx, goals)
    for o in goals:
        target = objective_rules.target_text(objectives.target_of(o), o.unit)
        state = states[o.id]
        yield Entry(f"{o.code} {o.title}",
                    f"{o.metric}: target {target}; {state.measured} measurement(s), "
                    f"{_words(state.state.value)}", href=f"/objectives/{o.id}")  # fmt: skip
    yield Entry("Measured performance (accuracy, fairness, drift)",
                "Add measurement runs for this system", missing=True,
                key="measurements")  # fmt: skip


def risk_management(db: Session, ctx: Context, system: AISystem) -> Iterable[Entry]:
    from aims.risk import service as risk
    from aims.store.listing import ListParams

    found = risk.list_risks(
        db, ctx, ListParams(limit=200).with_filters(system_id=str(system.id))
    ).items
    if not found:
        yield Entry("Risks of this system (6.1.2)", "No risk recorded for this system",
                    href=f"/risks/new?system_id={system.id}", missing=True)  # fmt: skip
    for r in found:
        controls = ", ".join(c.control_id for c in risk.controls_of(db, ctx, r))
        facts = [f"inherent {r.inherent_level}",
                 f"residual {r.residual_level}" if r.residual_level else "residual not scored",
                 f"treatment: {r.treatment_option}" if r.treatment_option else "",
                 f"controls {controls}" if controls else "", r.status]  # fmt: skip
        yield Entry(f"{r.ref} {r.title}", "; ".join(f for f in facts if f),
                    href=f"/risks/{r.id}", missing=not r.treatment_option)  # fmt: skip
    yield _impact_entry(db, ctx, system)
    yield Entry("Controls in operation and their evidence",
                "Record how the selected controls are implemented", missing=True,
                key="controls")  # fmt: skip


# --- 6 Changes, 7 Standards, 8 Declaration, 9 Post-market -------------------------------------


def changes(db: Session, ctx: Context, system: AISystem) -> Iterable[Entry]:
    from aims.impact import service as impact
    from aims.regulation import service as regulation

    records = regulation.history(db, ctx, system)
    if records:
        when = ", ".join(r.classified_at.date().isoformat() for r in records[:5])
        yield Entry("Classifications over time", f"{len(records)} classification(s): {when}",
                    href=f"/systems/{system.id}#classification")  # fmt: skip
    versions = impact.for_system(db, ctx, system)
    if versions:
        yield Entry("Impact assessment revisions",
                    ", ".join(f"r{a.revision} {_words(a.status)}" for a in versions),
                    href=f"/impact/{versions[0].id}")  # fmt: skip
    yield Entry("Record of changes", "Every change to the system's records is in the audit trail",
                href="/audit")  # fmt: skip


def standards(db: Session, ctx: Context, system: AISystem) -> Iterable[Entry]:
    from aims.context import service as context

    found = context.requirements_for_system(db, ctx, system.id)
    if not found:
        yield Entry("Standards, laws and specifications applied", "None linked to this system",
                    href="/context/requirements/new", missing=True)  # fmt: skip
    for req in found:
        facts = [_words(req.kind), req.reference, req.jurisdiction, _words(req.status)]
        yield Entry(req.title, "; ".join(f for f in facts if f),
                    href=f"/context/requirements/{req.id}/edit")  # fmt: skip


def declaration(db: Session, ctx: Context, system: AISystem) -> Iterable[Entry]:
    if not service.is_high_risk(system):
        yield Entry("EU declaration of conformity (Art. 47)",
                    "Not required: the system is not classified high-risk")  # fmt: skip
        return
    provider = (
        AIRole.PROVIDER.value in (system.ai_roles or []) or system.operator_role == "provider"
    )
    note = ("Sign it and keep it as evidence" if provider
            else "The provider draws it up; keep a copy as evidence")  # fmt: skip
    yield Entry("EU declaration of conformity (Art. 47)", note, missing=True,
                key="declaration_of_conformity")  # fmt: skip


def post_market(db: Session, ctx: Context, system: AISystem) -> Iterable[Entry]:
    record = service.record_of(db, ctx, system)
    yield Entry("Event logs feeding monitoring",
                "Recorded" if record else "No event-log record",
                href=f"/event-logs/{system.id}", missing=record is None)  # fmt: skip
    yield Entry("Post-market monitoring plan (Art. 72)", "Keep the plan as evidence",
                missing=True, key="post_market_plan")  # fmt: skip


def register_builtins() -> None:
    for section, fn, name in (
        ("general", general, "inventory"),
        ("general", classification, "classification"),
        ("development", development, "inventory"),
        ("data", data, "inventory"),
        ("monitoring", monitoring, "inventory"),
        ("monitoring", event_logs, "event_logs"),
        ("metrics", metrics, "objectives"),
        ("risk_management", risk_management, "risk"),
        ("changes", changes, "history"),
        ("standards", standards, "context"),
        ("declaration", declaration, "regulation"),
        ("post_market", post_market, "event_logs"),
    ):
        register_source(section, fn, name=name, builtin=True)


register_builtins()
