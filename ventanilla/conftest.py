"""Shared fixtures for the whole suite.

The fake providers' fixtures live here, not in one app's conftest, because the tests of
``channels`` (channel set-up) and of ``conversations`` (webhooks in, delivery out) both use
them; what they build on is the plain module ``ventanilla.fakes.tests.harness``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ventanilla.conversations import inbound
from ventanilla.conversations.models import Message
from ventanilla.fakes.server import FakeHub, start
from ventanilla.fakes.tests.harness import (
    Fakes,
    serialised_on_shared_sqlite,
    served_as_in_production,
)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AXES_ENABLED = False
    # The default hasher costs about a second per user here; tests are not about hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def whole_schema_after() -> Iterator[None]:
    """For a test that migrates an app backwards: put every app's migrations back after it.

    Going back undoes the later migrations of every app that depends on it too; without
    this, the tests after it would find those apps' tables gone.
    """
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def immediate_tasks(settings):
    """Run tasks at once, in the test's process (for tests that are not about the queue)."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "send", "bulk"],
        }
    }


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's admin client, signed in with a verified second factor."""
    from django.test import Client

    from ventanilla.core.tests.signin import sign_in

    return sign_in(Client(), admin_user)


# -- the fake providers ----------------------------------------------------------------


@pytest.fixture(scope="session")
def fake_server() -> Iterator[tuple[str, FakeHub]]:
    server, hub = start()
    yield hub.base_url, hub
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def fakes_http() -> Iterator[httpx.Client]:
    """One HTTP client for every test's calls to the fakes and the live server (building one
    costs an SSL context: 70 ms on a slow machine, for each of several hundred tests)."""
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture
def fakes(
    fake_server: tuple[str, FakeHub],
    fakes_http: httpx.Client,
    django_db_setup: Any,  # before the live server: it must share the test database
    live_server: Any,
    settings: Any,
    monkeypatch: Any,
) -> Iterator[Fakes]:
    url, hub = fake_server
    with hub.lock:
        hub.received.clear()
        hub.faults.clear()
        hub.webhook_log.clear()
        hub.channels.clear()
    # Provider state outlives /_control/reset: a resident who texted STOP in an earlier test
    # would still be unsubscribed from the Twilio fake.
    hub.providers["twilio"].opted_out.clear()  # type: ignore[attr-defined]
    for polled in ("mastodon", "bluesky"):  # residents' posts wait in the fake until polled
        if polled in hub.providers:
            hub.providers[polled].reset()  # type: ignore[attr-defined]
    settings.PUBLIC_URL = live_server.url
    helper = Fakes(url=url, hub=hub, live_url=live_server.url, client=fakes_http)
    monkeypatch.setattr(
        hub, "deliver_later", lambda deliveries, delay: helper.held.extend(deliveries)
    )
    with served_as_in_production(live_server), serialised_on_shared_sqlite(live_server):
        yield helper


@pytest.fixture
def received(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Stand in for the dialog: record each message handed to it and answer nothing.

    For tests about the transport (webhooks in, delivery out); the dialog's answers have
    their own tests.
    """
    ids: list[int] = []

    def enqueue_dialog(*, message: Message) -> None:
        ids.append(message.pk)

    def answer_now(messages: list[Message]) -> list[Message]:
        ids.extend(message.pk for message in messages)
        return []

    monkeypatch.setattr(inbound, "enqueue_dialog", enqueue_dialog)
    monkeypatch.setattr(inbound, "answer_now", answer_now)
    return ids
