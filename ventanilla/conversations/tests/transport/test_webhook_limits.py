"""What an unauthenticated caller can make a webhook spend, and what a provider can make us wait.

The body is read, within a time limit, and size-checked before any query: a slow or lying
client costs a thread for a few seconds, never a database connection.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings as django_settings
from django.test import Client

from ventanilla.conversations.delivery_tasks import retry_delay
from ventanilla.conversations.models import WebhookDelivery
from ventanilla.conversations.tests.transport.test_provider_data import fixture, make_channel
from ventanilla.fakes.tests.harness import signed

pytestmark = pytest.mark.django_db


class SlowBody:
    """A request body that arrives six bytes at first, then nothing for a long while."""

    def __init__(self) -> None:
        self.released = threading.Event()

    def read(self, size: int = -1) -> bytes:
        self.released.wait(5)
        return b"abcdef"

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


class LateBody:
    """A request body that is all there 0.2 s after it is first read."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, size: int = -1) -> bytes:
        time.sleep(0.2)
        data, self.data = self.data, b""
        return data

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def test_a_body_that_does_not_arrive_in_time_is_a_408_without_a_query(
    settings, django_assert_num_queries
) -> None:
    settings.WEBHOOK_READ_SECONDS = 0.3
    channel = make_channel("telegram")
    body = SlowBody()
    started = time.monotonic()

    with django_assert_num_queries(0):
        response = Client().generic(
            "POST",
            channel.webhook_path,
            content_type="application/json",
            CONTENT_LENGTH="1000",
            **{"wsgi.input": body},
        )

    body.released.set()
    assert response.status_code == 408
    assert time.monotonic() - started < 3


def test_behind_a_proxy_that_buffers_bodies_a_webhook_is_read_in_its_own_thread(
    settings,
) -> None:
    # WEBHOOK_READ_SECONDS = 0: no time limit of ours (the proxy has one), no reader thread.
    settings.WEBHOOK_READ_SECONDS = 0
    channel = make_channel("telegram")
    url = django_settings.PUBLIC_URL + channel.webhook_path
    data, headers = signed(channel, url, fixture("telegram", "text_message.json"))
    body = LateBody(data)  # its last bytes come a moment after it is asked for

    response = Client().generic(
        "POST",
        channel.webhook_path,
        content_type="application/json",
        CONTENT_LENGTH=str(len(data)),
        HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=headers["X-Telegram-Bot-Api-Secret-Token"],
        **{"wsgi.input": body},
    )

    assert response.status_code == 200
    assert WebhookDelivery.objects.filter(channel=channel).count() == 1


def test_a_body_shorter_than_declared_is_a_400_without_a_query(
    settings, django_assert_num_queries
) -> None:
    channel = make_channel("telegram")
    body = SlowBody()
    body.released.set()

    with django_assert_num_queries(0):
        response = Client().generic(
            "POST",
            channel.webhook_path,
            content_type="application/json",
            CONTENT_LENGTH="1000",
            **{"wsgi.input": body},
        )

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("path", "status"),
    [("/hooks/%00/1/", 400), ("/hooks/nope/1/", 404), ("/hooks/webchat/1/", 404)],
)
def test_an_unknown_provider_is_refused_without_a_query(
    path: str, status: int, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        response = Client().post(path, b"{}", content_type="application/json")

    assert response.status_code == status  # a NUL anywhere in a path is a 400 before routing


def test_a_declared_body_over_the_limit_is_a_413_without_a_query(
    settings, django_assert_num_queries
) -> None:
    settings.WEBHOOK_MAX_BYTES = 100
    channel = make_channel("telegram")

    with django_assert_num_queries(0):
        response = Client().post(channel.webhook_path, b"x" * 200, content_type="text/plain")

    assert response.status_code == 413


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [(30.0, 30.0), (86_400.0, 900.0), (float("inf"), None), (float("nan"), None), (-5.0, 0.0)],
)
def test_a_providers_retry_after_is_capped(settings, retry_after, expected) -> None:
    settings.SEND_RETRY_AFTER_MAX = 900

    delay = retry_delay(1, retry_after)

    if expected is None:  # not a number of seconds: our own backoff decides
        assert 0 < delay <= 2.5
    else:
        assert delay == expected
