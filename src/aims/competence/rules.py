"""Pure rules of competence: the RACI checks (A.3.2), expiry dates, and the competence matrix
that says, per role, required competence and person, whether the competence is shown (7.2)."""

from __future__ import annotations

import calendar
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

DEFAULT_WINDOW_DAYS = 60


class Letter(StrEnum):
    RESPONSIBLE = "R"
    ACCOUNTABLE = "A"
    CONSULTED = "C"
    INFORMED = "I"


class CompetenceKind(StrEnum):
    KNOWLEDGE = "knowledge"
    SKILL = "skill"
    QUALIFICATION = "qualification"


class EvidenceKind(StrEnum):
    TRAINING = "training"
    QUALIFICATION = "qualification"
    EXPERIENCE = "experience"
    ASSESSMENT = "assessment"


class CheckResult(StrEnum):
    PENDING = "pending"
    EFFECTIVE = "effective"
    NOT_EFFECTIVE = "not_effective"


class CellStatus(StrEnum):
    MET = "met"
    EXPIRING = "expiring"
    UNVERIFIED = "unverified"
    EXPIRED = "expired"
    MISSING = "missing"


# Best first: when a person has several pieces of evidence, the best one counts.
RANK = {s: i for i, s in enumerate(CellStatus)}
GAP_STATUSES = frozenset({CellStatus.MISSING, CellStatus.EXPIRED, CellStatus.UNVERIFIED})


# --- RACI (5.3, A.3.2) ------------------------------------------------------------------------


def raci_problems(letters: Iterable[str]) -> list[str]:
    """What is wrong with one row of the RACI matrix (its non-empty letters).

    A row nobody is accountable for is a gap, assigned or not; a row with an accountable role
    needs one only, and someone responsible for doing the work.
    """
    found = [x for x in letters if x]
    accountable = found.count(Letter.ACCOUNTABLE.value)
    problems: list[str] = []
    if accountable == 0:
        problems.append("nobody is accountable")
    elif accountable > 1:
        problems.append(f"{accountable} roles are accountable; exactly one should be")
    if accountable and Letter.RESPONSIBLE.value not in found:
        problems.append("nobody is responsible for doing the work")
    return problems


def is_gap(letters: Iterable[str]) -> bool:
    """A row with nobody accountable (A.3.2 asks that every responsibility has an owner)."""
    return Letter.ACCOUNTABLE.value not in list(letters)


def letter_refusal(row: Mapping[K, str], role: K, letter: str) -> str | None:
    """Why one cell may not take ``letter`` (None when it may): a row keeps one A."""
    if letter != Letter.ACCOUNTABLE.value:
        return None
    others = [r for r, x in row.items() if x == Letter.ACCOUNTABLE.value and r != role]
    if others:
        return "another role is already accountable for this row; change that cell first"
    return None


# --- Reporting lines ---------------------------------------------------------------------------


def creates_cycle(parents: Mapping[K, K | None], role: K, new_parent: K | None) -> bool:
    """Whether reporting ``role`` to ``new_parent`` would make a role report to itself."""
    seen: set[K] = set()
    current = new_parent
    while current is not None and current not in seen:
        if current == role:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


# --- Expiry ------------------------------------------------------------------------------------


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def default_expiry(obtained: date, validity_months: int | None) -> date | None:
    """When evidence stops counting, from the competence's validity (None: it does not)."""
    return add_months(obtained, validity_months) if validity_months else None


# --- The competence matrix (7.2) ---------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceFacts:
    id: str
    user_id: str
    competence_id: str
    title: str
    obtained: date
    expires: date | None
    check_result: str


@dataclass(frozen=True)
class Requirement:
    role_id: str
    role_name: str
    competence_id: str
    competence_name: str
    level: str = ""


@dataclass(frozen=True)
class Holder:
    role_id: str
    user_id: str
    name: str
    since: date
    until: date | None = None

    def active_on(self, today: date) -> bool:
        return self.since <= today and (self.until is None or today <= self.until)


@dataclass(frozen=True)
class MatrixCell:
    role_id: str
    role_name: str
    competence_id: str
    competence_name: str
    level: str
    user_id: str | None
    person: str | None
    status: CellStatus
    reason: str
    evidence: EvidenceFacts | None = None

    @property
    def is_gap(self) -> bool:
        return self.status in GAP_STATUSES


def evidence_status(ev: EvidenceFacts, today: date, window_days: int) -> CellStatus:
    """One piece of evidence on ``today``: expired, unverified, expiring soon, or met."""
    if ev.obtained > today:
        return CellStatus.MISSING  # not yet obtained
    if ev.expires is not None and ev.expires < today:
        return CellStatus.EXPIRED
    if ev.check_result != CheckResult.EFFECTIVE.value:
        return CellStatus.UNVERIFIED
    if ev.expires is not None and ev.expires <= today + timedelta(days=window_days):
        return CellStatus.EXPIRING
    return CellStatus.MET


def _reason(status: CellStatus, ev: EvidenceFacts | None) -> str:
    if ev is None or status is CellStatus.MISSING:
        return "no evidence on record"
    if status is CellStatus.EXPIRED:
        return f"'{ev.title}' expired on {ev.expires}"
    if status is CellStatus.UNVERIFIED:
        if ev.check_result == CheckResult.NOT_EFFECTIVE.value:
            return f"'{ev.title}' was checked and found not effective"
        return f"'{ev.title}' has not been checked for effectiveness"
    if status is CellStatus.EXPIRING:
        return f"'{ev.title}' expires on {ev.expires}"
    return f"shown by '{ev.title}'"


def best_evidence(
    evidence: Sequence[EvidenceFacts], today: date, window_days: int
) -> tuple[CellStatus, EvidenceFacts | None]:
    """The best status any of these pieces of evidence gives (missing when there are none)."""
    best: tuple[CellStatus, EvidenceFacts | None] = (CellStatus.MISSING, None)
    for ev in evidence:
        status = evidence_status(ev, today, window_days)
        latest = best[1].expires if best[1] else None
        if RANK[status] < RANK[best[0]] or (
            status == best[0]
            and best[1] is not None
            and (ev.expires is None or (latest is not None and ev.expires > latest))
        ):
            best = (status, ev)
    if best[0] is CellStatus.MISSING:
        return best[0], None
    return best


def competence_matrix(
    requirements: Sequence[Requirement],
    holders: Sequence[Holder],
    evidence: Sequence[EvidenceFacts],
    today: date,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> list[MatrixCell]:
    """One cell per role, required competence and person holding the role today; a required
    competence of a role nobody holds is a cell without a person, and missing."""
    by_person: dict[tuple[str, str], list[EvidenceFacts]] = {}
    for item in evidence:
        by_person.setdefault((item.user_id, item.competence_id), []).append(item)
    active: dict[str, list[Holder]] = {}
    for h in holders:
        if h.active_on(today):
            active.setdefault(h.role_id, []).append(h)
    cells: list[MatrixCell] = []
    for req in requirements:
        people = active.get(req.role_id, [])
        if not people:
            cells.append(MatrixCell(req.role_id, req.role_name, req.competence_id,
                                    req.competence_name, req.level, None, None,
                                    CellStatus.MISSING, "nobody holds this role"))  # fmt: skip
            continue
        seen: set[str] = set()
        for h in people:
            if h.user_id in seen:
                continue
            seen.add(h.user_id)
            found = by_person.get((h.user_id, req.competence_id), [])
            status, ev = best_evidence(found, today, window_days)
            cells.append(MatrixCell(req.role_id, req.role_name, req.competence_id,
                                    req.competence_name, req.level, h.user_id, h.name,
                                    status, _reason(status, ev), ev))  # fmt: skip
    return cells


def summary(cells: Iterable[MatrixCell]) -> dict[str, int]:
    """How many cells have each status (every status present, zero or not)."""
    counts = {s.value: 0 for s in CellStatus}
    for c in cells:
        counts[c.status.value] += 1
    return counts
