"""Searching the catalogue (read-only content; no database)."""

from __future__ import annotations

from aims.catalog.loader import Catalog, get_catalog
from aims.catalog.schemas import Clause, Control
from aims.errors import NotFound


def search(
    query: str = "", *, kind: str | None = None, catalog: Catalog | None = None
) -> list[Clause | Control]:
    """Entries whose id, title, summary, guidance or evidence contain every word of ``query``."""
    catalog = catalog or get_catalog()
    words = [w for w in query.lower().split() if w]
    found: list[Clause | Control] = []
    for entry in catalog.entries():
        if kind and entry.kind != kind:
            continue
        text = " ".join(
            [entry.id, entry.title, entry.summary, entry.guidance, *entry.evidence]
        ).lower()
        if all(w in text for w in words):
            found.append(entry)
    return found


def get_entry(entry_id: str, *, catalog: Catalog | None = None) -> Clause | Control:
    catalog = catalog or get_catalog()
    entry = catalog.get(entry_id)
    if entry is None:
        raise NotFound(f"no clause or control '{entry_id}' in {catalog.data.framework.name}")
    return entry
