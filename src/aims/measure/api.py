"""API routes of stored measurement runs: post computed results from CI, upload a log to be
measured here, list, read and (soft) delete runs."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile, status
from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.access.rules import Permission
from aims.api.deps import Ctx, Db, Listing
from aims.api.schemas import PROBLEM_RESPONSES, PageOut
from aims.config import get_settings
from aims.measure import runs
from aims.measure.models import MeasurementRun
from aims.measure.run_schemas import (
    BreachOut,
    FedOut,
    FeedNoteOut,
    RunIn,
    RunOut,
    RunSummaryOut,
)
from aims.measure.schemas import RunRecord

router = APIRouter(prefix="/api/v1", tags=["measurement runs"], responses=PROBLEM_RESPONSES)

UPLOAD_PROBLEMS: dict[int | str, dict[str, object]] = {
    413: {"description": "A log is larger than the upload limit"},
    415: {"description": "A log is neither CSV nor Parquet"},
}


def run_out(db: Session, ctx: Context, run: MeasurementRun) -> RunOut:
    item = runs.evidence_of(db, ctx, run)
    return RunOut(
        id=run.id, ref=run.ref, system_id=run.system_id, system_name=run.system.name,
        kind=run.kind, control_id=run.control_id, input_sha256=run.input_sha256,
        parameters=run.parameters, tool=run.tool, tool_version=run.tool_version,
        results=run.results, metrics=run.metrics, limits=run.limits,
        breaches=[BreachOut.model_validate(b) for b in run.breaches], breached=run.breached,
        source=run.source, note=run.note, run_date=runs.run_date(run),
        evidence_id=item.id if item else None,
        fed=[FedOut(objective_id=o.id, objective_code=o.code, measurement_id=m.id,
                    value=m.value, unit=m.unit) for m, o in runs.fed_measurements(db, ctx, run)],
        not_fed=[FeedNoteOut.model_validate(n) for n in run.feed_notes],
        version=run.version, created_at=run.created_at, url=f"/measurement-runs/{run.id}",
    )  # fmt: skip


def summary_out(run: MeasurementRun) -> RunSummaryOut:
    return RunSummaryOut(
        id=run.id, ref=run.ref, system_id=run.system_id, system_name=run.system.name,
        kind=run.kind, control_id=run.control_id, breached=run.breached,
        breaches=[BreachOut.model_validate(b) for b in run.breaches], source=run.source,
        run_date=runs.run_date(run), version=run.version,
    )  # fmt: skip


@router.post(
    "/systems/{system_id}/measurement-runs",
    response_model=RunOut,
    status_code=status.HTTP_201_CREATED,
    summary="Store a run computed by `aims measure ... --format json` (e.g. in CI)",
)
def post_run(system_id: uuid.UUID, body: RunIn, db: Db, ctx: Ctx) -> RunOut:
    ctx.require(Permission.EDIT)
    record = RunRecord(
        kind=body.kind, tool=body.tool, tool_version=body.tool_version,
        input_sha256=body.input_sha256, parameters=body.parameters, results=body.results,
        metrics=body.metrics,
    )  # fmt: skip
    run = runs.store_run(db, ctx, system_id, record, limits=body.limits,
                         control_id=body.control_id, note=body.note, source="results")  # fmt: skip
    return run_out(db, ctx, run)


def _split(text: str | None) -> list[str] | None:
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    return parts or None


def _lines(texts: list[str] | None) -> list[str]:
    return [line.strip() for t in texts or [] for line in t.splitlines() if line.strip()]


async def _read(file: UploadFile | None, field: str) -> runs.Upload | None:
    if file is None:
        return None
    data = await file.read(get_settings().max_upload_bytes + 1)
    return runs.Upload(data, file.filename or "", field)


@router.post(
    "/systems/{system_id}/measurement-runs/upload",
    response_model=RunOut,
    status_code=status.HTTP_201_CREATED,
    summary="Upload a prediction log (or reference and current logs for drift) to measure here",
    responses=UPLOAD_PROBLEMS,
)
async def upload_run(
    system_id: uuid.UUID,
    db: Db,
    ctx: Ctx,
    kind: Annotated[str, Form(description="fairness, performance, drift or quality")],
    file: Annotated[UploadFile | None, File(description="The log (not for drift)")] = None,
    reference: Annotated[UploadFile | None, File(description="Drift: reference log")] = None,
    current: Annotated[UploadFile | None, File(description="Drift: current log")] = None,
    prediction: Annotated[str | None, Form()] = None,
    truth: Annotated[str | None, Form()] = None,
    score: Annotated[str | None, Form()] = None,
    sensitive: Annotated[str | None, Form(description="Comma-separated columns")] = None,
    positive: Annotated[str | None, Form()] = None,
    min_group: Annotated[int | None, Form()] = None,
    columns: Annotated[str | None, Form(description="Drift: comma-separated columns")] = None,
    bins: Annotated[int | None, Form()] = None,
    psi_warn: Annotated[float | None, Form()] = None,
    psi_drift: Annotated[float | None, Form()] = None,
    alpha: Annotated[float | None, Form()] = None,
    ranges: Annotated[list[str] | None, Form(description="Quality: col=min:max")] = None,
    categories: Annotated[list[str] | None, Form(description="Quality: col=a|b|c")] = None,
    expected_columns: Annotated[str | None, Form()] = None,
    limits: Annotated[list[str] | None, Form(description="metric=min:max, repeat")] = None,
    control_id: Annotated[str | None, Form()] = None,
    note: Annotated[str, Form(max_length=4000)] = "",
) -> RunOut:
    ctx.require(Permission.EDIT)
    runs.get_scoped_system(db, ctx, system_id)
    values = runs.form_options(
        kind,
        {
            "prediction": prediction, "truth": truth, "score": score,
            "sensitive": _split(sensitive), "positive": positive, "min_group": min_group,
            "columns": _split(columns), "bins": bins, "psi_warn": psi_warn,
            "psi_drift": psi_drift, "alpha": alpha, "ranges": _lines(ranges),
            "categories": _lines(categories), "expected_columns": _split(expected_columns),
        },
    )  # fmt: skip
    bounds = runs.parse_limits(_lines(limits))
    choice = runs.choose_control(values.kind, control_id)
    uploads = [
        await _read(f, name)
        for f, name in ((file, "file"), (reference, "reference"), (current, "current"))
    ]
    record = runs.measure_upload(values.kind, runs.needed_uploads(values.kind, *uploads),
                                 values.options)  # fmt: skip
    run = runs.store_run(db, ctx, system_id, record, limits=bounds, control_id=choice,
                         note=note, source="upload")  # fmt: skip
    return run_out(db, ctx, run)


@router.get(
    "/measurement-runs", response_model=PageOut[RunSummaryOut], summary="Stored measurement runs"
)
def list_runs(
    db: Db,
    ctx: Ctx,
    params: Listing,
    system_id: Annotated[uuid.UUID | None, Query()] = None,
    kind: Annotated[
        str | None, Query(description="fairness, performance, drift or quality")
    ] = None,
    breached: Annotated[bool | None, Query(description="Only runs that breached (or not)")] = None,
) -> PageOut[RunSummaryOut]:
    page = runs.list_runs(
        db, ctx,
        params.with_filters(
            system_id=str(system_id) if system_id else None, kind=kind,
            breached=None if breached is None else str(breached).lower(),
        ),
    )  # fmt: skip
    return PageOut.of(page, summary_out)


@router.get("/measurement-runs/{run_id}", response_model=RunOut, summary="One measurement run")
def get_run(run_id: uuid.UUID, db: Db, ctx: Ctx) -> RunOut:
    return run_out(db, ctx, runs.get_run(db, ctx, run_id))


@router.delete("/measurement-runs/{run_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_run(run_id: uuid.UUID, db: Db, ctx: Ctx, version: Annotated[int, Query()]) -> None:
    runs.delete_run(db, ctx, runs.get_run(db, ctx, run_id), version=version)
