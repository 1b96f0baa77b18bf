"""A case continued on another channel: "VINCULAR 2026-000123" and a one-time code.

A resident who reported on one channel (the portal's form with a phone, WhatsApp, ...) and
writes from another is a different identity to us: their case is not theirs here, and a
number alone must not open it to anyone who types it. So "VINCULAR <reference>" sends a
six-digit code to the conversation the case's resident already has; written back here, it
proves that both are the same person: this identity joins their record, this conversation
follows the case from now on, and the message that asked lands on the case.

The answer to "VINCULAR <reference>" is the same whether the number exists, is someone's
whose channel can be reached, or not: the chat tells nobody whose case a number is. Codes
are kept only as a keyed hash in the dialog state; three wrong codes or
``CODE_TTL`` end the attempt; ``core.throttle`` limits the codes sent per case and per
conversation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

import structlog
from django.conf import settings
from django.utils import timezone

from ventanilla.cases.models import Case
from ventanilla.cases.references import find_references
from ventanilla.channels.policy import OutboundRefused
from ventanilla.conversations.bot_templates import Default, TemplateBook
from ventanilla.conversations.dialog.commands import Command, await_reply
from ventanilla.conversations.dialog.state import CommandStep
from ventanilla.conversations.dialog.turn import Turn
from ventanilla.conversations.models import Conversation
from ventanilla.conversations.services import (
    attach_messages_to_case,
    move_conversation,
    queue_outbound,
)
from ventanilla.core import throttle

log = structlog.get_logger(__name__)

CODE_TTL = dt.timedelta(minutes=15)
MAX_TRIES = 3
#: codes sent a day for one case, and asked a day from one conversation
CODES_PER_CASE = 3
CODES_PER_CONVERSATION = 5
DAY = 24 * 3600

D = Default
TEXTS: dict[str, Default] = {
    "link.sent": D(
        "Answer to VINCULAR <reference>: the same whether or not a code was sent.",
        "Si la incidencia {reference} se abrió desde otro canal, le hemos enviado allí un "
        "código de 6 cifras. Escríbalo aquí para seguirla desde este chat.",
        "Si la incidència {reference} es va obrir des d'un altre canal, us hi hem enviat un "
        "codi de 6 xifres. Escriviu-lo aquí per seguir-la des d'aquest xat.",
        "If case {reference} was opened from another channel, we have sent a 6-digit code "
        "there. Write it here to follow the case from this chat.",
        ("reference",),
        sms=(
            "Si {reference} se abrió en otro canal, le enviamos allí un código de 6 cifras. "
            "Escríbalo aquí.",
            "Si {reference} es va obrir en un altre canal, us hi hem enviat un codi de 6 "
            "xifres. Escriviu-lo aquí.",
            "If {reference} was opened on another channel, we sent a 6-digit code there. "
            "Write it here.",
        ),
    ),
    "link.code": D(
        "The one-time code, sent to the channel that opened the case.",
        "Alguien pide seguir su incidencia {reference} desde {provider}. Si es usted, escriba "
        "allí este código: {code}. Si no, ignore este mensaje.",
        "Algú demana seguir la vostra incidència {reference} des de {provider}. Si sou vós, "
        "escriviu-hi aquest codi: {code}. Si no, ignoreu aquest missatge.",
        "Someone asks to follow your case {reference} from {provider}. If it is you, write "
        "this code there: {code}. If not, ignore this message.",
        ("reference", "provider", "code"),
        sms=(
            "Código para seguir {reference} desde {provider}: {code}. Si no lo pidió, ignórelo.",
            "Codi per seguir {reference} des de {provider}: {code}. Si no l'heu demanat, "
            "ignoreu-lo.",
            "Code to follow {reference} from {provider}: {code}. If you did not ask, ignore it.",
        ),
    ),
    "link.done": D(
        "The code was right: this chat now follows the case.",
        "Código correcto. A partir de ahora puede seguir la incidencia {reference} desde este "
        "chat; su mensaje se ha añadido a ella.",
        "Codi correcte. A partir d'ara podeu seguir la incidència {reference} des d'aquest "
        "xat; el vostre missatge s'hi ha afegit.",
        "Code accepted. From now on you can follow case {reference} from this chat; your "
        "message has been added to it.",
        ("reference",),
    ),
    "link.wrong": D(
        "A wrong code; the resident may try again.",
        "Ese código no es correcto. Revíselo y escríbalo de nuevo.",
        "Aquest codi no és correcte. Reviseu-lo i torneu-lo a escriure.",
        "That code is not right. Please check it and write it again.",
        (),
    ),
    "link.failed": D(
        "Too many wrong codes, or the code expired: the attempt ends.",
        "No hemos podido comprobar el código. Si lo necesita, escriba de nuevo VINCULAR y el "
        "número de la incidencia.",
        "No hem pogut comprovar el codi. Si cal, torneu a escriure VINCULA i el número de la "
        "incidència.",
        "We could not check the code. If you need to, write LINK and the case number again.",
        (),
    ),
    "link.already": D(
        "The case is already the resident's own in this chat.",
        "La incidencia {reference} ya está vinculada a este chat. Escriba ESTADO {reference} "
        "para saber cómo va.",
        "La incidència {reference} ja està vinculada a aquest xat. Escriviu ESTAT {reference} "
        "per saber com va.",
        "Case {reference} is already linked to this chat. Write STATUS {reference} to know "
        "how it is going.",
        ("reference",),
    ),
}


def _digest(conversation_id: int, case_id: int, code: str) -> str:
    key = f"{settings.SECRET_KEY}:link".encode()
    message = f"{conversation_id}:{case_id}:{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _origin(case: Case, asking: Conversation) -> Conversation | None:
    """Return the conversation of the case's resident a code can reach, if any."""
    if case.citizen_id is None:
        return None
    conversations = (
        Conversation.objects.filter(
            council_id=case.council_id, citizen_id=case.citizen_id, channel__active=True
        )
        .exclude(pk=asking.pk)
        .select_related("council", "citizen", "channel")
    )
    if case.channel_id is not None:
        same = conversations.filter(channel_id=case.channel_id).first()
        if same is not None:
            return same
    return conversations.order_by("-last_inbound_at", "-pk").first()


def _send_code(turn: Turn, case: Case) -> str | None:
    """Send a fresh code to the case's resident; return its digest, or None if not sent."""
    origin = _origin(case, turn.conversation)
    if origin is None:
        return None
    if not throttle.hit(
        scope="link-conversation",
        client=str(turn.conversation.pk),
        limit=CODES_PER_CONVERSATION,
        window_seconds=DAY,
    ) or not throttle.hit(
        scope="link-case", client=str(case.pk), limit=CODES_PER_CASE, window_seconds=DAY
    ):
        log.info("link_code_throttled", case=case.pk, conversation=turn.conversation.pk)
        return None
    code = f"{secrets.randbelow(10**6):06d}"
    text = TemplateBook.for_conversation(origin).text(
        "link.code",
        reference=case.reference,
        provider=turn.conversation.channel.get_provider_display(),
        code=code,
    )
    try:
        queue_outbound(conversation=origin, text=text, case=case, automatic=True)
    except OutboundRefused:
        log.info("link_code_not_sent_window_closed", case=case.pk)
        return None
    return _digest(turn.conversation.pk, case.pk, code)


def handle_link(turn: Turn, words: list[str]) -> bool:
    """Answer "VINCULAR <reference>": send a code to the case's own channel, wait for it."""
    references = find_references(" ".join(words))
    if not references:
        return False
    reference = references[0]
    case = Case.objects.filter(council=turn.council, reference=reference).first()
    if case is not None and case.citizen_id == turn.citizen.pk:
        turn.say("link.already", reference=reference)
        return True
    digest = _send_code(turn, case) if case is not None else None
    turn.say("link.sent", reference=reference)
    if digest is not None:
        await_reply(
            turn,
            LINK,
            "code",
            {
                "case": case.pk if case else None,
                "reference": reference,
                "digest": digest,
                "tries": 0,
                "messages": [turn.message.pk],
                "at": timezone.now().isoformat(),
            },
        )
    return True


def _sent_at(value: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def follow_link(turn: Turn, waiting: CommandStep) -> bool:
    """Take the code written back; a message that is not a code goes on through the dialog."""
    data = dict(waiting.data)
    code = "".join(ch for ch in turn.text if ch.isdigit())
    if len(code) != 6 or len(turn.text) > 20:
        return False
    sent_at = _sent_at(data.get("at"))
    case_id = data.get("case")
    case = Case.objects.filter(council=turn.council, pk=int(case_id)).first() if case_id else None
    if case is None or sent_at is None or timezone.now() - sent_at > CODE_TTL:
        turn.say("link.failed")
        return True
    expected = str(data.get("digest") or "")
    if not hmac.compare_digest(expected, _digest(turn.conversation.pk, case.pk, code)):
        data["tries"] = int(data.get("tries") or 0) + 1
        if data["tries"] >= MAX_TRIES:
            turn.say("link.failed")
        else:
            turn.say("link.wrong")
            await_reply(turn, LINK, "code", data)
        return True
    if case.citizen is None:
        turn.say("link.failed")
        return True
    move_conversation(conversation=turn.conversation, citizen=case.citizen)
    ids = [int(i) for i in data.get("messages") or []] + [turn.message.pk]
    attach_messages_to_case(case=case, messages=ids)
    log.info("case_linked_to_conversation", case=case.pk, conversation=turn.conversation.pk)
    turn.say("link.done", reference=case.reference)
    return True


LINK = Command(
    words=("vincular", "vincula", "link"),
    handle=handle_link,
    texts=TEXTS,
    name="link",
    follow=follow_link,
)
