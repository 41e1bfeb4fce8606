"""The approval life cycle as rules: transitions, who may approve, comparing versions."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aims.access.rules import Role
from aims.approval.rules import Status, approval_refusal, compare, edit_refusal, transition_refusal

S = Status


@pytest.mark.parametrize(
    ("action", "status", "allowed"),
    [
        ("submit", S.DRAFT, True), ("submit", S.IN_REVIEW, False), ("submit", S.APPROVED, False),
        ("return", S.IN_REVIEW, True), ("return", S.DRAFT, False),
        ("approve", S.IN_REVIEW, True), ("approve", S.DRAFT, False), ("approve", S.APPROVED, False),
        ("approve", S.SUPERSEDED, False),
        ("supersede", S.APPROVED, True), ("supersede", S.DRAFT, False),
    ],
)  # fmt: skip
def test_transitions(action: str, status: Status, allowed: bool) -> None:
    assert (transition_refusal(action, status) is None) is allowed


@pytest.mark.parametrize("status", [S.IN_REVIEW, S.APPROVED, S.SUPERSEDED])
def test_only_drafts_are_editable(status: Status) -> None:
    assert edit_refusal(S.DRAFT) is None
    assert edit_refusal(status) is not None


AUTHOR, EDITOR, OTHER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


@pytest.mark.parametrize(
    ("role", "who", "refused"),
    [
        (Role.MANAGER, OTHER, None),
        (Role.OWNER, OTHER, None),
        (Role.MANAGER, AUTHOR, "author"),
        (Role.OWNER, EDITOR, "last person to edit"),
        (Role.CONTRIBUTOR, OTHER, "roles"),
        (Role.AUDITOR, OTHER, "roles"),
        (Role.VIEWER, OTHER, "roles"),
    ],
)
def test_who_may_approve(role: Role, who: uuid.UUID, refused: str | None) -> None:
    reason = approval_refusal(
        approver_role=role, approver_id=who, author_id=AUTHOR, last_editor_id=EDITOR
    )
    assert (reason is None) if refused is None else (reason is not None and refused in reason)


def test_a_capability_can_narrow_the_approving_roles() -> None:
    reason = approval_refusal(
        approver_role=Role.MANAGER,
        approver_id=OTHER,
        author_id=AUTHOR,
        last_editor_id=None,
        approver_roles=frozenset({Role.OWNER}),
    )
    assert reason is not None and "owner" in reason


def test_compare_lists_changed_fields_with_a_text_diff() -> None:
    changes = compare(
        {"title": "AI policy", "body": "line one\nline two", "n": 1},
        {"title": "AI policy", "body": "line one\nline 2", "n": 2},
        ["title", "body", "n"],
    )
    assert [c.field for c in changes] == ["body", "n"]
    assert "-line two" in changes[0].diff and "+line 2" in changes[0].diff
    assert changes[1].before == 1 and changes[1].after == 2


@given(st.dictionaries(st.sampled_from(["a", "b", "c"]), st.text(max_size=20)))
def test_a_version_compared_with_itself_has_no_changes(values: dict[str, str]) -> None:
    assert compare(values, dict(values), ["a", "b", "c"]) == []


@given(
    st.dictionaries(st.sampled_from(["a", "b", "c"]), st.text(max_size=20)),
    st.dictionaries(st.sampled_from(["a", "b", "c"]), st.text(max_size=20)),
)
def test_compare_reports_exactly_the_differing_fields(
    before: dict[str, str], after: dict[str, str]
) -> None:
    changed = {c.field for c in compare(before, after, ["a", "b", "c"])}
    assert changed == {k for k in "abc" if before.get(k) != after.get(k)}
