"""Request dependencies: one unit of work per request, and the caller's context."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.api.runtime import Runtime
from aims.errors import NotAuthenticated
from aims.store.engine import unit_of_work
from aims.store.listing import ListParams

bearer = HTTPBearer(auto_error=False, description="An API token from `aims token create`")


def runtime(request: Request) -> Runtime:
    rt = request.app.state.runtime
    assert isinstance(rt, Runtime)
    return rt


def get_db(request: Request) -> Iterator[Session]:
    """The request's unit of work: commits after the endpoint returns, before the response
    (the dependency's function scope); the caller's context sets the actor once known."""
    with unit_of_work(runtime(request).sessions) as session:
        yield session


Db = Annotated[Session, Depends(get_db, scope="function")]


def get_context(
    db: Db, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Context:
    """The caller behind the bearer token; also makes them the actor of this unit of work."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated("send an API token as 'Authorization: Bearer <token>'")
    ctx = access.resolve_token(db, credentials.credentials)
    db.info["actor"] = ctx.actor
    return ctx


Ctx = Annotated[Context, Depends(get_context)]


def list_params(
    limit: Annotated[int, Query(ge=1, le=200, description="Items per page")] = 50,
    cursor: Annotated[str | None, Query(description="From a previous page's next_cursor")] = None,
    sort: Annotated[
        str | None, Query(description="Field to sort by; prefix with - for descending")
    ] = None,
    q: Annotated[str | None, Query(description="Text search")] = None,
) -> ListParams:
    return ListParams(limit=limit, cursor=cursor, sort=sort, q=q)


Listing = Annotated[ListParams, Depends(list_params)]
