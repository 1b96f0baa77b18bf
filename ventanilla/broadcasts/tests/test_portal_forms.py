"""The portal's subscription form: districts, channels, numbers; the code's single use."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ventanilla.broadcasts import services
from ventanilla.broadcasts.models import PortalCode, Source, Subscription
from ventanilla.broadcasts.tests.factories import make_traffic
from ventanilla.cases.tests.factories import make_council
from ventanilla.conversations.models import Message
from ventanilla.conversations.tests.chat import make_channel
from ventanilla.core.crypto import decrypt_text
from ventanilla.insights.models import District

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    council = make_council(name="Villaverde", languages="es,ca,en")
    traffic = make_traffic(council)
    centre = District.objects.create(
        council=council, name="Centro", south=40, north=41, west=-4, east=-3
    )
    District.objects.create(council=council, name="Puerto", south=39, north=40, west=-4, east=-3)
    traffic.districts.set([centre])
    sms = make_channel(council, "twilio")
    return council, traffic, centre, sms


def sent_code() -> str:
    message = Message.objects.filter(direction="out").latest("pk")
    return decrypt_text(message.payload["secret"])


def test_a_district_topic_needs_one_of_its_districts_on_the_portal(world):
    _council, traffic, centre, sms = world
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    data = {"topics": [traffic.pk], "channel": sms.pk, "phone": "600700701", "language": "ca"}

    missing = client.post("/public-alerts/subscribe/", data)
    assert missing.status_code == 200 and "is sent only in: Centro" in missing.content.decode()
    assert not PortalCode.objects.exists()

    asked = client.post("/public-alerts/subscribe/", {**data, "district": centre.pk})
    assert asked.status_code == 302
    assert PortalCode.objects.get().topics == [{"topic": traffic.pk, "district": centre.pk}]
    code = sent_code()
    assert re.fullmatch(r"\d{6}", code)
    done = client.post("/public-alerts/code/", {"code": code})
    assert "Trànsit" in done.content.decode()  # the notice, in the language chosen
    subscription = Subscription.objects.get()
    assert (subscription.district, subscription.source) == (centre, Source.PORTAL)
    assert subscription.citizen.language == "ca"

    again = client.post("/public-alerts/code/", {"code": code})
    assert again.status_code == 302  # a code works once


def test_a_number_that_is_not_one_is_refused_before_any_code(world):
    _council, traffic, centre, sms = world
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/public-alerts/subscribe/",
        {"topics": [traffic.pk], "district": centre.pk, "channel": sms.pk, "phone": "12ab"},
    )
    assert "not a phone number" in response.content.decode()
    assert not Message.objects.exists()


def test_the_code_page_without_a_request_goes_back_to_the_form(world):
    assert Client().get("/public-alerts/code/")["Location"] == "/public-alerts/subscribe/"


def test_codes_are_kept_only_as_digests(world):
    _council, traffic, centre, sms = world
    row = services.request_portal_code(
        channel=sms,
        phone="600700701",
        purpose="subscribe",
        language="es",
        client="192.0.2.7",
        topics=[(traffic, centre)],
    )
    assert row is not None
    code = sent_code()
    assert code not in row.code_digest and len(row.code_digest) == 64
    assert code not in Message.objects.get(direction="out").text
