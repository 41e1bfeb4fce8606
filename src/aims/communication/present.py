"""How a line of the communication plan looks to the API, the pages and the CLI."""

from __future__ import annotations

from aims.communication import rules
from aims.communication.models import CommunicationItem
from aims.communication.rules import Direction, Frequency
from aims.communication.schemas import ItemOut
from aims.store.types import utcnow


def item_out(item: CommunicationItem) -> ItemOut:
    return ItemOut(
        id=item.id, topic=item.topic, audience=item.audience,
        direction=Direction(item.direction), channel=item.channel, timing=item.timing,
        frequency=Frequency(item.frequency), first_due=item.first_due,
        last_done=item.last_done, next_due=item.next_due,
        overdue=rules.overdue(item.next_due, utcnow().date()),
        communicator_email=item.communicator.email if item.communicator else None,
        notes=item.notes, version=item.version, updated_at=item.updated_at,
    )  # fmt: skip
