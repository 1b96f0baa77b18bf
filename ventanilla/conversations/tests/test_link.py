"""A case continued on another channel, through the fake providers and real HTTP.

Marta reports on WhatsApp, then writes from Telegram with the reference: Telegram is another
identity, so the case is not hers there until she writes back the code sent to her WhatsApp.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from ventanilla.cases.models import Case
from ventanilla.citizens.models import Identity
from ventanilla.conversations.models import Direction, Message
from ventanilla.conversations.tests.chat import make_town
from ventanilla.conversations.tests.test_end_to_end import OWNER, STRANGER, Phone, text_of
from ventanilla.fakes.simulator import Simulator
from ventanilla.fakes.tests.harness import Fakes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def simulator(fakes: Fakes) -> Simulator:
    simulator = Simulator(fakes.hub, language="es")
    simulator.install()
    return simulator


@pytest.fixture
def town(transactional_db):
    return make_town()


def code_in(messages: list[dict[str, Any]]) -> str:
    found = re.findall(r"\b\d{6}\b", text_of(messages))
    assert found, text_of(messages)
    return found[-1]


def test_a_case_continues_on_another_channel_after_a_code(
    fakes: Fakes, simulator: Simulator, town: Any
) -> None:
    fakes.channel("whatsapp", council=town.council)
    fakes.channel("telegram", council=town.council)
    whatsapp = Phone(fakes, simulator, "whatsapp", OWNER["whatsapp"])
    whatsapp.say("Hola, la farola de la calle Mayor 3 está apagada")
    whatsapp.tap("Acepto")
    whatsapp.tap("Sí, es eso")
    case = Case.objects.get()

    telegram = Phone(fakes, simulator, "telegram", OWNER["telegram"])
    telegram.say("Hola")
    telegram.tap("Acepto")
    # the number alone: not hers here, and the answer tells how to link it
    unknown = text_of(telegram.say(f"estado {case.reference}"))
    assert unknown.startswith(f"No encontramos ningún caso con el número {case.reference}")
    assert f"VINCULAR {case.reference}" in unknown

    before = len(whatsapp.outs())
    asked = text_of(telegram.say(f"vincular {case.reference}"))
    assert f"Si la incidencia {case.reference} se abrió desde otro canal" in asked
    sent = whatsapp.outs()[before:]
    assert f"Alguien pide seguir su incidencia {case.reference} desde Telegram" in text_of(sent)
    code = code_in(sent)

    wrong = "000000" if code != "000000" else "111111"
    assert "Ese código no es correcto" in text_of(telegram.say(wrong))
    assert not case.messages.filter(channel__provider="telegram").exists()

    done = text_of(telegram.say(code))
    assert f"puede seguir la incidencia {case.reference} desde este chat" in done
    telegram_identity = Identity.objects.get(urn=f"telegram:{OWNER['telegram']}")
    assert telegram_identity.citizen == case.citizen
    # the message that asked, and the code, are on the case: staff see both channels
    on_case = case.messages.filter(direction=Direction.IN).values_list(
        "channel__provider", flat=True
    )
    assert {"whatsapp", "telegram"} <= set(on_case)

    # from now on the case is hers on Telegram too
    status = text_of(telegram.say(f"estado {case.reference}"))
    assert f"Caso {case.reference} (Alumbrado público)" in status


def test_a_stranger_learns_nothing_and_cannot_guess_the_code(
    fakes: Fakes, simulator: Simulator, town: Any
) -> None:
    fakes.channel("whatsapp", council=town.council)
    fakes.channel("telegram", council=town.council)
    whatsapp = Phone(fakes, simulator, "whatsapp", OWNER["whatsapp"])
    whatsapp.say("Hola, la farola de la calle Mayor 3 está apagada")
    whatsapp.tap("Acepto")
    whatsapp.tap("Sí, es eso")
    case = Case.objects.get()

    stranger = Phone(fakes, simulator, "telegram", STRANGER["telegram"])
    stranger.say("Hola")
    stranger.tap("Acepto")
    theirs = text_of(stranger.say(f"vincular {case.reference}")).replace(case.reference, "N")
    nothing = text_of(stranger.say("vincular 2026-999999")).replace("2026-999999", "N")
    assert theirs == nothing  # the same answer whether the number exists or not

    for guess in ("123456", "654321", "111111"):
        stranger.say(guess)
    assert "No hemos podido comprobar el código" in text_of(stranger.outs()[-1:])
    stranger.say(code_in(whatsapp.outs()))  # even the right code, after three wrong ones
    assert Identity.objects.get(urn=f"telegram:{STRANGER['telegram']}").citizen != case.citizen
    assert not Message.objects.filter(case=case, channel__provider="telegram").exists()
