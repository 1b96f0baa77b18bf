"""The moderated neighbourhood relay: AVISO → moderation → relayed without the sender's identity."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone, translation
from PIL import Image

from ventanilla.broadcasts import services
from ventanilla.broadcasts.models import Alert, AlertStatus, Broadcast, Subscription
from ventanilla.broadcasts.privacy import export
from ventanilla.broadcasts.tests.factories import make_supervisors, make_traffic
from ventanilla.conversations.models import Attachment, Message
from ventanilla.conversations.tests.chat import Resident, make_channel, make_town
from ventanilla.core.tests.signin import sign_in
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


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (40.0, 25.0, 0.0)}  # GPSInfo: a latitude
    exif[0x010F] = "PhoneMaker"  # Make
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_an_avisos_photo_is_seen_in_moderation_and_relayed_as_a_link_without_metadata(town):
    sender = resident(town, "Lucía", "+34600111999")
    neighbour = resident(town, "Pere", "+34600222888")
    neighbour.send("ALTA TRÁFICO")
    sender.send("AVISO farola caída", photos=1)
    photo = Attachment.objects.get(message__direction="in", kind="image")
    photo.file.save("farola.jpg", ContentFile(jpeg_with_gps()))
    assert Image.open(photo.file.open("rb")).getexif()  # the resident's file has EXIF
    alert = Alert.objects.get()
    operator = town.staff[0]
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), operator)

    page = client.get("/alerts/relay/").content.decode()
    assert f"/alerts/relay/{alert.pk}/photo/" in page and 'name="keep_photo"' in page
    seen = client.get(f"/alerts/relay/{alert.pk}/photo/")
    assert seen.status_code == 200 and seen["Content-Type"] == "image/jpeg"
    assert Client().get(f"/alerts/relay/{alert.pk}/photo/").status_code == 302  # staff only

    last = neighbour.outbox()[-1].pk
    client.post(
        f"/alerts/relay/{alert.pk}/",
        {"decision": "relay", "text": "Farola caída", "topic": town.traffic.pk, "keep_photo": "on"},
    )
    relayed = neighbour.outbox(after=last)[0].text
    assert relayed.startswith("Farola caída\n")
    link = relayed.splitlines()[-1]
    assert "/public-alerts/photo/" in link and "Lucía" not in link
    served = Client().get(link[link.index("/public-alerts/") :])
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    copy = Image.open(io.BytesIO(served.content))
    assert copy.size == (40, 30) and not copy.getexif()  # no GPS, no camera


def test_an_avisos_photo_dropped_by_the_operator_is_not_relayed(town):
    sender = resident(town, "Lucía", "+34600111999")
    neighbour = resident(town, "Pere", "+34600222888")
    neighbour.send("ALTA TRÁFICO")
    sender.send("AVISO farola caída", photos=1)
    Attachment.objects.get(kind="image").file.save("f.jpg", ContentFile(jpeg_with_gps()))
    alert = Alert.objects.get()
    last = neighbour.outbox()[-1].pk

    services.relay_alert(
        alert=alert, by=town.staff[0], text="Farola caída", topic=town.traffic, keep_photo=False
    )

    assert [m.text for m in neighbour.outbox(after=last)] == ["Farola caída"]
    assert Client().get(services.photo_url(alert).split("testserver")[-1]).status_code == 404


def test_a_district_topic_asks_the_district_in_the_chat_and_the_relay_reaches_only_it(town):
    centre = District.objects.create(
        council=town.council, name="Centro", south=40, north=41, west=-4, east=-3
    )
    port = District.objects.create(
        council=town.council, name="Puerto", south=39, north=40, west=-4, east=-3
    )
    town.traffic.districts.set([centre, port])
    inside = resident(town, "Pere", "+34600222888")
    outside = resident(town, "Joan", "+34600333777")

    asked = inside.send("ALTA TRÁFICO")
    assert "¿De cuál quiere recibirlos?" in asked[0].text or "barris" in asked[0].text
    assert {c["label"] for c in asked[0].payload["choices"]} == {"Centro", "Puerto"}
    assert not Subscription.objects.exists()  # not before the district is known
    inside.send("Centro")
    outside.send("ALTA TRÁFICO")
    outside.send("puerto")
    districts = dict(Subscription.objects.values_list("conversation__urn", "district__name"))
    assert districts == {"tel:+34600222888": "Centro", "tel:+34600333777": "Puerto"}
    assert "BAJA TRÁFICO" in inside.outbox()[-1].text or "BAIXA" in inside.outbox()[-1].text

    sender = resident(town, "Lucía", "+34600111999")
    sender.send("AVISO corte de luz")
    last_in, last_out = inside.outbox()[-1].pk, outside.outbox()[-1].pk
    services.relay_alert(
        alert=Alert.objects.get(), by=town.staff[0], text="Corte", topic=town.traffic,
        district=centre,
    )  # fmt: skip
    assert [m.text for m in inside.outbox(after=last_in)] == ["Corte"]
    assert outside.outbox(after=last_out) == []


def test_a_district_topic_cannot_be_joined_without_one_of_its_districts(town):
    centre = District.objects.create(
        council=town.council, name="Centro", south=40, north=41, west=-4, east=-3
    )
    elsewhere = District.objects.create(
        council=town.council, name="Afueras", south=39, north=40, west=-4, east=-3
    )
    town.traffic.districts.set([centre])
    conversation = resident(town, "Pere", "+34600222888").conversation
    for district in (None, elsewhere):
        with pytest.raises(services.BroadcastError):
            services.subscribe(
                topic=town.traffic,
                conversation=conversation,
                source="chat",
                notice="",
                district=district,
            )
