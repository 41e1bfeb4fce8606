"""Load the EU AI Act duty and date catalogue; a broken file names the entry at fault."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from aims.datafile import entry_name, read_yaml
from aims.errors import ConfigurationError
from aims.regulation.schemas import Obligations

DEFAULT_FILE = Path(__file__).parent / "data" / "eu_ai_act.yaml"


class ObligationsError(ConfigurationError):
    """The obligation catalogue is broken; the message names the file and the entry."""


def load_obligations(path: Path = DEFAULT_FILE) -> Obligations:
    """Read and validate the catalogue; raise ``ObligationsError`` naming each broken entry."""
    raw = read_yaml(path, what="obligation", error=ObligationsError)
    try:
        return Obligations.model_validate(raw)
    except ValidationError as exc:
        messages = []
        for error in exc.errors()[:5]:
            loc = tuple(error["loc"])
            entry = entry_name(raw, loc)
            where = f"entry '{entry}'" if entry else "top level"
            field_path = ".".join(str(p) for p in loc)
            messages.append(f"{where}: {field_path}: {error['msg']}")
        raise ObligationsError(f"obligation file {path.name}: " + "; ".join(messages)) from exc


@lru_cache(maxsize=4)
def get_obligations(path: Path = DEFAULT_FILE) -> Obligations:
    """The catalogue, loaded once per process."""
    return load_obligations(path)
