"""Small helpers for reading page forms."""

from __future__ import annotations

from pydantic import ValidationError
from starlette.datastructures import FormData

from aims.errors import AimsError
from aims.web.errors import form_errors


def form_version(form: FormData) -> int:
    """The record version a form carried; anything odd counts as stale (a clear 409, not a
    500)."""
    try:
        return int(str(form.get("version") or "-1"))
    except ValueError:
        return -1


def validation_errors(exc: ValidationError | AimsError) -> dict[str, str]:
    """Form errors keyed by field name, from a schema's or a service's refusal."""
    if isinstance(exc, AimsError):
        return form_errors(exc)
    found: dict[str, str] = {}
    for e in exc.errors():
        loc = [str(p) for p in e["loc"] if not isinstance(p, int)]
        message = str(e["msg"]).removeprefix("Value error, ")
        name = loc[-1] if loc else "_form"
        # A model-level check says which field it means: "title: may not be empty".
        head, sep, rest = message.partition(": ")
        if not loc and sep and " " not in head:
            name, message = head, rest
        found.setdefault(name, message)
    return found
