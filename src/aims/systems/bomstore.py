"""AI bills of materials for a system: import a CycloneDX BOM into its components, export one.

The CycloneDX work (parsing, validation, writing) is in ``systems.bom``; this module maps it
onto the inventory's records.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.access.rules import Permission
from aims.store.scoping import scoped
from aims.systems import service
from aims.systems.bom import ComponentData, ParsedBom, export_bom, parse_bom
from aims.systems.models import AISystem, Component
from aims.systems.vocab import ComponentKind

DERIVED = ("model_type", "general_purpose", "training_compute_flop", "personal_data", "data_source")


@dataclass
class BomImport:
    """What an import did."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    not_imported: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated)


def _licence_text(licences: list[dict[str, Any]]) -> str:
    parts = [
        str(lic.get("id") or lic.get("name") or lic.get("expression") or "") for lic in licences
    ]
    return ", ".join(p for p in parts if p)[:500]


def _existing(db: Session, ctx: Context, data: ComponentData) -> Component | None:
    """The same component already in the inventory: same package URL when the BOM gives one,
    else the same kind, group, name and version (compared as they are stored)."""
    candidates = db.scalars(
        scoped(Component, ctx.organisation_id).where(
            Component.kind == data.kind.value,
            func.lower(Component.name) == data.name[:200].lower(),
            Component.version_label == data.version[:100],
            Component.group == data.group[:200],
        )
    ).all()
    for candidate in candidates:
        assert isinstance(candidate, Component)
        stored_purl = (candidate.bom or {}).get("purl", "")
        if not data.purl or not stored_purl or stored_purl == data.purl:
            found: Component = candidate
            return found
    return None


def _store(db: Session, ctx: Context, component: Component, data: ComponentData) -> None:
    component.kind = data.kind.value
    component.name = data.name[:200]
    component.version_label = data.version[:100]
    component.description = data.description
    component.group = data.group[:200]
    component.licence = _licence_text(data.licences)
    component.model_type = data.model_type[:200]
    component.general_purpose = data.general_purpose
    component.training_compute_flop = data.training_compute_flop
    component.personal_data = data.personal_data
    component.data_source = data.data_source
    if data.supplier_name:
        component.supplier = service.find_or_create_party(db, ctx, name=data.supplier_name)
    component.bom = dataclasses.asdict(data) | {"kind": data.kind.value}


def import_bom(db: Session, ctx: Context, system_id: uuid.UUID | str, text: str) -> BomImport:
    """Take every component of a CycloneDX BOM into the system, or nothing when it is refused."""
    ctx.require(Permission.EDIT)
    system = service.get_system(db, ctx, system_id)
    parsed: ParsedBom = parse_bom(text)
    report = BomImport(not_imported=list(parsed.not_imported))
    with db.begin_nested():
        for data in parsed.components:
            component = _existing(db, ctx, data)
            if component is None:
                component = Component(organisation_id=ctx.organisation_id, kind=data.kind.value,
                                      name=data.name)  # fmt: skip
                db.add(component)
                report.created.append(data.name)
            else:
                report.updated.append(data.name)
            _store(db, ctx, component, data)
            db.flush()
            service.link_component(db, ctx, system.id, component.id)
        system.bom = {
            "spec_version": parsed.spec_version,
            "serial_number": parsed.serial_number,
            "subject": dataclasses.asdict(parsed.subject) | {"kind": parsed.subject.kind.value}
            if parsed.subject
            else None,
            "dependencies": parsed.dependencies,
        }
        if parsed.subject and not system.description:
            system.description = parsed.subject.description
        db.flush()
    return report


def _data_of(component: Component) -> ComponentData:
    """The component as CycloneDX data: what the BOM brought, updated with aims's edits."""
    if component.bom:
        stored = dict(component.bom)
        stored["kind"] = ComponentKind(stored.get("kind", component.kind))
        data = ComponentData(**stored)
    else:
        data = ComponentData(
            kind=ComponentKind(component.kind),
            name=component.name,
            bom_ref=f"aims-component-{component.id}",
            licences=[{"name": component.licence}] if component.licence else [],
        )
    data.kind = ComponentKind(component.kind)
    data.name = component.name
    data.version = component.version_label
    data.description = component.description
    for key in DERIVED:
        setattr(data, key, getattr(component, key))
    # Edits made in aims win over what the BOM once said.
    if component.licence != _licence_text(data.licences):
        data.licences = [{"name": component.licence}] if component.licence else []
    supplier = component.supplier.name if component.supplier is not None else ""
    if supplier and supplier != data.supplier_name:
        data.supplier = {"name": supplier}
    data.supplier_name = supplier
    return data


def download_name(system: AISystem) -> str:
    """A safe file name for a system's BOM download."""
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in system.name)[:80]
    return f"{stem or 'system'}.cdx.json"


def bom_for(db: Session, ctx: Context, system: AISystem, *, spec: str = "1.6") -> str:
    """The system's components as a CycloneDX JSON BOM (validated by cyclonedx-python-lib)."""
    ctx.require(Permission.READ)
    components = [_data_of(c) for c in service.components_of(db, ctx, system)]
    stored = system.bom or {}
    if stored.get("subject"):
        subject_fields = dict(stored["subject"])
        subject_fields["kind"] = ComponentKind(subject_fields.get("kind", "tooling"))
        subject = ComponentData(**subject_fields)
        subject.name = system.name
    else:
        subject = ComponentData(
            kind=ComponentKind.TOOLING, cdx_type="application", name=system.name,
            description=system.purpose, bom_ref=f"aims-system-{system.id}",
        )  # fmt: skip
    # Refs from different imports may clash, and a parent may no longer be exported: keep the
    # BOM well-formed whatever happened since.
    seen: set[str] = {subject.bom_ref}
    for component, data in zip(service.components_of(db, ctx, system), components, strict=True):
        if data.bom_ref and data.bom_ref in seen:
            data.bom_ref = f"aims-component-{component.id}"
        if data.bom_ref:
            seen.add(data.bom_ref)
    for data in components:
        if data.parent_ref and data.parent_ref not in seen:
            data.parent_ref = ""
    refs = seen
    dependencies = {
        ref: [d for d in depends if d in refs]
        for ref, depends in (stored.get("dependencies") or {}).items()
        if ref in refs
    }
    if not dependencies:
        dependencies = {subject.bom_ref: sorted(c.bom_ref for c in components if c.bom_ref)}
    return export_bom(
        subject=subject, components=components, dependencies=dependencies, spec=spec,
        serial_number=stored.get("serial_number"),
    )  # fmt: skip
