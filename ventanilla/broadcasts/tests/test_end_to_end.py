"""Alerts through the fake providers: subscribe in the chat, get a broadcast, leave, get none."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from ventanilla.broadcasts import services
from ventanilla.broadcasts.models import Status, Subscription
from ventanilla.broadcasts.tests.factories import make_supervisors, make_traffic
from ventanilla.conversations.models import Conversation
from ventanilla.conversations.tests.chat import make_town
from ventanilla.conversations.tests.test_end_to_end import OWNER, STRANGER, Phone, text_of
from ventanilla.fakes.simulator import Simulator
from ventanilla.fakes.tests.harness import PROVIDERS, Fakes, run_tasks

pytestmark = pytest.mark.django_db(transaction=True)

ALERT = "Calle Mayor cortada por obras hasta las 14:00."


@pytest.fixture
def simulator(fakes: Fakes) -> Simulator:
    simulator = Simulator(fakes.hub, language="es")
    simulator.install()
    return simulator


@pytest.fixture
def e2e_town(transactional_db):
    town = make_town(languages="es,ca,en")
    town.traffic = make_traffic(town.council)  # type: ignore[attr-defined]
    town.staff = make_supervisors(town.council)  # type: ignore[attr-defined]
    return town


def broadcast(town: Any, text: str = ALERT, **kwargs: Any) -> Any:
    author, approver = town.staff
    row = services.create_broadcast(
        topic=town.traffic, texts={"es": text, "en": "Main St closed."}, by=author, **kwargs
    )
    services.approve(broadcast=row, by=approver)
    services.send(broadcast=row)
    run_tasks()
    row.refresh_from_db()
    return row


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(
    ("language", "join", "leave", "expected"),
    [
        ("es", "ALTA TRÁFICO", "BAJA TRÁFICO", ALERT),
        ("ca", "ALTA TRÀNSIT", "BAIXA TRÀNSIT", ALERT),  # no Catalan text: the first language
        ("en", "SUBSCRIBE TRAFFIC", "UNSUBSCRIBE TRAFFIC", "Main St closed."),
    ],
)
def test_subscribe_receive_unsubscribe_receive_nothing(
    provider: str,
    language: str,
    join: str,
    leave: str,
    expected: str,
    fakes: Fakes,
    simulator: Simulator,
    e2e_town: Any,
) -> None:
    fakes.channel(provider, council=e2e_town.council)
    phone = Phone(fakes, simulator, provider, OWNER[provider])
    phone.say("Hola")
    phone.tap("Acepto")
    conversation = Conversation.objects.get()
    conversation.citizen.language = language
    conversation.citizen.save()

    joined = text_of(phone.say(join))
    assert {"es": "Tráfico", "ca": "Trànsit", "en": "Traffic"}[language] in joined
    subscription = Subscription.objects.get()
    assert subscription.source == "chat" and subscription.notice in joined

    before = len(phone.outs())
    sent = broadcast(e2e_town)
    assert sent.status == Status.DONE
    assert [m["text"] for m in phone.outs()[before:]] == [expected]

    left = text_of(phone.say(leave))
    assert {"es": "ya no recibirá", "ca": "ja no rebreu", "en": "no longer"}[language] in left
    before = len(phone.outs())
    assert broadcast(e2e_town).recipients == 0
    assert phone.outs()[before:] == []


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_global_baja_stops_every_topic(
    provider: str, fakes: Fakes, simulator: Simulator, e2e_town: Any
) -> None:
    water = services.create_topic(council=e2e_town.council, slug="agua", name_es="Agua")
    fakes.channel(provider, council=e2e_town.council)
    phone = Phone(fakes, simulator, provider, OWNER[provider])
    other = Phone(fakes, simulator, provider, STRANGER[provider])
    for resident in (phone, other):
        resident.say("Hola")
        resident.tap("Acepto")
        resident.say("ALTA TRÁFICO")
        resident.say("ALTA AGUA")

    assert "no le enviaremos más mensajes automáticos" in text_of(phone.say("BAJA"))
    before, others = len(phone.outs()), len(other.outs())
    broadcast(e2e_town)
    author, approver = e2e_town.staff
    cut = services.create_broadcast(topic=water, texts={"es": "Corte de agua"}, by=author)
    services.approve(broadcast=cut, by=approver)
    services.send(broadcast=cut)
    run_tasks()

    assert phone.outs()[before:] == []
    assert [m["text"] for m in other.outs()[others:]] == [ALERT, "Corte de agua"]


def test_whatsapp_outside_the_window_gets_the_template_never_free_text(
    fakes: Fakes, simulator: Simulator, e2e_town: Any
) -> None:
    fakes.channel("whatsapp", council=e2e_town.council)
    inside = Phone(fakes, simulator, "whatsapp", OWNER["whatsapp"])
    outside = Phone(fakes, simulator, "whatsapp", STRANGER["whatsapp"])
    for resident in (inside, outside):
        resident.say("Hola")
        resident.tap("Acepto")
        resident.say("ALTA TRÁFICO")
    Conversation.objects.filter(urn=f"whatsapp:{STRANGER['whatsapp']}").update(
        last_inbound_at=timezone.now() - dt.timedelta(hours=25)
    )
    calls = len(fakes.calls("whatsapp"))

    sent = broadcast(e2e_town, template_name="aviso_trafico", template_variables=["Calle Mayor"])

    bodies = [json.loads(c["body"]) for c in fakes.calls("whatsapp")[calls:]]
    by_number = {b["to"]: b for b in bodies}
    assert by_number[OWNER["whatsapp"]]["type"] == "text"
    template = by_number[STRANGER["whatsapp"]]
    assert template["type"] == "template" and "text" not in template
    assert template["template"]["name"] == "aviso_trafico"
    assert sent.recipients == 2


def test_without_a_template_the_resident_outside_the_window_is_left_out(
    fakes: Fakes, simulator: Simulator, e2e_town: Any
) -> None:
    fakes.channel("whatsapp", council=e2e_town.council)
    outside = Phone(fakes, simulator, "whatsapp", STRANGER["whatsapp"])
    outside.say("Hola")
    outside.tap("Acepto")
    outside.say("ALTA TRÁFICO")
    Conversation.objects.update(last_inbound_at=timezone.now() - dt.timedelta(hours=25))
    calls = len(fakes.calls("whatsapp"))

    sent = broadcast(e2e_town)

    assert (sent.recipients, sent.skipped) == (0, 1)
    assert fakes.calls("whatsapp")[calls:] == []
