"""Domain errors raised by services; each face (API, web, CLI) turns them into its own shape."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FieldError:
    """One problem with one input field (``loc`` is the path to the field)."""

    loc: tuple[str | int, ...]
    msg: str
    type: str = "value_error"


class AimsError(Exception):
    """Base class: every error a user can cause, with an HTTP status the API maps it to."""

    status: int = 400
    title: str = "Bad request"
    type_slug: str = "bad-request"

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class NotFound(AimsError):
    status = 404
    title = "Not found"
    type_slug = "not-found"


class PermissionDenied(AimsError):
    status = 403
    title = "Forbidden"
    type_slug = "forbidden"


class NotAuthenticated(AimsError):
    status = 401
    title = "Not authenticated"
    type_slug = "not-authenticated"


class ValidationFailed(AimsError):
    status = 422
    title = "Validation failed"
    type_slug = "validation-failed"


class Conflict(AimsError):
    status = 409
    title = "Conflict"
    type_slug = "conflict"


class StaleVersion(Conflict):
    """An update was based on an old version of a record; nothing was written."""

    type_slug = "stale-version"
    title = "Stale version"

    def __init__(self, record: str, *, sent: int, current: int) -> None:
        super().__init__(
            f"{record} has changed since you loaded it (you sent version {sent}, "
            f"the current version is {current}); reload and apply your change again."
        )
        self.current_version = current


class TooManyAttempts(AimsError):
    status = 429
    title = "Too many attempts"
    type_slug = "too-many-attempts"


class ConfigurationError(AimsError):
    """The installation itself is wrong (database unreachable, broken catalogue file)."""

    status = 500
    title = "Configuration error"
    type_slug = "configuration-error"


class ImmutableVersion(Conflict):
    """An approved or superseded version was asked to change."""

    type_slug = "immutable-version"
    title = "Version is immutable"


class Unavailable(AimsError):
    """The database (or another service aims needs) cannot be reached right now."""

    status = 503
    title = "Service unavailable"
    type_slug = "unavailable"
