"""What follows what: every reaction of one app to another app's change, in one place.

Read it like ``urls.py``. Each line says "when X happens, Y reacts"; the reactions run in the
transaction of the change (see ``core.reactions``) unless the reaction itself defers to
``transaction.on_commit`` or a task. ``connect()`` runs once, from ``ventanilla.apps``.
"""

from __future__ import annotations

from ventanilla.cases import reactions as cases
from ventanilla.conversations import notifications
from ventanilla.conversations.dialog import commands
from ventanilla.portal import chat
from ventanilla.portal import sync as portal_sync
from ventanilla.procedures import chat as procedures_chat
from ventanilla.procedures import services as procedures


def connect() -> None:
    """Add every reaction (idempotent: adding twice changes nothing)."""
    commands.add(chat.SUPPORT)  # "apoyo 2026-000123" in the chat supports a public case
    commands.add(procedures_chat.CENSUS)  # "volante" / the menu: the census certificate
    commands.add(procedures_chat.RECEIPT)  # "justificante 2026-000123": the registry receipt
    # Every new case is entered in the registry, with the moment it arrived.
    cases.case_opened.add(procedures.case_opened)
    # ... and its resident is told the legal term, where its category has one (art. 21.4).
    cases.case_opened.add(procedures.tell_deadline)
    # A case opened public in a public category is published at once.
    cases.case_opened.add(portal_sync.case_opened)
    # A case's change is told to its resident (queued with the change), then reaches its
    # public record.
    cases.case_changed.add(notifications.notify_resident)
    cases.case_changed.add(notifications.ask_satisfaction)
    cases.case_changed.add(portal_sync.case_changed)
