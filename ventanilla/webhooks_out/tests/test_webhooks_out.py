"""Outgoing webhooks against a local HTTP server: signed, retried after a 500, then given up."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command

from ventanilla.cases.services import assign_case, change_status
from ventanilla.cases.tests.factories import make_case, make_category, make_council, make_staff
from ventanilla.cases.workflow import Status
from ventanilla.core.batch_reads import read_once
from ventanilla.webhooks_out import services
from ventanilla.webhooks_out.models import Delivery, Subscription
from ventanilla.webhooks_out.payloads import SIGNATURE_HEADER, verify
from ventanilla.webhooks_out.tasks import attempt_delivery, retry_delay


class Receiver:
    """A back office on 127.0.0.1: answers each POST with the next scripted status."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/ventanilla"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def council(db):
    return make_council()


@pytest.fixture
def category(council):
    return make_category(council=council, code="alumbrado", name_es="Alumbrado público")


def subscribe(council, receiver, events="case.opened,case.changed") -> str:
    _, secret = services.add_subscription(council=council, url=receiver.url, events=events)
    return secret


def test_a_new_case_is_delivered_signed_and_without_personal_data(council, category, receiver):
    secret = subscribe(council, receiver)

    case = make_case(category=category, urn="whatsapp:34600999000", description="Mi casa, Lucía")
    delivery = Delivery.objects.get()
    attempt_delivery(delivery.pk)

    headers, body = receiver.received[0]
    assert verify(secret, headers[SIGNATURE_HEADER], body)
    assert not verify("another secret", headers[SIGNATURE_HEADER], body)
    assert not verify(secret, headers[SIGNATURE_HEADER], body.replace(b"new", b"old"))
    payload = json.loads(body)
    assert headers["Ventanilla-Event"] == "case.opened"
    assert payload["case"]["reference"] == case.reference
    assert payload["case"]["category"] == "alumbrado"
    assert "Lucía" not in body.decode() and "34600999000" not in body.decode()
    assert "description" not in payload["case"] and "change" not in payload
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 1)


def test_a_batch_of_new_cases_reads_the_subscriptions_once_and_the_next_sees_a_new_one(
    council, category, receiver
):
    subscribe(council, receiver)
    with read_once():
        first = make_case(category=category, description="Farola apagada")
        second = make_case(category=category, description="Otra farola")
        subscribe(council, receiver, events="case.opened")  # while the batch runs
        third = make_case(category=category, description="Y otra")
    fourth = make_case(category=category, description="La última")

    delivered = sorted(Delivery.objects.values_list("reference", flat=True))
    assert delivered == sorted(
        [first.reference, second.reference, third.reference, *[fourth.reference] * 2]
    )


def test_changes_are_delivered_with_what_changed_but_not_who(council, category, receiver):
    subscribe(council, receiver, events="case.changed")
    case = make_case(category=category)
    agent = make_staff(council=council, departments=(category.department,))
    assert not Delivery.objects.exists()  # not subscribed to case.opened

    change_status(case=case, status=Status.IN_PROGRESS, comment="Vamos el jueves, Sr. Pérez")
    assign_case(case=case, agent=agent, by=agent)

    status, assigned = Delivery.objects.order_by("pk")
    assert status.payload["change"] == {"kind": "status", "from": "new", "to": "in_progress"}
    assert assigned.payload["change"] == {"kind": "assignee", "from": "", "to": ""}
    assert "Pérez" not in json.dumps(status.payload)


def test_a_500_is_retried_with_backoff_then_sent(council, category, receiver):
    subscribe(council, receiver)
    receiver.statuses = [500, 502]
    make_case(category=category)
    delivery = Delivery.objects.get()

    first = attempt_delivery(delivery.pk)
    assert (first.status, first.attempts, first.last_error) == ("pending", 1, "HTTP 500")
    assert first.next_attempt_at is not None
    second = attempt_delivery(delivery.pk)
    assert (second.status, second.attempts) == ("pending", 2)
    assert second.next_attempt_at > first.next_attempt_at
    third = attempt_delivery(delivery.pk)

    assert (third.status, third.attempts) == ("sent", 3)
    assert len(receiver.received) == 3
    assert len({h["Ventanilla-Delivery"] for h, _ in receiver.received}) == 1  # same delivery


def test_after_n_attempts_it_gives_up_and_is_marked_failed(council, category, receiver):
    subscribe(council, receiver)
    receiver.statuses = [500] * (services.MAX_ATTEMPTS + 2)
    make_case(category=category)
    delivery = Delivery.objects.get()

    for _ in range(services.MAX_ATTEMPTS + 2):
        delivery = attempt_delivery(delivery.pk)

    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == services.MAX_ATTEMPTS
    assert len(receiver.received) == services.MAX_ATTEMPTS  # no attempt after giving up


def test_a_client_error_is_not_retried(council, category, receiver):
    subscribe(council, receiver)
    receiver.statuses = [410]
    make_case(category=category)

    delivery = attempt_delivery(Delivery.objects.get().pk)

    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, 1)


@pytest.mark.parametrize(("attempt", "low", "high"), [(1, 30, 37.5), (2, 60, 75), (3, 120, 150)])
def test_backoff_doubles_with_up_to_a_quarter_of_jitter(attempt, low, high):
    delays = {retry_delay(attempt) for _ in range(50)}
    assert all(low <= d <= high for d in delays)
    assert len(delays) > 1  # jittered


def test_other_councils_cases_are_not_delivered(council, receiver):
    other = make_council(slug="otra", name="Otra")
    subscribe(council, receiver)

    make_case(category=make_category(council=other, code="x"))

    assert not Delivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_delivery_is_sent_once_the_change_commits(immediate_tasks, receiver):
    council = make_council()
    subscribe(council, receiver)

    make_case(category=make_category(council=council, code="alumbrado"))

    assert Delivery.objects.get().status == Delivery.Status.SENT
    assert len(receiver.received) == 1


def test_the_command_subscribes_and_prints_the_secret_once(council, receiver, capsys):
    call_command(
        "add_webhook", receiver.url, council=council.slug, events="case.opened,case.changed"
    )

    printed = capsys.readouterr().out.strip().splitlines()
    subscription = Subscription.objects.get()
    assert subscription.secret == printed[-1]
    assert subscription.secret not in subscription.secret_encrypted
    assert subscription.event_list == ["case.opened", "case.changed"]


@pytest.mark.parametrize(
    ("url", "council_slug", "events"),
    [
        ("ftp://example.org/x", None, "case.opened"),
        ("https://example.org/x", "nowhere", "case.opened"),
        ("https://example.org/x", None, "case.deleted"),
    ],
)
def test_the_command_refuses_bad_input_and_changes_nothing(council, url, council_slug, events):
    with pytest.raises(CommandError):
        call_command("add_webhook", url, council=council_slug or council.slug, events=events)
    assert not Subscription.objects.exists()


def test_the_admin_adds_a_subscription_and_shows_its_secret_once(council, admin_client):
    response = admin_client.post(
        "/admin/webhooks_out/subscription/add/",
        {
            "council": council.pk,
            "url": "https://backoffice.example.org/h",
            "events": ["case.opened"],
        },
        follow=True,
    )

    subscription = Subscription.objects.get()
    assert subscription.secret in response.content.decode()
    page = admin_client.get(f"/admin/webhooks_out/subscription/{subscription.pk}/change/")
    assert subscription.secret not in page.content.decode()
    assert admin_client.get("/admin/webhooks_out/delivery/").status_code == 200
