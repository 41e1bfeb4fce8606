"""Access services on both databases: members, sign-in throttling, tokens, tenant scoping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aims.access import service as access
from aims.access.models import ApiToken, User
from aims.access.rules import Role
from aims.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    StaleVersion,
    TooManyAttempts,
    ValidationFailed,
)
from aims.store.engine import unit_of_work
from aims.store.listing import ListParams
from aims.store.types import utcnow
from tests.conftest import PASSWORD, Org


def test_passwords_are_argon2_hashes(db: Session, org: Org) -> None:
    user = db.scalar(select(User).where(User.email == org.emails[Role.OWNER]))
    assert user is not None
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_wrong_password_and_unknown_account_get_the_same_answer(db: Session, org: Org) -> None:
    with pytest.raises(NotAuthenticated) as wrong:
        access.authenticate(db, email=org.emails[Role.OWNER], password="not it at all")
    with pytest.raises(NotAuthenticated) as unknown:
        access.authenticate(db, email="nobody@nowhere.example", password="not it at all")
    assert wrong.value.detail == unknown.value.detail == access.LOGIN_FAILED


def test_failed_sign_ins_are_throttled_even_for_the_right_password(db: Session, org: Org) -> None:
    email = org.emails[Role.VIEWER]
    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            access.authenticate(db, email=email, password="guess guess guess")
    with pytest.raises(TooManyAttempts):
        access.authenticate(db, email=email, password=PASSWORD)
    # Unknown accounts are throttled the same way: the limit reveals nothing.
    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            access.authenticate(db, email="ghost@x.example", password="guess guess guess")
    with pytest.raises(TooManyAttempts):
        access.authenticate(db, email="ghost@x.example", password="guess guess guess")


def test_successful_sign_in_clears_the_failures(db: Session, org: Org) -> None:
    email = org.emails[Role.VIEWER]
    for _ in range(3):
        with pytest.raises(NotAuthenticated):
            access.authenticate(db, email=email, password="wrong wrong wrong")
    assert access.authenticate(db, email=email, password=PASSWORD).email == email
    assert access.recent_failures(db, email) == 0


def test_add_member_creates_account_with_one_time_password(db: Session, org: Org) -> None:
    manager = org.contexts[Role.MANAGER]
    db.info["actor"] = manager.actor
    new = access.add_member(
        db, manager, email="New.Person@Acme.example", full_name="New", role="contributor"
    )
    assert new.password and len(new.password) >= 10
    assert new.membership.user.email == "new.person@acme.example"
    assert access.authenticate(db, email="new.person@acme.example", password=new.password)


def test_add_member_validates(db: Session, org: Org) -> None:
    owner = org.contexts[Role.OWNER]
    with pytest.raises(ValidationFailed) as bad_email:
        access.add_member(db, owner, email="not-an-email", full_name="", role="viewer")
    assert bad_email.value.errors[0].loc == ("body", "email")
    with pytest.raises(ValidationFailed) as bad_role:
        access.add_member(db, owner, email="x@acme.example", full_name="", role="admin")
    assert bad_role.value.errors[0].loc == ("body", "role")
    with pytest.raises(Conflict):
        access.add_member(db, owner, email=org.emails[Role.VIEWER], full_name="", role="viewer")


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.AUDITOR, Role.VIEWER])
def test_only_owners_and_managers_manage_members(db: Session, org: Org, role: Role) -> None:
    with pytest.raises(PermissionDenied):
        access.add_member(
            db, org.contexts[role], email="y@acme.example", full_name="", role="viewer"
        )


def test_last_owner_cannot_be_demoted_or_removed(db: Session, org: Org) -> None:
    owner = org.contexts[Role.OWNER]
    me = access.list_members(db, owner, ListParams(filters={"role": "owner"})).items[0]
    with pytest.raises(PermissionDenied, match="at least one owner"):
        access.change_role(db, owner, me.id, role="manager", version=me.version)


def test_stale_version_is_refused_and_nothing_changes(
    sessions: sessionmaker[Session], org: Org
) -> None:
    owner = org.contexts[Role.OWNER]
    with unit_of_work(sessions, owner.actor) as db:
        viewer = access.list_members(db, owner, ListParams(filters={"role": "viewer"})).items[0]
        access.change_role(db, owner, viewer.id, role="contributor", version=viewer.version)
    with pytest.raises(StaleVersion) as info, unit_of_work(sessions, owner.actor) as db:
        access.change_role(db, owner, viewer.id, role="auditor", version=1)
    assert info.value.current_version == 2
    with unit_of_work(sessions, owner.actor) as db:
        assert access.get_member(db, owner, viewer.id).role == "contributor"


def test_removed_member_loses_access_and_tokens_and_can_be_restored(
    sessions: sessionmaker[Session], org: Org
) -> None:
    owner = org.contexts[Role.OWNER]
    with unit_of_work(sessions, owner.actor) as db:
        viewer = access.list_members(db, owner, ListParams(filters={"role": "viewer"})).items[0]
        access.remove_member(db, owner, viewer.id, version=viewer.version)
    with unit_of_work(sessions) as db, pytest.raises(NotAuthenticated):
        access.resolve_token(db, org.tokens[Role.VIEWER])
    with unit_of_work(sessions, owner.actor) as db:
        again = access.add_member(
            db, owner, email=org.emails[Role.VIEWER], full_name="", role="auditor"
        )
        assert again.membership.id == viewer.id and again.password is None
        assert again.membership.role == "auditor"
    # Tokens were revoked with the membership: re-adding the person does not revive them.
    with unit_of_work(sessions) as db, pytest.raises(NotAuthenticated):
        access.resolve_token(db, org.tokens[Role.VIEWER])


def test_tokens_are_stored_hashed_expire_and_can_be_revoked(
    sessions: sessionmaker[Session], org: Org
) -> None:
    ctx = org.contexts[Role.CONTRIBUTOR]
    with unit_of_work(sessions, ctx.actor) as db:
        token, secret = access.create_token(db, ctx, name="pipeline", days=7)
        token_id = token.id
    with unit_of_work(sessions) as db:
        stored = db.get(ApiToken, token_id)
        assert (
            stored is not None and secret not in stored.token_hash and stored.prefix == secret[:12]
        )
        assert access.resolve_token(db, secret).user_id == ctx.user_id
    with unit_of_work(sessions, ctx.actor) as db:
        access.revoke_token(db, ctx, token_id)
    with unit_of_work(sessions) as db, pytest.raises(NotAuthenticated):
        access.resolve_token(db, secret)
    with unit_of_work(sessions, ctx.actor) as db:
        token, secret = access.create_token(db, ctx, name="old", days=1)
        token.expires_at = utcnow() - timedelta(seconds=1)
    with unit_of_work(sessions) as db, pytest.raises(NotAuthenticated):
        access.resolve_token(db, secret)


def test_token_validation(db: Session, org: Org) -> None:
    with pytest.raises(ValidationFailed) as info:
        access.create_token(db, org.contexts[Role.OWNER], name=" ", days=0)
    assert {e.loc[-1] for e in info.value.errors} == {"name", "days"}


def test_another_organisations_ids_are_not_found(db: Session, org: Org, other_org: Org) -> None:
    theirs = access.list_members(db, other_org.contexts[Role.OWNER], ListParams()).items[0]
    mine = org.contexts[Role.OWNER]
    with pytest.raises(NotFound):
        access.get_member(db, mine, theirs.id)
    with pytest.raises(NotFound):
        access.change_role(db, mine, theirs.id, role="viewer", version=theirs.version)
    their_token = access.list_tokens(db, other_org.contexts[Role.OWNER])[0]
    with pytest.raises(NotFound):
        access.revoke_token(db, mine, their_token.id)
    assert {m.organisation_id for m in access.list_members(db, mine, ListParams()).items} == {
        org.id
    }


def test_a_contributor_cannot_revoke_someone_elses_token(db: Session, org: Org) -> None:
    owner_token = access.list_tokens(db, org.contexts[Role.OWNER])[0]
    with pytest.raises(NotFound):
        access.revoke_token(db, org.contexts[Role.CONTRIBUTOR], owner_token.id)


def test_change_own_password(sessions: sessionmaker[Session], org: Org) -> None:
    ctx = org.contexts[Role.CONTRIBUTOR]
    email = org.emails[Role.CONTRIBUTOR]
    with unit_of_work(sessions, ctx.actor) as db:
        user = access.get_user_by_email(db, email)
        assert user is not None
        other_browser, _ = access.start_web_session(db, user=user)
        this_browser, _ = access.start_web_session(db, user=user)
    with pytest.raises(ValidationFailed) as info, unit_of_work(sessions, ctx.actor) as db:
        access.change_password(db, ctx, current="wrong one!", new="short")
    assert {e.loc[-1] for e in info.value.errors} == {"current_password", "new_password"}
    with unit_of_work(sessions, ctx.actor) as db:
        access.change_password(
            db, ctx, current=PASSWORD, new="a much better passphrase", keep_session=this_browser
        )
    with unit_of_work(sessions) as db:
        assert access.authenticate(db, email=email, password="a much better passphrase")
        assert access.resolve_web_session(db, this_browser) is not None
        assert access.resolve_web_session(db, other_browser) is None


def test_reset_password_by_manager_but_not_of_an_owner(
    sessions: sessionmaker[Session], org: Org
) -> None:
    manager = org.contexts[Role.MANAGER]
    with unit_of_work(sessions, manager.actor) as db:
        members = {m.role: m for m in access.list_members(db, manager, ListParams()).items}
        new_password = access.reset_password(db, manager, members["viewer"].id)
        with pytest.raises(PermissionDenied, match="owner"):
            access.reset_password(db, manager, members["owner"].id)
        with pytest.raises(PermissionDenied):
            access.reset_password(db, org.contexts[Role.AUDITOR], members["viewer"].id)
    with unit_of_work(sessions) as db:
        assert access.authenticate(db, email=org.emails[Role.VIEWER], password=new_password)
