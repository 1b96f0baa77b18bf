"""The chat command "apoyo 2026-000123": a resident supports a public case from the chat."""

from __future__ import annotations

from typing import Any

from ventanilla.portal.services import SupportOutcome, parse_reference, support_from_chat

WORDS = ("apoyo", "apoyar", "suport", "support")
TEMPLATE = {
    SupportOutcome.ADDED: "support.added",
    SupportOutcome.ALREADY: "support.already",
    SupportOutcome.NOT_FOUND: "support.not_found",
    SupportOutcome.OWN_CASE: "support.own_case",
}


def handle_support(turn: Any, words: list[str]) -> bool:
    """Answer "apoyo <reference>"; without a reference, let the dialog go on."""
    reference = parse_reference(" ".join(words))
    if reference is None:
        return False
    result = support_from_chat(council=turn.council, citizen=turn.citizen, reference=reference)
    turn.say(TEMPLATE[result.outcome], reference=reference, count=result.count)
    return True
