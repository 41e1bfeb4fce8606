"""Who may do what: the one place where roles turn into permissions (no I/O here)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    CONTRIBUTOR = "contributor"
    AUDITOR = "auditor"
    VIEWER = "viewer"


class Permission(StrEnum):
    READ = "read"  # see every record of the organisation
    COMMENT = "comment"  # add comments (auditors do, without changing anything)
    EDIT = "edit"  # create, change and delete records
    APPROVE = "approve"  # approve versions of documents, assessments, the SoA
    READ_AUDIT = "read_audit"  # see the audit trail
    MANAGE_MEMBERS = "manage_members"  # add people, change roles
    MANAGE_ORGANISATION = "manage_organisation"  # rename, settings


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.MANAGER: frozenset(
        {
            Permission.READ,
            Permission.COMMENT,
            Permission.EDIT,
            Permission.APPROVE,
            Permission.READ_AUDIT,
            Permission.MANAGE_MEMBERS,
        }
    ),
    Role.CONTRIBUTOR: frozenset({Permission.READ, Permission.COMMENT, Permission.EDIT}),
    Role.AUDITOR: frozenset({Permission.READ, Permission.COMMENT, Permission.READ_AUDIT}),
    Role.VIEWER: frozenset({Permission.READ}),
}

ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.OWNER: "Runs the AIMS: everything a manager can do, plus organisation settings "
    "and granting the owner role.",
    Role.MANAGER: "Manages the AIMS day to day: edits and approves records, manages people.",
    Role.CONTRIBUTOR: "Creates and maintains records (systems, assessments, risks, evidence).",
    Role.AUDITOR: "Reads everything, including the audit trail, and comments; changes nothing.",
    Role.VIEWER: "Reads records.",
}


def has_permission(role: Role, permission: Permission) -> bool:
    """True when ``role`` grants ``permission``."""
    return permission in ROLE_PERMISSIONS[role]


def role_change_refusal(
    *, actor: Role, current: Role | None, new: Role | None, owners_left: int
) -> str | None:
    """Why ``actor`` may not move a member from ``current`` to ``new`` (None when allowed).

    ``new`` None means removing the member; ``current`` None means adding one.
    ``owners_left`` is the number of owners the organisation keeps if the change happens.
    """
    if not has_permission(actor, Permission.MANAGE_MEMBERS):
        return "your role may not manage members"
    touches_owner = Role.OWNER in {current, new}
    if touches_owner and actor is not Role.OWNER:
        return "only an owner may grant or remove the owner role"
    if current is Role.OWNER and new is not Role.OWNER and owners_left < 1:
        return "the organisation must keep at least one owner"
    return None
