"""How commitments and approvals look to the API, the pages and the CLI."""

from __future__ import annotations

from aims.leadership import service
from aims.leadership.models import ResourceCommitment
from aims.leadership.rules import CommitmentStatus, ResourceKind
from aims.leadership.schemas import ApprovalOut, CommitmentOut


def commitment_out(row: ResourceCommitment) -> CommitmentOut:
    return CommitmentOut(
        id=row.id, kind=ResourceKind(row.kind), description=row.description, amount=row.amount,
        purpose=row.purpose,
        committed_by_email=row.committed_by.email if row.committed_by else None,
        committed_on=row.committed_on, starts=row.starts, until=row.until,
        status=CommitmentStatus(row.status), lapsed=service.is_lapsed(row),
        version=row.version, updated_at=row.updated_at,
    )  # fmt: skip


def approval_out(a: service.Approval) -> ApprovalOut:
    return ApprovalOut(record=a.record, label=a.caption, approved_by_email=a.approved_by_email,
                       approved_at=a.approved_at, link=a.url or "")  # fmt: skip
