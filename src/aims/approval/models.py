"""The columns every approvable, versioned record carries (mixed into a capability's table)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from aims.access.rules import Role
from aims.approval.rules import DEFAULT_APPROVER_ROLES, Status


class ApprovableVersion:
    """One version in a series of versions of the same thing (a document, an assessment...).

    A capability's model mixes this in next to ``Record`` and names its content fields in
    ``__approval_fields__``: those are copied into a new version and compared between two.
    Fields outside content (status, approval stamps) are managed by ``aims.approval.service``.
    """

    __approval_fields__: tuple[str, ...] = ()
    __approval_label__: str = "This version"  # how messages name it
    __approve_from_draft__: bool = False  # True: no review step, a draft is approved directly
    __approver_roles__: frozenset[Role] = DEFAULT_APPROVER_ROLES

    series_id: Mapped[uuid.UUID] = mapped_column(index=True, default=uuid.uuid4)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default=Status.DRAFT.value, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    approved_at: Mapped[datetime | None] = mapped_column(default=None)
    superseded_at: Mapped[datetime | None] = mapped_column(default=None)
    review_note: Mapped[str] = mapped_column(String(2000), default="")
    # Everyone who wrote content into this version: none of them may approve it.
    content_editor_ids: Mapped[list[str]] = mapped_column(JSON, default=list)

    @declared_attr
    def author_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    @declared_attr
    def approved_by_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    @property
    def approval_status(self) -> Status:
        return Status(self.status)

    def approval_caption(self) -> str:
        """How overviews (the leadership page) name this version."""
        label = self.__approval_label__.removeprefix("The ").removeprefix("This ")
        return f"{label[:1].upper()}{label[1:]}, revision {self.revision}"

    def approval_url(self) -> str | None:
        """Where the web app shows this version (None: nowhere of its own)."""
        return None
