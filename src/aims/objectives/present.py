"""An objective as every face shows it, its chart, and the objectives file (API, pages, CLI)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.catalog.loader import get_catalog
from aims.exports.tables import Cell, to_csv, to_xlsx
from aims.objectives import rules, service
from aims.objectives.models import Measurement, Objective
from aims.objectives.rules import Assessment, Direction, Kind, State, Status
from aims.objectives.schemas import MeasurementOut, ObjectiveOut
from aims.store.listing import ListParams
from aims.store.types import utcnow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def target_text(objective: Objective) -> str:
    return rules.target_text(service.target_of(objective), objective.unit)


def objective_out(objective: Objective, assessment: Assessment) -> ObjectiveOut:
    last = assessment.last
    return ObjectiveOut(
        id=objective.id, code=objective.code, title=objective.title,
        description=objective.description, kind=Kind(objective.kind),
        annex_c=objective.annex_c, annex_c_title=get_catalog().annex_c_title(objective.annex_c),
        system_id=objective.system_id,
        system_name=objective.system.name if objective.system else None,
        metric=objective.metric, unit=objective.unit,
        direction=Direction(objective.direction), target=objective.target,
        tolerance=objective.tolerance, range_min=objective.range_min,
        range_max=objective.range_max, baseline=objective.baseline,
        target_text=target_text(objective), due_date=objective.due_date,
        owner=objective.owner.email if objective.owner else None,
        resources=objective.resources, evaluation=objective.evaluation,
        status=Status(objective.status), state=assessment.state, overdue=assessment.overdue,
        trend=assessment.trend, last_value=last.value if last else None,
        last_measured_at=last.measured_at if last else None,
        measurements=assessment.measured, breaches=assessment.breaches,
        version=objective.version, updated_at=objective.updated_at,
    )  # fmt: skip


def one(db: Session, ctx: Context, objective: Objective) -> ObjectiveOut:
    return objective_out(
        objective, service.assess(objective, service.measurements_of(db, ctx, objective))
    )


def many(db: Session, ctx: Context, objectives: Sequence[Objective]) -> list[ObjectiveOut]:
    found = service.assessments(db, ctx, objectives)
    return [objective_out(o, found[o.id]) for o in objectives]


def measurement_out(objective: Objective, m: Measurement, recorded_by: str | None = None) -> (
    MeasurementOut
):  # fmt: skip
    return MeasurementOut(
        id=m.id, objective_id=m.objective_id, value=m.value, unit=m.unit,
        measured_at=m.measured_at, note=m.note, source=m.source, source_ref=m.source_ref,
        meets_target=rules.meets(service.target_of(objective), m.value),
        recorded_by=recorded_by, version=m.version,
    )  # fmt: skip


def measurements_out(
    db: Session, ctx: Context, objective: Objective, items: Sequence[Measurement]
) -> list[MeasurementOut]:
    """Measurements with the name of who recorded each (one query for the names)."""
    names = access.names_of(db, ctx, {m.created_by_id for m in items})
    return [
        measurement_out(objective, m, names.get(m.created_by_id) if m.created_by_id else None)
        for m in items
    ]


def chart_of(objective: Objective, measurements: Sequence[Measurement]) -> rules.Chart:
    return rules.chart(
        service.target_of(objective), service.points_of(measurements), width=680,
        margin=(16, 124, 32, 56), use_range=False,
    )  # fmt: skip


def sparkline(objective: Objective, points: Sequence[rules.Point]) -> rules.Chart:
    return rules.chart(
        service.target_of(objective),
        points,
        width=120,
        height=28,
        margin=(3, 3, 3, 3),
        ticks=2,
        use_range=False,
    )


# --- The objectives file -----------------------------------------------------------------------

HEADER = ["Code", "Objective", "Kind", "Annex C objective", "AI system", "Metric", "Unit",
          "Target", "Direction", "Target value", "Tolerance", "Range min", "Range max",
          "Baseline", "Due", "Owner", "Status", "State", "Overdue", "Last value",
          "Last measured", "Trend", "Measurements", "Breaches", "Resources",
          "How results are evaluated"]  # fmt: skip
WIDTHS = [10, 40, 24, 22, 24, 36, 10, 16, 12, 10, 10, 10, 10, 10, 12, 28, 10, 10, 9, 10, 12,
          11, 8, 8, 36, 36]  # fmt: skip


def _row(o: ObjectiveOut) -> list[Cell]:
    return [
        o.code, o.title, rules.KIND_LABELS[o.kind], o.annex_c_title, o.system_name or "",
        o.metric, o.unit, o.target_text, rules.DIRECTION_LABELS[o.direction], o.target,
        o.tolerance, o.range_min, o.range_max, o.baseline,
        o.due_date.isoformat() if o.due_date else "", o.owner or "", o.status.value,
        rules.STATE_LABELS[o.state], "yes" if o.overdue else "no", o.last_value,
        o.last_measured_at.isoformat() if o.last_measured_at else "",
        o.trend.value if o.trend else "", o.measurements, o.breaches, o.resources, o.evaluation,
    ]  # fmt: skip


def objectives_file(
    db: Session, ctx: Context, fmt: str, params: ListParams | None = None,
    state: State | None = None,
) -> tuple[bytes, str, str]:  # fmt: skip
    """Every matching objective with its last measurement, as XLSX or CSV."""
    params = replace(params or ListParams(), limit=200, cursor=None)
    found: list[ObjectiveOut] = []
    while True:
        page = service.list_objectives(db, ctx, params, state=state)
        found += many(db, ctx, page.items)
        if not page.next_cursor:
            break
        params = replace(params, cursor=page.next_cursor)
    rows = [_row(o) for o in found]
    stamp = utcnow().strftime("%Y%m%d")
    if fmt == "csv":
        return to_csv(HEADER, rows), "text/csv; charset=utf-8", f"ai-objectives-{stamp}.csv"
    org = access.get_organisation(db, ctx).name
    about = [("Organisation", org), ("Objectives", str(len(found))),
             ("Clauses", "ISO/IEC 42001 6.2, A.6.1.2, A.9.3")]  # fmt: skip
    book = to_xlsx(sheet="AI objectives", header=HEADER, rows=rows, widths=WIDTHS, about=about)
    return book, XLSX, f"ai-objectives-{stamp}.xlsx"
