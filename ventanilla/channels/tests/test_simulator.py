"""The citizen simulator: a person plays the resident on each provider."""

from __future__ import annotations

import pytest

from ventanilla.channels.adapters.base import Choice
from ventanilla.conversations.models import Direction, Message
from ventanilla.conversations.services import queue_outbound
from ventanilla.fakes.simulator import Simulator
from ventanilla.fakes.tests.harness import PROVIDERS, RESIDENT, Fakes, conversation, run_tasks

# The dialog is stood in for: these tests are about the simulator and the fakes.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("received")]


@pytest.fixture
def simulator(fakes: Fakes) -> Simulator:
    simulator = Simulator(fakes.hub, language="es")
    simulator.install()
    return simulator


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_person_chats_with_the_council_through_the_simulator(
    provider: str, fakes: Fakes, simulator: Simulator
) -> None:
    channel = fakes.channel(provider)
    resident = RESIDENT[provider]

    sent = fakes.client.post(
        f"{fakes.url}/simulator/send",
        json={"provider": provider, "resident": resident, "name": "Lucía", "text": "Hola"},
    )
    assert sent.json() == {"status": 200}
    assert Message.objects.get(direction=Direction.IN).text == "Hola"

    queue_outbound(
        conversation=conversation(channel),
        text="¿Qué quiere comunicar?",
        choices=[Choice("report", "Avisar"), Choice("status", "Consultar")],
    )
    run_tasks()
    state = fakes.client.get(
        f"{fakes.url}/simulator/state", params={"provider": provider, "resident": resident}
    ).json()

    assert state["providers"] == [provider]
    mine, theirs = state["messages"]
    assert (mine["direction"], mine["text"], mine["status"]) == ("in", "Hola", 200)
    assert theirs["direction"] == "out"
    assert theirs["text"].startswith("¿Qué quiere comunicar?")
    if provider == "twilio":  # SMS: the options are numbered lines to type
        assert theirs["text"].endswith("1. Avisar\n2. Consultar")
    else:  # buttons the person can tap
        assert theirs["choices"] == [
            {"id": "report", "label": "Avisar"},
            {"id": "status", "label": "Consultar"},
        ]
        tapped = fakes.client.post(
            f"{fakes.url}/simulator/send",
            json={"provider": provider, "resident": resident, "choice": "report", "text": "Avisar"},
        )
        assert tapped.json() == {"status": 200}
        assert Message.objects.filter(direction=Direction.IN).last().payload["choice"] == "report"


def test_the_simulator_sends_a_photo_and_a_location(fakes: Fakes, simulator: Simulator) -> None:
    fakes.channel("telegram")
    base = {"provider": "telegram", "resident": "555"}

    fakes.client.post(f"{fakes.url}/simulator/send", json={**base, "image": True})
    fakes.client.post(
        f"{fakes.url}/simulator/send",
        json={**base, "location": {"latitude": 41.39, "longitude": 2.17}},
    )

    photo, place = Message.objects.filter(direction=Direction.IN).order_by("pk")
    assert photo.attachments.get().kind == "image"
    assert (place.latitude, place.longitude) == (41.39, 2.17)
    state = fakes.client.get(f"{fakes.url}/simulator/state", params=base).json()
    assert [m["image"] for m in state["messages"]] == [True, False]
    assert state["messages"][1]["location"] == {"latitude": 41.39, "longitude": 2.17}


def test_the_simulator_page_is_served(fakes: Fakes, simulator: Simulator) -> None:
    page = fakes.client.get(f"{fakes.url}/")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="es">' in page.text
    assert "{{" not in page.text
