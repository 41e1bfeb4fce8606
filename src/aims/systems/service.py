"""Inventory use cases: systems, components, parties and the links between them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.access.rules import Permission
from aims.errors import Conflict, FieldError, NotFound, ValidationFailed
from aims.store.listing import ListParams, ListSpec, Page, paginate
from aims.store.scoping import check_version, get_scoped, scoped
from aims.systems.models import AISystem, Component, Party, SystemComponent

ENUM_FIELDS = {
    "lifecycle_stage",
    "operator_role",
    "automation_level",
    "decisions_about_people",
}
LIST_FIELDS = {"ai_roles", "vulnerable_groups"}


def _plain(value: Any) -> Any:
    """Enum members become their values (the tables hold plain strings)."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return getattr(value, "value", value)


# --- parties -------------------------------------------------------------------------------


def _party_named(db: Session, ctx: Context, name: str) -> Party | None:
    """The organisation's party with this name, compared as stored (case-insensitive)."""
    found: Party | None = db.scalars(
        scoped(Party, ctx.organisation_id).where(
            func.lower(Party.name) == name.strip()[:200].lower()
        )
    ).first()
    return found


def find_or_create_party(db: Session, ctx: Context, *, name: str, kind: str = "supplier") -> Party:
    """The organisation's party with this name, created when new."""
    found = _party_named(db, ctx, name)
    if found is not None:
        return found
    party = Party(organisation_id=ctx.organisation_id, name=name.strip()[:200], kind=kind)
    db.add(party)
    db.flush()
    return party


def create_party(db: Session, ctx: Context, fields: Mapping[str, Any]) -> Party:
    ctx.require(Permission.EDIT)
    existing = _party_named(db, ctx, str(fields["name"]))
    if existing is not None:
        raise Conflict(f"a party named '{existing.name}' already exists")
    party = Party(organisation_id=ctx.organisation_id, **{k: _plain(v) for k, v in fields.items()})
    db.add(party)
    db.flush()
    return party


PARTY_LIST = ListSpec(
    id_column=Party.id,
    sortable={"name": Party.name, "created_at": Party.created_at},
    default_sort="name",
    filterable={"kind": Party.kind},
    searchable=(Party.name, Party.notes, Party.country),
)


def list_parties(db: Session, ctx: Context, params: ListParams) -> Page[Party]:
    ctx.require(Permission.READ)
    return paginate(db, scoped(Party, ctx.organisation_id), PARTY_LIST, params)


def get_party(db: Session, ctx: Context, party_id: uuid.UUID | str) -> Party:
    ctx.require(Permission.READ)
    return get_scoped(db, Party, ctx.organisation_id, party_id, label="party")


# --- systems -------------------------------------------------------------------------------


def _apply_system_fields(
    db: Session, ctx: Context, system: AISystem, fields: Mapping[str, Any]
) -> None:
    for key, value in fields.items():
        if key == "owner_email":
            system.owner_id = access.member_id(db, ctx, value)
        elif key in LIST_FIELDS:
            setattr(system, key, sorted({str(_plain(v)) for v in value or []}))
        elif key in ENUM_FIELDS:
            setattr(system, key, _plain(value))
        elif key in {"used_in_eu", "personal_data", "special_category_data", "biometric_data"}:
            setattr(system, key, value)
        elif key == "in_scope":
            system.in_scope = True if value is None else bool(value)
        elif key == "review_date":
            system.review_date = value
        else:
            setattr(system, key, "" if value is None else str(value).strip())
    if not system.in_scope and not system.scope_reason.strip():
        raise ValidationFailed(
            "a system out of the AIMS scope needs the reason",
            errors=[FieldError(("body", "scope_reason"), "required when in_scope is false")],
        )


def _name_taken(db: Session, ctx: Context, name: str, *, except_id: uuid.UUID | None) -> bool:
    stmt = scoped(AISystem, ctx.organisation_id).where(
        func.lower(AISystem.name) == name.strip().lower()
    )
    if except_id is not None:
        stmt = stmt.where(AISystem.id != except_id)
    return db.scalars(stmt).first() is not None


def create_system(db: Session, ctx: Context, fields: Mapping[str, Any]) -> AISystem:
    """Register a system; names are unique within the organisation."""
    ctx.require(Permission.EDIT)
    name = str(fields.get("name") or "").strip()
    if not name:
        raise ValidationFailed(
            "name is required", errors=[FieldError(("body", "name"), "required")]
        )
    if _name_taken(db, ctx, name, except_id=None):
        raise Conflict(f"a system named '{name}' is already registered")
    system = AISystem(organisation_id=ctx.organisation_id, name=name)
    _apply_system_fields(db, ctx, system, {k: v for k, v in fields.items() if k != "name"})
    db.add(system)
    db.flush()
    return system


def update_system(
    db: Session,
    ctx: Context,
    system_id: uuid.UUID | str,
    *,
    version: int,
    fields: Mapping[str, Any],
) -> AISystem:
    ctx.require(Permission.EDIT)
    system = get_system(db, ctx, system_id)
    check_version(system, version, label="This AI system")
    if "name" in fields:
        name = str(fields["name"] or "").strip()
        if not name:
            raise ValidationFailed(
                "name is required", errors=[FieldError(("body", "name"), "required")]
            )
        if _name_taken(db, ctx, name, except_id=system.id):
            raise Conflict(f"a system named '{name}' is already registered")
    _apply_system_fields(db, ctx, system, fields)
    db.flush()
    return system


def delete_system(
    db: Session, ctx: Context, system_id: uuid.UUID | str, *, version: int
) -> AISystem:
    """Soft delete: the system leaves lists and can be restored; history stays."""
    ctx.require(Permission.EDIT)
    system = get_system(db, ctx, system_id)
    check_version(system, version, label="This AI system")
    system.mark_deleted(ctx.user_id)
    db.flush()
    return system


def restore_system(db: Session, ctx: Context, system_id: uuid.UUID | str) -> AISystem:
    ctx.require(Permission.EDIT)
    system = get_scoped(
        db, AISystem, ctx.organisation_id, system_id, label="AI system", deleted=True
    )
    if system.deleted_at is None:
        return system
    if _name_taken(db, ctx, system.name, except_id=system.id):
        raise Conflict(f"another system named '{system.name}' exists now; rename it first")
    system.restore()
    db.flush()
    return system


def get_system(db: Session, ctx: Context, system_id: uuid.UUID | str) -> AISystem:
    ctx.require(Permission.READ)
    return get_scoped(db, AISystem, ctx.organisation_id, system_id, label="AI system")


def find_system(db: Session, ctx: Context, key: str) -> AISystem:
    """A system by id or by exact name (case-insensitive): what the CLI accepts."""
    ctx.require(Permission.READ)
    try:
        return get_system(db, ctx, uuid.UUID(key))
    except (ValueError, NotFound):
        pass
    found: AISystem | None = db.scalars(
        scoped(AISystem, ctx.organisation_id).where(
            func.lower(AISystem.name) == key.strip().lower()
        )
    ).first()
    if found is None:
        raise NotFound(f"no AI system '{key}'")
    return found


SYSTEM_LIST = ListSpec(
    id_column=AISystem.id,
    sortable={
        "name": AISystem.name,
        "updated_at": AISystem.updated_at,
        "created_at": AISystem.created_at,
        "lifecycle_stage": AISystem.lifecycle_stage,
        "business_unit": AISystem.business_unit,
    },
    default_sort="name",
    filterable={
        "lifecycle_stage": AISystem.lifecycle_stage,
        "operator_role": AISystem.operator_role,
        "risk_class": AISystem.risk_class,
        "in_scope": AISystem.in_scope,
        "business_unit": AISystem.business_unit,
        "owner_id": AISystem.owner_id,
    },
    searchable=(AISystem.name, AISystem.purpose, AISystem.description, AISystem.business_unit),
)


def list_systems(db: Session, ctx: Context, params: ListParams) -> Page[AISystem]:
    ctx.require(Permission.READ)
    return paginate(db, scoped(AISystem, ctx.organisation_id), SYSTEM_LIST, params)


def business_units(db: Session, ctx: Context) -> list[str]:
    stmt = (
        select(AISystem.business_unit)
        .where(
            AISystem.organisation_id == ctx.organisation_id,
            AISystem.deleted_at.is_(None),
            AISystem.business_unit != "",
        )
        .distinct()
        .order_by(AISystem.business_unit)
    )
    return list(db.scalars(stmt))


# --- components ----------------------------------------------------------------------------

COMPONENT_SIMPLE = (
    "description", "licence", "model_type", "general_purpose", "training_compute_flop",
    "data_source", "acquisition", "personal_data", "collection_start", "collection_end",
    "provenance_notes", "quality_notes",
)  # fmt: skip


def _apply_component_fields(
    db: Session, ctx: Context, component: Component, fields: Mapping[str, Any]
) -> None:
    for key, value in fields.items():
        if key == "supplier_name":
            # The relationship, not only the id: the response shows the new supplier at once.
            component.supplier = (
                find_or_create_party(db, ctx, name=value) if value and value.strip() else None
            )
        elif key == "kind":
            component.kind = str(_plain(value))
        elif key == "name":
            component.name = str(value).strip()
        elif key == "version_label":
            component.version_label = (value or "").strip()
        elif key in COMPONENT_SIMPLE:
            setattr(component, key, value.strip() if isinstance(value, str) else value)
    start, end = component.collection_start, component.collection_end
    if start and end and end < start:
        raise ValidationFailed(
            "collection period ends before it starts",
            errors=[FieldError(("body", "collection_end"), "is before collection_start")],
        )


def create_component(db: Session, ctx: Context, fields: Mapping[str, Any]) -> Component:
    ctx.require(Permission.EDIT)
    component = Component(organisation_id=ctx.organisation_id, kind=str(_plain(fields["kind"])),
                          name=str(fields["name"]).strip())  # fmt: skip
    _apply_component_fields(db, ctx, component, fields)
    db.add(component)
    db.flush()
    return component


def update_component(
    db: Session,
    ctx: Context,
    component_id: uuid.UUID | str,
    *,
    version: int,
    fields: Mapping[str, Any],
) -> Component:
    ctx.require(Permission.EDIT)
    component = get_component(db, ctx, component_id)
    check_version(component, version, label="This component")
    _apply_component_fields(db, ctx, component, fields)
    db.flush()
    return component


def delete_component(
    db: Session, ctx: Context, component_id: uuid.UUID | str, *, version: int
) -> Component:
    ctx.require(Permission.EDIT)
    component = get_component(db, ctx, component_id)
    check_version(component, version, label="This component")
    component.mark_deleted(ctx.user_id)
    db.flush()
    return component


def get_component(db: Session, ctx: Context, component_id: uuid.UUID | str) -> Component:
    ctx.require(Permission.READ)
    return get_scoped(db, Component, ctx.organisation_id, component_id, label="component")


COMPONENT_LIST = ListSpec(
    id_column=Component.id,
    sortable={"name": Component.name, "kind": Component.kind, "updated_at": Component.updated_at},
    default_sort="name",
    filterable={"kind": Component.kind, "supplier_id": Component.supplier_id},
    searchable=(Component.name, Component.description, Component.model_type, Component.licence),
)


def list_components(db: Session, ctx: Context, params: ListParams) -> Page[Component]:
    ctx.require(Permission.READ)
    return paginate(db, scoped(Component, ctx.organisation_id), COMPONENT_LIST, params)


def link_component(
    db: Session,
    ctx: Context,
    system_id: uuid.UUID | str,
    component_id: uuid.UUID | str,
    *,
    notes: str = "",
) -> SystemComponent:
    """Record that a system uses a component (idempotent)."""
    ctx.require(Permission.EDIT)
    system = get_system(db, ctx, system_id)
    component = get_component(db, ctx, component_id)
    link = db.scalar(
        select(SystemComponent).where(
            SystemComponent.system_id == system.id, SystemComponent.component_id == component.id
        )
    )
    if link is None:
        link = SystemComponent(
            organisation_id=ctx.organisation_id,
            system_id=system.id,
            component_id=component.id,
            notes=notes,
        )
        db.add(link)
        db.flush()
    return link


def unlink_component(
    db: Session, ctx: Context, system_id: uuid.UUID | str, component_id: uuid.UUID | str
) -> None:
    ctx.require(Permission.EDIT)
    system = get_system(db, ctx, system_id)
    link = db.scalar(
        select(SystemComponent).where(
            SystemComponent.organisation_id == ctx.organisation_id,
            SystemComponent.system_id == system.id,
            SystemComponent.component_id == uuid.UUID(str(component_id)),
        )
    )
    if link is None:
        raise NotFound("this component is not linked to this system")
    db.delete(link)
    db.flush()


def components_of(db: Session, ctx: Context, system: AISystem) -> list[Component]:
    """The live components a system uses, models first."""
    order = {"model": 0, "dataset": 1, "tooling": 2, "compute": 3}
    rows = db.scalars(
        select(Component)
        .join(SystemComponent, SystemComponent.component_id == Component.id)
        .where(
            SystemComponent.system_id == system.id,
            Component.organisation_id == ctx.organisation_id,
            Component.deleted_at.is_(None),
        )
    ).all()
    return sorted(rows, key=lambda c: (order.get(c.kind, 9), c.name.lower()))


def systems_using(db: Session, ctx: Context, component: Component) -> list[AISystem]:
    return list(
        db.scalars(
            scoped(AISystem, ctx.organisation_id)
            .join(SystemComponent, SystemComponent.system_id == AISystem.id)
            .where(SystemComponent.component_id == component.id)
            .order_by(AISystem.name)
        )
    )
