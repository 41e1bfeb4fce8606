"""The caller of a service: which organisation, which person, which role."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from aims.access.rules import Permission, Role, has_permission
from aims.errors import PermissionDenied
from aims.store.engine import Actor


@dataclass(frozen=True)
class Context:
    """Passed to every service call; services read and write only this organisation's rows."""

    organisation_id: uuid.UUID
    user_id: uuid.UUID
    role: Role
    label: str

    def can(self, permission: Permission) -> bool:
        return has_permission(self.role, permission)

    def require(self, permission: Permission) -> None:
        """Raise 403 unless the caller's role grants ``permission``."""
        if not self.can(permission):
            raise PermissionDenied(
                f"your role ({self.role.value}) does not allow this "
                f"(needs the '{permission.value}' permission)"
            )

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.user_id, organisation_id=self.organisation_id, label=self.label)
