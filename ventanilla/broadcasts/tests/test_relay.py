"""The moderated neighbourhood relay: AVISO → moderation → relayed without the sender's identity."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from ventanilla.broadcasts import services
from ventanilla.broadcasts.models import Alert, AlertStatus, Broadcast
from ventanilla.broadcasts.privacy import export
from ventanilla.broadcasts.tests.factories import make_supervisors, make_traffic
from ventanilla.conversations.models import Message
from ventanilla.conversations.tests.chat import Resident, make_channel, make_town
from ventanilla.insights.models import District
from ventanilla.privacy.subjects import Subject

pytestmark = pytest.mark.django_db


@pytest.fixture
def town(immediate_tasks, monkeypatch):
    town = make_town()
    town.traffic = make_traffic(town.council)
    town.staff = make_supervisors(town.council)
    town.sms = make_channel(town.council, "twilio")
    monkeypatch.setattr(services, "start_dispatch", lambda **kwargs: None)
    return town


def resident(town, name, phone):
    person = Resident(town.sms, urn=f"tel:{phone}", name=name)
    person.accept_notice()
    return person


def test_an_aviso_reaches_subscribers_only_after_approval_and_without_the_sender(town):
    sender = resident(town, "Marta Puigdomènech", "+34600123456")
    neighbour = resident(town, "Pere", "+34600654321")
    neighbour.send("ALTA TRÁFICO")
    sender.send("ALTA TRÁFICO")

    received = sender.send(
        "AVISO árbol caído en la calle Mayor, llamadme al 600123456, soy Marta Puigdomènech",
        location=(40.41, -3.70),
        photos=1,
    )
    assert "Un operador revisará su aviso" in received[0].text  # the SMS wording
    alert = Alert.objects.get()
    assert (alert.photos, alert.latitude, alert.status) == (1, 40.41, AlertStatus.PENDING)
    last = neighbour.outbox()[-1].pk
    assert neighbour.outbox(after=last) == []  # nothing before an operator decides

    operator = town.staff[0]
    services.relay_alert(alert=alert, by=operator, text=alert.text, topic=town.traffic)

    relayed = neighbour.outbox(after=last)
    assert len(relayed) == 1
    assert "árbol caído en la calle Mayor" in relayed[0].text
    for secret in ("600123456", "123456", "Marta", "Puigdomènech"):
        assert secret not in relayed[0].text
    assert "Su aviso se ha difundido" in sender.outbox()[-1].text
    broadcast = Broadcast.objects.get(kind="relay")
    assert broadcast.approved_by == operator


def test_a_rejected_aviso_reaches_nobody_and_the_sender_is_told(town):
    sender = resident(town, "Lucía", "+34600111999")
    neighbour = resident(town, "Pere", "+34600222888")
    neighbour.send("ALTA TRÁFICO")
    sender.send("AVISO ruido")
    last = neighbour.outbox()[-1].pk

    services.reject_alert(alert=Alert.objects.get(), by=town.staff[0])

    assert neighbour.outbox(after=last) == []
    assert "no lo difundiremos" in sender.outbox()[-1].text
    with pytest.raises(services.BroadcastError):
        services.relay_alert(
            alert=Alert.objects.get(), by=town.staff[0], text="x", topic=town.traffic
        )


def test_alerts_expire_and_a_district_limits_the_relay(town):
    centre = District.objects.create(
        council=town.council, name="Centro", south=40, north=41, west=-4, east=-3
    )
    sender = resident(town, "Lucía", "+34600111999")
    inside = resident(town, "Pere", "+34600222888")
    outside = resident(town, "Joan", "+34600333777")
    for person in (inside, outside):
        person.send("ALTA TRÁFICO")
    inside_sub = inside.conversation.subscriptions.get()
    inside_sub.district = centre
    inside_sub.save()
    sender.send("AVISO corte de luz")
    first = Alert.objects.get()
    services.relay_alert(
        alert=first, by=town.staff[0], text="Corte de luz", topic=town.traffic, district=centre
    )
    assert Broadcast.objects.get(kind="relay").recipients == 1

    sender.send("AVISO otro")
    late = Alert.objects.filter(status=AlertStatus.PENDING).get()
    Alert.objects.filter(pk=late.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(services.BroadcastError, match="expired"):
        services.relay_alert(alert=late, by=town.staff[0], text="Otro", topic=town.traffic)


def test_aviso_with_a_case_number_is_left_to_the_dialog(town):
    sender = resident(town, "Lucía", "+34600111999")
    with translation.override("es"):
        sender.send("aviso 2026-000123")
    assert not Alert.objects.exists()
    assert Message.objects.filter(direction="out").exists()


def test_a_residents_export_lists_their_subscriptions_and_alerts(town):
    person = resident(town, "Lucía", "+34600111999")
    person.send("ALTA TRÁFICO")
    person.send("AVISO farola caída")
    citizen = person.citizen
    subject = Subject(
        council_id=citizen.council_id,
        citizen_id=citizen.pk,
        urn=person.conversation_urn,
        urns=(person.conversation_urn,),
        names=(citizen.name,),
    )

    data = export(subject)

    assert [s["topic"] for s in data["alert_subscriptions"]] == ["Tráfico"]
    assert "Nadie verá su número" in data["alert_subscriptions"][0]["notice_shown"]
    assert data["neighbourhood_alerts_sent"][0]["text"] == "farola caída"
