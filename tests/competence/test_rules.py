"""The pure rules of competence: RACI checks, expiry dates and the competence matrix."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aims.competence import rules
from aims.competence.processes import ProcessFileError, get_processes, load_processes
from aims.competence.rules import (
    CellStatus,
    EvidenceFacts,
    Holder,
    Requirement,
    competence_matrix,
    evidence_status,
)

TODAY = date(2026, 11, 29)

# --- RACI --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("letters", "problems", "gap"),
    [
        ([], ["nobody is accountable"], True),
        (["", ""], ["nobody is accountable"], True),
        (["R", "C"], ["nobody is accountable"], True),
        (["A"], ["nobody is responsible for doing the work"], False),
        (["A", "C", "I"], ["nobody is responsible for doing the work"], False),
        (["A", "R"], [], False),
        (["A", "R", "R", "C", "I"], [], False),
        (["A", "A", "R"], ["2 roles are accountable; exactly one should be"], False),
    ],
)
def test_raci_rows(letters: list[str], problems: list[str], gap: bool) -> None:
    assert rules.raci_problems(letters) == problems
    assert rules.is_gap(letters) is gap


@pytest.mark.parametrize(
    ("row", "role", "letter", "refused"),
    [
        ({}, "x", "A", False),
        ({"x": "A"}, "x", "A", False),  # setting the same cell again
        ({"y": "A"}, "x", "A", True),
        ({"y": "A"}, "x", "R", False),
        ({"y": "A"}, "x", "", False),
        ({"y": "R", "z": "C"}, "x", "A", False),
    ],
)
def test_a_row_keeps_one_accountable_role(
    row: dict[str, str], role: str, letter: str, refused: bool
) -> None:
    assert (rules.letter_refusal(row, role, letter) is not None) is refused


letters = st.sampled_from(["", "R", "A", "C", "I"])


@given(st.dictionaries(st.integers(0, 6), letters, max_size=7), st.integers(0, 6), letters)
def test_cells_set_through_the_refusal_never_give_a_row_two_as(
    row: dict[int, str], role: int, letter: str
) -> None:
    # Start from a valid row (at most one A), then apply one allowed change.
    first_a = next((k for k, v in row.items() if v == "A"), None)
    row = {k: ("R" if v == "A" and k != first_a else v) for k, v in row.items()}
    if rules.letter_refusal(row, role, letter) is None:
        row[role] = letter
    assert list(row.values()).count("A") <= 1
    assert rules.is_gap(row.values()) == ("A" not in row.values())


# --- Reporting lines ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parents", "role", "new_parent", "cycle"),
    [
        ({}, "a", None, False),
        ({}, "a", "a", True),
        ({"b": "a"}, "a", "b", True),
        ({"b": "c", "c": "a"}, "a", "b", True),
        ({"b": "c", "c": None}, "a", "b", False),
        ({"b": "c", "c": "b"}, "a", "b", False),  # an old loop elsewhere does not hang
    ],
)
def test_reporting_lines_never_loop(
    parents: dict[str, str | None], role: str, new_parent: str | None, cycle: bool
) -> None:
    assert rules.creates_cycle(parents, role, new_parent) is cycle


# --- Expiry ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 15), 12, date(2027, 1, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 1), 24, date(2028, 12, 1)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert rules.add_months(start, months) == expected


def test_default_expiry_follows_the_validity() -> None:
    assert rules.default_expiry(date(2026, 3, 1), None) is None
    assert rules.default_expiry(date(2026, 3, 1), 36) == date(2029, 3, 1)


@given(st.dates(date(1990, 1, 1), date(2100, 1, 1)), st.integers(1, 240))
def test_expiry_is_later_and_within_the_right_month(start: date, months: int) -> None:
    end = rules.add_months(start, months)
    assert end > start
    assert (end.year - start.year) * 12 + end.month - start.month == months
    assert end.day <= start.day


# --- The matrix --------------------------------------------------------------------------------


def ev(expires: date | None, check: str = "effective", **kw: object) -> EvidenceFacts:
    base: dict[str, object] = {"id": "e1", "user_id": "u1", "competence_id": "c1",
                               "title": "Course", "obtained": date(2025, 1, 1),
                               "expires": expires, "check_result": check}  # fmt: skip
    base.update(kw)
    return EvidenceFacts(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("evidence", "status"),
    [
        (ev(None), CellStatus.MET),
        (ev(TODAY + timedelta(days=61)), CellStatus.MET),
        (ev(TODAY + timedelta(days=60)), CellStatus.EXPIRING),
        (ev(TODAY), CellStatus.EXPIRING),
        (ev(TODAY - timedelta(days=1)), CellStatus.EXPIRED),
        (ev(None, "pending"), CellStatus.UNVERIFIED),
        (ev(None, "not_effective"), CellStatus.UNVERIFIED),
        (ev(TODAY - timedelta(days=1), "pending"), CellStatus.EXPIRED),
        (ev(None, obtained=TODAY + timedelta(days=1)), CellStatus.MISSING),
    ],
)
def test_one_piece_of_evidence(evidence: EvidenceFacts, status: CellStatus) -> None:
    assert evidence_status(evidence, TODAY, 60) is status


REQ = Requirement("r1", "AI system owner", "c1", "AI ethics and fairness")
PRIYA = Holder("r1", "u1", "Priya", date(2025, 1, 1))
TOMAS = Holder("r1", "u2", "Tomás", date(2025, 1, 1))


def test_the_matrix_gives_each_holder_their_best_evidence() -> None:
    evidence = [
        ev(TODAY - timedelta(days=3), id="old"),
        ev(TODAY + timedelta(days=400), id="new"),
        ev(None, "pending", id="unchecked"),
    ]
    cells = competence_matrix([REQ], [PRIYA, TOMAS], evidence, TODAY)
    assert [(c.person, c.status) for c in cells] == [
        ("Priya", CellStatus.MET), ("Tomás", CellStatus.MISSING)]  # fmt: skip
    assert cells[0].evidence is not None and cells[0].evidence.id == "new"
    assert cells[1].is_gap and cells[1].reason == "no evidence on record"
    assert rules.summary(cells) == {"met": 1, "expiring": 0, "unverified": 0, "expired": 0,
                                    "missing": 1}  # fmt: skip


def test_a_role_nobody_holds_today_is_missing() -> None:
    past = Holder("r1", "u1", "Priya", date(2020, 1, 1), date(2021, 1, 1))
    future = Holder("r1", "u2", "Tomás", TODAY + timedelta(days=5))
    cells = competence_matrix([REQ], [past, future], [ev(None)], TODAY)
    assert [(c.person, c.status, c.reason) for c in cells] == [
        (None, CellStatus.MISSING, "nobody holds this role")]  # fmt: skip


def test_a_person_holding_a_role_twice_appears_once() -> None:
    again = Holder("r1", "u1", "Priya", date(2025, 6, 1))
    assert len(competence_matrix([REQ], [PRIYA, again], [], TODAY)) == 1


def test_the_window_decides_what_is_expiring() -> None:
    evidence = [ev(TODAY + timedelta(days=30))]
    assert competence_matrix([REQ], [PRIYA], evidence, TODAY, 10)[0].status is CellStatus.MET
    assert competence_matrix([REQ], [PRIYA], evidence, TODAY, 30)[0].status is (CellStatus.EXPIRING)


evidence_strategy = st.builds(
    EvidenceFacts,
    id=st.uuids().map(str),
    user_id=st.sampled_from(["u1", "u2"]),
    competence_id=st.sampled_from(["c1", "c2"]),
    title=st.just("t"),
    obtained=st.dates(date(2020, 1, 1), date(2027, 1, 1)),
    expires=st.none() | st.dates(date(2020, 1, 1), date(2030, 1, 1)),
    check_result=st.sampled_from([r.value for r in rules.CheckResult]),
)


@given(st.lists(evidence_strategy, max_size=8), st.integers(0, 400))
def test_more_evidence_never_makes_a_cell_worse(evidence: list[EvidenceFacts], window: int) -> None:
    reqs = [REQ, Requirement("r1", "AI system owner", "c2", "ML")]
    before = competence_matrix(reqs, [PRIYA, TOMAS], evidence[:-1], TODAY, window)
    after = competence_matrix(reqs, [PRIYA, TOMAS], evidence, TODAY, window)
    assert len(before) == len(after) == 4
    for b, a in zip(before, after, strict=True):
        assert rules.RANK[a.status] <= rules.RANK[b.status]
        if a.status is not CellStatus.MISSING:
            assert a.evidence is not None and a.evidence.user_id == a.user_id
            assert a.evidence.competence_id == a.competence_id
            assert evidence_status(a.evidence, TODAY, window) is a.status


@given(evidence_strategy, st.integers(0, 400))
def test_each_status_means_what_the_matrix_says(ev: EvidenceFacts, window: int) -> None:
    """Met and expiring need an effectiveness check and evidence in force today; expired means
    past its expiry whatever the check; unverified means in force but not found effective."""
    status = evidence_status(ev, TODAY, window)
    in_force = ev.obtained <= TODAY and (ev.expires is None or ev.expires >= TODAY)
    effective = ev.check_result == rules.CheckResult.EFFECTIVE.value
    soon = ev.expires is not None and ev.expires <= TODAY + timedelta(days=window)
    if status in (CellStatus.MET, CellStatus.EXPIRING):
        assert in_force and effective
        assert (status is CellStatus.EXPIRING) == soon
    if status is CellStatus.EXPIRED:
        assert ev.expires is not None and ev.expires < TODAY
    if status is CellStatus.UNVERIFIED:
        assert in_force and not effective
    if status is CellStatus.MISSING:
        assert ev.obtained > TODAY


holders_strategy = st.lists(
    st.builds(
        Holder,
        role_id=st.sampled_from(["r1", "r2"]),
        user_id=st.sampled_from(["u1", "u2", "u3"]),
        name=st.just("n"),
        since=st.dates(date(2024, 1, 1), date(2027, 1, 1)),
        until=st.none() | st.dates(date(2024, 1, 1), date(2028, 1, 1)),
    ),
    max_size=8,
)


@given(holders_strategy, st.lists(evidence_strategy, max_size=6))
def test_one_cell_per_requirement_and_person_holding_the_role_today(
    holders: list[Holder], evidence: list[EvidenceFacts]
) -> None:
    reqs = [REQ, Requirement("r2", "Data steward", "c2", "Data quality")]
    cells = competence_matrix(reqs, holders, evidence, TODAY)
    for req in reqs:
        today = {h.user_id for h in holders if h.role_id == req.role_id and h.active_on(TODAY)}
        mine = [c for c in cells if c.role_id == req.role_id]
        if not today:
            assert [(c.user_id, c.status) for c in mine] == [(None, CellStatus.MISSING)]
        else:
            assert sorted(c.user_id or "" for c in mine) == sorted(today)
    assert sum(rules.summary(cells).values()) == len(cells)


# --- The process list --------------------------------------------------------------------------


def test_the_shipped_processes_serve_known_clauses() -> None:
    from aims.catalog.loader import get_catalog

    processes = get_processes()
    assert len(processes) >= 12
    clauses = set(get_catalog().clauses)
    for p in processes:
        assert set(p.clauses) <= clauses, p.id


def test_a_broken_process_file_names_the_entry(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "processes.yaml"
    path.write_text("processes:\n  - id: x\n    title: Something\n    summary: short\n"
                    "    clauses: ['5.2']\n", encoding="utf-8")  # fmt: skip
    with pytest.raises(ProcessFileError, match="entry x"):
        load_processes(path)
    path.write_text("processes: [", encoding="utf-8")
    with pytest.raises(ProcessFileError, match="not valid YAML"):
        load_processes(path)
