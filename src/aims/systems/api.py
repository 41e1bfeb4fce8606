"""API routes for AI systems, components and parties."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile, status
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from aims.api.deps import Ctx, Db, Listing
from aims.api.schemas import PROBLEM_RESPONSES, PageOut
from aims.errors import FieldError, ValidationFailed
from aims.exports.http import attachment
from aims.systems import bomstore, imports, service
from aims.systems.models import AISystem, Component
from aims.systems.schemas import (
    ComponentIn,
    ComponentOut,
    ComponentPatch,
    LinkIn,
    PartyIn,
    PartyOut,
    SystemIn,
    SystemOut,
    SystemPatch,
)
from aims.systems.vocab import ComponentKind, LifecycleStage, OperatorRole

router = APIRouter(prefix="/api/v1", tags=["inventory"], responses=PROBLEM_RESPONSES)


def system_out(system: AISystem) -> SystemOut:
    return SystemOut.model_validate(system)


def component_out(component: Component) -> ComponentOut:
    return ComponentOut.model_validate(component, from_attributes=True)


@router.get("/systems", response_model=PageOut[SystemOut], summary="The AI system register")
def list_systems(
    db: Db,
    ctx: Ctx,
    listing: Listing,
    lifecycle_stage: Annotated[LifecycleStage | None, Query()] = None,
    operator_role: Annotated[OperatorRole | None, Query()] = None,
    risk_class: Annotated[str | None, Query(description="From the newest classification")] = None,
    in_scope: Annotated[bool | None, Query()] = None,
    business_unit: Annotated[str | None, Query()] = None,
) -> PageOut[SystemOut]:
    params = listing.with_filters(
        lifecycle_stage=lifecycle_stage.value if lifecycle_stage else None,
        operator_role=operator_role.value if operator_role else None,
        risk_class=risk_class,
        in_scope=None if in_scope is None else str(in_scope).lower(),
        business_unit=business_unit,
    )
    return PageOut[SystemOut].of(service.list_systems(db, ctx, params), system_out)


@router.post("/systems", response_model=SystemOut, status_code=status.HTTP_201_CREATED)
def create_system(body: SystemIn, db: Db, ctx: Ctx) -> SystemOut:
    return system_out(service.create_system(db, ctx, body.model_dump(exclude_unset=True)))


@router.get("/systems/{system_id}", response_model=SystemOut)
def get_system(system_id: uuid.UUID, db: Db, ctx: Ctx) -> SystemOut:
    return system_out(service.get_system(db, ctx, system_id))


@router.patch("/systems/{system_id}", response_model=SystemOut)
def patch_system(system_id: uuid.UUID, body: SystemPatch, db: Db, ctx: Ctx) -> SystemOut:
    fields = body.model_dump(exclude_unset=True, exclude={"version"})
    return system_out(
        service.update_system(db, ctx, system_id, version=body.version, fields=fields)
    )


@router.delete("/systems/{system_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_system(system_id: uuid.UUID, db: Db, ctx: Ctx, version: Annotated[int, Query()]) -> None:
    service.delete_system(db, ctx, system_id, version=version)


@router.post("/systems/{system_id}/restore", response_model=SystemOut)
def restore_system(system_id: uuid.UUID, db: Db, ctx: Ctx) -> SystemOut:
    return system_out(service.restore_system(db, ctx, system_id))


@router.get("/systems/{system_id}/components", response_model=list[ComponentOut])
def system_components(system_id: uuid.UUID, db: Db, ctx: Ctx) -> list[ComponentOut]:
    system = service.get_system(db, ctx, system_id)
    return [component_out(c) for c in service.components_of(db, ctx, system)]


@router.post("/systems/{system_id}/components", status_code=status.HTTP_204_NO_CONTENT)
def link_component(system_id: uuid.UUID, body: LinkIn, db: Db, ctx: Ctx) -> None:
    service.link_component(db, ctx, system_id, body.component_id, notes=body.notes)


@router.delete(
    "/systems/{system_id}/components/{component_id}", status_code=status.HTTP_204_NO_CONTENT
)
def unlink_component(system_id: uuid.UUID, component_id: uuid.UUID, db: Db, ctx: Ctx) -> None:
    service.unlink_component(db, ctx, system_id, component_id)


@router.get("/components", response_model=PageOut[ComponentOut], summary="Models, datasets, …")
def list_components(
    db: Db,
    ctx: Ctx,
    listing: Listing,
    kind: Annotated[ComponentKind | None, Query()] = None,
    supplier_id: Annotated[uuid.UUID | None, Query()] = None,
) -> PageOut[ComponentOut]:
    params = listing.with_filters(
        kind=kind.value if kind else None, supplier_id=str(supplier_id) if supplier_id else None
    )
    return PageOut[ComponentOut].of(service.list_components(db, ctx, params), component_out)


@router.post("/components", response_model=ComponentOut, status_code=status.HTTP_201_CREATED)
def create_component(body: ComponentIn, db: Db, ctx: Ctx) -> ComponentOut:
    return component_out(service.create_component(db, ctx, body.model_dump(exclude_unset=True)))


@router.get("/components/{component_id}", response_model=ComponentOut)
def get_component(component_id: uuid.UUID, db: Db, ctx: Ctx) -> ComponentOut:
    return component_out(service.get_component(db, ctx, component_id))


@router.patch("/components/{component_id}", response_model=ComponentOut)
def patch_component(
    component_id: uuid.UUID, body: ComponentPatch, db: Db, ctx: Ctx
) -> ComponentOut:
    fields = body.model_dump(exclude_unset=True, exclude={"version"})
    component = service.update_component(db, ctx, component_id, version=body.version, fields=fields)
    return component_out(component)


@router.delete("/components/{component_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_component(
    component_id: uuid.UUID, db: Db, ctx: Ctx, version: Annotated[int, Query()]
) -> None:
    service.delete_component(db, ctx, component_id, version=version)


@router.get("/parties", response_model=PageOut[PartyOut], summary="Third parties")
def list_parties(db: Db, ctx: Ctx, listing: Listing) -> PageOut[PartyOut]:
    return PageOut[PartyOut].of(service.list_parties(db, ctx, listing), PartyOut.model_validate)


@router.post("/parties", response_model=PartyOut, status_code=status.HTTP_201_CREATED)
def create_party(body: PartyIn, db: Db, ctx: Ctx) -> PartyOut:
    return PartyOut.model_validate(service.create_party(db, ctx, body.model_dump()))


@router.get("/parties/{party_id}", response_model=PartyOut)
def get_party(party_id: uuid.UUID, db: Db, ctx: Ctx) -> PartyOut:
    return PartyOut.model_validate(service.get_party(db, ctx, party_id))


class ImportProblem(BaseModel):
    row: int | None
    column: str | None
    reason: str


class ImportPreviewOut(BaseModel):
    headers: list[str]
    mapping: dict[str, str | None]
    rows: int
    sample: list[dict[str, object]]
    problems: list[ImportProblem]
    ok: bool


class ImportDone(BaseModel):
    created: list[SystemOut]


def _mapping(raw: str | None) -> dict[str, str | None] | None:
    if not raw:
        return None
    import json

    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            "mapping is not JSON", errors=[FieldError(("body", "mapping"), "not valid JSON")]
        ) from exc
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in value.items()
    ):
        raise ValidationFailed(
            "bad mapping",
            errors=[FieldError(("body", "mapping"), "an object of header → field name or null")],
        )
    return value


MappingForm = Annotated[
    str | None,
    Form(description="JSON object: spreadsheet header → field name, or null to ignore a column"),
]


@router.post(
    "/systems/import/preview",
    response_model=ImportPreviewOut,
    summary="Read a CSV or XLSX inventory and report what an import would do",
)
def preview_import(
    db: Db, ctx: Ctx, file: Annotated[UploadFile, File()], mapping: MappingForm = None
) -> ImportPreviewOut:
    # A plain def: FastAPI runs it in a worker thread, so parsing never blocks the server.
    content = file.file.read()
    plan = imports.plan_import(
        db, ctx, filename=file.filename or "", content=content, mapping=_mapping(mapping)
    )
    return ImportPreviewOut(
        headers=plan.table.headers,
        mapping=plan.mapping,
        rows=len(plan.table.rows),
        sample=[{k: str(v) for k, v in row.items()} for row in plan.preview.rows[:5]],
        problems=[
            ImportProblem(row=p.row, column=p.column, reason=p.reason) for p in plan.problems
        ],
        ok=plan.ok,
    )


@router.post(
    "/systems/import",
    response_model=ImportDone,
    status_code=status.HTTP_201_CREATED,
    summary="Import a CSV or XLSX inventory: every row, or none",
)
def run_import(
    db: Db, ctx: Ctx, file: Annotated[UploadFile, File()], mapping: MappingForm = None
) -> ImportDone:
    content = file.file.read()
    created = imports.run_import(
        db, ctx, filename=file.filename or "", content=content, mapping=_mapping(mapping)
    )
    return ImportDone(created=[system_out(s) for s in created])


class BomImportOut(BaseModel):
    created: list[str]
    updated: list[str]
    not_imported: list[str]


BOM_MEDIA = "application/vnd.cyclonedx+json"


@router.post(
    "/systems/{system_id}/bom",
    response_model=BomImportOut,
    summary="Import a CycloneDX 1.5-1.7 JSON BOM into the system's components",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {BOM_MEDIA: {"schema": {"type": "object"}},
                        "application/json": {"schema": {"type": "object"}}},
        }
    },
)  # fmt: skip
async def import_bom(system_id: uuid.UUID, request: Request, db: Db, ctx: Ctx) -> BomImportOut:
    """Send the BOM file as the request body. A file with a JSON syntax error is refused with
    its line and column; any problem refuses the whole BOM (every problem is listed)."""
    raw = await request.body()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            "the BOM is not UTF-8 text", errors=[FieldError(("body",), "not UTF-8")]
        ) from exc
    report = await run_in_threadpool(bomstore.import_bom, db, ctx, system_id, text)
    return BomImportOut(
        created=report.created, updated=report.updated, not_imported=report.not_imported
    )


@router.get(
    "/systems/{system_id}/bom",
    summary="The system's components as a CycloneDX JSON BOM",
    response_class=Response,
    responses={200: {"content": {BOM_MEDIA: {}}}},
)
def export_bom(
    system_id: uuid.UUID,
    db: Db,
    ctx: Ctx,
    spec: Annotated[str, Query(pattern=r"^1\.[567]$", description="1.5, 1.6 or 1.7")] = "1.6",
) -> Response:
    system = service.get_system(db, ctx, system_id)
    body = bomstore.bom_for(db, ctx, system, spec=spec)
    return attachment(body, f"{BOM_MEDIA}; version={spec}", bomstore.download_name(system))
