"""Roles and permissions: the one permission table, and who may change whose role."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aims.access.rules import Permission, Role, has_permission, role_change_refusal

P = Permission


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.OWNER, set(Permission)),
        (Role.MANAGER, {P.READ, P.COMMENT, P.EDIT, P.APPROVE, P.READ_AUDIT, P.MANAGE_MEMBERS}),
        (Role.CONTRIBUTOR, {P.READ, P.COMMENT, P.EDIT}),
        (Role.AUDITOR, {P.READ, P.COMMENT, P.READ_AUDIT}),
        (Role.VIEWER, {P.READ}),
    ],
)
def test_permission_table(role: Role, allowed: set[Permission]) -> None:
    assert {p for p in Permission if has_permission(role, p)} == allowed


def test_auditor_reads_everything_and_changes_nothing() -> None:
    assert has_permission(Role.AUDITOR, P.READ) and has_permission(Role.AUDITOR, P.COMMENT)
    assert not any(has_permission(Role.AUDITOR, p) for p in (P.EDIT, P.APPROVE, P.MANAGE_MEMBERS))


@pytest.mark.parametrize(
    ("actor", "current", "new", "owners_left", "refused"),
    [
        (Role.OWNER, Role.VIEWER, Role.MANAGER, 1, None),
        (Role.MANAGER, Role.VIEWER, Role.CONTRIBUTOR, 1, None),
        (Role.MANAGER, None, Role.AUDITOR, 1, None),
        (Role.MANAGER, Role.VIEWER, Role.OWNER, 1, "only an owner"),
        (Role.MANAGER, Role.OWNER, Role.VIEWER, 1, "only an owner"),
        (Role.OWNER, Role.OWNER, Role.MANAGER, 0, "at least one owner"),
        (Role.OWNER, Role.OWNER, None, 0, "at least one owner"),
        (Role.OWNER, Role.OWNER, Role.MANAGER, 1, None),
        (Role.CONTRIBUTOR, Role.VIEWER, Role.CONTRIBUTOR, 1, "may not manage"),
        (Role.AUDITOR, None, Role.VIEWER, 1, "may not manage"),
    ],
)
def test_role_changes(
    actor: Role, current: Role | None, new: Role | None, owners_left: int, refused: str | None
) -> None:
    reason = role_change_refusal(actor=actor, current=current, new=new, owners_left=owners_left)
    if refused is None:
        assert reason is None
    else:
        assert reason is not None and refused in reason


@given(
    actor=st.sampled_from(Role),
    current=st.sampled_from(Role),
    new=st.one_of(st.none(), st.sampled_from(Role)),
)
def test_no_change_ever_leaves_an_organisation_without_owner(
    actor: Role, current: Role, new: Role | None
) -> None:
    # The caller computes owners_left as the owners after the change.
    owners_left = 0 if current is Role.OWNER and new is not Role.OWNER else 1
    reason = role_change_refusal(actor=actor, current=current, new=new, owners_left=owners_left)
    if current is Role.OWNER and new is not Role.OWNER:
        assert reason is not None
    if actor is not Role.OWNER and Role.OWNER in {current, new}:
        assert reason is not None
