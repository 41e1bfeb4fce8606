"""Load the EU AI Act duty and date catalogue; a broken file names the entry at fault."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from aims.errors import ConfigurationError
from aims.regulation.schemas import Obligations

DEFAULT_FILE = Path(__file__).parent / "data" / "eu_ai_act.yaml"


class ObligationsError(ConfigurationError):
    """The obligation catalogue is broken; the message names the file and the entry."""


def _entry_name(raw: Any, loc: tuple[Any, ...]) -> str:
    """The id of the innermost entry an error location points into."""
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


def load_obligations(path: Path = DEFAULT_FILE) -> Obligations:
    """Read and validate the catalogue; raise ``ObligationsError`` naming each broken entry."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ObligationsError(f"cannot read obligation file {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ObligationsError(f"obligation file {path.name} is not valid YAML{where}") from exc
    try:
        return Obligations.model_validate(raw)
    except ValidationError as exc:
        messages = []
        for error in exc.errors()[:5]:
            loc = tuple(error["loc"])
            entry = _entry_name(raw, loc)
            where = f"entry '{entry}'" if entry else "top level"
            field_path = ".".join(str(p) for p in loc)
            messages.append(f"{where}: {field_path}: {error['msg']}")
        raise ObligationsError(f"obligation file {path.name}: " + "; ".join(messages)) from exc


@lru_cache(maxsize=4)
def get_obligations(path: Path = DEFAULT_FILE) -> Obligations:
    """The catalogue, loaded once per process."""
    return load_obligations(path)
