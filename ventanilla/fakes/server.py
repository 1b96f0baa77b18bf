"""One local HTTP server that speaks every provider's wire format, for the demo and the tests.

Each provider lives under its own path prefix, so a channel's ``api_base`` is
``http://127.0.0.1:<port>/<provider>`` (e.g. ``.../whatsapp/v21.0/<id>/messages``).
Next to the providers' own endpoints, a control API (under ``/_control/``) lets tests and
the citizen simulator register channels, play a resident, inject faults and read what the
fake received:

- ``POST /_control/channels`` ``{"provider", "webhook_url", "secrets"}``: the fake now knows
  where to deliver this channel's webhooks and how to sign them.
- ``POST /_control/<provider>/inbound`` ``{"webhook_url"?, "from", "name"?, "text"?,
  "image"?: true, "location"?: {"latitude","longitude"}, "choice"?}``: the fake builds the
  provider's webhook for a resident's message, signs it and delivers it (returns the
  provider message id and Ventanilla's HTTP status).
- ``POST /_control/<provider>/faults`` ``{"status", "body"?, "headers"?, "times"?,
  "delay"?}``: the next ``times`` API calls answer with that fault.
- ``GET /_control/received`` (``?provider=``): every API call the fake received, in order.
- ``POST /_control/reset``: forget everything.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx
import structlog

log = structlog.get_logger(__name__)


@dataclass
class FakeRequest:
    method: str
    path: str  # path below the provider prefix, e.g. "/v21.0/123/messages"
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}


@dataclass
class FakeResponse:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200, **headers: str) -> FakeResponse:
        return cls(status=status, body=json.dumps(data).encode(), headers=dict(headers))


@dataclass
class FakeChannel:
    provider: str
    webhook_url: str
    secrets: dict[str, str]


@dataclass
class Fault:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    delay: float = 0.0


@dataclass
class Delivery:
    """A webhook the fake sends to Ventanilla, already signed."""

    url: str
    body: bytes
    headers: dict[str, str]


class ProviderFake:
    """Base for one provider's fake. Subclasses implement ``api`` and ``resident_message``."""

    name: str = ""

    def __init__(self, hub: FakeHub) -> None:
        self.hub = hub

    def api(self, request: FakeRequest) -> FakeResponse:
        """Answer one call to the provider's API (send, media, files)."""
        raise NotImplementedError

    def resident_message(self, channel: FakeChannel, spec: dict[str, Any]) -> Delivery:
        """Build and sign the webhook for a resident's message described by ``spec``."""
        raise NotImplementedError

    def channel_for(self, **secrets: str) -> FakeChannel | None:
        """Return the registered channel whose secrets include all of ``secrets``."""
        for channel in self.hub.channels:
            if channel.provider == self.name and all(
                channel.secrets.get(k) == v for k, v in secrets.items()
            ):
                return channel
        return None

    def deliver_later(self, deliveries: Iterable[Delivery], delay: float = 0.2) -> None:
        """Deliver webhooks (e.g. statuses after a send) from a background thread."""
        self.hub.deliver_later(list(deliveries), delay)


class FakeHub:
    """The WSGI application: routes to provider fakes and serves the control API."""

    def __init__(self, fakes: dict[str, Callable[[FakeHub], ProviderFake]]) -> None:
        self.lock = threading.Lock()
        self.providers = {name: factory(self) for name, factory in fakes.items()}
        self.channels: list[FakeChannel] = []
        self.received: list[dict[str, Any]] = []
        self.faults: dict[str, list[Fault]] = {}
        self.media: dict[str, tuple[bytes, str]] = {}  # media id -> (bytes, content type)
        self.webhook_log: list[dict[str, Any]] = []
        self.extra_routes: dict[str, Callable[[FakeRequest], FakeResponse]] = {}
        #: where Ventanilla reaches this server (``http://host:port``), for URLs that fakes
        #: hand out inside webhooks (Twilio's MediaUrl0); ``start()`` sets it
        self.base_url = ""

    # -- state shared by provider fakes -------------------------------------------------

    def new_id(self, prefix: str = "") -> str:
        return f"{prefix}{uuid.uuid4().hex}"

    def store_media(self, data: bytes, content_type: str) -> str:
        media_id = self.new_id()
        with self.lock:
            self.media[media_id] = (data, content_type)
        return media_id

    def deliver(self, delivery: Delivery) -> int:
        try:
            response = httpx.post(
                delivery.url, content=delivery.body, headers=delivery.headers, timeout=15
            )
            status = response.status_code
        except httpx.HTTPError as exc:
            log.warning("fake_webhook_failed", url=delivery.url, error=str(exc))
            status = 0
        with self.lock:
            self.webhook_log.append({"url": delivery.url, "status": status})
        return status

    def deliver_later(self, deliveries: list[Delivery], delay: float) -> None:
        def run() -> None:
            for delivery in deliveries:
                time.sleep(delay)
                self.deliver(delivery)

        threading.Thread(target=run, daemon=True).start()

    def take_fault(self, provider: str) -> Fault | None:
        with self.lock:
            queue = self.faults.get(provider) or []
            if not queue:
                return None
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
            return fault

    # -- WSGI ----------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        path = environ.get("PATH_INFO", "/")
        query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        response = self.route(environ["REQUEST_METHOD"], path, query, headers, body)
        start_response(
            f"{response.status} {'OK' if response.status < 400 else 'Error'}",
            [("Content-Type", response.content_type), *response.headers.items()],
        )
        return [response.body]

    def route(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> FakeResponse:
        parts = path.strip("/").split("/", 1)
        head, rest = parts[0], "/" + (parts[1] if len(parts) > 1 else "")
        request = FakeRequest(method=method, path=rest, query=query, headers=headers, body=body)
        if head == "_control":
            return self.control(request)
        if path in self.extra_routes:
            return self.extra_routes[path](request)
        fake = self.providers.get(head)
        if fake is None:
            return FakeResponse.json({"error": "not found"}, status=404)
        record = {
            "provider": head,
            "method": method,
            "path": rest,
            "query": query,
            "headers": headers,
            "body": body.decode(errors="replace"),
        }
        with self.lock:
            self.received.append(record)
        fault = self.take_fault(head)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            payload = fault.body if fault.body is not None else {"error": "injected fault"}
            return FakeResponse.json(payload, status=fault.status, **fault.headers)
        return fake.api(request)

    def control(self, request: FakeRequest) -> FakeResponse:
        parts = request.path.strip("/").split("/")
        if request.method == "GET" and parts == ["received"]:
            provider = request.query.get("provider")
            with self.lock:
                rows = [r for r in self.received if provider in (None, r["provider"])]
            return FakeResponse.json(rows)
        if request.method == "GET" and parts == ["webhooks"]:
            with self.lock:
                return FakeResponse.json(list(self.webhook_log))
        if request.method == "POST" and parts == ["reset"]:
            with self.lock:
                self.received.clear()
                self.faults.clear()
                self.webhook_log.clear()
            return FakeResponse.json({"ok": True})
        if request.method == "POST" and parts == ["channels"]:
            data = request.json()
            channel = FakeChannel(data["provider"], data["webhook_url"], dict(data["secrets"]))
            with self.lock:
                self.channels = [
                    c
                    for c in self.channels
                    if not (c.provider == channel.provider and c.webhook_url == channel.webhook_url)
                ]
                self.channels.append(channel)
            return FakeResponse.json({"ok": True})
        if len(parts) == 2 and parts[0] in self.providers and request.method == "POST":
            provider, action = parts
            data = request.json() or {}
            if action == "faults":
                fault = Fault(
                    status=int(data["status"]),
                    body=data.get("body"),
                    headers=dict(data.get("headers") or {}),
                    times=int(data.get("times", 1)),
                    delay=float(data.get("delay", 0)),
                )
                with self.lock:
                    self.faults.setdefault(provider, []).append(fault)
                return FakeResponse.json({"ok": True})
            if action == "inbound":
                fake = self.providers[provider]
                target = self.find_channel(provider, data.get("webhook_url"))
                if target is None:
                    return FakeResponse.json({"error": "no channel registered"}, status=404)
                if getattr(fake, "polled", False):  # Mastodon, Bluesky: the next poll finds it
                    return FakeResponse.json(fake.queue_inbound(target, data))  # type: ignore[attr-defined]
                delivery = fake.resident_message(target, data)
                status = self.deliver(delivery)
                return FakeResponse.json(
                    {"status": status, "message_id": delivery.headers.get("x-fake-message-id")}
                )
        return FakeResponse.json({"error": "unknown control call"}, status=404)

    def find_channel(self, provider: str, webhook_url: str | None) -> FakeChannel | None:
        with self.lock:
            for channel in reversed(self.channels):
                if channel.provider == provider and webhook_url in (None, channel.webhook_url):
                    return channel
        return None


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def default_hub() -> FakeHub:
    """Return a hub with every provider fake."""
    from ventanilla.fakes.providers import PROVIDER_FAKES

    return FakeHub(PROVIDER_FAKES)


def start(
    host: str = "127.0.0.1", port: int = 0, hub: FakeHub | None = None
) -> tuple[Any, FakeHub]:
    """Start the fake server in a background thread; return (server, hub)."""
    hub = hub or default_hub()
    server = make_server(
        host, port, hub, server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    hub.base_url = hub.base_url or f"http://{host}:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, hub


@contextmanager
def serving(*fakes: type[ProviderFake]) -> Iterator[tuple[str, FakeHub]]:
    """Serve a hub of ``fakes`` on a free port; yield (base URL, hub); stop cleanly.

    On the way out it waits until the fakes stop delivering statuses, so none of them hits
    a server that has already stopped.
    """
    server, hub = start(hub=FakeHub({fake.name: fake for fake in fakes}))
    try:
        yield f"http://127.0.0.1:{server.server_port}", hub
    finally:
        seen, deadline = -1, time.monotonic() + 5
        while len(hub.webhook_log) != seen and time.monotonic() < deadline:
            seen = len(hub.webhook_log)
            time.sleep(0.5)
        server.shutdown()
