"""What a whole conversation writes to the logs at INFO: no phone number, no text, no token.

The resident writes through the fakes (real webhooks, real sends) and staff change the
case; every log record of the web process, the dialog and the sends is read afterwards.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from ventanilla.cases.models import Case
from ventanilla.cases.services import change_status
from ventanilla.cases.workflow import Status
from ventanilla.conversations.tests.chat import make_town
from ventanilla.conversations.tests.test_end_to_end import Phone
from ventanilla.fakes.simulator import Simulator
from ventanilla.fakes.tests.harness import PROVIDERS, SECRETS, Fakes

pytestmark = pytest.mark.django_db(transaction=True)

RESIDENT = {
    "whatsapp": "34600700741",
    "telegram": "700741",
    "line": "vecina-logs",
    "twilio": "+34600700741",
}
TEXT = "la farola de la calle Olmo 7 parpadea toda la noche"


def _secrets(provider: str) -> list[str]:
    """Return the channel's tokens and secrets (not its own ids and numbers, which are public)."""
    return [v for k, v in SECRETS[provider].items() if "token" in k or "secret" in k]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_whole_conversation_leaves_no_personal_data_or_token_in_the_logs(
    provider: str, fakes: Fakes, caplog: pytest.LogCaptureFixture, transactional_db: Any
) -> None:
    town = make_town()
    fakes.channel(provider, council=town.council)
    simulator = Simulator(fakes.hub, language="es")
    simulator.install()
    phone = Phone(fakes, simulator, provider, RESIDENT[provider])
    caplog.set_level(logging.INFO)

    phone.say(f"Hola, {TEXT}")
    phone.tap("Acepto")
    phone.tap("Sí, es eso")
    phone.say(image=True)
    case = Case.objects.get()
    phone.say(f"estado {case.reference}")
    change_status(case=case, status=Status.IN_PROGRESS, comment="La brigada va mañana.")
    change_status(case=case, status=Status.RESOLVED)
    phone.say("Muy rápidos, gracias Lucía")

    logged = "\n".join(
        f"{record.getMessage()} {record.__dict__}"
        for record in caplog.records
        if record.levelno >= logging.INFO
    )
    assert caplog.records, "the conversation logged something"
    forbidden = ["600700741", "Olmo 7", "parpadea", "La brigada va", "Lucía", "Muy rápidos"]
    forbidden += _secrets(provider)
    assert [word for word in forbidden if word in logged] == []


def test_a_provider_error_that_quotes_the_number_is_not_logged(
    fakes: Fakes, caplog: pytest.LogCaptureFixture, transactional_db: Any
) -> None:
    town = make_town()
    fakes.channel("twilio", council=town.council)
    simulator = Simulator(fakes.hub, language="es")
    simulator.install()
    phone = Phone(fakes, simulator, "twilio", "+34600700742")
    phone.say("Hola")
    caplog.set_level(logging.INFO)
    number_error = {"code": 21211, "message": "The 'To' number +34600700742 is not valid."}
    fakes.fault("twilio", 400, body=number_error, times=5)

    phone.tap("Acepto")

    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "send_failed" in logged and "21211" in logged
    assert "600700742" not in logged
