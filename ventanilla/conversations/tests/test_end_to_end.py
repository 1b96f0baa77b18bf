"""Whole conversations per provider, through the fake providers and real HTTP.

The resident writes through the citizen simulator (the fake signs and delivers the
provider's webhook to the live server); the worker runs the dialog and the sends; what the
resident reads is what the fake received from Ventanilla. SMS residents see numbered options
and type the number; the others tap buttons.
"""

from __future__ import annotations

from typing import Any

import pytest

from ventanilla.cases.models import Case
from ventanilla.cases.services import change_status
from ventanilla.cases.workflow import Status
from ventanilla.conversations.models import Direction
from ventanilla.conversations.tests.chat import make_town
from ventanilla.fakes.simulator import Simulator
from ventanilla.fakes.tests.harness import PROVIDERS, Fakes, run_tasks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def simulator(fakes: Fakes) -> Simulator:
    simulator = Simulator(fakes.hub, language="es")
    simulator.install()
    return simulator


@pytest.fixture
def e2e_town(transactional_db):
    return make_town()


class Phone:
    """A resident's phone on one provider."""

    def __init__(self, fakes: Fakes, simulator: Simulator, provider: str, resident: str) -> None:
        self.fakes = fakes
        self.simulator = simulator
        self.provider = provider
        self.resident = resident

    def outs(self) -> list[dict[str, Any]]:
        messages = self.simulator.transcript(self.provider, self.resident)
        return [m for m in messages if m["direction"] == "out"]

    def say(self, text: str = "", **spec: Any) -> list[dict[str, Any]]:
        """Send a message and let the worker answer; return what arrived on the phone."""
        before = len(self.outs())
        body = {"provider": self.provider, "resident": self.resident, "name": "Lucía", **spec}
        if text:
            body["text"] = text
        sent = self.fakes.client.post(f"{self.fakes.url}/simulator/send", json=body)
        assert sent.json() == {"status": 200}
        run_tasks()
        return self.outs()[before:]

    def options(self) -> list[str]:
        """Return the options of the last message that offered some, as the resident sees them."""
        for message in reversed(self.outs()):
            if message["choices"]:
                return [c["label"] for c in message["choices"]]
            lines = [line for line in message["text"].splitlines() if _numbered(line)]
            if lines:
                return [line.split(". ", 1)[1] for line in lines]
        return []

    def tap(self, label: str) -> list[dict[str, Any]]:
        """Tap the option ``label``; on SMS, type its number."""
        for message in reversed(self.outs()):
            for choice in message["choices"]:
                if choice["label"] == label:
                    return self.say(label, choice=choice["id"])
            for line in message["text"].splitlines():
                if _numbered(line) and line.split(". ", 1)[1] == label:
                    return self.say(line.split(". ", 1)[0])
            if message["choices"]:
                break
        raise AssertionError(f"{label!r} not offered: {self.options()}")


def _numbered(line: str) -> bool:
    number, sep, _ = line.partition(". ")
    return bool(sep) and number.isdigit()


def text_of(messages: list[dict[str, Any]]) -> str:
    return "\n---\n".join(m["text"] for m in messages)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_report_follow_up_status_updates_survey_and_opt_out(
    provider: str, fakes: Fakes, simulator: Simulator, e2e_town: Any
) -> None:
    fakes.channel(provider, council=e2e_town.council)
    phone = Phone(fakes, simulator, provider, OWNER[provider])

    # first contact: greeting and privacy notice; the report waits for the resident's yes
    # (by SMS, billed per segment, the short wording: the full notice is on the portal)
    sms = provider == "twilio"
    notice = phone.say("Hola, la farola de la calle Mayor 3 está apagada")
    if sms:
        assert "Tratamos sus datos" in text_of(notice) and "/privacy/" in text_of(notice)
    else:
        assert "Antes de empezar, sobre sus datos" in text_of(notice)
        assert "Conservación: 36 meses" in text_of(notice)
    assert phone.options() == ["Acepto", "No acepto"]
    confirm = phone.tap("Acepto")
    confirmation = "¿Es sobre: Alumbrado público?" if sms else "Entendemos que se trata de"
    assert confirmation in text_of(confirm)

    # free text alone becomes a case, routed, with its reference at once
    created = phone.tap("Sí, es eso")
    case = Case.objects.get()
    assert case.department == e2e_town.urbanos
    assert case.citizen.consent_at is not None
    registered = f"Registrada: {case.reference}" if sms else f"con el número {case.reference}"
    assert registered in text_of(created)

    # a photo right after is added to the case, not a new one
    added = phone.say(image=True)
    assert f"Hemos añadido su mensaje a la incidencia {case.reference}" in text_of(added)
    assert Case.objects.count() == 1
    assert case.messages.filter(direction=Direction.IN, attachments__isnull=False).exists()

    # status, for the owner
    status = phone.say(f"estado {case.reference}")
    assert f"Caso {case.reference} (Alumbrado público)\nEstado: Recibida" in text_of(status)

    # staff move it on and resolve it: the resident is told, then asked
    before = len(phone.outs())
    change_status(case=case, status=Status.IN_PROGRESS, resident_message="La brigada va mañana.")
    change_status(case=case, status=Status.RESOLVED)
    run_tasks()
    updates = phone.outs()[before:]
    assert f"Novedades sobre su incidencia {case.reference}: ahora está «En curso»." in (
        text_of(updates)
    )
    assert "Comentario del ayuntamiento: La brigada va mañana." in text_of(updates)
    assert f"Su incidencia {case.reference} ha quedado resuelta" in text_of(updates)
    assert phone.options() == ["1", "2", "3", "4", "5"]
    phone.tap("4")
    thanks = phone.say("Muy rápidos")
    assert "Gracias por su valoración" in text_of(thanks)
    case.refresh_from_db()
    assert (case.satisfaction, case.satisfaction_comment) == (4, "Muy rápidos")

    # opt-out: no more automatic messages, but answers to what the resident writes
    assert "no le enviaremos más mensajes automáticos" in text_of(phone.say("BAJA"))
    before = len(phone.outs())
    change_status(case=case, status=Status.REOPENED)
    run_tasks()
    assert phone.outs()[before:] == []
    assert "Estado: Reabierta" in text_of(phone.say(f"estado {case.reference}"))


@pytest.mark.parametrize("provider", PROVIDERS)
def test_menu_report_with_photo_and_location_a_stranger_and_languages(
    provider: str, fakes: Fakes, simulator: Simulator, e2e_town: Any
) -> None:
    fakes.channel(provider, council=e2e_town.council)
    phone = Phone(fakes, simulator, provider, OWNER[provider])
    phone.say("Hola")
    menu = phone.tap("Acepto")
    assert "¿En qué podemos ayudarle?" in text_of(menu)

    phone.tap("Comunicar incidencia")
    photos = phone.say("Hay un bache enorme delante del colegio")
    assert "Si tiene fotos del problema" in text_of(photos)
    assert "Foto recibida (1)" in text_of(phone.say(image=True))
    assert "¿Dónde está?" in text_of(phone.tap("Continuar"))
    confirm = phone.say(location={"latitude": 40.4168, "longitude": -3.7038})
    assert "Baches y aceras" in text_of(confirm)  # "Entendemos que ...", by SMS "¿Es sobre ...?"
    created = phone.tap("Sí, es eso")

    case = Case.objects.get()
    assert (case.category, case.department) == (e2e_town.baches, e2e_town.urbanos)
    assert (case.latitude, case.longitude) == (40.4168, -3.7038)
    assert case.description == "Hay un bache enorme delante del colegio"
    assert case.reference in text_of(created)
    assert case.messages.filter(direction=Direction.IN, attachments__isnull=False).count() == 1

    # someone else asks about that number: the answer of a number that does not exist
    stranger = Phone(fakes, simulator, provider, STRANGER[provider])
    stranger.say("Hola")
    stranger.tap("Acepto")
    theirs = text_of(stranger.say(f"estado {case.reference}")).replace(case.reference, "N")
    nothing = text_of(stranger.say("estado 2026-999999")).replace("2026-999999", "N")
    assert theirs == nothing
    assert theirs.startswith("No encontramos ningún caso con el número N")

    # the owner switches to English, then to Catalan, and is answered in each
    english = phone.say("English please")
    assert "OK, from now on we will write to you in English." in text_of(english)
    assert f"Case {case.reference} (Potholes and pavements)" in text_of(
        phone.say(f"status {case.reference}")
    )
    phone.say("en català")
    before = len(phone.outs())
    change_status(case=case, status=Status.IN_PROGRESS)
    run_tasks()
    assert text_of(phone.outs()[before:]) == (
        f"Novetats sobre la vostra incidència {case.reference}: ara està «En curs»."
    )


#: residents of these tests, not those of the channels tests: the fakes are shared by the
#: session and remember, e.g., an SMS number that sent STOP
OWNER = {
    "whatsapp": "34600700701",
    "telegram": "700701",
    "line": "vecina-marta",
    "twilio": "+34600700701",
}
STRANGER = {
    "whatsapp": "34600700702",
    "telegram": "700702",
    "line": "vecino-pere",
    "twilio": "+34600700702",
}
