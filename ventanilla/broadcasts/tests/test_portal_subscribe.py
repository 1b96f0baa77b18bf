"""Subscribing on the portal with a one-time code, through the fake providers."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ventanilla.broadcasts import services
from ventanilla.broadcasts.models import PortalCode, Source, Subscription
from ventanilla.broadcasts.tests.factories import make_supervisors, make_traffic
from ventanilla.citizens.models import Citizen
from ventanilla.conversations.models import SECRET_MASK, Message
from ventanilla.conversations.tests.chat import make_channel, make_town
from ventanilla.conversations.tests.test_end_to_end import OWNER, Phone
from ventanilla.fakes.simulator import Simulator
from ventanilla.fakes.tests.harness import Fakes, run_tasks

pytestmark = pytest.mark.django_db(transaction=True)

ALERT = "Calle Mayor cortada por obras hasta las 14:00."
NUMBER = "600 700 701"  # OWNER's, as a resident types it


@pytest.fixture
def simulator(fakes: Fakes) -> Simulator:
    simulator = Simulator(fakes.hub, language="es")
    simulator.install()
    return simulator


@pytest.fixture
def town(transactional_db: Any) -> Any:
    town = make_town(languages="es,ca,en")
    town.traffic = make_traffic(town.council)  # type: ignore[attr-defined]
    town.staff = make_supervisors(town.council)  # type: ignore[attr-defined]
    return town


def code_channel(fakes: Fakes, provider: str, town: Any) -> Any:
    channel = fakes.channel(provider, council=town.council)
    if provider == "whatsapp":
        channel.options = {**(channel.options or {}), services.CODE_TEMPLATE_OPTION: "codigo"}
        channel.save()
    return channel


def ask(client: Client, channel: Any, topics: list[Any], phone: str = NUMBER, **more: Any) -> Any:
    data = {
        "topics": [t.pk for t in topics],
        "channel": channel.pk,
        "phone": phone,
        "language": "es",
        **more,
    }
    response = client.post("/public-alerts/subscribe/", data)
    run_tasks()
    return response


def code_in(messages: list[dict[str, Any]]) -> str:
    found = re.findall(r"\b(\d{6})\b", messages[-1]["text"])
    assert found, messages[-1]
    return str(found[-1])


def broadcast(town: Any) -> Any:
    author, approver = town.staff
    row = services.create_broadcast(topic=town.traffic, texts={"es": ALERT}, by=author)
    services.approve(broadcast=row, by=approver)
    services.send(broadcast=row)
    run_tasks()
    row.refresh_from_db()
    return row


@pytest.mark.parametrize("provider", ["twilio", "whatsapp"])
def test_subscribe_on_the_portal_then_get_the_broadcast(
    provider: str, fakes: Fakes, simulator: Simulator, town: Any
) -> None:
    channel = code_channel(fakes, provider, town)
    phone = Phone(fakes, simulator, provider, OWNER[provider])
    if provider == "whatsapp":
        phone.say("Hola")  # the window is open: the code goes as plain text
    client = Client(headers={"accept-language": "en"})
    assert "Get alerts on your phone" in client.get("/public-alerts/").content.decode()

    before = len(phone.outs())
    response = ask(client, channel, [town.traffic])
    assert response.status_code == 302 and response["Location"] == "/public-alerts/code/"
    got = phone.outs()[before:]
    assert len(got) == 1 and "10 min" in got[0]["text"]
    code = code_in(got)
    stored = Message.objects.filter(direction="out").latest("pk")
    assert code not in stored.text and SECRET_MASK in stored.text  # staff never read it

    done = client.post("/public-alerts/code/", {"code": code})
    page = done.content.decode()
    assert done.status_code == 200 and "Tráfico" in page
    subscription = Subscription.objects.get(topic=town.traffic)
    assert subscription.source == Source.PORTAL and subscription.active
    assert subscription.notice and "BAJA TRÁFICO" in subscription.notice
    assert subscription.notice.split(".")[0] in page
    run_tasks()

    before = len(phone.outs())
    assert broadcast(town).recipients == 1
    assert [m["text"] for m in phone.outs()[before:]] == [ALERT]


def test_three_wrong_codes_lock_the_request(fakes: Fakes, simulator: Simulator, town: Any) -> None:
    channel = code_channel(fakes, "twilio", town)
    phone = Phone(fakes, simulator, "twilio", OWNER["twilio"])
    client = Client(headers={"accept-language": "en"})
    ask(client, channel, [town.traffic])
    code = code_in(phone.outs())
    wrong = "000000" if code != "000000" else "111111"

    first = client.post("/public-alerts/code/", {"code": wrong}).content.decode()
    assert "not right" in first
    client.post("/public-alerts/code/", {"code": wrong})
    third = client.post("/public-alerts/code/", {"code": wrong}).content.decode()
    assert "Too many wrong codes" in third
    assert PortalCode.objects.get().locked_at is not None

    again = client.post("/public-alerts/code/", {"code": code})
    assert again.status_code == 302  # nothing is waiting any more
    assert (
        services.check_portal_code(
            code_id=PortalCode.objects.get().pk, code=code, client="127.0.0.1"
        ).result
        == services.CodeResult.LOCKED
    )
    assert not Subscription.objects.exists()


def test_an_expired_code_subscribes_nobody(fakes: Fakes, simulator: Simulator, town: Any) -> None:
    channel = code_channel(fakes, "twilio", town)
    phone = Phone(fakes, simulator, "twilio", OWNER["twilio"])
    client = Client(headers={"accept-language": "en"})
    ask(client, channel, [town.traffic])
    code = code_in(phone.outs())
    PortalCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    page = client.post("/public-alerts/code/", {"code": code}).content.decode()
    assert "expired" in page
    assert not Subscription.objects.exists()


def test_a_used_code_is_deleted_a_day_after_it_expired_and_the_subscription_stays(
    fakes: Fakes, simulator: Simulator, town: Any
) -> None:
    channel = code_channel(fakes, "twilio", town)
    phone = Phone(fakes, simulator, "twilio", OWNER["twilio"])
    client = Client(headers={"accept-language": "en"})
    ask(client, channel, [town.traffic])
    client.post("/public-alerts/code/", {"code": code_in(phone.outs())})
    ask(client, channel, [town.traffic], phone="+34 600 000 999")  # never typed back
    used, later = PortalCode.objects.order_by("pk")
    expiry = used.expires_at
    PortalCode.objects.filter(pk=later.pk).update(expires_at=expiry + dt.timedelta(hours=2))

    assert services.prune_portal_codes(now=expiry + dt.timedelta(hours=23)) == 0
    assert services.prune_portal_codes(now=expiry + dt.timedelta(hours=25)) == 1

    assert list(PortalCode.objects.values_list("pk", flat=True)) == [later.pk]
    [subscription] = Subscription.objects.all()
    assert subscription.source == Source.PORTAL


def test_a_stranger_cannot_subscribe_someone_elses_number(
    fakes: Fakes, simulator: Simulator, town: Any
) -> None:
    channel = code_channel(fakes, "twilio", town)
    owner = Phone(fakes, simulator, "twilio", OWNER["twilio"])
    owner.say("Hola")  # a known resident
    known = Citizen.objects.count()

    stranger = Client(headers={"accept-language": "en"})
    answers = []
    for number in (NUMBER, "600 700 799"):  # known, unknown
        response = ask(stranger, channel, [town.traffic], phone=number)
        answers.append((response.status_code, response["Location"]))
        page = stranger.get("/public-alerts/code/").content.decode()
        answers.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page))
    assert answers[:2] == answers[2:]  # the same, known number or not
    assert "700701" not in answers[1] and "Marta" not in answers[1]

    # the code went to the owner's phone, not to the stranger; guessing gets nowhere
    assert "10 min" in owner.outs()[-1]["text"]
    for guess in ("123456", "654321", "111111"):
        stranger.post("/public-alerts/code/", {"code": guess})
    assert not Subscription.objects.exists()
    assert Citizen.objects.count() == known + 1  # only the number typed; nothing shown


def test_too_many_codes_for_one_number_are_refused(
    fakes: Fakes, simulator: Simulator, town: Any
) -> None:
    channel = code_channel(fakes, "twilio", town)
    Phone(fakes, simulator, "twilio", OWNER["twilio"])
    for n in range(services.CODES_PER_NUMBER):
        assert (
            ask(Client(headers={"accept-language": "en"}), channel, [town.traffic]).status_code
            == 302
        ), n
    refused = ask(Client(headers={"accept-language": "en"}), channel, [town.traffic])
    assert refused.status_code == 200 and "Too many codes" in refused.content.decode()
    assert PortalCode.objects.count() == services.CODES_PER_NUMBER


def test_unsubscribe_everything_on_the_portal_is_the_global_opt_out(
    fakes: Fakes, simulator: Simulator, town: Any
) -> None:
    channel = code_channel(fakes, "twilio", town)
    phone = Phone(fakes, simulator, "twilio", OWNER["twilio"])
    client = Client(headers={"accept-language": "en"})
    ask(client, channel, [town.traffic])
    client.post("/public-alerts/code/", {"code": code_in(phone.outs())})
    run_tasks()
    assert Subscription.objects.get().active

    response = client.post(
        "/public-alerts/unsubscribe/",
        {"topic": "all", "channel": channel.pk, "phone": NUMBER, "language": "es"},
    )
    run_tasks()
    assert response.status_code == 302
    client.post("/public-alerts/code/", {"code": code_in(phone.outs())})
    assert not Subscription.objects.get().active
    assert Citizen.objects.get(identities__urn="tel:+34600700701").opted_out
    before = len(phone.outs())
    assert broadcast(town).recipients == 0
    assert phone.outs()[before:] == []


def test_whatsapp_code_outside_the_window_is_a_template_with_the_code_masked(
    fakes: Fakes, town: Any
) -> None:
    channel = code_channel(fakes, "whatsapp", town)
    row = services.request_portal_code(
        channel=channel,
        phone=NUMBER,
        purpose="subscribe",
        language="es",
        client="192.0.2.1",
        topics=[(town.traffic, None)],
    )
    assert row is not None
    message = Message.objects.get(conversation=row.conversation, direction="out")
    template = message.payload["template"]
    assert template["name"] == "codigo" and template["parameters"] == [SECRET_MASK]
    assert message.payload["secret"] and SECRET_MASK in message.text
    assert not re.search(r"\d{6}", message.text + str(template))

    run_tasks()  # the resident's phone gets the template with the real code in it
    [call] = [c for c in fakes.calls("whatsapp") if c["path"].endswith("/messages")]
    sent = json.loads(call["body"])["template"]
    assert sent["name"] == "codigo"
    [parameter] = sent["components"][0]["parameters"]
    assert re.fullmatch(r"\d{6}", parameter["text"])
    assert not re.search(r"\d{6}", Message.objects.get(pk=message.pk).text)


def test_the_form_lists_only_channels_that_reach_a_phone(town: Any) -> None:
    make_channel(town.council, "telegram")
    sms = make_channel(town.council, "twilio")
    whatsapp = make_channel(town.council, "whatsapp")  # no code template: left out
    assert services.portal_channels(town.council) == [sms]
    whatsapp.options = {services.CODE_TEMPLATE_OPTION: "codigo"}
    whatsapp.save()
    assert services.portal_channels(town.council) == [sms, whatsapp]
    page = Client().get("/public-alerts/subscribe/").content.decode()  # Spanish first
    assert "Tráfico" in page and "Número de móvil" in page
