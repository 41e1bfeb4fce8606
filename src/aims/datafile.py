"""Reading the YAML data files aims ships (catalogues, obligations) with errors that say where."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from aims.errors import ConfigurationError


def read_yaml(path: Path, *, what: str, error: type[ConfigurationError]) -> Any:
    """The parsed file; a missing or malformed file raises ``error`` naming line and column."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(f"cannot read {what} file {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise error(f"{what} file {path.name} is not valid YAML{where}") from exc


def entry_name(raw: Any, loc: tuple[Any, ...]) -> str:
    """The id of the innermost entry a validation error's location points into."""
    node = raw
    name = ""
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and "id" in node:
            name = str(node["id"])
    return name
