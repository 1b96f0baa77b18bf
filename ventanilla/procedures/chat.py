"""The census certificate and the registry receipt, asked for in the chat.

"volante" (or the menu) → DNI/NIE → date of birth → a one-time code sent to the phone or
e-mail on record in the census → the code typed back → individual or household certificate,
sent as a PDF. The chat says the same, in the same number of messages, whether or not the
DNI is in the register; only a chat whose own number is the one on record hears the code.

"justificante 2026-000123" gives the owner of a case its registry receipt.

``ventanilla.wiring`` adds ``CENSUS`` and ``RECEIPT`` to the dialog's commands.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from ventanilla.cases.models import Case
from ventanilla.cases.references import find_references
from ventanilla.channels.adapters.base import Choice
from ventanilla.channels.models import Channel
from ventanilla.conversations.bot_templates import Default, TemplateBook
from ventanilla.conversations.dialog import commands
from ventanilla.conversations.dialog.choices import ChoiceId
from ventanilla.conversations.dialog.commands import Command
from ventanilla.conversations.dialog.state import CommandStep
from ventanilla.conversations.dialog.turn import Turn, join
from ventanilla.conversations.services import conversation_for, queue_outbound
from ventanilla.core.models import Council
from ventanilla.procedures import services
from ventanilla.procedures.census import BadIdentityNumber, normalise_identity_number, parse_date
from ventanilla.procedures.codes import format_csv
from ventanilla.procedures.documents import verification_url
from ventanilla.procedures.models import IssuedDocument

#: how long the link to a document sent in the chat works
DOCUMENT_LINK_TTL = dt.timedelta(hours=24)
DOCUMENT_SALT = "procedures.document-link"
#: words that make "certificado ..." a census certificate
CENSUS_HINTS = ("empadron", "padron", "census", "residen", "volant")

D = Default
TEXTS: dict[str, Default] = {
    "census.ask_dni": D(
        "Start of the census certificate: asks for the DNI/NIE.",
        "Para emitir su certificado de empadronamiento comprobaremos su identidad. Escriba su "
        "DNI o NIE con la letra (por ejemplo, 12345678Z). Escriba CANCELAR para dejarlo.",
        "Per emetre el vostre certificat d'empadronament comprovarem la vostra identitat. "
        "Escriviu el DNI o NIE amb la lletra (per exemple, 12345678Z). Escriviu CANCEL·LAR "
        "per deixar-ho.",
        "To issue your census certificate we will check your identity. Type your DNI or NIE "
        "with its letter (for example, 12345678Z). Type CANCEL to stop.",
        sms=(
            "Escriba su DNI o NIE con la letra (p. ej. 12345678Z) para el volante. "
            "CANCELAR para dejarlo.",
            "Escriviu el DNI o NIE amb la lletra (p. ex. 12345678Z) per al volant. "
            "CANCEL·LAR per deixar-ho.",
            "Type your DNI or NIE with its letter (e.g. 12345678Z) for the certificate. "
            "CANCEL to stop.",
        ),
    ),
    "census.wrong_letter": D(
        "The DNI/NIE typed has a wrong check letter.",
        "La letra de ese DNI/NIE no corresponde a su número. Revíselo y escríbalo de nuevo.",
        "La lletra d'aquest DNI/NIE no correspon al número. Reviseu-lo i torneu a escriure'l.",
        "The letter of that DNI/NIE does not match its number. Check it and type it again.",
    ),
    "census.not_a_dni": D(
        "What was typed is not a DNI/NIE.",
        "Eso no parece un DNI o NIE. Escríbalo con su letra, por ejemplo 12345678Z.",
        "Això no sembla un DNI o NIE. Escriviu-lo amb la lletra, per exemple 12345678Z.",
        "That does not look like a DNI or NIE. Type it with its letter, for example 12345678Z.",
    ),
    "census.ask_birth": D(
        "Asks the date of birth.",
        "Ahora escriba su fecha de nacimiento (día/mes/año, por ejemplo 31/12/1980).",
        "Ara escriviu la vostra data de naixement (dia/mes/any, per exemple 31/12/1980).",
        "Now type your date of birth (day/month/year, for example 31/12/1980).",
    ),
    "census.bad_date": D(
        "The date of birth could not be read.",
        "No entendemos esa fecha. Escríbala así: 31/12/1980.",
        "No entenem aquesta data. Escriviu-la així: 31/12/1980.",
        "We cannot read that date. Type it like this: 31/12/1980.",
    ),
    "census.code_sent": D(
        "Said after the date of birth, whether or not the data match the register.",
        "Si los datos coinciden con el padrón, hemos enviado un código de 6 dígitos al teléfono "
        "(o al correo) que consta en el padrón. Escríbalo aquí: caduca en 10 minutos. Si no le "
        "llega, pida el certificado en la oficina de atención ciudadana.",
        "Si les dades coincideixen amb el padró, hem enviat un codi de 6 xifres al telèfon (o "
        "al correu) que hi consta. Escriviu-lo aquí: caduca en 10 minuts. Si no us arriba, "
        "demaneu el certificat a l'oficina d'atenció ciutadana.",
        "If the data match the census register, we have sent a 6-digit code to the phone (or "
        "e-mail) on record. Type it here: it expires in 10 minutes. If it does not arrive, ask "
        "for the certificate at the citizen service office.",
        sms=(
            "Si los datos coinciden, hemos enviado un código al teléfono (o al correo) que "
            "consta en el padrón. Escríbalo aquí (10 min).",
            "Si les dades coincideixen, hem enviat un codi al telèfon (o al correu) que "
            "consta al padró. Escriviu-lo aquí (10 min).",
            "If the data match the register, we sent a code to the phone or e-mail on record. "
            "Type it here (10 min).",
        ),
    ),
    "census.code_in_chat": D(
        "The one-time code, in the chat whose own number is the one on record.",
        "Su código es {code}. No lo comparta con nadie.",
        "El vostre codi és {code}. No el compartiu amb ningú.",
        "Your code is {code}. Do not share it with anyone.",
        ("code",),
    ),
    "census.code_sms": D(
        "The one-time code sent by SMS or e-mail to the phone or address on record.",
        "{council}: su código para el certificado de empadronamiento es {code}. Caduca en 10 "
        "minutos. Si no lo ha pedido usted, ignore este mensaje.",
        "{council}: el vostre codi per al certificat d'empadronament és {code}. Caduca en 10 "
        "minuts. Si no l'heu demanat, ignoreu aquest missatge.",
        "{council}: your code for the census certificate is {code}. It expires in 10 minutes. "
        "If you did not ask for it, ignore this message.",
        ("council", "code"),
        sms=(
            "{council}: código del volante {code}. Caduca en 10 min. Si no lo pidió, ignórelo.",
            "{council}: codi del volant {code}. Caduca en 10 min. Si no l'heu demanat, ignoreu-lo.",
            "{council}: census certificate code {code}. Expires in 10 min. Not you? Ignore it.",
        ),
    ),
    "census.too_many": D(
        "Too many requests for this DNI or from this chat, or the DNI is locked.",
        "Por seguridad no podemos enviar más códigos ahora. Inténtelo dentro de una hora o pida "
        "el certificado en la oficina de atención ciudadana.",
        "Per seguretat no podem enviar més codis ara. Torneu-ho a provar d'aquí a una hora o "
        "demaneu el certificat a l'oficina d'atenció ciutadana.",
        "For security we cannot send more codes now. Try again in an hour or ask for the "
        "certificate at the citizen service office.",
        sms=(
            "Por seguridad no podemos enviar más códigos ahora. Pruebe en una hora o vaya a "
            "la oficina.",
            "Per seguretat no podem enviar més codis ara. Proveu-ho d'aquí a una hora o aneu a "
            "l'oficina.",
            "For security we cannot send more codes now. Try in an hour or visit the office.",
        ),
    ),
    "census.wrong_code": D(
        "A wrong one-time code; attempts left.",
        "El código no es correcto. Le quedan {left} intentos.",
        "El codi no és correcte. Us queden {left} intents.",
        "That code is not correct. {left} attempts left.",
        ("left",),
    ),
    "census.locked": D(
        "Three wrong codes: the DNI is locked for an hour.",
        "Demasiados intentos fallidos: por seguridad, este DNI queda bloqueado durante una hora. "
        "Puede pedir el certificado en la oficina de atención ciudadana.",
        "Massa intents fallits: per seguretat, aquest DNI queda bloquejat durant una hora. "
        "Podeu demanar el certificat a l'oficina d'atenció ciutadana.",
        "Too many failed attempts: for security this DNI is locked for an hour. You can ask "
        "for the certificate at the citizen service office.",
        sms=(
            "Demasiados intentos: este DNI queda bloqueado durante una hora. Pídalo en la oficina.",
            "Massa intents: aquest DNI queda bloquejat durant una hora. Demaneu-lo a l'oficina.",
            "Too many attempts: this DNI is locked for an hour. Ask at the office.",
        ),
    ),
    "census.expired": D(
        "The one-time code has expired.",
        "El código ha caducado. Escriba VOLANTE para pedir uno nuevo.",
        "El codi ha caducat. Escriviu VOLANT per demanar-ne un de nou.",
        "The code has expired. Type CENSUS to ask for a new one.",
    ),
    "census.ask_kind": D(
        "Identity verified: which certificate.",
        "Identidad comprobada. ¿Qué certificado necesita?",
        "Identitat comprovada. Quin certificat necessiteu?",
        "Identity checked. Which certificate do you need?",
    ),
    "census.individual": D("Button: individual certificate.", "Solo yo", "Només jo", "Just me"),
    "census.household": D(
        "Button: household certificate.", "Toda la vivienda", "Tot l'habitatge", "Whole household"
    ),
    "census.issued": D(
        "Sent with the certificate (a PDF, or its link).",
        "Aquí tiene su certificado de empadronamiento. Cualquiera puede comprobar que es "
        "auténtico en {url} con el código {csv}.",
        "Aquí teniu el vostre certificat d'empadronament. Qualsevol pot comprovar que és "
        "autèntic a {url} amb el codi {csv}.",
        "Here is your census certificate. Anyone can check that it is genuine at {url} with "
        "the code {csv}.",
        ("url", "csv"),
        sms=(
            "Su volante. Verificación: {url} código {csv}",
            "El vostre volant. Verificació: {url} codi {csv}",
            "Your certificate. Check it at {url}, code {csv}",
        ),
    ),
    "census.handoff": D(
        "A household certificate asked by someone who may not get it in the chat.",
        "El certificado de toda la vivienda solo se emite aquí a una persona mayor de edad "
        "empadronada en ella. Puede pedirlo en la oficina de atención ciudadana con su DNI.",
        "El certificat de tot l'habitatge només s'emet aquí a una persona major d'edat "
        "empadronada a l'habitatge. Podeu demanar-lo a l'oficina d'atenció ciutadana amb el DNI.",
        "A household certificate is issued here only to an adult registered at the address. "
        "You can ask for it at the citizen service office with your DNI.",
        sms=(
            "El volante de toda la vivienda solo se emite aquí a una persona mayor de edad "
            "empadronada en ella. Pídalo en la oficina.",
            "El volant de tot l'habitatge només s'emet aquí a una persona major d'edat "
            "empadronada. Demaneu-lo a l'oficina.",
            "A household certificate is issued here only to an adult registered there. "
            "Ask at the office.",
        ),
    ),
    "receipt.sent": D(
        "Sent with a case's registry receipt (a PDF, or its link).",
        "Aquí tiene el justificante de registro de {reference} (entrada {entry}). Código de "
        "verificación: {csv}.",
        "Aquí teniu el justificant de registre de {reference} (entrada {entry}). Codi de "
        "verificació: {csv}.",
        "Here is the registry receipt of {reference} (entry {entry}). Verification code: {csv}.",
        ("reference", "entry", "csv"),
        sms=(
            "Justificante de {reference} (entrada {entry}). Código: {csv}.",
            "Justificant de {reference} (entrada {entry}). Codi: {csv}.",
            "Receipt of {reference} (entry {entry}). Code: {csv}.",
        ),
    ),
    "receipt.not_found": D(
        "No case of the resident's has that number.",
        "No encontramos ninguna incidencia suya con el número {reference}.",
        "No trobem cap incidència vostra amb el número {reference}.",
        "We cannot find a case of yours numbered {reference}.",
        ("reference",),
    ),
    "receipt.ask": D(
        "'justificante' without a number.",
        "Escriba JUSTIFICANTE seguido del número de su incidencia, por ejemplo: justificante "
        "2026-000123.",
        "Escriviu JUSTIFICANT seguit del número de la incidència, per exemple: justificant "
        "2026-000123.",
        "Type RECEIPT followed by your case number, for example: receipt 2026-000123.",
    ),
}

DNI, BIRTH, CODE, KIND = "dni", "birth", "code", "kind"


# -- the census certificate ----------------------------------------------------------------


def start(turn: Turn, words: list[str]) -> bool:
    """Answer "volante", "certificado de empadronamiento", the menu's certificate option."""
    first = words[0] if words else ""
    if first.startswith("certific") and len(words) > 1:
        if not any(hint in word for word in words[1:] for hint in CENSUS_HINTS):
            return False  # another certificate: let the dialog go on
    turn.say("census.ask_dni")
    commands.await_reply(turn, CENSUS, DNI)
    return True


def follow(turn: Turn, waiting: CommandStep) -> bool:
    handler = {DNI: _dni, BIRTH: _birth, CODE: _code, KIND: _kind}.get(waiting.step)
    if handler is None:
        return False
    handler(turn, waiting)
    return True


def ask(turn: Turn, waiting: CommandStep, lead: str) -> None:
    key = {
        DNI: "census.ask_dni",
        BIRTH: "census.ask_birth",
        CODE: "census.code_sent",
        KIND: "census.ask_kind",
    }[waiting.step]
    choices = _kind_choices(turn) if waiting.step == KIND else []
    turn.state.remember_prompt(key)
    turn.reply(join(lead, turn.t(key)), choices)
    commands.await_reply(turn, CENSUS, waiting.step, waiting.data)


def _dni(turn: Turn, waiting: CommandStep) -> None:
    try:
        dni = normalise_identity_number(turn.text)
    except BadIdentityNumber as error:
        turn.say("census.wrong_letter" if error.wrong_letter else "census.not_a_dni")
        commands.await_reply(turn, CENSUS, DNI)
        return
    turn.say("census.ask_birth")
    commands.await_reply(turn, CENSUS, BIRTH, {"dni": dni})


def _birth(turn: Turn, waiting: CommandStep) -> None:
    try:
        birth = parse_date(turn.text)
    except ValueError:
        turn.say("census.bad_date")
        commands.await_reply(turn, CENSUS, BIRTH, waiting.data)
        return
    council = turn.council
    request = services.request_code(
        council=council,
        dni=str(waiting.data.get("dni", "")),
        birth_date=birth,
        requester=turn.conversation.urn,
        chat_phones=chat_phones(turn),
        language=turn.language,
        send_sms=partial(_send_sms, council, turn.language),
        send_email=partial(_send_email, council, turn.language),
    )
    if request.check is None:
        turn.say("census.too_many")
        return
    turn.say("census.code_sent")
    if request.code_for_chat:  # masked in the inbox: staff never read the code
        turn.state.remember_prompt("census.code_in_chat")
        code = request.code_for_chat
        turn.reply(_with_code(turn.t("census.code_in_chat", code=code), code), secret=code)
    commands.await_reply(turn, CENSUS, CODE, {"check": request.check.pk})


def _code(turn: Turn, waiting: CommandStep) -> None:
    check_id = int(waiting.data.get("check") or 0)
    result = services.check_code(check_id=check_id, requester=turn.conversation.urn, code=turn.text)
    if result is services.CodeResult.WRONG:
        attempts = services.IdentityCheck.objects.get(pk=check_id).attempts
        turn.say("census.wrong_code", left=services.MAX_ATTEMPTS - attempts)
        commands.await_reply(turn, CENSUS, CODE, waiting.data)
    elif result is services.CodeResult.LOCKED:
        turn.say("census.locked")
    elif result is services.CodeResult.EXPIRED:
        turn.say("census.expired")
    else:
        turn.say("census.ask_kind", _kind_choices(turn))
        commands.await_reply(turn, CENSUS, KIND, waiting.data)


def _kind(turn: Turn, waiting: CommandStep) -> None:
    choice = turn.choice
    option = choice.option if choice is not None and choice.kind == "census" else ""
    if option not in ("individual", "household"):
        ask(turn, waiting, "")
        return
    try:
        issued = services.issue_census_certificate(
            check_id=int(waiting.data.get("check") or 0),
            requester=turn.conversation.urn,
            household=option == "household",
            language=turn.language,
        )
    except services.IssueError:
        turn.say("census.expired")
        return
    if issued.document is None:
        turn.say("census.handoff")
        return
    _send_document(
        turn,
        issued.document,
        turn.t(
            "census.issued",
            url=verification_url_base(),
            csv=format_csv(issued.document.csv or ""),
        ),
        filename="certificado-empadronamiento.pdf",
    )


def _kind_choices(turn: Turn) -> list[Choice]:
    return [
        ChoiceId("census", "individual").offer(turn.t("census.individual")),
        ChoiceId("census", "household").offer(turn.t("census.household")),
    ]


def chat_phones(turn: Turn) -> set[str]:
    """Return the phone numbers the asking chat is known by (the provider vouches for them)."""
    urns = [turn.conversation.urn, *turn.citizen.identities.values_list("urn", flat=True)]
    phones = set()
    for urn in urns:
        scheme, _, path = urn.partition(":")
        if scheme == "tel":
            phones.add(path)
        elif scheme == "whatsapp" and path.isdigit():
            phones.add(f"+{path}")
    return phones


def _send_sms(council: Council, language: str, phone: str, code: str) -> bool:
    """Queue the code by SMS to ``phone`` through the council's Twilio channel, if any."""
    channel = Channel.objects.filter(council=council, provider="twilio", active=True).first()
    if channel is None:
        return False
    conversation = conversation_for(channel=channel, urn=f"tel:{phone}")
    text = TemplateBook(council, language).text("census.code_sms", council=council.name, code=code)
    queue_outbound(
        conversation=conversation, text=_with_code(text, code), automatic=True, secret=code
    )
    return True


def _with_code(text: str, code: str) -> str:
    """Return ``text`` holding ``code`` (a council's edited text may have lost {code})."""
    return text if code in text else f"{text} {code}"


def _send_email(council: Council, language: str, address: str, code: str) -> bool:
    text = TemplateBook(council, language).text("census.code_sms", council=council.name, code=code)
    transaction.on_commit(
        partial(
            send_mail,
            subject=council.name,
            message=text,
            from_email=None,
            recipient_list=[address],
            fail_silently=True,
        )
    )
    return True


# -- the registry receipt --------------------------------------------------------------------


def receipt(turn: Turn, words: list[str]) -> bool:
    """Answer "justificante 2026-000123" with the case's receipt, to its owner only."""
    references = find_references(" ".join(words))
    if not references:
        turn.say("receipt.ask")
        return True
    reference = references[0]
    case = (
        Case.objects.filter(council=turn.council, citizen=turn.citizen, reference=reference)
        .select_related("category", "council")
        .first()
    )
    if case is None:
        turn.say("receipt.not_found", reference=reference)
        return True
    document = services.issue_receipt(
        case=case, requester=turn.conversation.urn, language=turn.language
    )
    entry = services.enter_case(case=case)
    _send_document(
        turn,
        document,
        turn.t(
            "receipt.sent",
            reference=reference,
            entry=entry.label,
            csv=format_csv(document.csv or ""),
        ),
        filename=f"justificante-{reference}.pdf",
        case=case,
    )
    return True


# -- sending a document ----------------------------------------------------------------------


def document_link(document: IssuedDocument) -> str:
    """Return the short-lived path of ``document``'s PDF (``DOCUMENT_LINK_TTL``)."""
    token = signing.TimestampSigner(salt=DOCUMENT_SALT).sign(str(document.pk))
    return reverse("procedures:document_file", args=[token])


def verification_url_base() -> str:
    return settings.PUBLIC_URL + reverse("procedures:verify")


def _send_document(
    turn: Turn, document: IssuedDocument, text: str, *, filename: str, case: Case | None = None
) -> None:
    """Send the PDF in the chat: a document where the channel sends files, else its link."""
    queue_outbound(
        conversation=turn.conversation,
        text=text,
        case=case,
        automatic=True,
        attachment={
            "url": document_link(document),
            "content_type": "application/pdf",
            "filename": filename,
        },
        reply_token=turn.reply_token,
    )
    turn.reply_token = ""
    turn.replied = True


CENSUS = Command(
    words=(
        "volante",
        "volant",
        "padron",
        "empadronamiento",
        "empadronament",
        "census",
        "certificado",
        "certificat",
        "certificate",
    ),
    handle=start,
    texts=TEXTS,
    name="census",
    follow=follow,
    ask=ask,
    menu="certificate",
    phrases=(
        "volante de empadronamiento",
        "volante de padron",
        "volante del padron",
        "certificado de empadronamiento",
        "certificado de padron",
        "certificado del padron",
        "volant d'empadronament",
        "volant de padro",
        "volant del padro",
        "certificat d'empadronament",
        "certificat de padro",
        "certificat del padro",
        "census certificate",
        "certificate of residence",
        "residence certificate",
        "proof of residence",
    ),
)
RECEIPT = Command(words=("justificante", "justificant", "receipt"), handle=receipt, texts={})

__all__ = ["CENSUS", "RECEIPT", "verification_url"]
