"""Typed reactions: what follows a change, run in the change's own transaction.

An app that owns a change declares a frozen event dataclass and a ``Reactions`` list for it
(for example ``cases.reactions.case_changed``); the project's ``ventanilla/wiring.py`` adds
every reaction, so "what happens after X" is read in one place, like ``urls.py``.

The policy is the same for every reaction: each runs in its own savepoint; a failure is
logged with the reaction's name and never undoes the change that caused it (a resident's
report matters more than its public copy or a notification).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

import structlog
from django.db import transaction

log = structlog.get_logger(__name__)

E = TypeVar("E")


class Reactions(Generic[E]):
    """An ordered list of reactions to one kind of event."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._reactions: list[Callable[[E], object]] = []

    def add(self, reaction: Callable[[E], object]) -> None:
        """Add ``reaction`` once; adding the same one again changes nothing."""
        if reaction not in self._reactions:
            self._reactions.append(reaction)

    def remove(self, reaction: Callable[[E], object]) -> None:
        if reaction in self._reactions:
            self._reactions.remove(reaction)

    def __iter__(self) -> Iterator[Callable[[E], object]]:
        return iter(tuple(self._reactions))

    def run(self, event: E) -> None:
        """Run every reaction in a savepoint; log a failure and go on with the next."""
        for reaction in tuple(self._reactions):
            try:
                with transaction.atomic():
                    reaction(event)
            except Exception:  # noqa: BLE001 - a reaction never undoes the change
                log.exception(
                    "reaction_failed",
                    reactions_to=self.name,
                    reaction=getattr(reaction, "__qualname__", repr(reaction)),
                )
