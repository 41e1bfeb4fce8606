"""Importing an inventory spreadsheet: preview with a column mapping, then all or nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.access.models import Membership, User
from aims.access.rules import Permission
from aims.errors import FieldError, ValidationFailed
from aims.store.scoping import scoped
from aims.systems import service
from aims.systems.models import AISystem
from aims.systems.spreadsheet import (
    FIELDS,
    Preview,
    Problem,
    SpreadsheetError,
    Table,
    read_table,
    suggest_mapping,
    validate_rows,
)


@dataclass(frozen=True)
class ImportPlan:
    """What an import would do: the table read, the mapping used, and every problem found."""

    table: Table
    mapping: dict[str, str | None]
    preview: Preview
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def plan_import(
    db: Session,
    ctx: Context,
    *,
    filename: str,
    content: bytes,
    mapping: Mapping[str, str | None] | None = None,
) -> ImportPlan:
    """Read the file, map its columns (suggested when not given) and check every row,
    including what only the database knows: owners who are not members, names taken."""
    ctx.require(Permission.EDIT)
    table = read_table(filename, content)
    # The suggestion fills in whatever the caller did not map explicitly.
    chosen = {**suggest_mapping(table.headers), **(mapping or {})}
    preview = validate_rows(table, chosen)
    problems = list(preview.problems)
    header_of = {field: header for header, field in chosen.items() if field}
    members = {
        email
        for email in db.scalars(
            select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.organisation_id == ctx.organisation_id,
                Membership.deleted_at.is_(None),
            )
        )
    }
    taken = {
        name.lower()
        for name in db.scalars(
            scoped(AISystem, ctx.organisation_id).with_only_columns(func.lower(AISystem.name))
        )
    }
    for row_number, row in zip(preview.row_numbers, preview.rows, strict=True):
        owner = row.get("owner_email")
        if isinstance(owner, str) and owner.lower() not in members:
            problems.append(
                Problem(row_number, header_of.get("owner_email"), f"{owner} is not a member here")
            )
        name = str(row.get("name", ""))
        if name.lower() in taken:
            problems.append(
                Problem(row_number, header_of.get("name"), f"'{name}' is already registered")
            )
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return ImportPlan(table=table, mapping=chosen, preview=preview, problems=problems)


def run_import(
    db: Session,
    ctx: Context,
    *,
    filename: str,
    content: bytes,
    mapping: Mapping[str, str | None] | None = None,
) -> list[AISystem]:
    """Create every system of the file, or none: any problem refuses the whole file."""
    plan = plan_import(db, ctx, filename=filename, content=content, mapping=mapping)
    if not plan.ok:
        raise SpreadsheetError(plan.problems)
    created = []
    with db.begin_nested():
        for row in plan.preview.rows:
            created.append(service.create_system(db, ctx, row))
    return created


FIELD_CHOICES: list[tuple[str, str]] = [(spec.name, spec.label) for spec in FIELDS]


def parse_mapping_pairs(pairs: list[str]) -> dict[str, str | None]:
    """``Header=field`` pairs from the command line (``Header=`` ignores a column)."""
    mapping: dict[str, str | None] = {}
    for pair in pairs:
        header, sep, field = pair.partition("=")
        if not sep:
            raise ValidationFailed(
                f"'{pair}' is not HEADER=FIELD",
                errors=[FieldError(("map",), "use HEADER=FIELD, e.g. 'System name=name'")],
            )
        mapping[header.strip()] = field.strip() or None
    return mapping
