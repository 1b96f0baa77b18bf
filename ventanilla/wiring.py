"""What follows what: every reaction of one app to another app's change, in one place.

Read it like ``urls.py``. Each line says "when X happens, Y reacts"; the reactions run in the
transaction of the change (see ``core.reactions``) unless the reaction itself defers to
``transaction.on_commit`` or a task. ``connect()`` runs once, from ``ventanilla.apps``.
"""

from __future__ import annotations

from ventanilla.cases import reactions as cases
from ventanilla.conversations import notifications
from ventanilla.conversations.dialog import commands
from ventanilla.insights import rollup as insights_rollup
from ventanilla.portal import chat
from ventanilla.portal import sync as portal_sync


def connect() -> None:
    """Add every reaction (idempotent: adding twice changes nothing)."""
    commands.add(chat.SUPPORT)  # "apoyo 2026-000123" in the chat supports a public case
    # A case opened public in a public category is published at once.
    cases.case_opened.add(portal_sync.case_opened)
    # A case opened or changed rewrites its row of the statistics (insights.CaseFigures).
    cases.case_opened.add(insights_rollup.case_opened)
    cases.case_changed.add(insights_rollup.case_changed)
    # A case's change is told to its resident (queued with the change), then reaches its
    # public record.
    cases.case_changed.add(notifications.notify_resident)
    cases.case_changed.add(notifications.ask_satisfaction)
    cases.case_changed.add(portal_sync.case_changed)
