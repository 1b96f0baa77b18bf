"""A procedure's phrase anywhere in a short message starts it; its words in an ordinary
report ("el volante del coche", "una cita de Machado") leave the report alone."""

from __future__ import annotations

import pytest

from ventanilla.appointments.tests.conftest import THURSDAY_9, office, slots
from ventanilla.conversations.tests.chat import Resident, make_channel, texts

GREETING = {"es": "Hola", "ca": "Bon dia", "en": "Hello"}
ASK_DNI = {"es": "Escriba su DNI o NIE", "ca": "Escriviu el DNI o NIE", "en": "Type your DNI"}
SLOTS = {"es": "Citas libres en", "ca": "Cites lliures a", "en": "Free appointments at"}


def _resident(town, language: str) -> Resident:
    resident = Resident(make_channel(town.council, "telegram"), language_hint=language)
    resident.accept_notice(GREETING[language])
    return resident


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "necesito un volante de empadronamiento"),
        ("es", "quiero el certificado de empadronamiento"),
        ("es", "Hola, ¿me podéis dar el certificado del padrón?"),
        ("ca", "necessito el certificat d'empadronament"),
        ("ca", "voldria un volant d'empadronament, si us plau"),
        ("en", "I need a census certificate please"),
        ("en", "can I get proof of residence"),
    ],
)
def test_a_census_phrase_inside_a_short_message_starts_the_certificate(town, language, text):
    resident = _resident(town, language)
    reply = resident.send(text)
    assert ASK_DNI[language] in texts(reply)
    assert resident.state["step"] == "command"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "necesito pedir cita para el padrón"),
        ("es", "quiero una cita"),
        ("ca", "voldria demanar cita"),
        ("en", "I would like to book an appointment"),
    ],
)
def test_an_appointment_phrase_inside_a_short_message_offers_slots(town, language, text):
    slots(office(town.council), THURSDAY_9)
    resident = _resident(town, language)
    assert SLOTS[language] in texts(resident.send(text))


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "Hay un coche abandonado sin volante en la calle Mayor"),
        ("es", "Han pintado una cita de Machado en la fachada"),
        ("es", "La farola de la oficina del padrón está apagada"),
        (
            "es",
            "En la oficina donde se pide cita previa hay una gotera enorme en el techo",
        ),
        ("es", "la máquina para pedir el certificado de empadronamiento está rota desde el lunes"),
        ("ca", "Hi ha un cotxe abandonat sense volant al carrer"),
        ("en", "The streetlight outside the census office is broken"),
    ],
)
def test_ordinary_reports_with_those_words_stay_reports(town, language, text):
    slots(office(town.council), THURSDAY_9)
    resident = _resident(town, language)
    reply = texts(resident.send(text))
    assert ASK_DNI[language] not in reply and SLOTS[language] not in reply
    assert resident.state["step"].startswith("report."), (resident.state["step"], reply)
