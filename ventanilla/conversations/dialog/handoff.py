"""Talking to a person: the bot steps aside until the resident uses the menu or staff release it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ventanilla.conversations.dialog.state import age
from ventanilla.conversations.dialog.turn import Turn, join, office_note

#: after this long without staff releasing it, the bot answers plain text again
HANDOFF_TTL = dt.timedelta(days=3)


def talk_to_person(turn: Turn) -> None:
    turn.state.clear_flow()
    turn.state.handoff_since = timezone.now()
    turn.reply(join(turn.t("person.waiting"), office_note(turn)))


def waiting_for_person(turn: Turn) -> bool:
    """Return whether a person is on it (the message waits for them in the inbox)."""
    since = turn.state.handoff_since
    if since is not None and age(since) < HANDOFF_TTL:
        return True
    turn.state.handoff_since = None
    return False
