"""The web chat in a real browser (Debian's chromium driven by Playwright).

A resident reports with a photo and a map pin and gets a reference; an agent's reply
appears without a reload; axe-core finds nothing serious; nothing scrolls sideways at
390 px. The live server runs the whole application with tasks run at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from playwright.sync_api import expect

from ventanilla.cases.models import Case
from ventanilla.cases.tests.factories import make_staff
from ventanilla.channels import services as channel_services
from ventanilla.conversations.models import Attachment
from ventanilla.conversations.tests.chat import make_town
from ventanilla.inbox import live
from ventanilla.inbox.services import reply_to_case
from ventanilla.inbox.tests.conftest import AXE, chromium  # noqa: F401 - a fixture
from ventanilla.webchat.tests.jpeg import JPEG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
STREAM_PATH = "/chat/stream/"
LIVE_LIMIT_MS = 5000


class Server:
    """The live server; on in-memory SQLite its threads share one connection (``lock``).

    The chat's event stream takes the lock for each piece it yields, not for its whole
    life, or one open chat would block the server; between keep-alives it lets go.
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
        self.own_connection = connections[DEFAULT_DB_ALIAS]
        connections[DEFAULT_DB_ALIAS] = self.shared_connection
        app, lock = self.app, self.lock

        def piece_by_piece(response: Any) -> Iterator[bytes]:
            pieces = iter(response)
            try:
                while True:
                    with lock:
                        piece = next(pieces, None)
                    if piece is None:
                        return
                    yield piece
                    if piece.startswith(b":"):
                        time.sleep(0.2)  # a keep-alive: let the others in
            finally:
                with lock:
                    response.close()

        def one_at_a_time(environ: dict[str, Any], start_response: Any) -> Any:
            with lock:
                response = app(environ, start_response)
                if environ.get("PATH_INFO") == STREAM_PATH:
                    return piece_by_piece(response)
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
def server(
    django_db_setup: Any, live_server: Any, settings: Any, monkeypatch: Any
) -> Iterator[Server]:
    # ``django_db_setup`` first: the session's live server, if this starts it, must see the
    # test database (in memory on SQLite) to share its connection with its threads
    monkeypatch.setattr(live, "KEEPALIVE_SECONDS", 0.3)
    monkeypatch.setattr(live, "STREAM_SECONDS", 20.0)
    settings.PUBLIC_URL = live_server.url
    settings.TILES_URL = "/static/leaflet/images/layers.png?{z}/{x}/{y}"
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "send", "bulk"],
        }
    }
    with Server(live_server) as running:
        yield running
        deadline = time.monotonic() + 10
        while live.open_streams.value and time.monotonic() < deadline:
            time.sleep(0.1)
        with running.lock:
            pass
    live.hub.stop()


@pytest.fixture
def town(server: Server) -> Any:
    with server.lock:
        town = make_town()
        channel_services.create_channel(
            council=town.council, provider="webchat", name="Web", secrets={}
        )
    return town


@pytest.fixture
def resident(chromium: Any, server: Server) -> Iterator[Any]:  # noqa: F811
    contexts = []

    def open_page(**options: Any) -> Any:
        context = chromium.new_context(locale="es-ES", **options)
        contexts.append(context)
        page = context.new_page()
        page.csp_errors = []
        page.on(
            "console",
            lambda m: (
                page.csp_errors.append(m.text) if "Content Security Policy" in m.text else None
            ),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()


def serious_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def open_chat(page: Any, server: Server) -> None:
    page.goto(server.url + "/chat/")
    expect(page.locator("#webchat")).to_have_attribute("data-live", "open")


def tap(page: Any, label: str) -> None:
    button = page.locator("#webchat-choices").get_by_role("button", name=label, exact=True)
    expect(button).to_be_visible()
    button.click()


def test_a_resident_reports_with_a_photo_and_a_pin_and_sees_the_agents_reply_live(
    town: Any, resident: Any, server: Server
) -> None:
    page = resident()
    open_chat(page, server)
    page.evaluate("() => { window.sameDocument = true; }")
    log = page.get_by_role("log")

    page.locator("#webchat-text").fill("La farola de la calle Mayor 3 está apagada")
    page.locator("#webchat-photo").set_input_files(
        files=[{"name": "farola.jpg", "mimeType": "image/jpeg", "buffer": JPEG}]
    )
    page.locator("#webchat-send").click()
    expect(log).to_contain_text("Antes de empezar, sobre sus datos")
    tap(page, "Acepto")
    expect(page.locator("#webchat-choices")).to_contain_text("Sí, es eso")

    page.locator("#webchat-pin").click()
    page.locator("#webchat-map").click(position={"x": 120, "y": 80})
    page.locator("#webchat-pin-send").click()
    expect(log.locator(".webchat-mine .webchat-note")).to_have_count(2)  # the photo, the place
    tap(page, "Sí, es eso")
    expect(log).to_contain_text("con el número 2026-")

    with server.lock:
        case = Case.objects.get()
        assert case.reference in log.inner_text()
        assert case.latitude is not None and case.longitude is not None
        assert Attachment.objects.get(message__case=case).file.read() == JPEG
        agent = make_staff(council=town.council, departments=(case.department,))
        started = time.monotonic()
        reply_to_case(case=case, by=agent, text="La brigada pasa mañana por la mañana.")
    expect(log).to_contain_text("La brigada pasa mañana", timeout=LIVE_LIMIT_MS)
    elapsed = time.monotonic() - started
    assert page.evaluate("() => window.sameDocument") is True  # no reload
    assert elapsed < LIVE_LIMIT_MS / 1000
    assert page.csp_errors == []


def test_the_chat_has_no_serious_accessibility_violations(
    town: Any, resident: Any, server: Server
) -> None:
    # the page is read in Spanish (as the bot speaks): selectors are ids, not words
    # axe-core is injected as an inline script: this context alone bypasses the CSP
    page = resident(bypass_csp=True)
    open_chat(page, server)
    empty = serious_violations(page)
    page.locator("#webchat-text").fill("Hola")
    page.keyboard.press("Enter")  # sends from the keyboard
    expect(page.locator("#webchat-choices")).to_contain_text("Acepto")
    page.locator("#webchat-pin").click()
    expect(page.locator("#webchat-map .leaflet-tile-pane")).to_be_attached()
    assert (empty, serious_violations(page)) == ([], [])


def test_the_chat_fits_a_390_px_screen(town: Any, resident: Any, server: Server) -> None:
    page = resident(viewport={"width": 390, "height": 844})
    open_chat(page, server)
    page.locator("#webchat-text").fill("La farola de la calle Mayor 3 está apagada " * 3)
    page.locator("#webchat-send").click()
    expect(page.locator("#webchat-choices")).to_contain_text("No acepto")
    page.locator("#webchat-pin").click()
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1] == 390


def test_a_councils_site_opens_the_chat_with_the_embeddable_script(
    town: Any, resident: Any, server: Server, settings: Any
) -> None:
    html = (
        '<!DOCTYPE html><html lang="ca"><head><title>Ajuntament</title></head><body>'
        "<h1>Ajuntament de Villaverde</h1>"
        f'<script src="{server.url}/static/webchat/embed.js" data-council="{town.council.slug}">'
        "</script></body></html>"
    ).encode()

    class CouncilSite(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: Any) -> None:
            pass

    # the council's own site: another origin (127.0.0.1, not localhost) on the loopback
    council_site = ThreadingHTTPServer(("127.0.0.1", 0), CouncilSite)
    threading.Thread(target=council_site.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{council_site.server_address[1]}"
    settings.WEBCHAT_EMBED_ORIGINS = [site]
    try:
        page = resident()
        page.goto(site + "/")
        opener = page.get_by_role("button", name="Xateja amb l'ajuntament")
        expect(opener).to_have_attribute("aria-expanded", "false")
        opener.click()
        expect(opener).to_have_attribute("aria-expanded", "true")
        chat = page.frame_locator("iframe")
        expect(chat.locator("#webchat-log")).to_be_attached()
        expect(chat.locator("html")).to_have_attribute("lang", "ca")
        page.keyboard.press("Escape")
        expect(opener).to_have_attribute("aria-expanded", "false")
        assert page.csp_errors == []
    finally:
        council_site.shutdown()
        council_site.server_close()
