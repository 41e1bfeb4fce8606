"""Pure rules of concerns: receipt codes, the rate-limit key, handler roles, closing, and the
category data file."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from aims.access.rules import Role
from aims.concerns import rules
from aims.concerns.vocab import Status, categories, load_categories


def test_receipt_codes_are_long_random_and_typed_back_forgivingly() -> None:
    code = rules.new_receipt_code()
    assert len(code) == 24 and code.count("-") == 4
    assert rules.new_receipt_code() != code
    typed = code.lower().replace("-", " ").replace("0", "o")
    assert rules.receipt_hash(typed) == rules.receipt_hash(code)
    assert rules.receipt_hash(code) != code and len(rules.receipt_hash(code) or "") == 64


@given(st.text(max_size=40))
def test_anything_typed_is_a_code_or_none_and_never_fails(text: str) -> None:
    canonical = rules.normalise_code(text)
    assert canonical is None or (
        len(canonical) == rules.CODE_LENGTH and set(canonical) <= set(rules.ALPHABET)
    )


@given(st.lists(st.sampled_from(rules.ALPHABET), min_size=20, max_size=20))
def test_canonical_codes_round_trip(symbols: list[str]) -> None:
    raw = "".join(symbols)
    grouped = "-".join(raw[i : i + 4] for i in range(0, 20, 4))
    assert rules.normalise_code(grouped) == raw
    assert rules.receipt_hash(grouped.lower()) == rules.receipt_hash(raw)


@given(st.ip_addresses().map(str), st.uuids().map(str), st.uuids().map(str))
def test_attempt_key_hides_the_address_and_differs_per_organisation(
    ip: str, org_a: str, org_b: str
) -> None:
    salt = "ab" * 32
    key = rules.attempt_key(salt, org_a, ip)
    assert ip not in key and len(key) == 64
    assert key == rules.attempt_key(salt, org_a, ip)
    if org_a != org_b:
        assert key != rules.attempt_key(salt, org_b, ip)
    assert key != rules.attempt_key("cd" * 32, org_a, ip)


@pytest.mark.parametrize(
    ("attempts", "refused"),
    [(1, False), (rules.PUBLIC_LIMIT, False), (rules.PUBLIC_LIMIT + 1, True)],
)
def test_limit(attempts: int, refused: bool) -> None:
    assert rules.over_limit(attempts) is refused


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        ([], [Role.OWNER]),
        (["manager"], [Role.OWNER, Role.MANAGER]),
        (["auditor", "manager", "owner"], [Role.OWNER, Role.MANAGER, Role.AUDITOR]),
    ],
)
def test_owner_always_handles(chosen: list[str], expected: list[Role]) -> None:
    assert rules.handler_roles(chosen) == expected


@pytest.mark.parametrize(
    ("status", "outcome", "allowed"),
    [
        (Status.INVESTIGATING, "", True),
        (Status.RESOLVED, "", False),
        (Status.DISMISSED, "  ", False),
        (Status.DISMISSED, "Duplicate of C-002", True),
    ],
)
def test_closing_needs_an_outcome(status: Status, outcome: str, allowed: bool) -> None:
    assert (rules.closing_problem(status, outcome) is None) is allowed


def test_refs_and_categories() -> None:
    assert rules.format_ref(7) == "C-007"
    ids = [c.id for c in categories()]
    assert "other" in ids and "privacy" in ids and len(ids) == len(set(ids))


def test_a_broken_category_file_fails_loudly(tmp_path: Path) -> None:
    broken = tmp_path / "c.yaml"
    broken.write_text(
        "categories:\n  - {id: x1, label: A, help: B}\n  - {id: x1, label: C, help: D}\n"
    )
    with pytest.raises(ValidationError):
        load_categories(broken)
