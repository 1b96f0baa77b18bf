"""What a conversation tells the rest of the project, inside its own transaction.

Who reacts is listed in ``ventanilla/wiring.py`` (see ``core.reactions``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ventanilla.conversations.models import Conversation
from ventanilla.core.reactions import Reactions


@dataclass(frozen=True)
class HandoffRequested:
    """A resident asked for a person (the dialog started waiting for staff)."""

    conversation: Conversation


handoff_requested: Reactions[HandoffRequested] = Reactions("handoff_requested")
