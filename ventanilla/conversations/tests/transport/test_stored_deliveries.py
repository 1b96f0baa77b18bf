"""Store first, process in batches: a webhook is answered once stored; workers do the rest."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from wsgiref.util import setup_testing_defaults

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from ventanilla.channels.adapters.base import WebhookRequest
from ventanilla.channels.models import PendingStatus
from ventanilla.citizens.models import Citizen, Identity
from ventanilla.conversations import inbound as inbound_module
from ventanilla.conversations import ingest, services, tasks
from ventanilla.conversations.models import (
    Conversation,
    DeliveryState,
    DeliveryStatus,
    Direction,
    Message,
    WebhookDelivery,
)
from ventanilla.conversations.services import queue_outbound
from ventanilla.core.models import LiveEvent
from ventanilla.core.tests.test_worker import make_worker
from ventanilla.crews.models import StaffMessage
from ventanilla.crews.tests.factories import make_crew, make_identity
from ventanilla.fakes.tests.harness import PROVIDERS, Fakes, run_tasks

pytestmark = pytest.mark.django_db(transaction=True)


def postgres_only(reason: str) -> pytest.MarkDecorator:
    on_sqlite = os.environ.get("DATABASE_URL", "sqlite").startswith("sqlite")
    return pytest.mark.skipif(on_sqlite, reason=reason)


@pytest.fixture(autouse=True)
def _stored_first(settings) -> None:  # type: ignore[no-untyped-def]
    settings.WEBHOOK_PROCESSING = "worker"


def texts(channel) -> list[str]:  # type: ignore[no-untyped-def]
    inbound = Message.objects.filter(channel=channel, direction=Direction.IN).order_by("pk")
    return [message.text for message in inbound]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_webhook_is_answered_once_stored_and_a_worker_turns_it_into_a_message(
    provider: str, fakes: Fakes, received: list[int]
) -> None:
    channel = fakes.channel(provider)

    answer = fakes.resident_says(channel, text="Hay un bache en la plaza")

    assert answer["status"] == 200
    assert texts(channel) == []  # answered before anything but the delivery was written
    stored = WebhookDelivery.objects.get(channel=channel)
    assert stored.state == DeliveryState.PENDING

    assert ingest.drain() == 1
    assert texts(channel) == ["Hay un bache en la plaza"]
    assert len(received) == 1  # handed to the dialog once
    stored.refresh_from_db()
    assert stored.state == DeliveryState.DONE


def test_the_worker_loop_drains_stored_deliveries_between_tasks(
    fakes: Fakes, received: list[int]
) -> None:
    channel = fakes.channel("telegram")
    for n in range(3):
        fakes.resident_says(channel, text=f"aviso {n}")

    make_worker().run()

    assert texts(channel) == ["aviso 0", "aviso 1", "aviso 2"]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_same_delivery_twice_is_stored_once(
    provider: str, fakes: Fakes, received: list[int]
) -> None:
    channel = fakes.channel(provider)
    delivery = fakes.webhook(channel, text="Hola")

    assert [fakes.post(delivery).status_code for _ in range(3)] == [200, 200, 200]

    assert WebhookDelivery.objects.filter(channel=channel).count() == 1
    ingest.drain()
    assert texts(channel) == ["Hola"]


def test_a_delivery_that_keeps_failing_is_kept_marked_and_can_be_retried(
    fakes: Fakes, received: list[int], settings, monkeypatch
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    channel = fakes.channel("whatsapp")
    fakes.resident_says(channel, text="No me cogen el teléfono")
    real_receive = inbound_module.receive

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the database said no")

    monkeypatch.setattr(inbound_module, "receive", broken)
    stored = WebhookDelivery.objects.get(channel=channel)
    later = timezone.now()
    for attempt in range(1, 4):
        later += dt.timedelta(minutes=10)
        ingest.process_due(now=later)
        stored.refresh_from_db()
        assert stored.attempts == attempt
    assert stored.state == DeliveryState.FAILED
    assert "the database said no" in stored.last_error
    assert ingest.process_due(now=later + dt.timedelta(days=1)) == 0  # failed: not taken again
    assert texts(channel) == []

    monkeypatch.setattr(inbound_module, "receive", real_receive)
    ingest.retry(delivery=stored)
    ingest.drain()
    assert texts(channel) == ["No me cogen el teléfono"]


def test_a_failing_delivery_waits_longer_each_time_and_does_not_hold_up_the_others(
    fakes: Fakes, received: list[int], monkeypatch
) -> None:
    channel = fakes.channel("telegram")
    fakes.resident_says(channel, text="primero")
    fakes.resident_says(channel, text="segundo")
    real_receive = inbound_module.receive

    def first_fails(**kwargs):  # type: ignore[no-untyped-def]
        if kwargs["parsed"].messages[0].text == "primero":
            raise RuntimeError("boom")
        return real_receive(**kwargs)

    monkeypatch.setattr(inbound_module, "receive", first_fails)
    now = timezone.now()
    ingest.process_due(now=now)

    assert texts(channel) == ["segundo"]
    first = WebhookDelivery.objects.get(channel=channel, state=DeliveryState.PENDING)
    assert first.not_before == now + dt.timedelta(seconds=2)
    assert ingest.process_due(now=now + dt.timedelta(seconds=1)) == 0


def test_a_worker_stopped_in_the_middle_of_a_batch_commits_nothing_and_the_next_takes_it(
    fakes: Fakes, received: list[int], monkeypatch
) -> None:
    channel = fakes.channel("whatsapp")
    for n in range(5):
        fakes.resident_says(channel, text=f"mensaje {n}")
    real_receive = inbound_module.receive
    calls = []

    def dies_on_the_third(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:
            raise SystemExit("killed")  # not an Exception: nothing catches it, as with a kill
        return real_receive(**kwargs)

    monkeypatch.setattr(inbound_module, "receive", dies_on_the_third)
    with pytest.raises(SystemExit):
        ingest.process_due()

    assert texts(channel) == []
    assert WebhookDelivery.objects.filter(state=DeliveryState.PENDING).count() == 5
    assert received == []

    monkeypatch.setattr(inbound_module, "receive", real_receive)
    ingest.drain()
    assert texts(channel) == [f"mensaje {n}" for n in range(5)]
    assert len(received) == 5


def test_a_batch_creates_its_new_residents_as_one_message_at_a_time_would(
    fakes: Fakes, received: list[int]
) -> None:
    channel = fakes.channel("telegram")
    channel.council.languages = "es,ca"
    channel.council.save()
    known = fakes.resident_says(channel, text="Primera vez", **{"from": "300000001"})
    assert known["status"] == 200
    ingest.drain()
    fakes.resident_says(channel, text="Otra vez", **{"from": "300000001"})
    fakes.resident_says(
        channel, text="Bon dia", name="Montse Puig", language="ca", **{"from": "300000002"}
    )
    fakes.resident_says(
        channel, text="Hello", name="Ann Lee", language="en", **{"from": "300000003"}
    )

    ingest.drain()

    conversations = {c.urn: c for c in Conversation.objects.filter(channel=channel)}
    assert sorted(conversations) == [
        "telegram:300000001",
        "telegram:300000002",
        "telegram:300000003",
    ]
    first = conversations["telegram:300000001"]
    assert [m.text for m in first.messages.order_by("pk")] == ["Primera vez", "Otra vez"]
    montse = conversations["telegram:300000002"].citizen
    assert (montse.name, montse.language) == ("Montse Puig", "ca")
    assert montse.identities.get().display == "Montse Puig"
    ann = conversations["telegram:300000003"].citizen
    assert ann.language == "es"  # the council does not speak English: its first language
    assert Citizen.objects.filter(council=channel.council).count() == 3
    assert all(c.last_inbound_at is not None for c in conversations.values())


def test_a_staff_phone_in_a_batch_never_becomes_a_resident(
    fakes: Fakes, received: list[int]
) -> None:
    channel = fakes.channel("telegram")
    make_identity(
        channel=channel, crew=make_crew(council=channel.council), urn="telegram:400000001"
    )
    fakes.resident_says(channel, text="Bache tapado", **{"from": "400000001"})
    fakes.resident_says(channel, text="Hay un bache", **{"from": "400000002"})

    ingest.drain()

    assert texts(channel) == ["Hay un bache"]
    urns = Identity.objects.filter(council=channel.council).values_list("urn", flat=True)
    assert list(urns) == ["telegram:400000002"]
    assert StaffMessage.objects.get().text == "Bache tapado"


def test_when_the_bulk_insert_of_residents_fails_they_are_created_one_by_one(
    fakes: Fakes, received: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = fakes.channel("telegram")
    for n in range(3):
        fakes.resident_says(channel, text=f"m{n}", **{"from": str(500000000 + n)})

    def taken_meanwhile(**kwargs):  # type: ignore[no-untyped-def]
        raise IntegrityError("another worker created one of them first")

    monkeypatch.setattr(services, "bulk_conversations", taken_meanwhile)
    ingest.drain()

    assert texts(channel) == ["m0", "m1", "m2"]
    assert Conversation.objects.filter(channel=channel).count() == 3
    assert Citizen.objects.filter(council=channel.council).count() == 3
    assert len(received) == 3


def three_residents_to_the_dialog(fakes: Fakes, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Three residents each report a street light, stored; the real dialog will answer."""
    monkeypatch.setattr(inbound_module, "answer_now", tasks.answer_now)
    channel = fakes.channel("telegram")
    for n in range(3):
        fakes.resident_says(channel, text=f"Farola {n} apagada", **{"from": str(600000000 + n)})
    return channel


def test_a_worker_that_dies_before_answering_leaves_the_answers_to_the_next_once(
    fakes: Fakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = three_residents_to_the_dialog(fakes, monkeypatch)
    real_answer = inbound_module.answer

    def dies(messages):  # type: ignore[no-untyped-def]
        raise SystemExit("killed")  # after the batch committed, before any answer

    monkeypatch.setattr(inbound_module, "answer", dies)
    now = timezone.now()
    with pytest.raises(SystemExit):
        ingest.process_due(now=now)
    monkeypatch.setattr(inbound_module, "answer", real_answer)
    answers = Message.objects.filter(channel=channel, direction=Direction.OUT)

    assert texts(channel) == [f"Farola {n} apagada" for n in range(3)]
    assert not answers.exists()
    assert ingest.process_due(now=now + dt.timedelta(seconds=30)) == 0  # leased meanwhile
    assert ingest.process_due(now=now + ingest.ANSWER_LEASE) == 3
    assert answers.count() == 3
    assert len(texts(channel)) == 3  # stored once
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"done"}
    WebhookDelivery.objects.update(state=DeliveryState.PENDING)  # and if taken once more:
    ingest.process_due(now=now + 2 * ingest.ANSWER_LEASE)
    assert answers.count() == 3  # never answered twice


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return str(cursor.fetchone()[0])


@postgres_only("only PostgreSQL lets a commit return before its log is on disk")
def test_the_answers_do_not_wait_for_the_disk_and_every_other_commit_does(
    fakes: Fakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = three_residents_to_the_dialog(fakes, monkeypatch)
    real_turn = tasks.dialog.process_pending
    during: list[str] = []

    def noting(**kwargs):  # type: ignore[no-untyped-def]
        during.append(synchronous_commit())
        return real_turn(**kwargs)

    monkeypatch.setattr(tasks.dialog, "process_pending", noting)
    assert ingest.process_due() == 3

    assert during == ["off"] * 3
    assert synchronous_commit() == "on"  # the "done" mark, and the worker's next work
    assert Message.objects.filter(channel=channel, direction=Direction.OUT).count() == 3
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"done"}

    def breaks(**kwargs):  # type: ignore[no-untyped-def]
        raise SystemExit("killed while answering")

    fakes.resident_says(channel, text="Otra farola", **{"from": "600000009"})
    monkeypatch.setattr(tasks.dialog, "process_pending", breaks)
    with pytest.raises(SystemExit):
        ingest.process_due()
    assert synchronous_commit() == "on"


def test_the_batch_answers_its_messages_and_leaves_a_failing_turn_to_a_task(
    fakes: Fakes, received: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbound_module, "answer_now", tasks.answer_now)  # the real dialog
    channel = fakes.channel("telegram")
    fakes.resident_says(channel, text="Hay un bache en la plaza", **{"from": "111111111"})
    fakes.resident_says(channel, text="Una farola apagada", **{"from": "222222222"})
    real_turn = tasks.dialog.process_pending

    def fails_for_the_farola(*, conversation, message_id, stored=None):  # type: ignore[no-untyped-def]
        if Message.objects.get(pk=message_id).text == "Una farola apagada":
            raise RuntimeError("the dialog broke")
        return real_turn(conversation=conversation, message_id=message_id, stored=stored)

    monkeypatch.setattr(tasks.dialog, "process_pending", fails_for_the_farola)
    ingest.process_due()

    assert texts(channel) == ["Hay un bache en la plaza", "Una farola apagada"]
    answered = Message.objects.filter(channel=channel, direction=Direction.OUT)
    assert list(answered.values_list("conversation__urn", flat=True)) == ["telegram:111111111"]
    farola = Message.objects.get(channel=channel, text="Una farola apagada")
    assert received == [farola.pk]  # queued for handle_message, once committed
    assert not WebhookDelivery.objects.exclude(state=DeliveryState.DONE).exists()


@postgres_only("webhooks share one INSERT only on PostgreSQL")
def test_webhooks_that_arrive_together_are_each_stored_once_byte_for_byte(fakes: Fakes) -> None:
    channel = fakes.channel("telegram")
    url = f"https://desk.example.org/hooks/telegram/{channel.pk}/"
    headers = {"Content-Type": "application/json", "X-Secret": "kept out"}
    bodies = [f'{{"update_id": {n}, "text": "ñ"}}'.encode() for n in range(30)]
    bodies += [b"\xff\xfe not UTF-8 \x00 at all", bodies[0]]  # odd bytes, and a duplicate

    def store(body: bytes) -> int | None:
        try:
            return ingest.store(channel=channel, webhook=WebhookRequest("POST", url, headers, body))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        ids = list(pool.map(store, bodies))

    assert ids.count(None) == 1  # the duplicate, whichever of the two came second
    stored = {bytes(d.body): d for d in WebhookDelivery.objects.filter(channel=channel)}
    assert sorted(stored) == sorted(set(bodies))
    assert {d.pk for d in stored.values()} == {pk for pk in ids if pk is not None}
    kept = stored[b"\xff\xfe not UTF-8 \x00 at all"]
    assert kept.state == DeliveryState.PENDING
    assert kept.request == {
        "method": "POST",
        "url": url,
        "headers": {"content-type": "application/json"},
    }


@postgres_only("a worker process shares the test database only on PostgreSQL")
def test_a_worker_killed_with_sigkill_mid_batch_loses_and_doubles_nothing(
    fakes: Fakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbound_module, "answer_now", tasks.answer_now)  # the real dialog
    channel = fakes.channel("telegram")
    total = 400
    for n in range(total):  # each from a resident of their own, each answered by the dialog
        fakes.post(fakes.webhook(channel, text=f"n{n}", **{"from": str(200000000 + n)}))
    assert WebhookDelivery.objects.filter(channel=channel).count() == total
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/" + connection.settings_dict["NAME"],
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "ventanilla", "worker", "--queues", "none"]
    worker = subprocess.Popen(command, env=env)  # noqa: S603 - our own command
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done = WebhookDelivery.objects.filter(state=DeliveryState.DONE).count()
        if 0 < done < total:
            break
        time.sleep(0.01)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    killed_at = WebhookDelivery.objects.filter(state=DeliveryState.DONE).count()

    while ingest.drain():  # the next worker, turn after turn
        pass
    later = timezone.now() + ingest.ANSWER_LEASE  # the killed worker's lease has ended
    while ingest.process_due(now=later):
        pass

    assert killed_at < total
    assert sorted(texts(channel)) == sorted(f"n{n}" for n in range(total))
    # Each resident got the privacy notice once: the answer commits with the message.
    answers = Message.objects.filter(channel=channel, direction=Direction.OUT)
    assert answers.count() == total
    assert set(answers.values_list("conversation__urn", flat=True)) == set(
        Conversation.objects.filter(channel=channel).values_list("urn", flat=True)
    )
    assert Conversation.objects.filter(channel=channel).count() == total


def test_webhooks_skip_the_sites_middleware_and_pages_keep_it(fakes: Fakes) -> None:
    from ventanilla.wsgi import application

    channel = fakes.channel("telegram")
    delivery = fakes.webhook(channel, text="Hola")

    def call(path: str, method: str = "GET", body: bytes = b"", headers=None):  # type: ignore[no-untyped-def]
        environ: dict = {}
        setup_testing_defaults(environ)
        environ.update(
            PATH_INFO=path,
            REQUEST_METHOD=method,
            CONTENT_LENGTH=str(len(body)),
            HTTP_HOST="testserver",
        )
        for name, value in (headers or {}).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        environ["CONTENT_TYPE"] = (headers or {}).get("Content-Type", "")
        environ["wsgi.input"] = io.BytesIO(body)
        answer: dict = {}

        def start_response(status, response_headers, exc_info=None):  # type: ignore[no-untyped-def]
            answer["status"], answer["headers"] = status, dict(response_headers)

        b"".join(application(environ, start_response))
        return answer

    hook = call(channel.webhook_path, "POST", delivery.body, delivery.headers)
    page = call("/inbox/login/")

    assert hook["status"].startswith("200")
    assert "Set-Cookie" not in hook["headers"] and "Content-Language" not in hook["headers"]
    assert "Content-Security-Policy" not in hook["headers"]
    assert WebhookDelivery.objects.filter(channel=channel).count() == 1
    assert page["status"].startswith("200")
    assert "Content-Security-Policy" in page["headers"]
    assert "Content-Language" in page["headers"]
    assert call("/hooks/\x00/1/")["status"].startswith("400")


def test_processed_deliveries_are_pruned_failed_and_pending_ones_stay(
    fakes: Fakes, received: list[int], settings
) -> None:
    settings.WEBHOOK_DELIVERIES_KEEP_HOURS = 24
    channel = fakes.channel("telegram")
    for n in range(3):
        fakes.resident_says(channel, text=f"m{n}")
    ingest.drain()
    fakes.resident_says(channel, text="pending")
    old = timezone.now() - dt.timedelta(hours=25)
    WebhookDelivery.objects.update(received_at=old)
    WebhookDelivery.objects.filter(
        pk=WebhookDelivery.objects.filter(state="done").first().pk
    ).update(state=DeliveryState.FAILED)

    assert ingest.prune_processed() == 2
    assert sorted(WebhookDelivery.objects.values_list("state", flat=True)) == ["failed", "pending"]


def test_a_batch_of_statuses_moves_every_message_forward_in_a_few_queries(
    fakes: Fakes, received: list[int], django_assert_max_num_queries
) -> None:
    channel = fakes.channel("whatsapp")
    residents = [f"346001{n:05d}" for n in range(12)]
    for number in residents:  # each resident writes first: the 24-hour window is open
        fakes.resident_says(channel, text="Hola", **{"from": number})
    ingest.drain()
    sent = [
        queue_outbound(conversation=conversation, text="Recibido")
        for conversation in Conversation.objects.filter(channel=channel).order_by("pk")
    ]
    run_tasks()
    assert len(fakes.held) == 3 * len(sent)  # sent, delivered and read for each

    # The provider delivers them in any order: "read" first, "sent" last.
    assert set(fakes.flush(order=lambda deliveries: deliveries[::-1])) == {200}
    statuses = 3 * len(sent)
    assert WebhookDelivery.objects.filter(state=DeliveryState.PENDING).count() == statuses
    events_before = LiveEvent.objects.filter(kind="message").count()

    with django_assert_max_num_queries(25):  # a fixed few, not several per status (540 before)
        assert ingest.process_due(limit=100) == statuses

    for message in Message.objects.filter(pk__in=[m.pk for m in sent]):
        assert message.status == DeliveryStatus.READ
        assert message.delivered_at is not None
        assert message.read_at is not None
    assert not WebhookDelivery.objects.filter(state=DeliveryState.PENDING).exists()
    # every message's ticks refreshed the staff pages once, in one write
    assert LiveEvent.objects.filter(kind="message").count() == events_before + len(sent)


def test_a_status_for_a_message_not_sent_yet_waits_and_a_late_one_never_goes_back(
    fakes: Fakes, received: list[int]
) -> None:
    channel = fakes.channel("whatsapp")
    fakes.resident_says(channel, text="Hola")
    ingest.drain()
    message = queue_outbound(conversation=Conversation.objects.get(channel=channel), text="Hecho")
    run_tasks()
    deliveries = list(fakes.held)
    fakes.flush()  # sent, delivered, read: stored
    ingest.drain()
    message.refresh_from_db()
    assert message.status == DeliveryStatus.READ

    # The same statuses again (the provider re-sent them), and one for a message we do
    # not know yet: the first change nothing, the second waits for its send.
    for delivery in deliveries:
        fakes.hub.deliver(delivery)
    whatsapp = fakes.hub.providers["whatsapp"]
    unknown = whatsapp.status_delivery(
        fakes.fake_channel(channel), "wamid.NOT-SENT-YET", "delivered", {"to": "34600111222"}
    )
    fakes.hub.deliver(unknown)
    ingest.drain()

    message.refresh_from_db()
    assert message.status == DeliveryStatus.READ
    assert list(PendingStatus.objects.values_list("provider_message_id", "status")) == [
        ("wamid.NOT-SENT-YET", "delivered")
    ]


def test_the_staff_pages_hear_of_each_message_of_a_batch_and_of_each_answer(
    fakes: Fakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = three_residents_to_the_dialog(fakes, monkeypatch)

    ingest.drain()

    messages = Message.objects.filter(channel=channel)
    assert messages.filter(direction=Direction.OUT).count() == 3  # each resident answered
    told = LiveEvent.objects.filter(kind="message").values_list("data__message", flat=True)
    assert sorted(told) == sorted(messages.values_list("pk", flat=True))
