"""The public alerts feed: official and relayed alerts, coarse places, valid CAP 1.2."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from ventanilla.broadcasts import services
from ventanilla.broadcasts.feed import ATOM_NS, CAP_NS
from ventanilla.broadcasts.models import Alert
from ventanilla.broadcasts.tests.factories import make_supervisors, make_traffic
from ventanilla.cases.tests.factories import make_council
from ventanilla.conversations.services import conversation_for
from ventanilla.conversations.tests.chat import make_channel

pytestmark = pytest.mark.django_db
CAP = {"cap": CAP_NS}


@pytest.fixture
def feed_world(monkeypatch):
    monkeypatch.setattr(services, "start_dispatch", lambda **kwargs: None)
    council = make_council(name="Villaverde")
    topic = make_traffic(council)
    ana, bernat = make_supervisors(council)
    official = services.create_broadcast(topic=topic, texts={"es": "Calle Mayor cortada"}, by=ana)
    services.approve(broadcast=official, by=bernat)
    services.send(broadcast=official)
    services.create_broadcast(topic=topic, texts={"es": "Borrador secreto"}, by=ana)
    sender = conversation_for(
        channel=make_channel(council, "twilio"), urn="tel:+34600999111", name="Rosa"
    )
    alert = services.submit_alert(
        conversation=sender, text="Árbol caído, soy Rosa", latitude=40.416789, longitude=-3.703456
    )
    services.relay_alert(alert=alert, by=ana, text="Árbol caído", topic=topic)
    old = services.submit_alert(conversation=sender, text="Viejo")
    services.relay_alert(alert=old, by=ana, text="Aviso viejo", topic=topic)
    Alert.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))
    rejected = services.submit_alert(conversation=sender, text="Rechazado")
    services.reject_alert(alert=rejected, by=ana)
    return council, official, alert


def test_the_page_shows_current_alerts_and_the_relay_figures(feed_world):
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/public-alerts/").content.decode()
    assert "Calle Mayor cortada" in page and "Árbol caído" in page
    assert "Borrador secreto" not in page and "Aviso viejo" not in page  # draft, expired
    assert "Rosa" not in page and "600999111" not in page
    assert "near 40.42, -3.7" in page
    assert "Passed on: 2. Not passed on: 1." in page


def test_the_atom_feed_links_each_alert_to_a_cap_12_document(feed_world):
    council, official, alert = feed_world
    atom = ET.fromstring(Client().get("/public-alerts/feed.atom").content)
    links = [e.get("href") for e in atom.iter(f"{{{ATOM_NS}}}link") if e.get("rel") == "alternate"]
    assert len(links) == 2

    response = Client().get(f"/public-alerts/r{alert.pk}.cap.xml")
    assert response["Content-Type"] == "application/cap+xml"
    cap = ET.fromstring(response.content)
    assert cap.tag == f"{{{CAP_NS}}}alert"
    assert [c.tag.split("}")[1] for c in cap][:7] == [
        "identifier", "sender", "sent", "status", "msgType", "scope", "info",
    ]  # fmt: skip
    assert cap.findtext("cap:info/cap:description", namespaces=CAP) == "Árbol caído"
    assert cap.findtext("cap:info/cap:area/cap:circle", namespaces=CAP) == "40.42,-3.7 1.0"
    assert Client().get(f"/public-alerts/b{official.pk + 1}.cap.xml").status_code == 404
