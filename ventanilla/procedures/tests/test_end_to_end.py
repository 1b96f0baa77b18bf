"""The census certificate on every provider, through the fake providers and real HTTP.

The resident writes through the citizen simulator; the worker runs the dialog and the
sends; what a phone shows is what the fake received from Ventanilla. The code sent by SMS
to the number on record is read from the Twilio fake, as the owner of that phone would.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import httpx
import pytest
import time_machine
from pypdf import PdfReader

from ventanilla.citizens.services import add_identity
from ventanilla.conversations.models import Conversation
from ventanilla.conversations.tests.chat import make_town
from ventanilla.conversations.tests.test_end_to_end import Phone, text_of
from ventanilla.fakes.simulator import Simulator
from ventanilla.fakes.tests.harness import PROVIDERS, Fakes
from ventanilla.procedures.codes import format_csv
from ventanilla.procedures.models import IssuedDocument
from ventanilla.procedures.tests.conftest import person

pytestmark = pytest.mark.django_db(transaction=True)

#: residents of these tests only (the fakes are shared by the session)
CHAT = {
    "whatsapp": "34600710801",
    "telegram": "710801",
    "line": "vecina-rosa",
    "twilio": "+34600710801",
}
STRANGER = {
    "whatsapp": "34600710802",
    "telegram": "710802",
    "line": "vecino-quim",
    "twilio": "+34600710802",
}
OTHER = {
    "whatsapp": "34600710803",
    "telegram": "710803",
    "line": "vecino-ot",
    "twilio": "+34600710803",
}
OWN_NUMBER = "+34600710801"
#: the victim's phone on record, which none of the chats is
VICTIM_PHONE = "+34600710899"
DOCUMENT_LINK = re.compile(r"https?://[^\s\"']+/verify/file/[^\s\"']+/")


@pytest.fixture
def simulator(fakes: Fakes) -> Simulator:
    simulator = Simulator(fakes.hub, language="es")
    simulator.install()
    return simulator


@pytest.fixture
def council(transactional_db):
    return make_town().council


def channels(fakes: Fakes, provider: str, council: Any) -> None:
    fakes.channel(provider, council=council)
    if provider != "twilio":
        fakes.channel("twilio", council=council)  # the SMS channel for codes


def greeted(fakes: Fakes, simulator: Simulator, provider: str, resident: str) -> Phone:
    phone = Phone(fakes, simulator, provider, resident)
    phone.say("Hola")
    phone.tap("Acepto")
    return phone


def ask(phone: Phone, dni: str = "12345678Z", born: str = "12/03/1980") -> list[dict]:
    phone.say("volante")
    phone.say(dni)
    return phone.say(born)


def six_digits(messages: list[dict[str, Any]]) -> str:
    found = re.search(r"\b(\d{6})\b", text_of(messages))
    assert found, text_of(messages)
    return found.group(1)


def sms_inbox(simulator: Simulator, number: str) -> list[dict[str, Any]]:
    return [m for m in simulator.transcript("twilio", number) if m["direction"] == "out"]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_owner_gets_the_code_in_the_chat_and_a_pdf_that_verifies(
    provider: str, fakes: Fakes, simulator: Simulator, council: Any
) -> None:
    channels(fakes, provider, council)
    person(council, phone=OWN_NUMBER)
    phone = greeted(fakes, simulator, provider, CHAT[provider])
    if provider in ("telegram", "line"):  # as when the resident shares their contact
        citizen = _conversation(provider, council).citizen
        add_identity(citizen=citizen, urn=f"tel:{OWN_NUMBER}")

    # a wrong check letter is told; the number typed again goes on
    phone.say("certificado de empadronamiento")
    assert "no corresponde a su número" in text_of(phone.say("12345678A"))
    assert "fecha de nacimiento" in text_of(phone.say("12345678Z"))
    sent = phone.say("12/03/1980")
    assert "Su código es" in text_of(sent)
    assert sms_inbox(simulator, VICTIM_PHONE) == []

    assert "Identidad comprobada" in text_of(phone.say(six_digits(sent)))
    issued = phone.tap("Solo yo")

    document = IssuedDocument.objects.get()
    shown = text_of(issued) + " ".join(str(m.get("image") or "") for m in issued)
    link = DOCUMENT_LINK.search(shown)
    assert link, shown
    assert format_csv(document.csv) in shown
    pdf = httpx.get(link.group(0)).content
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Lucía García Puig" in text and format_csv(document.csv) in text
    page = httpx.get(f"{fakes.live_url}/verify/{document.csv}/")
    assert page.status_code == 200 and "Lucía" not in page.text

    # a code expires after ten minutes (last: the clock does not come back for the sends)
    code = six_digits(ask(phone))
    with time_machine.travel(dt.timedelta(minutes=11)):
        assert "El código ha caducado" in text_of(phone.say(code))


def _conversation(provider: str, council: Any) -> Conversation:
    return Conversation.objects.filter(council=council, channel__provider=provider).get()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_code_goes_by_sms_to_the_phone_on_record_and_a_stranger_gets_nothing(
    provider: str, fakes: Fakes, simulator: Simulator, council: Any
) -> None:
    channels(fakes, provider, council)
    person(council, phone=VICTIM_PHONE)
    stranger = greeted(fakes, simulator, provider, STRANGER[provider])
    other = greeted(fakes, simulator, provider, OTHER[provider])

    # the same answers, in the same number of messages, for a DNI in the register and not
    known = [m["text"] for m in ask(stranger)]
    unknown = [m["text"] for m in ask(other, dni="54362315K")]
    assert known == unknown and len(known) == 1
    [code_sms] = sms_inbox(simulator, VICTIM_PHONE)
    code = six_digits([code_sms])
    assert code not in text_of(stranger.outs())

    # three wrong codes lock the DNI; the right one after that is no use
    wrong = "999999" if code != "999999" else "111111"
    replies = [text_of(stranger.say(wrong)) for _ in range(3)]
    assert [text_of(other.say(wrong)) for _ in range(3)] == replies
    assert "bloqueado durante una hora" in replies[-1]
    assert "Identidad comprobada" not in text_of(stranger.say(code))
    assert "no podemos enviar más códigos" in text_of(ask(stranger))

    # the stranger never received the document nor any of the victim's data
    said = text_of(stranger.outs()) + " ".join(str(m.get("image")) for m in stranger.outs())
    assert not IssuedDocument.objects.exists()
    assert not DOCUMENT_LINK.search(said)
    for secret in ("García", "Calle Mayor", "Lucía", "710899", "12 de marzo"):
        assert secret not in said


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_owner_reads_the_sms_code_and_types_it_in_another_chat(
    provider: str, fakes: Fakes, simulator: Simulator, council: Any
) -> None:
    channels(fakes, provider, council)
    person(council, phone=VICTIM_PHONE)
    owner = greeted(fakes, simulator, provider, STRANGER[provider])

    ask(owner)
    code = six_digits(sms_inbox(simulator, VICTIM_PHONE))
    owner.say(code)
    issued = owner.tap("Solo yo")

    assert IssuedDocument.objects.count() == 1
    shown = text_of(issued) + " ".join(str(m.get("image") or "") for m in issued)
    assert DOCUMENT_LINK.search(shown)
