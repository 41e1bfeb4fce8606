"""Where the content of a system's technical documentation comes from.

Each section of the Annex IV outline draws on *sources*: functions that look at one AI system
and return entries. aims's own capabilities register theirs here, and so can later ones
(controls and evidence, measurement runs) without techdoc importing them:

    from aims.techdoc.registry import Entry, register_source

    def _controls(db: Session, ctx: Context, system: AISystem) -> list[Entry]:
        ...
        return [Entry("A.6.2.6 Operation and monitoring", "Implemented; checked monthly",
                      href=f"/controls/{c.id}", key="controls")]

    register_source("risk_management", _controls, name="controls")

Contract:
- ``section_id`` is one of the outline's ids (``general``, ``development``, ``data``,
  ``monitoring``, ``metrics``, ``risk_management``, ``changes``, ``standards``,
  ``declaration``, ``post_market``); an unknown id raises ``ValueError`` at registration.
- ``fn(db, ctx, system)`` returns an iterable of ``Entry``; it reads only (never writes or
  commits), sees only ``ctx``'s organisation, and may assume READ permission was checked.
- An entry with ``missing=True`` is something the section expects and nobody has recorded.
  ``key`` ties entries of different sources together: a present entry with a key cancels
  every missing entry with the same key (techdoc marks "measurements", "verification",
  "controls", "declaration_of_conformity" and "post_market_plan" as missing until some
  source supplies them).
- ``value`` is plain text (escaped everywhere); ``href`` a path inside aims where the item is
  kept or filled in.
- Registering the same ``name`` for a section again replaces the earlier function, so an
  import that runs twice adds nothing twice. aims's own sources run first, then the others
  in registration order.
- An exception in ``fn`` propagates: the outline is never shown half-built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.systems.models import AISystem
from aims.techdoc.catalogue import annex_iv


@dataclass(frozen=True)
class Entry:
    """One thing a section draws on, or (``missing``) one thing it still lacks."""

    label: str
    value: str = ""
    href: str | None = None
    missing: bool = False
    key: str | None = None


SourceFn = Callable[[Session, Context, AISystem], Iterable[Entry]]

_SOURCES: dict[str, dict[str, SourceFn]] = {}
_BUILTIN: set[tuple[str, str]] = set()


def register_source(
    section_id: str, fn: SourceFn, *, name: str | None = None, builtin: bool = False
) -> None:
    """Add ``fn`` as a source of the section ``section_id`` (see the module's contract);
    ``builtin`` is for techdoc's own sources."""
    if section_id not in annex_iv().ids:
        raise ValueError(
            f"unknown technical documentation section {section_id!r}; "
            f"one of: {', '.join(annex_iv().ids)}"
        )
    key = name or f"{fn.__module__}.{fn.__qualname__}"
    _SOURCES.setdefault(section_id, {})[key] = fn
    if builtin:
        _BUILTIN.add((section_id, key))


def unregister_source(section_id: str, name: str) -> None:
    """Remove a source (tests use it to clean up)."""
    _SOURCES.get(section_id, {}).pop(name, None)


# Modules of other capabilities that register sources when imported: the one place that wires
# them in, read when an outline is first built (like the store's MODEL_MODULES).
SOURCE_MODULES = ("aims.controls.sources", "aims.measure.sources")


def load_source_modules() -> None:
    import importlib

    for module in SOURCE_MODULES:
        importlib.import_module(module)


def sources_of(section_id: str) -> list[tuple[str, SourceFn]]:
    found = list(_SOURCES.get(section_id, {}).items())
    return sorted(found, key=lambda item: (section_id, item[0]) not in _BUILTIN)
