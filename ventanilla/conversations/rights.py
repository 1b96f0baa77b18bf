"""Residents ask for their data, or for its erasure, in the chat ("mis datos", "delete my data").

The chat part of :mod:`ventanilla.privacy`'s rights lives here, not in ``privacy``:
``privacy`` is on the ground floor and cannot import the dialog (``Command``, ``Turn``).
The request lands in privacy's queue with its legal deadline; staff answer it from the
inbox. ``ventanilla.wiring`` adds ``MY_DATA`` and ``ERASE_MY_DATA`` to the dialog's commands.
"""

from __future__ import annotations

from ventanilla.conversations.bot_templates import Default
from ventanilla.conversations.dialog.commands import Command
from ventanilla.conversations.dialog.turn import Turn, long_date
from ventanilla.privacy.models import RightsRequest
from ventanilla.privacy.services import RightsError, receive_request

#: what the whole message must say (folded words), by kind of request
PHRASES: dict[str, frozenset[tuple[str, ...]]] = {
    RightsRequest.Kind.EXPORT: frozenset(
        {
            ("mis", "datos"),
            ("mis", "datos", "personales"),
            ("les", "meves", "dades"),
            ("meves", "dades"),
            ("my", "data"),
            ("my", "personal", "data"),
        }
    ),
    RightsRequest.Kind.ERASURE: frozenset(
        {
            ("borrar", "mis", "datos"),
            ("borra", "mis", "datos"),
            ("eliminar", "mis", "datos"),
            ("esborrar", "les", "meves", "dades"),
            ("esborra", "les", "meves", "dades"),
            ("delete", "my", "data"),
            ("erase", "my", "data"),
        }
    ),
}

D = Default
TEXTS: dict[str, Default] = {
    "rights.export": D(
        "A resident asked for a copy of their data.",
        "Hemos recibido su solicitud de acceso a sus datos (número {number}). Le enviaremos "
        "una copia antes del {date}.",
        "Hem rebut la vostra sol·licitud d'accés a les vostres dades (número {number}). Us "
        "n'enviarem una còpia abans del {date}.",
        "We have received your request for your data (number {number}). We will send you a "
        "copy by {date}.",
        ("number", "date"),
        sms=(
            "Solicitud de sus datos n.º {number} recibida: copia antes del {date}.",
            "Sol·licitud de les vostres dades núm. {number} rebuda: còpia abans del {date}.",
            "Request for your data no. {number} received: a copy by {date}.",
        ),
    ),
    "rights.erasure": D(
        "A resident asked for their data to be erased.",
        "Hemos recibido su solicitud de supresión de sus datos (número {number}). La "
        "atenderemos antes del {date}. Las incidencias públicas se conservan sin sus datos.",
        "Hem rebut la vostra sol·licitud de supressió de les vostres dades (número {number}). "
        "L'atendrem abans del {date}. Les incidències públiques es conserven sense les "
        "vostres dades.",
        "We have received your request to erase your data (number {number}). We will act on "
        "it by {date}. Public cases are kept without your data.",
        ("number", "date"),
        sms=(
            "Solicitud de supresión n.º {number} recibida: la atenderemos antes del {date}.",
            "Sol·licitud de supressió núm. {number} rebuda: l'atendrem abans del {date}.",
            "Erasure request no. {number} received: we will act on it by {date}.",
        ),
    ),
    "rights.already": D(
        "The resident had already made the same request, still pending.",
        "Ya tenemos su solicitud número {number}; la atenderemos antes del {date}.",
        "Ja tenim la vostra sol·licitud número {number}; l'atendrem abans del {date}.",
        "We already have your request number {number}; we will answer it by {date}.",
        ("number", "date"),
    ),
}


def kind_of(words: list[str]) -> str | None:
    """Return the kind of request the message is, if it is one."""
    asked = tuple(words)
    for kind, phrases in PHRASES.items():
        if asked in phrases:
            return kind
    return None


def handle_rights(turn: Turn, words: list[str]) -> bool:
    """Queue the resident's request and tell them its number and deadline."""
    kind = kind_of(words)
    if kind is None:
        return False
    try:
        request, new = receive_request(
            council=turn.council,
            urn=turn.conversation.urn,
            kind=kind,
            via=RightsRequest.Via.CHAT,
        )
    except RightsError:
        return False
    key = f"rights.{kind}" if new else "rights.already"
    turn.say(key, number=request.pk, date=long_date(request.due_at, turn))
    return True


MY_DATA = Command(words=("mis", "les", "meves", "my"), handle=handle_rights, texts=TEXTS)
ERASE_MY_DATA = Command(
    words=("borrar", "borra", "eliminar", "esborrar", "esborra", "delete", "erase"),
    handle=handle_rights,
    texts=TEXTS,
)
