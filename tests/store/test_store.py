"""The store: migrations build every table, settings per backend, versions, listing."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from aims.access import service as access
from aims.access.models import Membership
from aims.access.rules import Role
from aims.errors import ConfigurationError, ValidationFailed
from aims.store import migrate
from aims.store.base import Base
from aims.store.engine import build_engine, check_connection, parse_url, unit_of_work
from aims.store.listing import ListParams
from tests.conftest import Org


def test_migrations_build_exactly_the_models(engine: Engine) -> None:
    """Every table comes from a migration: the migrated schema has nothing to add or drop."""

    def include(
        obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
    ) -> bool:
        return not (type_ == "table" and name is not None and name.startswith("test_"))

    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include}
        )
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert not migrate.needs_upgrade(engine)


def test_backend_settings(engine: Engine) -> None:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        else:
            assert engine.dialect.driver == "psycopg"
    tables = set(inspect(engine).get_table_names())
    assert {"organisations", "users", "memberships", "api_tokens", "audit_events"} <= tables


def test_records_carry_the_common_columns(engine: Engine) -> None:
    columns = {c["name"] for c in inspect(engine).get_columns("memberships")}
    assert {"id", "organisation_id", "created_at", "created_by_id", "updated_at",
            "updated_by_id", "version", "deleted_at", "deleted_by_id"} <= columns  # fmt: skip


def test_records_are_stamped_with_who_and_when(sessions: sessionmaker[Session], org: Org) -> None:
    owner = org.contexts[Role.OWNER]
    with unit_of_work(sessions, owner.actor) as db:
        m = access.add_member(
            db, owner, email="z@acme.example", full_name="", role="viewer"
        ).membership
        assert m.created_by_id == owner.user_id and m.version == 1
        created = m.created_at
    manager = org.contexts[Role.MANAGER]
    with unit_of_work(sessions, manager.actor) as db:
        m = access.change_role(db, manager, m.id, role="auditor", version=1)
        assert (m.updated_by_id, m.version) == (manager.user_id, 2)
        assert m.updated_at > created and m.created_by_id == owner.user_id


def test_a_write_racing_another_is_refused_by_the_version_check(
    sessions: sessionmaker[Session], org: Org
) -> None:
    """Two people load version 1; the first save wins; the second never overwrites it."""
    owner = org.contexts[Role.OWNER]
    with unit_of_work(sessions, owner.actor) as db:
        member_id = access.add_member(
            db, owner, email="r@acme.example", full_name="", role="viewer"
        ).membership.id
    b = sessions()
    try:
        stale = b.get(Membership, member_id)  # the second person loads version 1 ...
        assert stale is not None
        b.commit()  # ... and their request ends; the object keeps version 1
        with unit_of_work(sessions, owner.actor) as a:  # the first person saves
            fresh = a.get(Membership, member_id)
            assert fresh is not None
            fresh.role = "auditor"
        stale.role = "contributor"  # the second person saves what they loaded
        with pytest.raises(StaleDataError):
            b.commit()
    finally:
        b.rollback()
        b.close()
    with unit_of_work(sessions) as db:
        assert access.get_member(db, owner, member_id).role == "auditor"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/x", "must be sqlite"),
        ("not a url", "not a database URL"),
    ],
)
def test_wrong_database_urls_are_one_clear_line(url: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        parse_url(url)


def test_unreachable_database_is_one_clear_line() -> None:
    engine = build_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(ConfigurationError) as info:
        check_connection(engine)
    assert "cannot reach the database" in info.value.detail and "\n" not in info.value.detail


def _emails(db: Session, org: Org, **kw: object) -> tuple[list[str], str | None, int]:
    page = access.list_members(db, org.contexts[Role.OWNER], ListParams(**kw))  # type: ignore[arg-type]
    return [m.user.email for m in page.items], page.next_cursor, page.total


@pytest.mark.parametrize("sort", ["email", "-email", "role", "-created_at"])
def test_cursor_pages_cover_every_row_once_in_order(
    sessions: sessionmaker[Session], org: Org, sort: str
) -> None:
    owner = org.contexts[Role.OWNER]
    with unit_of_work(sessions, owner.actor) as db:
        for i in range(12):
            access.add_member(
                db, owner, email=f"p{i:02d}@acme.example", full_name=f"P {i}", role="viewer"
            )
    with unit_of_work(sessions) as db:
        everything, _, total = _emails(db, org, limit=200, sort=sort)
        assert total == 17 and len(everything) == 17
        seen: list[str] = []
        cursor = None
        while True:
            page, cursor, _ = _emails(db, org, limit=4, sort=sort, cursor=cursor)
            seen += page
            if cursor is None:
                break
        assert seen == everything


def test_listing_filters_search_and_bad_parameters(
    sessions: sessionmaker[Session], org: Org
) -> None:
    with unit_of_work(sessions) as db:
        emails, _, total = _emails(db, org, filters={"role": "auditor"})
        assert (emails, total) == ([org.emails[Role.AUDITOR]], 1)
        emails, _, _ = _emails(db, org, q="MANAGER of")
        assert emails == [org.emails[Role.MANAGER]]
        # % and _ are what the person typed, not wildcards.
        assert _emails(db, org, q="%")[0] == []
        assert _emails(db, org, q="r_of")[0] == []  # would match "Manager of" as a wildcard
        assert _emails(db, org, q="\\")[0] == []
        for kwargs, field in [
            ({"sort": "password"}, "sort"),
            ({"cursor": "!!garbage"}, "cursor"),
            ({"filters": {"colour": "red"}}, "colour"),
            ({"limit": 0}, "limit"),
        ]:
            with pytest.raises(ValidationFailed) as info:
                _emails(db, org, **kwargs)
            assert info.value.errors[0].loc == ("query", field)


def test_listing_pages_through_a_date_sort(sessions: sessionmaker[Session], org: Org) -> None:
    """A date sort key travels in the cursor and comes back as a date on both databases."""
    from datetime import date

    from aims.leadership.models import ResourceCommitment
    from aims.leadership.service import COMMITMENT_LIST
    from aims.store.listing import ListParams, paginate
    from aims.store.scoping import scoped

    with unit_of_work(sessions) as db:
        for day in (3, 1, 2, 2, 5):
            db.add(ResourceCommitment(organisation_id=org.id, kind="budget",
                                      description=f"d{day}", committed_on=date(2026, 1, day)))  # fmt: skip
        db.flush()
        seen: list[date] = []
        cursor = None
        while True:
            page = paginate(db, scoped(ResourceCommitment, org.id), COMMITMENT_LIST,
                            ListParams(limit=2, cursor=cursor, sort="-committed_on"))  # fmt: skip
            seen += [r.committed_on for r in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == sorted(seen, reverse=True) and len(seen) == 5
        after = paginate(db, scoped(ResourceCommitment, org.id), COMMITMENT_LIST,
                         ListParams(limit=10).with_filters(committed_on__gte="2026-01-02"))  # fmt: skip
        assert after.total == 4
