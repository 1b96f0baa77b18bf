"""The census certificate in the chat, in process (the fakes' end-to-end is test_end_to_end)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from ventanilla.conversations.delivery_tasks import outbound_for
from ventanilla.conversations.models import Message
from ventanilla.conversations.tests.chat import Resident, make_channel, texts
from ventanilla.procedures.models import AuditEvent, AuditKind, IdentityCheck, IssuedDocument
from ventanilla.procedures.tests.conftest import person

VICTIM_PHONE = "+34600111222"


def sent(messages: list[Message]) -> str:
    """Return what the resident's phone shows (the inbox shows one-time codes masked)."""
    return "\n---\n".join(outbound_for(m).text for m in messages)


def code_in(messages: list[Message]) -> str:
    found = re.search(r"\b(\d{6})\b", sent(messages))
    assert found, sent(messages)
    return found.group(1)


def ask(resident: Resident, dni: str = "12345678Z", born: str = "12/03/1980") -> list[Message]:
    resident.send("volante")
    resident.send(dni)
    return resident.send(born)


@pytest.fixture
def sms(town):
    return make_channel(town.council, "twilio")


@pytest.fixture
def owner(town, sms):
    """The resident writing from the number on record (SMS)."""
    resident = Resident(sms, urn=f"tel:{VICTIM_PHONE}")
    resident.accept_notice()
    return resident


@pytest.fixture
def stranger(town):
    resident = Resident(make_channel(town.council, "telegram"))
    resident.accept_notice()
    return resident


def sms_to(phone: str) -> list[Message]:
    return list(Message.objects.filter(conversation__urn=f"tel:{phone}", direction="out"))


def test_the_owner_gets_the_code_in_the_chat_and_the_certificate(town, owner):
    person(town.council)
    start = owner.send("Volante")
    assert "Escriba su DNI o NIE" in texts(start)
    assert "fecha de nacimiento" in texts(owner.send("12.345.678-z"))
    sent = owner.send("12/03/1980")
    assert "al teléfono (o al correo) que consta en el padrón" in texts(sent)

    asked = owner.send(code_in(sent))
    assert "Identidad comprobada" in texts(asked)
    issued = owner.tap("Solo yo")

    document = IssuedDocument.objects.get()
    assert document.kind == "census_individual"
    assert issued[0].payload["attachment"]["content_type"] == "application/pdf"
    assert "Lucía" not in texts(issued)  # the data travel in the PDF, not in the chat
    kinds = list(AuditEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds[-4:] == ["requested", "code_sent", "verified", "issued"]


def test_the_code_goes_by_sms_to_the_number_on_record_not_to_the_asking_chat(town, sms, stranger):
    person(town.council)
    replies = ask(stranger)

    assert len(replies) == 1
    assert not re.search(r"\b\d{6}\b", sent(replies))
    [code_sms] = sms_to(VICTIM_PHONE)
    assert re.search(r"es \d{6}\.", sent([code_sms]))
    assert re.search(r"es ••••••\.", code_sms.text)  # what staff would read
    assert code_sms.channel == sms


def test_a_wrong_check_letter_is_told_clearly(town, owner):
    owner.send("certificado de empadronamiento")
    reply = owner.send("12345678A")
    assert "La letra de ese DNI/NIE no corresponde a su número" in texts(reply)
    assert "fecha de nacimiento" in texts(owner.send("12345678Z"))


def test_an_unknown_dni_is_answered_exactly_like_a_known_one(town, sms, stranger):
    person(town.council)
    other = Resident(stranger.channel)
    other.accept_notice()

    known = [ask(stranger)]
    unknown = [ask(other, dni="54362315K")]
    known.append(stranger.send("000000"))
    unknown.append(other.send("000000"))

    assert [[m.text for m in turn] for turn in known] == [[m.text for m in t] for t in unknown]
    assert [len(t) for t in known] == [len(t) for t in unknown] == [1, 1]


def test_three_wrong_codes_lock_the_dni_for_an_hour(town, owner):
    person(town.council)
    sent = ask(owner)
    right = code_in(sent)
    wrong = "999999" if right != "999999" else "111111"
    assert "Le quedan 2 intentos" in texts(owner.send(wrong))
    assert "Le quedan 1 intentos" in texts(owner.send(wrong))
    assert "bloqueado durante una hora" in texts(owner.send(wrong))
    assert "Identidad comprobada" not in texts(owner.send(right))

    assert "no podemos enviar más códigos" in texts(ask(owner))
    with time_machine.travel(dt.timedelta(hours=1, minutes=1)):
        assert "hemos enviado un código" in texts(ask(owner))
    assert AuditEvent.objects.filter(kind=AuditKind.LOCKED).count() == 1


def test_an_expired_code_is_refused(town, owner):
    person(town.council)
    code = code_in(ask(owner))
    with time_machine.travel(dt.timedelta(minutes=11)):
        assert "El código ha caducado" in texts(owner.send(code))
    assert not IssuedDocument.objects.exists()


def test_a_stranger_with_the_dni_and_birth_date_gets_nothing(town, sms, stranger):
    person(town.council)
    ask(stranger)
    for guess in ("123456", "000000", "999999"):
        stranger.send(guess)
    stranger.send("volante")

    said = texts(stranger.outbox())
    assert not IssuedDocument.objects.exists()
    for secret in ("García", "Calle Mayor", "Lucía", "600111222", "12 de marzo", "Centro"):
        assert secret not in said
    assert all("attachment" not in m.payload for m in stranger.outbox())


def test_a_household_certificate_is_for_adults_of_the_household(town, owner, sms):
    person(town.council)
    person(town.council, dni="X2482300W", given_name="Pere", birth_date=dt.date(2015, 5, 1))
    owner.send(code_in(ask(owner)))
    owner.tap("Toda la vivienda")
    document = IssuedDocument.objects.get()
    assert document.kind == "census_household"

    child = Resident(sms, urn="tel:+34600999888")
    child.accept_notice()
    person(
        town.council,
        dni="Y1234567X",
        given_name="Nil",
        birth_date=dt.date(2012, 1, 1),
        phone="+34600999888",
    )
    child.send(code_in(ask(child, dni="Y1234567X", born="01/01/2012")))
    reply = child.tap("Toda la vivienda")
    assert "mayor de edad" in texts(reply)
    assert IssuedDocument.objects.count() == 1


def test_rate_limit_per_chat(town, stranger):
    for n in range(1, 6):  # five different DNIs: the per-DNI limit is not what stops them
        ask(stranger, dni=f"{n:08d}{'TRWAGMYFPDXBNJZSQVHLCKE'[n % 23]}", born="01/01/1990")
        stranger.send("CANCELAR")
    assert "no podemos enviar más códigos" in texts(ask(stranger, dni="00000000T"))
    assert IdentityCheck.objects.count() == 5
