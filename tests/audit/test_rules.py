"""The hash chain as pure logic: any alteration, removal or reordering is found."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from aims.audit.rules import GENESIS, EventData, StoredEvent, event_hash, verify_chain


def build_chain(n: int) -> list[StoredEvent]:
    events, prev = [], GENESIS
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(1, n + 1):
        data = EventData(
            chain="org",
            seq=i,
            occurred_at=start + timedelta(seconds=i),
            organisation_id="org",
            actor_id=None,
            actor_label=f"user{i}@x",
            record_type="things",
            record_id=str(i),
            action="update",
            changes={"name": {"before": f"a{i}", "after": f"b{i}"}},
            prev_hash=prev,
        )
        digest = event_hash(data)
        events.append(StoredEvent(row_id=i, data=data, hash=digest))
        prev = digest
    return events


def head_of(events: list[StoredEvent]) -> tuple[int, str] | None:
    return (events[-1].data.seq, events[-1].hash) if events else None


@given(st.integers(min_value=0, max_value=30))
def test_an_untouched_chain_verifies(n: int) -> None:
    events = build_chain(n)
    assert verify_chain("org", events, head_of(events)) is None


FIELDS = ["actor_label", "record_type", "record_id", "action", "changes", "occurred_at"]


@given(n=st.integers(min_value=1, max_value=20), data=st.data())
def test_altering_any_field_of_any_event_names_that_event(n: int, data: st.DataObject) -> None:
    events = build_chain(n)
    head = head_of(events)
    i = data.draw(st.integers(min_value=0, max_value=n - 1))
    name = data.draw(st.sampled_from(FIELDS))
    original = events[i].data
    replacement: object = {
        "actor_label": "mallory@x",
        "record_type": "other",
        "record_id": "999",
        "action": "delete",
        "changes": {"name": {"before": "x", "after": "y"}},
        "occurred_at": original.occurred_at + timedelta(microseconds=1),
    }[name]
    events[i] = dataclasses.replace(
        events[i], data=dataclasses.replace(original, **{name: replacement})
    )
    problem = verify_chain("org", events, head)
    assert problem is not None and problem.seq == i + 1 and "altered" in problem.reason


@given(n=st.integers(min_value=2, max_value=20), data=st.data())
def test_removing_an_event_is_found_at_the_gap(n: int, data: st.DataObject) -> None:
    events = build_chain(n)
    head = head_of(events)
    i = data.draw(st.integers(min_value=0, max_value=n - 1))
    del events[i]
    problem = verify_chain("org", events, head)
    assert problem is not None
    assert problem.seq == i + 2 if i < n - 1 else problem.seq == n


@given(n=st.integers(min_value=2, max_value=20), data=st.data())
def test_swapping_two_events_is_found(n: int, data: st.DataObject) -> None:
    events = build_chain(n)
    head = head_of(events)
    i = data.draw(st.integers(min_value=0, max_value=n - 2))
    j = data.draw(st.integers(min_value=i + 1, max_value=n - 1))
    # Reordering in the database means their seq numbers are swapped too.
    a, b = events[i], events[j]
    events[i] = dataclasses.replace(b, data=dataclasses.replace(b.data, seq=a.data.seq))
    events[j] = dataclasses.replace(a, data=dataclasses.replace(a.data, seq=b.data.seq))
    problem = verify_chain("org", events, head)
    assert problem is not None and problem.seq == i + 1


def test_rewriting_the_whole_tail_is_caught_by_the_head() -> None:
    events = build_chain(5)
    head = head_of(events)
    assert verify_chain("org", events[:3], head) is not None
