"""A resident writes through each provider's fake: what Ventanilla stores, once."""

from __future__ import annotations

import threading

import pytest
from structlog.testing import capture_logs

from ventanilla.channels.models import EventKind, WebhookEvent
from ventanilla.citizens.models import Identity
from ventanilla.conversations import inbound as inbound_module
from ventanilla.conversations.models import Attachment, DeliveryStatus, Direction, Message
from ventanilla.fakes.tests.harness import (
    PROVIDERS,
    URN,
    Fakes,
    conversation,
    run_tasks,
)

pytestmark = pytest.mark.django_db(transaction=True)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def inbound(channel) -> list[Message]:  # type: ignore[no-untyped-def]
    return list(Message.objects.filter(channel=channel, direction=Direction.IN).order_by("pk"))


@pytest.mark.parametrize("provider", PROVIDERS)
def test_text_photo_and_location_are_stored_with_the_photo_downloaded(
    provider: str, fakes: Fakes, received: list[int]
) -> None:
    channel = fakes.channel(provider)

    answers = [
        fakes.resident_says(channel, name="Lucía Gómez", text="Hay una farola rota"),
        fakes.resident_says(channel, image=True),
        fakes.resident_says(channel, location={"latitude": 40.4168, "longitude": -3.7038}),
    ]

    assert [answer["status"] for answer in answers] == [200, 200, 200]
    text, photo, place = inbound(channel)
    assert text.text == "Hay una farola rota"
    assert text.status == DeliveryStatus.RECEIVED
    assert text.conversation.urn == URN[provider]
    assert Identity.objects.filter(council=channel.council, urn=URN[provider]).exists()
    assert conversation(channel).last_inbound_at is not None
    if provider == "twilio":  # SMS has no location: the resident types it
        assert place.text == "40.4168,-3.7038"
    else:
        assert (place.latitude, place.longitude) == (40.4168, -3.7038)
    assert received == [text.pk, photo.pk, place.pk]  # handed to the dialog, once each

    attachment = photo.attachments.get()
    assert attachment.kind == "image"
    assert not attachment.downloaded
    run_tasks()
    attachment.refresh_from_db()
    assert attachment.downloaded
    assert attachment.file.read().startswith(PNG_MAGIC)
    assert attachment.content_type == "image/png"
    assert attachment.file.name.endswith(".png")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_webhook_delivered_twice_stores_one_message(
    provider: str, fakes: Fakes, received: list[int]
) -> None:
    channel = fakes.channel(provider)
    delivery = fakes.webhook(channel, text="Hola")

    statuses = [fakes.post(delivery).status_code for _ in range(2)]

    assert statuses == [200, 200]
    assert [m.text for m in inbound(channel)] == ["Hola"]
    assert len(received) == 1


def test_a_dialog_that_cannot_be_queued_is_logged_not_an_error_answer(
    fakes: Fakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_queue(*, message: Message) -> None:
        raise RuntimeError("queue down")

    monkeypatch.setattr(inbound_module, "enqueue_dialog", broken_queue)
    channel = fakes.channel("telegram")
    delivery = fakes.webhook(channel, text="Hola")

    with capture_logs() as logs:
        status = fakes.post(delivery).status_code

    assert status == 200
    assert [m.text for m in inbound(channel)] == ["Hola"]
    assert [log["event"] for log in logs if log["log_level"] == "error"] == ["dialog_not_queued"]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_webhook_delivered_ten_times_at_once_stores_one_message(
    provider: str, fakes: Fakes, received: list[int]
) -> None:
    """On PostgreSQL the ten requests race for real; one insert wins, the rest are skipped."""
    channel = fakes.channel(provider)
    delivery = fakes.webhook(channel, image=True)
    barrier = threading.Barrier(10)
    statuses: list[int] = []

    def deliver() -> None:
        barrier.wait()
        statuses.append(fakes.post(delivery).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * 10
    messages = inbound(channel)
    assert len(messages) == 1
    assert Attachment.objects.filter(message__channel=channel).count() == 1
    assert received == [messages[0].pk]  # one reply will follow, not ten
    run_tasks()  # and one download
    assert messages[0].attachments.get().downloaded


def test_a_whatsapp_resident_without_a_phone_number_is_stored_by_username_id(
    fakes: Fakes,
) -> None:
    channel = fakes.channel("whatsapp")

    fakes.resident_says(channel, **{"from": "", "user_id": "ES.1234567"}, text="Hola")

    message = inbound(channel)[0]
    assert message.conversation.urn == "whatsapp:user:ES.1234567"


def test_an_sms_saying_stop_opts_the_resident_out(fakes: Fakes) -> None:
    channel = fakes.channel("twilio")

    fakes.resident_says(channel, text="STOP")

    message = inbound(channel)[0]
    assert message.text == "STOP"  # kept, as every SMS
    assert message.conversation.citizen.opted_out
    assert WebhookEvent.objects.filter(channel=channel, kind=EventKind.STOP).count() == 1


def test_a_line_resident_who_blocks_the_account_is_opted_out(fakes: Fakes) -> None:
    channel = fakes.channel("line")
    fakes.resident_says(channel, text="Hola")

    fakes.resident_says(channel, event="unfollow")

    citizen = inbound(channel)[0].conversation.citizen
    citizen.refresh_from_db()
    assert citizen.opted_out
    event = WebhookEvent.objects.get(channel=channel)
    assert (event.kind, event.urn) == (EventKind.UNFOLLOW, URN["line"])


def test_a_telegram_button_press_is_stored_and_answered(fakes: Fakes) -> None:
    channel = fakes.channel("telegram")

    fakes.resident_says(channel, choice="resolved:yes", text="Sí")

    message = inbound(channel)[0]
    assert message.payload["choice"] == "resolved:yes"
    run_tasks()
    answers = [c for c in fakes.calls("telegram") if c["path"].endswith("/answerCallbackQuery")]
    assert len(answers) == 1
    assert message.payload["callback_id"] in answers[0]["body"]


@pytest.mark.parametrize("provider", ["whatsapp", "telegram", "line"])
def test_a_button_the_resident_taps_arrives_as_their_choice(provider: str, fakes: Fakes) -> None:
    channel = fakes.channel(provider)

    fakes.resident_says(channel, choice="cat_lighting", text="Alumbrado")

    assert inbound(channel)[0].payload["choice"] == "cat_lighting"


def test_residents_of_two_councils_stay_apart(fakes: Fakes) -> None:
    first, second = fakes.channel("whatsapp"), fakes.channel("whatsapp")

    fakes.resident_says(first, text="Uno")
    fakes.resident_says(second, text="Dos")

    assert [m.text for m in inbound(first)] == ["Uno"]
    assert [m.text for m in inbound(second)] == ["Dos"]
    assert inbound(first)[0].conversation.citizen_id != inbound(second)[0].conversation.citizen_id
