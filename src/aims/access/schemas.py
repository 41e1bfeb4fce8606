"""API shapes for organisations, members and tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from aims.access.rules import Role
from aims.api.schemas import Out, StrictIn


class OrganisationOut(Out):
    id: uuid.UUID
    name: str
    slug: str
    version: int


class OrganisationPatch(StrictIn):
    name: str = Field(min_length=1, max_length=200)
    version: int = Field(description="The version you last read; a stale one is a 409")


class MeOut(Out):
    user_id: uuid.UUID
    email: str
    full_name: str
    organisation: OrganisationOut
    role: Role
    permissions: list[str]


class MemberOut(Out):
    id: uuid.UUID
    user_id: uuid.UUID
    email: str
    full_name: str
    role: Role
    job_title: str
    version: int
    created_at: datetime


class MemberIn(StrictIn):
    email: str = Field(max_length=320)
    full_name: str = Field(default="", max_length=200)
    role: Role
    job_title: str = Field(default="", max_length=200)


class MemberCreated(MemberOut):
    password: str | None = Field(
        description="The new account's one-time password; shown only in this response"
    )


class MemberPatch(StrictIn):
    role: Role
    version: int


class PasswordChange(StrictIn):
    current_password: str = Field(max_length=1000)
    new_password: str = Field(max_length=1000)


class PasswordReset(Out):
    password: str = Field(description="The member's new one-time password; shown only here")


class TokenIn(StrictIn):
    name: str = Field(min_length=1, max_length=100)
    days: int = Field(default=90, ge=1, le=366, description="Days until the token expires")


class TokenOut(Out):
    id: uuid.UUID
    name: str
    prefix: str
    user_email: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    active: bool


class TokenCreated(TokenOut):
    token: str = Field(description="The secret; shown only in this response, store it now")
