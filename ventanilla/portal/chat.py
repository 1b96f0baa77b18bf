"""The chat command "apoyo 2026-000123": a resident supports a public case from the chat.

The words, the handler and the texts it says live here together; ``ventanilla.wiring`` adds
``SUPPORT`` to the dialog's commands, and the texts become editable bot texts.
"""

from __future__ import annotations

from ventanilla.cases.references import find_references
from ventanilla.conversations.bot_templates import Default
from ventanilla.conversations.dialog.commands import Command
from ventanilla.conversations.dialog.turn import Turn
from ventanilla.portal.services import SupportOutcome, support_from_chat

TEMPLATE = {
    SupportOutcome.ADDED: "support.added",
    SupportOutcome.ALREADY: "support.already",
    SupportOutcome.NOT_FOUND: "support.not_found",
    SupportOutcome.OWN_CASE: "support.own_case",
}
D = Default
TEXTS: dict[str, Default] = {
    "support.added": D(
        "Confirms a resident's support of a public case.",
        "Gracias: su apoyo a la incidencia {reference} queda registrado. Ya la apoyan {count} "
        "personas.",
        "Gràcies: el vostre suport a la incidència {reference} ha quedat registrat. Ja hi donen "
        "suport {count} persones.",
        "Thank you: your support for case {reference} is recorded. {count} people support it now.",
        ("reference", "count"),
    ),
    "support.already": D(
        "The resident had already supported that case.",
        "Ya había apoyado la incidencia {reference}. La apoyan {count} personas.",
        "Ja havíeu donat suport a la incidència {reference}. Hi donen suport {count} persones.",
        "You had already supported case {reference}. {count} people support it.",
        ("reference", "count"),
    ),
    "support.not_found": D(
        "No public case has that number.",
        "No encontramos ninguna incidencia pública con el número {reference}. Compruebe el "
        "número en el portal de transparencia.",
        "No trobem cap incidència pública amb el número {reference}. Comproveu el número al "
        "portal de transparència.",
        "We cannot find a public case numbered {reference}. Check the number on the "
        "transparency portal.",
        ("reference",),
    ),
    "support.own_case": D(
        "A resident tried to support their own report.",
        "La incidencia {reference} es suya: ya la estamos atendiendo, no hace falta apoyarla.",
        "La incidència {reference} és vostra: ja l'estem atenent, no cal donar-hi suport.",
        "Case {reference} is your own report: we are already on it, no need to support it.",
        ("reference",),
    ),
}


def handle_support(turn: Turn, words: list[str]) -> bool:
    """Answer "apoyo <reference>"; without a reference, let the dialog go on."""
    references = find_references(" ".join(words))
    if not references:
        return False
    reference = references[0]
    result = support_from_chat(council=turn.council, citizen=turn.citizen, reference=reference)
    turn.say(TEMPLATE[result.outcome], reference=reference, count=result.count)
    return True


SUPPORT = Command(
    words=("apoyo", "apoyar", "suport", "support"), handle=handle_support, texts=TEXTS
)
