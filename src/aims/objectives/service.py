"""AI objective use cases (6.2, A.6.1.2, A.9.3): objectives, their measurements, their derived
state, and what the dashboard should show. Services flush, never commit."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.access.rules import Permission
from aims.catalog.loader import get_catalog
from aims.comments import service as comments
from aims.errors import Conflict, FieldError, NotFound, ValidationFailed
from aims.objectives import rules
from aims.objectives.models import Measurement, Objective
from aims.objectives.rules import Assessment, Direction, Point, State, Status, Target
from aims.objectives.schemas import MeasurementIn, ObjectiveFields
from aims.store.listing import ListParams, ListSpec, Page, paginate
from aims.store.scoping import check_version, get_scoped, scoped
from aims.store.types import utcnow
from aims.systems import service as systems

LABEL = "objective"


def today() -> date:
    return utcnow().date()


def _fail(problems: Iterable[tuple[str, str]]) -> None:
    errors = [FieldError(("body", name), msg) for name, msg in problems]
    if errors:
        raise ValidationFailed("; ".join(f"{e.loc[-1]}: {e.msg}" for e in errors), errors=errors)


def target_of(objective: Objective) -> Target:
    return Target(
        direction=Direction(objective.direction), target=objective.target,
        tolerance=objective.tolerance, range_min=objective.range_min,
        range_max=objective.range_max,
    )  # fmt: skip


# --- Objectives --------------------------------------------------------------------------------


def _check_annex_c(value: str | None) -> None:
    known = {o.id for o in get_catalog().objectives}
    if value is not None and value not in known:
        _fail([("annex_c", f"not an Annex C objective; one of: {', '.join(sorted(known))}")])


def _apply(
    db: Session, ctx: Context, objective: Objective, fields: Mapping[str, Any], *, new: bool
) -> None:
    """Set the fields, then check the objective as a whole (its numbers and, when it has
    measurements, that they still fit its unit and range)."""
    values = dict(fields)
    _check_annex_c(values.get("annex_c"))
    if values.get("system_id") is not None:
        values["system_id"] = systems.get_system(db, ctx, values["system_id"]).id
    if "owner_email" in values:
        objective.owner_id = access.member_id(
            db, ctx, values.pop("owner_email"), field="owner_email"
        )
    for key, value in values.items():
        setattr(objective, key, value.value if isinstance(value, StrEnum) else value)
    # Moving away from 'equal within' drops the tolerance it no longer uses (else a PATCH of
    # the direction alone was refused for a tolerance nobody sent).
    if not new and "direction" in values and "tolerance" not in values:
        objective.tolerance = (
            objective.tolerance if objective.direction == Direction.WITHIN.value else None
        )
    target = target_of(objective)
    _fail(
        rules.objective_problems(
            target, baseline=objective.baseline, unit=objective.unit, metric=objective.metric
        )
    )
    if not new and {"unit", "range_min", "range_max"} & set(values):
        _check_stored_measurements(db, ctx, objective, target)


def _check_stored_measurements(
    db: Session, ctx: Context, objective: Objective, target: Target
) -> None:
    stored = _live_measurements(db, ctx, [objective.id]).get(objective.id, [])
    if any(not rules.same_unit(m.unit, objective.unit) for m in stored):
        _fail([("unit", f"{len(stored)} measurement(s) are recorded in '{stored[0].unit}'; "
                        "delete them first or start a new objective")])  # fmt: skip
    outside = [
        m for m in stored
        if (target.range_min is not None and m.value < target.range_min)
        or (target.range_max is not None and m.value > target.range_max)
    ]  # fmt: skip
    if outside:
        dates = ", ".join(str(m.measured_at) for m in outside[:5])
        _fail([("range_min" if target.range_min is not None and
                any(m.value < target.range_min for m in outside) else "range_max",
                f"measurements of {dates} fall outside this range")])  # fmt: skip


def _next_code(db: Session, ctx: Context) -> str:
    count = db.scalar(
        select(func.count())
        .select_from(Objective)
        .where(Objective.organisation_id == ctx.organisation_id)
    )
    return f"OBJ-{int(count or 0) + 1:03d}"


def create_objective(db: Session, ctx: Context, fields: ObjectiveFields) -> Objective:
    ctx.require(Permission.EDIT)
    objective = Objective(organisation_id=ctx.organisation_id, code=_next_code(db, ctx))
    with db.no_autoflush:
        _apply(db, ctx, objective, fields.model_dump(exclude_unset=True), new=True)
    db.add(objective)
    db.flush()
    return objective


def get_objective(db: Session, ctx: Context, objective_id: uuid.UUID | str) -> Objective:
    ctx.require(Permission.READ)
    return get_scoped(db, Objective, ctx.organisation_id, objective_id, label=LABEL)


def find_objective(db: Session, ctx: Context, key: str) -> Objective:
    """An objective by its code (OBJ-001, any case) or its id: what the CLI accepts."""
    ctx.require(Permission.READ)
    found = db.scalars(
        scoped(Objective, ctx.organisation_id).where(Objective.code == key.strip().upper())
    ).first()
    return found if found is not None else get_objective(db, ctx, key.strip())


def update_objective(
    db: Session, ctx: Context, objective: Objective, fields: ObjectiveFields, *, version: int
) -> Objective:
    ctx.require(Permission.EDIT)
    check_version(objective, version, label="The objective")
    with db.no_autoflush:
        _apply(
            db,
            ctx,
            objective,
            fields.model_dump(exclude_unset=True, exclude={"version"}),
            new=False,
        )
    db.flush()
    db.expire(objective, ["owner", "system"])  # loaded before their ids changed
    return objective


def delete_objective(db: Session, ctx: Context, objective: Objective, *, version: int) -> None:
    """Soft delete: the objective leaves the lists and can be restored; history stays."""
    ctx.require(Permission.EDIT)
    check_version(objective, version, label="The objective")
    objective.mark_deleted(ctx.user_id)
    db.flush()


def restore_objective(db: Session, ctx: Context, objective_id: uuid.UUID | str) -> Objective:
    ctx.require(Permission.EDIT)
    objective = get_scoped(
        db, Objective, ctx.organisation_id, objective_id, label=LABEL, deleted=True
    )
    if objective.deleted_at is not None:
        objective.restore()
        db.flush()
    return objective


OBJECTIVE_LIST = ListSpec(
    id_column=Objective.id,
    sortable={
        "code": Objective.code,
        "title": Objective.title,
        "updated_at": Objective.updated_at,
        "created_at": Objective.created_at,
    },
    default_sort="code",
    filterable={
        "kind": Objective.kind,
        "status": Objective.status,
        "annex_c": Objective.annex_c,
        "system_id": Objective.system_id,
        "owner_id": Objective.owner_id,
    },
    searchable=(Objective.code, Objective.title, Objective.metric, Objective.description),
)


def list_objectives(
    db: Session, ctx: Context, params: ListParams, *, state: State | None = None,
    overdue: bool | None = None,
) -> Page[Objective]:  # fmt: skip
    """A page of objectives; ``state`` and ``overdue`` are derived, so they narrow the query to
    the ids whose assessment matches before paging."""
    ctx.require(Permission.READ)
    stmt = scoped(Objective, ctx.organisation_id)
    if state is not None or overdue is not None:
        every = list(db.scalars(scoped(Objective, ctx.organisation_id)))
        found = assessments(db, ctx, every)
        keep = [
            o.id for o in every
            if (state is None or found[o.id].state == state)
            and (overdue is None or found[o.id].overdue == overdue)
        ]  # fmt: skip
        stmt = stmt.where(Objective.id.in_(keep))
    return paginate(db, stmt, OBJECTIVE_LIST, params)


def _comment_subject(db: Session, ctx: Context, subject_id: str) -> str:
    return str(get_objective(db, ctx, subject_id).id)


# Owners, reviewers and auditors discuss an objective's results on its page.
comments.register_subject("objective", _comment_subject)


# --- Measurements ------------------------------------------------------------------------------


def _live_measurements(
    db: Session, ctx: Context, objective_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[Measurement]]:
    ids = list(objective_ids)
    found: dict[uuid.UUID, list[Measurement]] = defaultdict(list)
    if not ids:
        return found
    rows = db.scalars(
        scoped(Measurement, ctx.organisation_id)
        .where(Measurement.objective_id.in_(ids))
        .order_by(Measurement.measured_at, Measurement.created_at)
    )
    for m in rows:
        found[m.objective_id].append(m)
    return found


def measurements_of(db: Session, ctx: Context, objective: Objective) -> list[Measurement]:
    """Every live measurement, oldest first."""
    ctx.require(Permission.READ)
    return _live_measurements(db, ctx, [objective.id]).get(objective.id, [])


MEASUREMENT_LIST = ListSpec(
    id_column=Measurement.id,
    sortable={
        "measured_at": Measurement.measured_at,
        "created_at": Measurement.created_at,
    },
    default_sort="measured_at",
    filterable={"source": Measurement.source},
    searchable=(Measurement.note,),
)


def list_measurements(
    db: Session, ctx: Context, objective: Objective, params: ListParams
) -> Page[Measurement]:
    ctx.require(Permission.READ)
    stmt = scoped(Measurement, ctx.organisation_id).where(Measurement.objective_id == objective.id)
    return paginate(db, stmt, MEASUREMENT_LIST, params)


def add_measurement(
    db: Session,
    ctx: Context,
    objective: Objective,
    body: MeasurementIn,
    *,
    source: str = "manual",
    source_ref: str = "",
) -> Measurement:
    """Record a value; a value in another unit, outside the declared range or dated in the
    future is refused naming the field."""
    ctx.require(Permission.EDIT)
    when = body.measured_at or today()
    _fail(
        rules.measurement_problems(
            target_of(objective), objective_unit=objective.unit, value=body.value,
            unit=body.unit, measured_at=when, today=today(),
        )
    )  # fmt: skip
    measurement = Measurement(
        organisation_id=ctx.organisation_id, objective_id=objective.id, value=body.value,
        unit=objective.unit, measured_at=when, note=body.note, source=source,
        source_ref=source_ref,
    )  # fmt: skip
    db.add(measurement)
    db.flush()
    return measurement


def _measurement(
    db: Session, ctx: Context, objective: Objective, measurement_id: uuid.UUID | str, *,
    deleted: bool = False,
) -> Measurement:  # fmt: skip
    found = get_scoped(
        db, Measurement, ctx.organisation_id, measurement_id, label="measurement", deleted=deleted
    )
    if found.objective_id != objective.id:
        raise NotFound(f"no measurement {measurement_id} on {objective.code}")
    return found


def delete_measurement(
    db: Session, ctx: Context, objective: Objective, measurement_id: uuid.UUID | str, *,
    version: int,
) -> Measurement:  # fmt: skip
    ctx.require(Permission.EDIT)
    measurement = _measurement(db, ctx, objective, measurement_id)
    check_version(measurement, version, label="The measurement")
    measurement.mark_deleted(ctx.user_id)
    db.flush()
    return measurement


def restore_measurement(
    db: Session, ctx: Context, objective: Objective, measurement_id: uuid.UUID | str
) -> Measurement:
    ctx.require(Permission.EDIT)
    measurement = _measurement(db, ctx, objective, measurement_id, deleted=True)
    if measurement.deleted_at is None:
        return measurement
    if not rules.same_unit(measurement.unit, objective.unit):
        raise Conflict(
            f"the objective is now measured in '{objective.unit}', this measurement in "
            f"'{measurement.unit}'"
        )
    # The range may have narrowed while it was deleted (only live values are checked then).
    outside = rules.measurement_problems(
        target_of(objective), objective_unit=objective.unit, value=measurement.value,
        unit=measurement.unit, measured_at=measurement.measured_at,
        today=max(today(), measurement.measured_at),
    )  # fmt: skip
    if outside:
        raise Conflict(f"this measurement no longer fits the objective: {outside[0][1]}")
    measurement.restore()
    db.flush()
    return measurement


# --- Derived state -----------------------------------------------------------------------------


def points_of(measurements: Iterable[Measurement]) -> list[Point]:
    return [Point(measured_at=m.measured_at, value=m.value) for m in measurements]


def assess(objective: Objective, measurements: Iterable[Measurement]) -> Assessment:
    return rules.assess(
        target_of(objective), points_of(measurements), status=Status(objective.status),
        due_date=objective.due_date, today=today(),
    )  # fmt: skip


def assessments(
    db: Session, ctx: Context, objectives: Iterable[Objective]
) -> dict[uuid.UUID, Assessment]:
    """Each objective's assessment, with one query for all their measurements."""
    items = list(objectives)
    by_objective = _live_measurements(db, ctx, [o.id for o in items])
    return {o.id: assess(o, by_objective.get(o.id, [])) for o in items}


def series(
    db: Session, ctx: Context, objectives: Iterable[Objective]
) -> dict[uuid.UUID, list[Point]]:
    """Each objective's measured points, oldest first (for sparklines)."""
    items = list(objectives)
    by_objective = _live_measurements(db, ctx, [o.id for o in items])
    return {o.id: points_of(by_objective.get(o.id, [])) for o in items}


@dataclass(frozen=True)
class Flagged:
    objective: Objective
    assessment: Assessment


@dataclass(frozen=True)
class ObjectiveAttention:
    """What the dashboard lists: objectives whose newest value misses the target, and
    objectives past their due date without the target met."""

    breached: list[Flagged]
    overdue: list[Flagged]

    @property
    def empty(self) -> bool:
        return not self.breached and not self.overdue


def attention(db: Session, ctx: Context) -> ObjectiveAttention:
    ctx.require(Permission.READ)
    live = list(
        db.scalars(
            scoped(Objective, ctx.organisation_id)
            .where(Objective.status == Status.ACTIVE.value)
            .order_by(Objective.code)
        )
    )
    found = assessments(db, ctx, live)
    return ObjectiveAttention(
        breached=[Flagged(o, found[o.id]) for o in live if found[o.id].state == State.BREACHED],
        overdue=[Flagged(o, found[o.id]) for o in live if found[o.id].overdue],
    )
