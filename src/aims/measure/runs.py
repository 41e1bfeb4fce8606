"""Stored measurement runs: a run becomes evidence for a control on one AI system, feeds the
objectives that name its metrics, and flags a breach of its limits (9.1, 10.2 candidate).

Storing a run is one unit of work: the run, its evidence item (a record of type
``measurement_run``) with its links, and the objectives' measurements. A run is never edited;
editors may soft-delete it (its evidence item and the measurements it fed go with it).
"""

from __future__ import annotations

import math
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.access.rules import Permission
from aims.config import Settings, get_settings
from aims.errors import AimsError, FieldError, ValidationFailed
from aims.evidence import service as evidence
from aims.evidence.models import EvidenceItem
from aims.measure import rules
from aims.measure.models import MeasurementRun
from aims.measure.schemas import (
    DriftOptions,
    DriftResult,
    FairnessOptions,
    FairnessResult,
    PerformanceOptions,
    PerformanceResult,
    QualityOptions,
    QualityResult,
    Result,
    RunRecord,
)
from aims.store.listing import ListParams, ListSpec, Page, paginate
from aims.store.scoping import check_version, get_scoped, scoped
from aims.store.types import utcnow

LABEL = "measurement run"
RECORD_TYPE = "measurement_run"
KINDS = ("fairness", "performance", "drift", "quality")
SOURCES = ("upload", "results", "cli")
RESULT_TYPES: dict[str, type[Result]] = {
    "fairness": FairnessResult,
    "performance": PerformanceResult,
    "drift": DriftResult,
    "quality": QualityResult,
}
OPTION_TYPES: dict[str, type[BaseModel]] = {
    "fairness": FairnessOptions,
    "performance": PerformanceOptions,
    "drift": DriftOptions,
    "quality": QualityOptions,
}
Options = FairnessOptions | PerformanceOptions | DriftOptions | QualityOptions
Limits = Mapping[str, Sequence[float | None]]


def invalid(field: str | tuple[str | int, ...], msg: str) -> ValidationFailed:
    loc = ("body", field) if isinstance(field, str) else ("body", *field)
    return ValidationFailed(msg, errors=[FieldError(loc, msg)])


def _pydantic_failed(exc: ValidationError, prefix: str) -> ValidationFailed:
    errors = [
        FieldError(("body", prefix, *(str(p) for p in e["loc"])), e["msg"]) for e in exc.errors()
    ]
    return ValidationFailed("; ".join(f"{prefix}: {e.msg}" for e in errors), errors=errors)


# --- Checking what is stored -------------------------------------------------------------------


def _hex64(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def check_record(record: RunRecord) -> RunRecord:
    """The record as stored: results checked against the kind's shape, parameters against its
    options, inputs as SHA-256 digests, and the flat metrics recomputed from the results (a
    posted ``metrics`` that does not follow from the results is refused)."""
    kind = record.kind
    try:
        result = RESULT_TYPES[kind].model_validate(record.results)
    except ValidationError as exc:
        raise _pydantic_failed(exc, "results") from exc
    try:
        OPTION_TYPES[kind].model_validate(record.parameters)
    except ValidationError as exc:
        raise _pydantic_failed(exc, "parameters") from exc
    wanted = {"reference", "current"} if kind == "drift" else {"data"}
    if set(record.input_sha256) != wanted:
        raise invalid("input_sha256", f"a {kind} run names its input(s) as {sorted(wanted)}")
    for name, digest in record.input_sha256.items():
        if not _hex64(digest):
            raise invalid(("input_sha256", name), "must be a SHA-256 in lowercase hex")
    inputs = (
        {"reference": result.reference_sha256, "current": result.current_sha256}
        if isinstance(result, DriftResult)
        else {"data": result.input_sha256}
    )
    if inputs != record.input_sha256:
        raise invalid("input_sha256", "does not match the SHA-256 in the results")
    if not record.tool.strip() or len(record.tool) > 80:
        raise invalid("tool", "give the tool's name (1 to 80 characters)")
    if not record.tool_version.strip() or len(record.tool_version) > 40:
        raise invalid("tool_version", "give the tool's version (1 to 40 characters)")
    metrics = result.metrics()
    if record.metrics and not _same_metrics(record.metrics, metrics):
        raise invalid("metrics", "do not follow from the results; send the results as computed")
    return record.model_copy(update={"metrics": metrics, "results": result.model_dump(mode="json")})


def _same_metrics(a: Mapping[str, float | None], b: Mapping[str, float | None]) -> bool:
    if set(a) != set(b):
        return False
    for key, x in a.items():
        y = b[key]
        if (x is None) != (y is None):
            return False
        if x is not None and y is not None and not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12):
            return False
    return True


def check_limits(limits: Limits | None) -> dict[str, list[float | None]]:
    limits = limits or {}
    problems = rules.limit_problems(limits)
    if problems:
        errors = [FieldError(("body", "limits", name), msg) for name, msg in problems]
        raise ValidationFailed("; ".join(f"{n}: {m}" for n, m in problems), errors=errors)
    return {name.strip(): [b[0], b[1]] for name, b in limits.items()}


def choose_control(kind: str, control_id: str | None) -> str:
    chosen = (control_id or "").strip().upper() or rules.DEFAULT_CONTROL[kind]
    if chosen not in rules.RUN_CONTROLS:
        raise invalid("control_id", f"must be one of: {', '.join(rules.RUN_CONTROLS)}")
    return chosen


# --- Storing a run -----------------------------------------------------------------------------


def _next_ref(db: Session, ctx: Context) -> str:
    count = db.scalar(
        select(func.count())
        .select_from(MeasurementRun)
        .where(MeasurementRun.organisation_id == ctx.organisation_id)
    )
    return f"RUN-{int(count or 0) + 1:03d}"


def store_run(
    db: Session,
    ctx: Context,
    system_id: uuid.UUID | str,
    record: RunRecord,
    *,
    limits: Limits | None = None,
    control_id: str | None = None,
    note: str = "",
    source: str = "results",
) -> MeasurementRun:
    """Keep a run (see the module): the run, its evidence item and links, the objectives fed."""
    from aims.systems import service as systems

    ctx.require(Permission.EDIT)
    system = systems.get_system(db, ctx, system_id)
    if source not in SOURCES:
        raise invalid("source", f"must be one of: {', '.join(SOURCES)}")
    if len(note) > 4000:
        raise invalid("note", "at most 4000 characters")
    record = check_record(record)
    bounds = check_limits(limits)
    control = choose_control(record.kind, control_id)
    found = rules.breaches(record.metrics, {k: (v[0], v[1]) for k, v in bounds.items()})
    run = MeasurementRun(
        organisation_id=ctx.organisation_id, ref=_next_ref(db, ctx), system_id=system.id,
        kind=record.kind, control_id=control, input_sha256=dict(record.input_sha256),
        parameters=record.parameters, tool=record.tool.strip(),
        tool_version=record.tool_version.strip(), results=record.results,
        metrics=record.metrics, limits=bounds,
        breaches=[{"metric": b.metric, "value": b.value, "min": b.minimum, "max": b.maximum}
                  for b in found],
        breached=bool(found), source=source, note=note.strip(),
    )  # fmt: skip
    run.feed_notes = _feed_objectives(db, ctx, run, system.id)
    db.add(run)
    db.flush()
    _add_evidence(db, ctx, run, system.name)
    return run


def _feed_objectives(
    db: Session, ctx: Context, run: MeasurementRun, system_id: uuid.UUID
) -> list[dict[str, str]]:
    """A measurement for every active objective of the system that names one of the run's
    metrics; an objective that refuses the value is noted, and nothing else fails."""
    from aims.objectives import service as objectives
    from aims.objectives.models import Objective
    from aims.objectives.schemas import MeasurementIn

    notes: list[dict[str, str]] = []
    goals = db.scalars(
        scoped(Objective, ctx.organisation_id)
        .where(Objective.system_id == system_id, Objective.status == "active")
        .order_by(Objective.code)
    ).unique()
    for goal in goals:
        metric = rules.metric_for(goal.metric, run.metrics)
        if metric is None:
            continue
        value = run.metrics[metric]
        if value is None:
            notes.append({"objective": goal.code, "metric": metric,
                          "reason": "the metric is undefined in this run"})  # fmt: skip
            continue
        body = MeasurementIn.model_validate(
            {"value": value, "unit": goal.unit, "measured_at": run_date(run),
             "note": f"From measurement run {run.ref} ({metric})"}
        )  # fmt: skip
        try:
            with db.begin_nested():
                objectives.add_measurement(
                    db, ctx, goal, body, source="run", source_ref=str(run.id)
                )
        except AimsError as exc:
            notes.append({"objective": goal.code, "metric": metric, "reason": exc.detail})
    return notes


def run_date(run: MeasurementRun) -> date:
    return (run.created_at or utcnow()).date()


def _add_evidence(db: Session, ctx: Context, run: MeasurementRun, system_name: str) -> None:
    from aims.controls import service as controls

    verdict = "limits breached" if run.breached else "within limits" if run.limits else "no limits"
    fields = evidence.ItemFields(
        title=f"{run.ref} {run.kind} measurement of {system_name}"[:300],
        evidence_date=run_date(run),
        description=f"Measurement run by {run.tool} {run.tool_version}; {verdict}.",
    )
    item = evidence.add_record(db, ctx, fields, record_type=RECORD_TYPE, record_id=str(run.id))
    evidence.link(db, ctx, item, "system", str(run.system_id))
    impl = next(
        (c for c in controls.controls_for_system(db, ctx, run.system_id)
         if c.control_id == run.control_id),
        None,
    )  # fmt: skip
    if impl is not None:
        evidence.link(db, ctx, item, "implementation", str(impl.id))
    else:
        evidence.link(db, ctx, item, "control", run.control_id)


def _resolve(db: Session, ctx: Context, record_id: str) -> evidence.RecordRef:
    run = get_scoped(db, MeasurementRun, ctx.organisation_id, record_id, label=LABEL)
    return evidence.RecordRef(f"{run.ref} {run.kind} run", f"/measurement-runs/{run.id}")


evidence.register_record(RECORD_TYPE, _resolve)


# --- Reading -----------------------------------------------------------------------------------


def get_run(db: Session, ctx: Context, run_id: uuid.UUID | str) -> MeasurementRun:
    ctx.require(Permission.READ)
    return get_scoped(db, MeasurementRun, ctx.organisation_id, run_id, label=LABEL)


def find_run(db: Session, ctx: Context, key: str) -> MeasurementRun:
    """A run by id or by its reference (RUN-001)."""
    ctx.require(Permission.READ)
    found = db.scalars(
        scoped(MeasurementRun, ctx.organisation_id).where(MeasurementRun.ref == key.upper())
    ).first()
    return found if found is not None else get_run(db, ctx, key)


def evidence_of(db: Session, ctx: Context, run: MeasurementRun) -> EvidenceItem | None:
    return db.scalars(
        scoped(EvidenceItem, ctx.organisation_id).where(
            EvidenceItem.record_type == RECORD_TYPE, EvidenceItem.record_id == str(run.id)
        )
    ).first()


def fed_measurements(db: Session, ctx: Context, run: MeasurementRun) -> list[Any]:
    """(measurement, objective) pairs the run fed."""
    from aims.objectives.models import Measurement, Objective

    rows = db.execute(
        select(Measurement, Objective)
        .join(Objective, Objective.id == Measurement.objective_id)
        .where(
            Measurement.organisation_id == ctx.organisation_id,
            Measurement.deleted_at.is_(None),
            Measurement.source == "run",
            Measurement.source_ref == str(run.id),
        )
        .order_by(Objective.code)
    ).all()
    return [tuple(r) for r in rows]


RUN_LIST = ListSpec(
    id_column=MeasurementRun.id,
    sortable={
        "ref": MeasurementRun.ref,
        "created_at": MeasurementRun.created_at,
        "kind": MeasurementRun.kind,
    },
    default_sort="-created_at",
    filterable={
        "system_id": MeasurementRun.system_id,
        "kind": MeasurementRun.kind,
        "breached": MeasurementRun.breached,
        "control_id": MeasurementRun.control_id,
        "source": MeasurementRun.source,
    },
    searchable=(MeasurementRun.ref, MeasurementRun.note, MeasurementRun.kind),
)


def list_runs(db: Session, ctx: Context, params: ListParams) -> Page[MeasurementRun]:
    ctx.require(Permission.READ)
    return paginate(db, scoped(MeasurementRun, ctx.organisation_id), RUN_LIST, params)


def latest_runs(
    db: Session, ctx: Context, system_id: uuid.UUID | None = None
) -> list[MeasurementRun]:
    """The latest live run per (system, kind), optionally of one system."""
    ctx.require(Permission.READ)
    stmt = scoped(MeasurementRun, ctx.organisation_id).order_by(
        MeasurementRun.created_at.desc(), MeasurementRun.ref.desc()
    )
    if system_id is not None:
        stmt = stmt.where(MeasurementRun.system_id == system_id)
    latest: dict[tuple[uuid.UUID, str], MeasurementRun] = {}
    for run in db.scalars(stmt).unique():
        latest.setdefault((run.system_id, run.kind), run)
    return sorted(latest.values(), key=lambda r: (r.system.name, r.kind))


def attention(db: Session, ctx: Context) -> list[MeasurementRun]:
    """What the dashboard flags (9.1; nonconformity candidates for 10.2): the latest run per
    system and kind, when it breached its limits."""
    return [r for r in latest_runs(db, ctx) if r.breached]


def page_context(db: Session, ctx: Context, system: Any) -> dict[str, Any]:
    """What a system's page shows of its runs; include ``measurement_runs_template``."""
    return {
        "measurement_runs_template": "measure/system_section.html",
        "measurement_runs": latest_runs(db, ctx, system.id),
    }


# --- Deleting ----------------------------------------------------------------------------------


def delete_run(db: Session, ctx: Context, run: MeasurementRun, *, version: int) -> None:
    """Soft delete by an editor: the run stops counting as evidence and stops feeding."""
    from aims.objectives.models import Measurement

    ctx.require(Permission.EDIT)
    check_version(run, version, label="The measurement run")
    run.mark_deleted(ctx.user_id)
    item = evidence_of(db, ctx, run)
    if item is not None:
        item.mark_deleted(ctx.user_id)
    for m in db.scalars(
        scoped(Measurement, ctx.organisation_id).where(
            Measurement.source == "run", Measurement.source_ref == str(run.id)
        )
    ):
        m.mark_deleted(ctx.user_id)
    db.flush()


# --- Measuring an upload -----------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """One uploaded log: its bytes and the name it was sent with."""

    data: bytes
    filename: str
    field: str = "file"


def _log_suffix(upload: Upload, settings: Settings) -> str:
    """``.parquet`` or ``.csv`` by content; 413 over the limit, 415 for anything else."""
    if len(upload.data) > settings.max_upload_bytes:
        msg = "the file is larger than the upload limit"
        raise evidence.TooLarge(
            f"{upload.filename or upload.field} is {len(upload.data)} bytes; the limit is "
            f"{settings.max_upload_bytes} bytes",
            errors=[FieldError(("body", upload.field), msg)],
        )
    if not upload.data:
        raise invalid(upload.field, "choose a CSV or Parquet file")
    if upload.data[:4] == b"PAR1" and upload.data[-4:] == b"PAR1":
        return ".parquet"
    head = upload.data[:65536]
    try:
        head.decode("utf-8")
        text = b"\x00" not in head
    except UnicodeDecodeError as exc:  # a multi-byte character cut at the end is still text
        text = exc.start >= len(head) - 3 and b"\x00" not in head
    if not text:
        msg = "the file is neither CSV (text) nor Parquet"
        raise evidence.UnsupportedType(msg, errors=[FieldError(("body", upload.field), msg)])
    return ".csv"


def measure_upload(
    kind: str,
    uploads: Sequence[Upload],
    options: Options,
    *,
    settings: Settings | None = None,
) -> RunRecord:
    """Measure uploaded log(s) server-side in a temporary folder (deleted afterwards)."""
    from aims.measure import service

    settings = settings or get_settings()
    suffixes = [_log_suffix(u, settings) for u in uploads]
    with tempfile.TemporaryDirectory(prefix="aims-run-") as folder:
        paths = []
        for i, (u, suffix) in enumerate(zip(uploads, suffixes, strict=True)):
            path = Path(folder) / f"{u.field}-{i}{suffix}"
            path.write_bytes(u.data)
            paths.append(path)
        try:
            result: Result
            if kind == "drift":
                assert isinstance(options, DriftOptions)
                result = service.drift(paths[0], paths[1], options)
            elif kind == "fairness":
                assert isinstance(options, FairnessOptions)
                result = service.fairness(paths[0], options)
            elif kind == "performance":
                assert isinstance(options, PerformanceOptions)
                result = service.performance(paths[0], options)
            else:
                assert isinstance(options, QualityOptions)
                result = service.quality(paths[0], options)
        except ValidationFailed as exc:
            raise _renamed(exc, uploads, paths) from exc
    return service.record(result, options)


_FIELDS = {"data": "file", "reference": "reference", "current": "current"}


def _renamed(exc: ValidationFailed, uploads: Sequence[Upload], paths: list[Path]) -> Exception:
    """The engine's message with the uploaded names in place of the temporary ones."""

    def clean(text: str) -> str:
        for u, p in zip(uploads, paths, strict=True):
            name = u.filename or u.field
            text = text.replace(str(p), name).replace(p.name, name)
        return text

    errors = []
    for e in exc.errors:
        field = str(e.loc[-1]) if e.loc else "file"
        errors.append(FieldError(("body", _FIELDS.get(field, field)), clean(e.msg)))
    return ValidationFailed(clean(exc.detail), errors=errors)


def options_for(kind: str, values: Mapping[str, Any]) -> Options:
    """The kind's options from form-like values (422 naming the field)."""
    if kind not in KINDS:
        raise invalid("kind", f"must be one of: {', '.join(KINDS)}")
    try:
        opts = OPTION_TYPES[kind].model_validate(dict(values))
    except ValidationError as exc:
        errors = [FieldError(("body", *(str(p) for p in e["loc"])), e["msg"]) for e in exc.errors()]
        raise ValidationFailed("; ".join(e.msg for e in errors), errors=errors) from exc
    assert isinstance(opts, FairnessOptions | PerformanceOptions | DriftOptions | QualityOptions)
    return opts


def parse_limits(texts: Sequence[str]) -> dict[str, list[float | None]]:
    """``metric=min:max`` lines (either end may be empty) → limits; 422 on ``limits``."""
    found: dict[str, list[float | None]] = {}
    for text in texts:
        for line in text.replace(";", "\n").splitlines():
            if not line.strip():
                continue
            try:
                name, low, high = rules.parse_range(line.strip())
            except ValueError as exc:
                raise invalid("limits", str(exc)) from exc
            found[name] = [low, high]
    return check_limits(found)


def get_scoped_system(db: Session, ctx: Context, system_id: uuid.UUID | str) -> Any:
    from aims.systems import service as systems

    return systems.get_system(db, ctx, system_id)


@dataclass(frozen=True)
class FormOptions:
    kind: str
    options: Options


def form_options(kind: str, raw: Mapping[str, Any]) -> FormOptions:
    """The kind's options from form fields (empty ones left to their defaults); quality's
    ranges are ``col=min:max`` lines and its categories ``col=a|b|c`` lines."""
    kind = (kind or "").strip().lower()
    if kind not in KINDS:
        raise invalid("kind", f"must be one of: {', '.join(KINDS)}")
    known = OPTION_TYPES[kind].model_fields
    values = {k: v for k, v in raw.items() if k in known and v not in (None, [], "")}
    if kind == "quality":
        try:
            values["ranges"] = {
                c: (lo, hi) for c, lo, hi in map(rules.parse_range, values.get("ranges", []))
            }
        except ValueError as exc:
            raise invalid("ranges", str(exc)) from exc
        try:
            values["categories"] = dict(map(rules.parse_categories, values.get("categories", [])))
        except ValueError as exc:
            raise invalid("categories", str(exc)) from exc
    return FormOptions(kind, options_for(kind, values))


def needed_uploads(
    kind: str, file: Upload | None, reference: Upload | None, current: Upload | None
) -> list[Upload]:
    """The logs a kind needs: reference and current for drift, one log otherwise."""
    wanted = {"reference": reference, "current": current} if kind == "drift" else {"file": file}
    missing = [name for name, u in wanted.items() if u is None or not u.filename]
    if missing:
        errors = [FieldError(("body", m), "choose a CSV or Parquet file") for m in missing]
        raise ValidationFailed(f"choose the log(s): {', '.join(missing)}", errors=errors)
    return [u for u in wanted.values() if u is not None]
