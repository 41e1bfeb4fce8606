"""Shapes shared by every endpoint: problem details, pages, the strict input base."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aims.store.listing import Page

T = TypeVar("T")


class StrictIn(BaseModel):
    """Base of every request body: unknown fields are refused, each named in the 422."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL cannot store NUL in text; refuse it on every database alike.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("may not contain NUL characters")
        return value


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class FieldProblem(BaseModel):
    loc: list[str | int] = Field(description="Path to the field, e.g. ['body', 'email']")
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details, the one error shape of the API."""

    type: str = Field(
        description="A URI naming the kind of problem", examples=["/problems/not-found"]
    )
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] = Field(default_factory=list)
    current_version: int | None = Field(
        default=None, description="With a 409 for a stale version: the version now stored"
    )


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="How many records match the filters")
    limit: int
    next_cursor: str | None = Field(description="Pass as ?cursor= to get the next page")

    @classmethod
    def of(cls, page: Page[Any], convert: Callable[[Any], T]) -> PageOut[T]:
        """The API shape of a page from ``store.listing.paginate``."""
        return cls(
            items=[convert(item) for item in page.items],
            total=page.total,
            limit=page.limit,
            next_cursor=page.next_cursor,
        )


PROBLEM_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": Problem, "description": title, "content": {"application/problem+json": {}}}
    for status, title in {
        400: "Malformed request",
        401: "Not authenticated",
        403: "Forbidden for your role",
        404: "Not found (or in another organisation)",
        409: "Conflict, e.g. a stale version",
        422: "Invalid fields",
    }.items()
}
