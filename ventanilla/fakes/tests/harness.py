"""The fake providers as a test drives them: the app on a live server, the fakes next to it.

Every test goes through real HTTP: the fake delivers signed webhooks to the live server, and
the send task calls the fake's API. Webhooks the fakes would send on their own (statuses
after a send) are held and delivered when a test says so, so no test depends on timing.

A plain module, not a conftest: the tests of ``channels`` (configuration) and of
``conversations`` (webhooks in, delivery out) both import it, and the fixtures that build
on it (``fake_server``, ``fakes``, ``received``) are in the suite's root ``conftest.py``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from django.db import connection
from django.db.models import Q
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from ventanilla.cases.tests.factories import make_council
from ventanilla.channels import services
from ventanilla.channels.models import Channel
from ventanilla.conversations import webhooks
from ventanilla.conversations.models import Conversation
from ventanilla.core.models import Council
from ventanilla.fakes.bluesky import did_of
from ventanilla.fakes.line import line_user_id
from ventanilla.fakes.meta import scoped_id
from ventanilla.fakes.server import Delivery, FakeChannel, FakeHub
from ventanilla.fakes.telegram import telegram_user_id
from ventanilla.fakes.twilio import twilio_signature

PROVIDERS = ["whatsapp", "telegram", "line", "twilio"]
SECRETS: dict[str, dict[str, str]] = {
    "whatsapp": {
        "phone_number_id": "106540352242922",
        "access_token": "wa-access-token",
        "app_secret": "wa-app-secret",
        "verify_token": "wa-verify-token",
    },
    "telegram": {"bot_token": "7000000001:tg-bot-token", "secret_token": "tg-secret-token"},
    "line": {"channel_secret": "line-channel-secret", "access_token": "line-access-token"},
    "twilio": {
        "account_sid": "AC" + "1" * 32,
        "auth_token": "twilio-auth-token",
        "from_number": "+34910000000",
    },
    "messenger": {
        "page_id": "104837291038475",
        "access_token": "fb-page-access-token",
        "app_secret": "fb-app-secret",
        "verify_token": "fb-verify-token",
    },
    "mastodon": {"access_token": "mastodon-access-token"},
    "bluesky": {"identifier": "ayuntamiento.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"},
    "instagram": {
        "page_id": "17841405822304914",
        "access_token": "ig-page-access-token",
        "app_secret": "ig-app-secret",
        "verify_token": "ig-verify-token",
    },
}
#: how the fake is told who the resident is, and the URN Ventanilla stores for them
RESIDENT = {
    "whatsapp": "34600111222",
    "telegram": "123456789",
    "line": "vecina-lucia",
    "twilio": "+34600111222",
    "messenger": "vecina-lucia",
    "instagram": "vecina-lucia",
    "mastodon": "lucia",
    "bluesky": "lucia.bsky.social",
}
URN = {
    "whatsapp": "whatsapp:34600111222",
    "telegram": "telegram:123456789",
    "line": f"line:{line_user_id('vecina-lucia')}",
    "twilio": "tel:+34600111222",
    "messenger": f"messenger:{scoped_id('vecina-lucia')}",
    "instagram": f"instagram:{scoped_id('vecina-lucia')}",
    "mastodon": "mastodon:lucia@barrio.social",
    "bluesky": f"bluesky:{did_of('lucia.bsky.social')}",
}
assert telegram_user_id(RESIDENT["telegram"]) == 123456789


@dataclass
class Fakes:
    """The fake providers as a test drives them."""

    url: str
    hub: FakeHub
    live_url: str
    client: httpx.Client
    held: list[Delivery] = field(default_factory=list)

    def channel(
        self,
        provider: str,
        *,
        council: Council | None = None,
        rate: float = 1000,
        register: bool = True,
    ) -> Channel:
        """Create a channel whose API is the fake, and tell the fake about its webhook."""
        channel = services.create_channel(
            council=council or make_council(),
            provider=provider,
            name=f"Test {provider}",
            secrets=SECRETS[provider],
            api_base=f"{self.url}/{provider}",
            rate_per_second=rate,
        )
        if register:
            data = {
                "provider": provider,
                "webhook_url": self.live_url + channel.webhook_path,
                "secrets": SECRETS[provider],
            }
            self.client.post(f"{self.url}/_control/channels", json=data).raise_for_status()
        return channel

    def fake_channel(self, channel: Channel) -> FakeChannel:
        found = self.hub.find_channel(channel.provider, self.live_url + channel.webhook_path)
        assert found is not None
        return found

    def resident_says(self, channel: Channel, **spec: Any) -> dict[str, Any]:
        """Play the resident: the fake signs and delivers the provider's webhook."""
        spec.setdefault("from", RESIDENT[channel.provider])
        spec["webhook_url"] = self.live_url + channel.webhook_path
        response = self.client.post(f"{self.url}/_control/{channel.provider}/inbound", json=spec)
        response.raise_for_status()
        return response.json()

    def webhook(self, channel: Channel, **spec: Any) -> Delivery:
        """Return the signed webhook for a resident's message without delivering it."""
        spec.setdefault("from", RESIDENT[channel.provider])
        return self.hub.providers[channel.provider].resident_message(
            self.fake_channel(channel), spec
        )

    def post(self, delivery: Delivery) -> httpx.Response:
        return self.client.post(delivery.url, content=delivery.body, headers=delivery.headers)

    def flush(self, order: Callable[[list[Delivery]], list[Delivery]] = list) -> list[int]:
        """Deliver the webhooks the fakes held (statuses), in ``order``; return statuses."""
        deliveries, self.held[:] = order(list(self.held)), []
        return [self.hub.deliver(delivery) for delivery in deliveries]

    def calls(self, provider: str) -> list[dict[str, Any]]:
        """Return the API calls the fake received from Ventanilla, oldest first."""
        with self.hub.lock:
            return [dict(r) for r in self.hub.received if r["provider"] == provider]

    def fault(
        self,
        provider: str,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        data = {"status": status, "body": body, "headers": headers or {}, "times": times}
        self.client.post(f"{self.url}/_control/{provider}/faults", json=data).raise_for_status()


class served_as_in_production:
    """Let the live server route ``/hooks/`` as ``ventanilla.wsgi`` does, past Django's handler.

    Providers' fakes then call the webhook receiver production runs (``webhooks.serve``),
    not the Django view that ``runserver`` and the test client reach.
    """

    def __init__(self, live_server: Any) -> None:
        self.httpd = live_server.thread.httpd
        self.app = self.httpd.get_app()

    def __enter__(self) -> None:
        self.httpd.set_app(webhooks.beside(self.app))

    def __exit__(self, *exc: Any) -> None:
        self.httpd.set_app(self.app)


class serialised_on_shared_sqlite:
    """Let the live server handle one request at a time when it shares the test's connection.

    An in-memory SQLite test database is one connection shared by every thread of the live
    server; concurrent requests would interleave their transactions on it. PostgreSQL (and a
    file SQLite) give each request its own connection, so there the requests race for real.
    """

    def __init__(self, live_server: Any) -> None:
        self.httpd = live_server.thread.httpd
        self.app = self.httpd.get_app()

    def __enter__(self) -> None:
        if connection.vendor != "sqlite" or not connection.is_in_memory_db():
            return
        lock = threading.Lock()
        app = self.app

        def one_at_a_time(environ: dict[str, Any], start_response: Any) -> Any:
            with lock:
                response = app(environ, start_response)
                try:
                    return [b"".join(response)]
                finally:
                    if hasattr(response, "close"):
                        response.close()

        self.httpd.set_app(one_at_a_time)

    def __exit__(self, *exc: Any) -> None:
        self.httpd.set_app(self.app)


def run_tasks() -> None:
    """Run every task that is due, as ``ventanilla worker`` would, and fail on task errors."""
    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="channels-tests",
        excluded_queue_names=[],
    ).run()
    failed = list(DBTaskResult.objects.failed())
    assert not failed, failed[0].traceback


def waiting_sends() -> list[DBTaskResult]:
    """Return the tasks that will send (wake a channel's dispatcher) later, soonest first."""
    tasks = DBTaskResult.objects.filter(status="READY").filter(
        Q(task_path__endswith=".send_message")
        | Q(task_path__endswith=".dispatch_channel")
        | Q(task_path__endswith=".wake_channel")
    )
    return list(tasks.order_by("run_after"))


def conversation(channel: Channel) -> Conversation:
    return Conversation.objects.get(channel=channel, urn=URN[channel.provider])


# -- signing, for requests the fakes would not make ------------------------------------


def signed(
    channel: Channel, url: str, body: bytes | dict[str, str]
) -> tuple[bytes, dict[str, str]]:
    """Return (body, headers) signed as the channel's provider signs its webhooks."""
    secrets = SECRETS[channel.provider]
    if channel.provider == "twilio":
        assert isinstance(body, dict)
        signature = twilio_signature(secrets["auth_token"], url, body)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        }
        return urlencode(body).encode(), headers
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if channel.provider in ("whatsapp", "messenger", "instagram"):
        digest = hmac.new(secrets["app_secret"].encode(), raw, hashlib.sha256).hexdigest()
        headers["X-Hub-Signature-256"] = f"sha256={digest}"
    elif channel.provider == "line":
        digest = hmac.new(secrets["channel_secret"].encode(), raw, hashlib.sha256).digest()
        headers["X-Line-Signature"] = base64.b64encode(digest).decode()
    elif channel.provider == "telegram":
        headers["X-Telegram-Bot-Api-Secret-Token"] = secrets["secret_token"]
    return raw, headers
