"""Run with `make bench`: what the audit trail costs, as ratios to plain work done alongside.

- write: recording N changes through aims (stamping + hash-chained audit events) against
  inserting the same rows with plain SQL, in one transaction each;
- verify: walking an N-event chain against hashing N payloads of the same size;
- the risk register at 10,000 risks (a page, a search, a filter, the heat maps) against the
  bare SQL query for one page.
Ratios, not seconds, are what to compare between runs and machines.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert

from aims.access.models import Organisation
from aims.audit import service as audit
from aims.store import migrate
from aims.store.engine import Actor, build_engine, unit_of_work
from aims.store.registry import session_factory
from aims.store.types import utcnow

N = 500
METRICS_ROWS = 100_000
ROUNDS = 5


def best(fn: Callable[[], None]) -> float:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = build_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        migrate.upgrade(engine)
        # The plain-SQL baseline writes to a database of its own: its rows have no audit
        # events, which the chain check would rightly report as a removed chain.
        plain = build_engine(f"sqlite:///{Path(tmp) / 'plain.db'}")
        migrate.upgrade(plain)
        sessions = session_factory(engine)
        actor = Actor(None, None, "bench")

        def plain_insert() -> None:
            with plain.begin() as conn:
                conn.execute(
                    insert(Organisation.__table__),  # type: ignore[arg-type]
                    [_row(i) for i in range(N)],
                )

        def audited_insert() -> None:
            with unit_of_work(sessions, actor) as db:
                db.add_all(
                    Organisation(name=f"Org {i}", slug=f"aud-{uuid.uuid4().hex}") for i in range(N)
                )

        write_base = best(plain_insert)
        write_aims = best(audited_insert)

        with unit_of_work(sessions) as db:
            events = audit.verify(db).checked
        payload = json.dumps(
            {"changes": {"name": {"before": None, "after": "Org 1"}}, "x": "y" * 300}
        )

        def hash_only() -> None:
            prev = "0" * 64
            for _ in range(events):
                prev = hashlib.sha256((prev + payload).encode()).hexdigest()

        def verify() -> None:
            with unit_of_work(sessions) as db:
                assert audit.verify(db).ok

        verify_base = best(hash_only)
        verify_aims = best(verify)
        engine.dispose()
        plain.dispose()

    print(f"audit write   {N} records: aims {write_aims * 1000:8.1f} ms, plain SQL "
          f"{write_base * 1000:8.1f} ms, ratio {write_aims / write_base:5.1f}x")  # fmt: skip
    print(f"audit verify {events} events: aims {verify_aims * 1000:8.1f} ms, bare hashing "
          f"{verify_base * 1000:8.1f} ms, ratio {verify_aims / verify_base:5.1f}x")  # fmt: skip
    from bench import risk

    for line in risk.run(best):
        print(line)
    from bench import metrics

    # A small log keeps `make bench` short (fairlearn is slow); the figures come from
    # `python -m bench.metrics --rows 1000000` (and --rows 10000000 --no-fairlearn).
    for line in metrics.run(METRICS_ROWS):
        print(line, flush=True)


def _row(i: int) -> dict[str, object]:
    now = utcnow()
    slug = f"plain-{uuid.uuid4().hex}"
    return {"id": uuid.uuid4(), "name": f"Org {i}", "slug": slug, "version": 1,
            "created_at": now, "updated_at": now}  # fmt: skip


if __name__ == "__main__":
    main()
