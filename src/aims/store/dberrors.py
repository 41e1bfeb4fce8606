"""Database exceptions a user can cause, turned into domain errors (one mapping for all faces)."""

from __future__ import annotations

from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from aims.errors import AimsError, Conflict, Unavailable, ValidationFailed

CONCURRENT = (
    "another change to the same records was saved at the same moment; nothing of yours was "
    "saved, try again"
)


def _reason(exc: BaseException) -> str:
    """The driver's first line of explanation, without SQL or parameters."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def translate(exc: BaseException) -> AimsError | None:
    """The domain error for a database exception, or None when it is not one we know."""
    if isinstance(exc, StaleDataError):
        error: AimsError = Conflict(
            "the record was changed by someone else while you saved; reload and try again"
        )
        error.type_slug = "stale-version"
        return error
    if isinstance(exc, IntegrityError):
        return Conflict(
            "this clashes with a record saved at the same moment (for example the same e-mail "
            "twice); nothing was saved"
        )
    if isinstance(exc, DataError):
        return ValidationFailed(
            "a value could not be stored: text may not contain NUL characters and numbers must "
            "be in range"
        )
    if isinstance(exc, OperationalError):
        reason = _reason(exc).lower()
        if "locked" in reason or "could not serialize" in reason or "deadlock" in reason:
            return Conflict(CONCURRENT)
        return Unavailable(f"the database could not be used: {_reason(exc)}")
    return None
