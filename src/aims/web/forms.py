"""Small helpers for reading page forms."""

from __future__ import annotations

from starlette.datastructures import FormData


def form_version(form: FormData) -> int:
    """The record version a form carried; anything odd counts as stale (a clear 409, not a
    500)."""
    try:
        return int(str(form.get("version") or "-1"))
    except ValueError:
        return -1
