"""The risk register at 10,000 risks: a page, a search, a filter and the heat maps through
aims, against the bare SQL query for one page, measured in the same run."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from sqlalchemy import insert, text

from aims.access import service as access
from aims.access.rules import Role
from aims.risk import service
from aims.risk.models import Risk
from aims.store import migrate
from aims.store.engine import Actor, build_engine, unit_of_work
from aims.store.listing import ListParams
from aims.store.registry import session_factory
from aims.store.types import utcnow

RISKS = 10_000
LEVELS = ["low", "medium", "high", "critical"]


def run(best: object) -> list[str]:
    assert callable(best)
    with tempfile.TemporaryDirectory() as tmp:
        engine = build_engine(f"sqlite:///{Path(tmp) / 'risk.db'}")
        migrate.upgrade(engine)
        sessions = session_factory(engine)
        with unit_of_work(sessions, Actor(None, None, "bench")) as db:
            org = access.create_organisation(db, name="Bench")
            user = access.create_user(db, email="b@bench.example", full_name="B", password="x" * 12)
            access.bootstrap_member(db, organisation=org, user=user, role=Role.OWNER)
            ctx = access.context_for(db, user=user, organisation_id=org.id)
        now = utcnow()
        rows = [
            {"id": uuid.uuid4(), "organisation_id": org.id, "ref": f"R-{i:05d}",
             "title": f"Risk {i} {'drift' if i % 7 == 0 else 'bias'}", "description": "",
             "source": "", "own_source": "", "objectives": [], "consequences_org": "",
             "consequences_individuals": "", "consequences_society": "",
             "inherent_likelihood": i % 5 + 1, "inherent_consequence": i % 3 + 1,
             "inherent_level": LEVELS[i % 4], "existing_controls": "",
             "residual_likelihood": 1, "residual_consequence": i % 5 + 1,
             "residual_level": LEVELS[(i + 1) % 4], "criteria_number": 0, "origin": "manual",
             "origin_ref": "", "status": "open", "acceptance_reason": "", "version": 1,
             "created_at": now, "updated_at": now}
            for i in range(RISKS)
        ]  # fmt: skip
        with engine.begin() as conn:
            conn.execute(insert(Risk.__table__), rows)  # type: ignore[arg-type]

        def bare_page() -> None:
            with engine.connect() as conn:
                conn.execute(
                    text("SELECT * FROM risks WHERE organisation_id = :o ORDER BY ref LIMIT 50"),
                    {"o": org.id.hex},
                ).all()

        def listing(params: ListParams) -> object:
            def go() -> None:
                with unit_of_work(sessions) as db:
                    service.list_risks(db, ctx, params)

            return go

        def heat() -> None:
            with unit_of_work(sessions) as db:
                service.heat_map(db, ctx)

        base = best(bare_page)
        cases = {
            "first page": listing(ListParams(limit=50)),
            "search": listing(ListParams(limit=50, q="drift")),
            "filter": listing(ListParams(limit=50).with_filters(residual_level="high")),
            "heat maps": heat,
        }
        lines = []
        for name, fn in cases.items():
            took = best(fn)
            lines.append(f"risk register {RISKS} risks, {name:10}: aims {took * 1000:7.1f} ms, "
                         f"bare page {base * 1000:6.1f} ms, ratio {took / base:6.1f}x")  # fmt: skip
        engine.dispose()
        return lines
