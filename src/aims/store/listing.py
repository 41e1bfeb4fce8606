"""The one list helper: filter, search, sort and cursor-paginate any query."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from aims.errors import FieldError, ValidationFailed

T = TypeVar("T")
MAX_LIMIT = 200


@dataclass(frozen=True)
class ListParams:
    """What a caller asked for: ``sort`` is a field name, ``-`` in front for descending."""

    limit: int = 50
    cursor: str | None = None
    sort: str | None = None
    q: str | None = None
    filters: Mapping[str, str] = field(default_factory=dict)

    def with_filters(self, **filters: str | None) -> ListParams:
        """These parameters plus the given filters (empty values are dropped)."""
        merged = {**self.filters, **{k: v for k, v in filters.items() if v}}
        return replace(self, filters=merged)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    total: int
    limit: int


@dataclass(frozen=True)
class ListSpec:
    """What a list allows: sortable and filterable fields, searched columns, default order.

    Filters take ``name`` for equality and ``name__gte`` / ``name__lte`` for ranges on
    sortable fields.
    """

    id_column: InstrumentedAttribute[Any]
    sortable: Mapping[str, InstrumentedAttribute[Any]]
    default_sort: str
    filterable: Mapping[str, InstrumentedAttribute[Any]] = field(default_factory=dict)
    searchable: Sequence[InstrumentedAttribute[Any]] = ()


def _bad(loc: str, msg: str) -> ValidationFailed:
    return ValidationFailed(msg, errors=[FieldError(("query", loc), msg)])


def _python_type(column: InstrumentedAttribute[Any]) -> type:
    try:
        return column.type.python_type  # type: ignore[no-any-return]
    except NotImplementedError:  # pragma: no cover - every aims column type has one
        return str


def _coerce(column: InstrumentedAttribute[Any], raw: Any, loc: str) -> Any:
    kind = _python_type(column)
    try:
        if isinstance(raw, str) and "\x00" in raw:
            raise ValueError(raw)
        if kind is bool:
            if str(raw).lower() in {"true", "1", "yes"}:
                return True
            if str(raw).lower() in {"false", "0", "no"}:
                return False
            raise ValueError(raw)
        if kind is int:
            value = int(raw)
            if not -(2**63) <= value < 2**63:
                raise ValueError(raw)
            return value
        if kind is uuid.UUID:
            return raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))
        if kind is datetime:
            moment = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return moment.astimezone(UTC)
        if kind is date:
            return raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        if kind is float:
            return float(raw)
        return str(raw)
    except (ValueError, TypeError, OverflowError) as exc:
        raise _bad(loc, f"'{raw}' is not a valid {kind.__name__} for {loc}") from exc


def _encode_cursor(sort_value: Any, id_value: Any) -> str:
    def plain(v: Any) -> Any:
        if isinstance(v, (date, datetime)):
            return v.isoformat()
        if isinstance(v, uuid.UUID):
            return str(v)
        return v

    raw = json.dumps([plain(sort_value), plain(id_value)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[Any, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(value, list) or len(value) != 2:
            raise ValueError(cursor)
        return value[0], value[1]
    except (ValueError, binascii.Error, json.JSONDecodeError) as exc:
        raise _bad("cursor", "the cursor is not one this server gave out") from exc


def paginate(db: Session, stmt: Select[Any], spec: ListSpec, params: ListParams) -> Page[Any]:
    """Apply filters, search, sort and a keyset cursor to ``stmt``; return one page."""
    if not 1 <= params.limit <= MAX_LIMIT:
        raise _bad("limit", f"limit must be between 1 and {MAX_LIMIT}")
    for key, raw in params.filters.items():
        if raw is None or raw == "":
            continue
        name, _, op = key.partition("__")
        if op and name in spec.sortable and op in {"gte", "lte"}:
            column = spec.sortable[name]
            value = _coerce(column, raw, key)
            stmt = stmt.where(column >= value if op == "gte" else column <= value)
        elif not op and name in spec.filterable:
            column = spec.filterable[name]
            stmt = stmt.where(column == _coerce(column, raw, key))
        else:
            allowed = sorted(
                list(spec.filterable)
                + [f"{s}__gte" for s in spec.sortable]
                + [f"{s}__lte" for s in spec.sortable]
            )
            raise _bad(key, f"cannot filter on '{key}'; allowed: {', '.join(allowed)}")
    if params.q and spec.searchable:
        # The text is searched as typed: % and _ are literal characters, not wildcards.
        text = params.q.replace(chr(0), "").strip().lower()
        text = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        needle = f"%{text}%"
        stmt = stmt.where(
            or_(*(func.lower(col).like(needle, escape="\\") for col in spec.searchable))
        )

    total = db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0

    sort = params.sort or spec.default_sort
    descending = sort.startswith("-")
    sort_name = sort.lstrip("-")
    if sort_name not in spec.sortable:
        raise _bad("sort", f"cannot sort by '{sort_name}'; allowed: {', '.join(spec.sortable)}")
    column = spec.sortable[sort_name]
    id_col = spec.id_column
    if params.cursor:
        raw_sort, raw_id = _decode_cursor(params.cursor)
        last_sort = _coerce(column, raw_sort, "cursor")
        last_id = _coerce(id_col, raw_id, "cursor")
        if descending:
            stmt = stmt.where(or_(column < last_sort, and_(column == last_sort, id_col < last_id)))
        else:
            stmt = stmt.where(or_(column > last_sort, and_(column == last_sort, id_col > last_id)))
    order = (column.desc(), id_col.desc()) if descending else (column.asc(), id_col.asc())
    # The sort value comes back with each row: it may live on a joined table.
    keyed = stmt.add_columns(column.label("_aims_sort_key"), id_col.label("_aims_id_key"))
    rows = db.execute(keyed.order_by(*order).limit(params.limit + 1)).all()
    next_cursor = None
    if len(rows) > params.limit:
        rows = rows[: params.limit]
        next_cursor = _encode_cursor(rows[-1][-2], rows[-1][-1])
    return Page(
        items=[row[0] for row in rows], next_cursor=next_cursor, total=total, limit=params.limit
    )
