"""Messages from staff's own phones: claimed before they become a resident's message.

A staff member or a field crew may write to the council's channel from a linked phone (a
work order's answer, "VINCULAR 123456"). Such a message is not a resident's: it must never
open a case, enter the resident dialog or show in a resident's thread. An app above
``conversations`` that knows staff identities adds a claim here (in
``ventanilla.wiring.connect``); ``inbound.receive`` asks every claim before storing a
message as a resident's, and likewise for delivery statuses of what was sent to staff.

A claim looks at a batch of items of one channel (one look-up for all of them) and returns
the positions of those that were staff traffic, which it handles itself. A claim that
raises fails the webhook (the provider delivers it again) rather than let a staff message
fall through to the resident dialog.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from ventanilla.channels.adapters.base import InboundMessage, StatusUpdate
from ventanilla.channels.models import Channel

T = TypeVar("T")


class Claims(Generic[T]):
    """An ordered list of claims on one kind of webhook item."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._claims: list[Callable[[Channel, Sequence[T]], set[int]]] = []

    def add(self, claim: Callable[[Channel, Sequence[T]], set[int]]) -> None:
        """Add ``claim`` once; adding it again changes nothing."""
        if claim not in self._claims:
            self._claims.append(claim)

    def remove(self, claim: Callable[[Channel, Sequence[T]], set[int]]) -> None:
        if claim in self._claims:
            self._claims.remove(claim)

    def claimed(self, channel: Channel, items: Sequence[T]) -> set[int]:
        """Return the positions in ``items`` that a claim took (the first one that takes an
        item handles it)."""
        taken: set[int] = set()
        for claim in tuple(self._claims):
            left = [index for index in range(len(items)) if index not in taken]
            if not left:
                break
            taken.update(left[i] for i in claim(channel, [items[i] for i in left]))
        return taken


#: messages from staff identities (and the codes that link them)
inbound: Claims[InboundMessage] = Claims("staff_inbound")
#: delivery statuses of messages sent to staff (read receipts)
statuses: Claims[StatusUpdate] = Claims("staff_statuses")
