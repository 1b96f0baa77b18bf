"""What follows what: every reaction of one app to another app's change, in one place.

Read it like ``urls.py``. Each line says "when X happens, Y reacts"; the reactions run in the
transaction of the change (see ``core.reactions``) unless the reaction itself defers to
``transaction.on_commit`` or a task. ``connect()`` runs once, from ``ventanilla.apps``.
"""

from __future__ import annotations

from ventanilla.conversations.dialog import commands
from ventanilla.portal import chat


def connect() -> None:
    """Add every reaction (idempotent: adding twice changes nothing)."""
    commands.add(chat.SUPPORT)  # "apoyo 2026-000123" in the chat supports a public case
