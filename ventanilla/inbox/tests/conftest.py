"""Fixtures of the inbox tests: one council, two departments, an agent in each, a supervisor."""

from __future__ import annotations

import os
import threading
import time
from importlib.resources import files
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from ventanilla.cases.models import Role
from ventanilla.cases.tests.factories import (
    make_category,
    make_council,
    make_department,
    make_staff,
)
from ventanilla.inbox import live
from ventanilla.inbox.tests.factories import signed_in


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hash test passwords cheaply: the default hasher takes about a second per user here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english(settings):
    """Assert on the msgids: pages render in English whatever catalogues exist."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def town(db):
    """A council with departments A and B, a category each, and their staff."""
    council = make_council(name="Villaverde")
    dept_a = make_department(council=council, name="Servicios Urbanos")
    dept_b = make_department(council=council, name="Policía Local")
    return SimpleNamespace(
        council=council,
        dept_a=dept_a,
        dept_b=dept_b,
        category_a=make_category(council=council, department=dept_a, name_es="Alumbrado"),
        category_b=make_category(council=council, department=dept_b, name_es="Ruido"),
        agent_a=make_staff(council=council, departments=(dept_a,), username="ana"),
        agent_b=make_staff(council=council, departments=(dept_b,), username="bruno"),
        supervisor=make_staff(council=council, role=Role.SUPERVISOR, username="sara"),
        auditor=make_staff(council=council, role=Role.AUDITOR, username="auditora"),
    )


@pytest.fixture
def live_hub():
    """A live hub of the test's own, stopped (and its connection closed) at the end."""
    hub = live.LiveHub(poll_seconds=0.1)
    yield hub
    hub.stop()


@pytest.fixture(autouse=True)
def _stop_shared_hub():
    """The process-wide hub must not outlive a test that started it (it holds a connection)."""
    yield
    live.hub.stop()


# -- browser tests ----------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: axe-core as the axe-playwright-python package ships it (a dev dependency)
AXE = Path(str(files("axe_playwright_python") / "axe.min.js"))


@pytest.fixture(scope="module")
def chromium():
    """Debian's chromium, driven by Playwright (never a downloaded browser).

    Playwright's sync API keeps an event loop running in this thread for as long as it is
    open, which Django takes for an async context; the database calls of these tests and
    their fixtures are synchronous all the same, so the check is lifted meanwhile.
    """
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


class Server:
    """The live server as browser tests use it.

    On an in-memory SQLite test database every thread of the live server shares one
    connection, so requests run one at a time (``lock``), and so do the test's own writes
    while a page is open (on that same connection). Event streams take the lock only for
    their view and middleware, then stream outside it (they only read), or one open inbox
    page would block the server.
    PostgreSQL gives every request its own connection: there nothing is serialised.
    """

    def __init__(self, live_server: Any) -> None:
        self.url = live_server.url
        self.httpd = live_server.thread.httpd
        self.app = self.httpd.get_app()
        self.shared_connection = live_server.thread.connections_override.get(DEFAULT_DB_ALIAS)
        self.lock = threading.RLock()

    def __enter__(self) -> Server:
        if self.shared_connection is None:
            return self
        # This thread may hold a connection of its own to the shared in-memory database
        # (Playwright's event loop gives it another context): use the server's, so that one
        # connection, serialised by ``lock``, does all the writing.
        self.own_connection = connections[DEFAULT_DB_ALIAS]
        connections[DEFAULT_DB_ALIAS] = self.shared_connection
        app, lock = self.app, self.lock

        def one_at_a_time(environ: dict[str, Any], start_response: Any) -> Any:
            with lock:
                response = app(environ, start_response)
                if environ.get("PATH_INFO") == "/inbox/live/":
                    return response
                try:
                    return [b"".join(response)]
                finally:
                    if hasattr(response, "close"):
                        response.close()

        self.httpd.set_app(one_at_a_time)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.shared_connection is not None:
            self.httpd.set_app(self.app)
            connections[DEFAULT_DB_ALIAS] = self.own_connection


@pytest.fixture
def server(django_db_setup, live_server, settings, monkeypatch):
    # ``django_db_setup`` first: the session's live server, if this starts it, must see the
    # test database (in memory on SQLite) to share its connection with its threads.
    # A stream whose page has gone notices it at its next keep-alive: make that soon, so no
    # stream outlives its test and reads a database being flushed.
    monkeypatch.setattr(live, "KEEPALIVE_SECONDS", 0.5)
    settings.PUBLIC_URL = live_server.url
    # No map tiles from the internet in tests (the map falls back to its link).
    settings.TILES_URL = "/static/leaflet/images/layers.png?{z}/{x}/{y}"
    with Server(live_server) as running:
        yield running
        deadline = time.monotonic() + 10
        while live.open_streams.value and time.monotonic() < deadline:
            time.sleep(0.1)
        with running.lock:
            pass  # and no request is half-way through


@pytest.fixture
def browse(chromium, server):
    """Return ``open(user=None)``: a new browser page, signed in as ``user`` if given."""
    contexts = []

    def open_page(user: Any = None, **context_options: Any) -> Any:
        context = chromium.new_context(
            viewport={"width": 1280, "height": 800}, locale="en-GB", **context_options
        )
        contexts.append(context)
        if user is not None:
            with server.lock:
                client = signed_in(user)
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                        "url": server.url,
                    }
                ]
            )
        page = context.new_page()
        page.csp_errors = []
        page.on(
            "console",
            lambda message: (
                page.csp_errors.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()
