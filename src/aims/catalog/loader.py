"""Load and check a catalogue file at start-up; a broken file names the entry at fault."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from aims.catalog.schemas import AnnexCItem, CatalogFile, Clause, Control, ControlGroup
from aims.datafile import entry_name, read_yaml
from aims.errors import ConfigurationError

DATA = Path(__file__).parent / "data"
DEFAULT_FILE = DATA / "iso42001.yaml"


class CatalogError(ConfigurationError):
    """The catalogue file is broken; the message names the file and the entry."""


@dataclass(frozen=True)
class Catalog:
    """The loaded catalogue with lookups by id, in the file's order."""

    source: Path
    data: CatalogFile
    clauses: dict[str, Clause] = field(default_factory=dict)
    controls: dict[str, Control] = field(default_factory=dict)
    groups: dict[str, ControlGroup] = field(default_factory=dict)
    group_of: dict[str, str] = field(default_factory=dict)

    @property
    def objectives(self) -> list[AnnexCItem]:
        return self.data.annex_c.objectives

    @property
    def risk_sources(self) -> list[AnnexCItem]:
        return self.data.annex_c.risk_sources

    def get(self, entry_id: str) -> Clause | Control | None:
        key = entry_id.strip()
        if key.upper().startswith("A."):
            key = "A." + key[2:]
        return self.clauses.get(key) or self.controls.get(key)

    def children(self, clause_id: str) -> list[Clause]:
        return [c for c in self.clauses.values() if c.parent == clause_id]

    def annex_c_title(self, item_id: str) -> str:
        for item in [*self.objectives, *self.risk_sources]:
            if item.id == item_id:
                return item.title
        return item_id

    def entries(self) -> Iterator[Clause | Control]:
        yield from self.clauses.values()
        yield from self.controls.values()


def load_catalog(path: Path = DEFAULT_FILE) -> Catalog:
    """Read, validate and index a catalogue file; raise ``CatalogError`` naming the entry."""
    raw = read_yaml(path, what="catalogue", error=CatalogError)
    try:
        data = CatalogFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        entry = entry_name(raw, loc)
        where = f"entry '{entry}'" if entry else "top level"
        field_path = ".".join(str(p) for p in loc)
        raise CatalogError(
            f"catalogue file {path.name}: {where}: {field_path}: {first['msg']}"
        ) from exc
    return _index(path, data)


def _index(path: Path, data: CatalogFile) -> Catalog:
    catalog = Catalog(source=path, data=data)
    problems: list[str] = []

    def dup(kind: str, entry_id: str, seen: dict[str, Any]) -> None:
        if entry_id in seen:
            problems.append(f"entry '{entry_id}': duplicate {kind} id")

    for clause in data.clauses:
        dup("clause", clause.id, catalog.clauses)
        catalog.clauses[clause.id] = clause
    for group in data.control_groups:
        dup("group", group.id, catalog.groups)
        catalog.groups[group.id] = group
        for control in group.controls:
            dup("control", control.id, catalog.controls)
            if not control.id.startswith(group.id + "."):
                problems.append(f"entry '{control.id}': does not belong in group {group.id}")
            catalog.controls[control.id] = control
            catalog.group_of[control.id] = group.id
    objectives = {o.id for o in data.annex_c.objectives}
    sources = {s.id for s in data.annex_c.risk_sources}
    known = set(catalog.clauses) | set(catalog.controls)
    for clause in data.clauses:
        if clause.parent is not None and clause.parent not in catalog.clauses:
            problems.append(f"entry '{clause.id}': unknown parent '{clause.parent}'")
        if clause.parent is not None and not clause.guidance:
            problems.append(f"entry '{clause.id}': guidance is required for a sub-clause")
    for group in data.control_groups:
        if group.parent is not None and group.parent not in catalog.groups:
            problems.append(f"entry '{group.id}': unknown parent group '{group.parent}'")
    for entry in catalog.entries():
        for ref in entry.related:
            if ref not in known:
                problems.append(f"entry '{entry.id}': related id '{ref}' is not in the catalogue")
        for obj in entry.objectives:
            if obj not in objectives:
                problems.append(f"entry '{entry.id}': unknown Annex C objective '{obj}'")
        for src in entry.risk_sources:
            if src not in sources:
                problems.append(f"entry '{entry.id}': unknown Annex C risk source '{src}'")
    if problems:
        raise CatalogError(f"catalogue file {path.name}: " + "; ".join(problems[:5]))
    return catalog


@lru_cache(maxsize=4)
def get_catalog(path: Path = DEFAULT_FILE) -> Catalog:
    """The catalogue, loaded once per process."""
    return load_catalog(path)
