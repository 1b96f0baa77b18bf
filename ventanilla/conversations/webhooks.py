"""Webhook receiver: ``/hooks/<provider>/<channel-id>/``, one path for every provider.

The receiver only reads the request, asks the channel's adapter to verify it and to check
that it parses, stores it (``conversations.ingest.store``: one INSERT) and answers what the
provider expects; workers process the stored deliveries in batches. Bad input gets a 4xx
answer, never a 500: 404 unknown or inactive channel, 405 wrong method, 413 body over
``WEBHOOK_MAX_BYTES``, 408 body not in within ``WEBHOOK_READ_SECONDS``, 403 bad signature
(nothing stored), 400 malformed body or a NUL in the address.

Two doors lead to the same ``respond``:

- ``serve``, a WSGI application of its own, which ``ventanilla.wsgi`` gives every
  ``/hooks/`` request. A provider's webhook needs none of what Django's request handling
  does for people (middleware, sessions, CSRF, the second factor, axes, language, URL
  resolution, the request and response objects). Skipping it, with the writer's binding
  of its INSERT on the server, took a status webhook from 1.6 ms to 0.84 ms of the web
  processes' CPU on a slow 2-core machine (``bench/ingest.py``).
- ``receive``, the Django view at the same path, for servers that run the site as Django
  alone (``runserver``, ASGI, the test client).

Anyone may call a webhook, so the body is read (with a time limit) and size-checked before
the database is touched: a client that declares a body and sends it slowly, or never, holds
a thread for a few seconds but never a database connection. A channel and its adapter are
kept in memory for a few seconds.
"""

from __future__ import annotations

import concurrent.futures
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

import structlog
from django.conf import settings
from django.core.handlers.wsgi import LimitedStream, get_bytes_from_wsgi, get_path_info
from django.db import close_old_connections
from django.http import HttpHeaders, HttpRequest, HttpResponse, QueryDict
from django.utils.http import parse_header_parameters
from django.views.decorators.csrf import csrf_exempt

from ventanilla.channels.adapters import ADAPTERS, UnknownProvider, adapter_for
from ventanilla.channels.adapters.base import (
    Adapter,
    SignatureError,
    WebhookError,
    WebhookRequest,
)
from ventanilla.channels.adapters.logging import log_webhook_failure
from ventanilla.channels.models import Channel
from ventanilla.conversations import ingest
from ventanilla.core.middleware import NUL

log = structlog.get_logger(__name__)

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
#: how long a web process trusts its copy of a channel (a deactivated channel, or new
#: secrets, take effect within this many seconds)
CHANNEL_CACHE_SECONDS = 5.0
_channels: dict[tuple[str, int], tuple[float, Channel | None, Adapter | None]] = {}
WSGIApplication = Callable[[dict[str, Any], Callable[..., Any]], Any]
#: the webhook's path, as ``conversations.urls`` routes it for Django
PATH = re.compile(r"/hooks/(?P<provider>[^/]+)/(?P<channel_id>[0-9]+)/")


class BodyRefused(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@dataclass(frozen=True, slots=True)
class Answer:
    """What the provider is answered."""

    status: int
    body: bytes = b""
    content_type: str = "text/plain"

    @classmethod
    def of(cls, status: int, body: str | bytes, content_type: str) -> Answer:
        return cls(status, body.encode() if isinstance(body, str) else body, content_type)

    def headers(self) -> list[tuple[str, str]]:
        """The answer's headers besides its length: its type, and the methods a 405 allows."""
        headers = [("Content-Type", self.content_type)]
        if self.status == 405:
            headers.append(("Allow", "GET, POST"))
        return headers


def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The WSGI application for ``/hooks/``: answer a provider without Django's handler."""
    path = environ.get("PATH_INFO", "")
    try:
        query = environ.get("QUERY_STRING", "")
        if NUL in path or NUL in query or "%00" in query:
            answer = Answer(400)  # as the site's middleware answers any such address
        elif (match := PATH.fullmatch(path)) is None:
            answer = Answer(404)
        else:
            stream = LimitedStream(environ["wsgi.input"], _declared(environ))
            answer = respond(environ, match["provider"], int(match["channel_id"]), stream.read)
    except Exception:  # a fault of ours: the provider retries, and we are told
        log.exception("webhook_failed", path=path)
        answer = Answer(500)
    finally:
        close_old_connections()  # what Django does at the end of every request
    headers = [
        *answer.headers(),
        ("Content-Length", str(len(answer.body))),
        ("X-Content-Type-Options", "nosniff"),
    ]
    start_response(f"{answer.status} {HTTPStatus(answer.status).phrase}", headers)
    return [answer.body]


def beside(site: WSGIApplication) -> WSGIApplication:
    """Return a WSGI application that gives ``/hooks/`` to ``serve`` and the rest to ``site``."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        hook = environ.get("PATH_INFO", "").startswith("/hooks/")
        return (serve if hook else site)(environ, start_response)

    return application


@csrf_exempt
def receive(request: HttpRequest, provider: str, channel_id: int) -> HttpResponse:
    """The same webhook as a Django view (``runserver``, ASGI, the test client)."""
    answer = respond(request.META, provider, channel_id, request.read)
    response = HttpResponse(answer.body, status=answer.status)
    for name, value in answer.headers():
        response[name] = value
    return response


def _declared(environ: dict[str, Any]) -> int:
    try:
        return max(int(environ.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # read_body answers 400


def respond(
    environ: dict[str, Any], provider: str, channel_id: int, read: Callable[[int], bytes]
) -> Answer:
    """Verify, parse and store one provider webhook; return what the provider expects.

    ``environ`` holds the request's CGI variables (WSGI's environ, or Django's
    ``request.META``); ``read`` reads its body, no further than the declared length.
    """
    if provider not in ADAPTERS:  # before any query: the path is anyone's to write
        return Answer(404)
    method = environ.get("REQUEST_METHOD", "")
    if method not in ("GET", "POST"):
        return Answer(405)
    context = {"channel": channel_id, "provider": provider}
    body = b""
    if method == "POST":
        try:
            body = read_body(environ, read)
        except BodyRefused as refused:
            log.info("webhook_body_refused", status=refused.status, **context)
            return Answer(refused.status)
    channel, adapter = channel_and_adapter(provider, channel_id)
    if channel is None or adapter is None:
        return Answer(404)
    try:
        webhook = webhook_request(environ, body)
    except BodyRefused as refused:
        log.info("webhook_body_refused", status=refused.status, **context)
        return Answer(refused.status)
    if method == "GET":
        shake = adapter.handshake(webhook)
        return Answer.of(shake.status, shake.body, shake.content_type)
    try:
        adapter.verify(webhook)
    except SignatureError as error:
        log.warning(
            "webhook_signature_refused",
            reason=str(error),
            remote_addr=environ.get("REMOTE_ADDR", ""),
            **context,
        )
        return Answer(403)
    try:
        parsed = adapter.parse(webhook)
    except WebhookError as error:
        log.info("webhook_malformed", reason=str(error), status=error.status, **context)
        return Answer(error.status)
    except Exception as error:  # an adapter that trips over odd input must not answer 500
        log_webhook_failure(
            type(adapter), webhook, channel.config().secrets, error, channel=channel.pk
        )
        return Answer(400)
    if not (parsed.messages or parsed.statuses or parsed.events):
        stored = False  # nothing to process (a provider's ping, an empty batch)
    else:
        delivery_id = ingest.store(channel=channel, webhook=webhook)
        stored = delivery_id is not None
        if delivery_id is not None and settings.WEBHOOK_PROCESSING == "inline":
            ingest.process_now(delivery_id)
    log.debug("webhook_stored", stored=stored, **context)
    status, content_type, text = adapter.acknowledge()
    return Answer.of(status, text, content_type)


def channel_and_adapter(provider: str, channel_id: int) -> tuple[Channel | None, Adapter | None]:
    """Return the active channel and its configured adapter, from memory when fresh."""
    key = (provider, channel_id)
    now = time.monotonic()
    cached = _channels.get(key)
    if cached is not None and cached[0] > now:
        return cached[1], cached[2]
    channel = (
        Channel.objects.select_related("council")
        .filter(pk=channel_id, provider=provider, active=True)
        .first()
    )
    adapter = None
    if channel is not None:
        try:
            adapter = adapter_for(channel)
        except UnknownProvider:
            channel = None
    if len(_channels) > 10_000:  # anyone may call any id: keep the memory bounded
        _channels.clear()
    _channels[key] = (now + CHANNEL_CACHE_SECONDS, channel, adapter)
    return channel, adapter


def forget_channel(sender: object, instance: Channel, **kwargs: object) -> None:
    """Drop a changed channel from memory (``post_save``/``post_delete`` of Channel)."""
    _channels.pop((instance.provider, instance.pk), None)


def read_body(environ: dict[str, Any], read: Callable[[int], bytes]) -> bytes:
    """Return the raw body within ``WEBHOOK_READ_SECONDS``.

    Raise BodyRefused: 413 past the limit (declared or actual), 408 when the client is too
    slow, 400 when it sends less than it declared or breaks off.
    """
    limit = settings.WEBHOOK_MAX_BYTES
    declared = environ.get("CONTENT_LENGTH") or ""
    length = None
    if declared:
        try:
            length = int(declared)
        except ValueError:
            raise BodyRefused(400) from None
        if length > limit:
            raise BodyRefused(413)
    # ``read`` stops at the declared length (Django's LimitedStream). It blocks until the
    # client has sent it all, so it runs in a reader thread we stop waiting for: the slow
    # client gets its 408 and the reader is freed when the server drops the connection.
    # Readers are kept between requests (starting a thread per request cost more than the
    # rest of a status webhook). Behind a proxy that buffers bodies
    # (WEBHOOK_READ_SECONDS = 0) the body is all there, and read in this thread: 15 % less
    # CPU a status webhook.
    seconds = settings.WEBHOOK_READ_SECONDS
    if seconds <= 0:  # a proxy in front buffered the whole body: it is there to be read
        body = _read(read, limit + 1)
    else:
        try:
            body = _readers().submit(_read, read, limit + 1).result(seconds)
        except concurrent.futures.TimeoutError:
            raise BodyRefused(408) from None
    if body is None:
        raise BodyRefused(400)
    if len(body) > limit:
        raise BodyRefused(413)
    if length is not None and len(body) < length:
        raise BodyRefused(400)  # the client declared more than it sent
    return body


_reader_pool: concurrent.futures.ThreadPoolExecutor | None = None
_reader_pool_lock = threading.Lock()


def _readers() -> concurrent.futures.ThreadPoolExecutor:
    global _reader_pool
    if _reader_pool is None:
        with _reader_pool_lock:
            if _reader_pool is None:
                _reader_pool = concurrent.futures.ThreadPoolExecutor(
                    max_workers=settings.WEBHOOK_READERS, thread_name_prefix="webhook-body"
                )
    return _reader_pool


def _read(read: Callable[[int], bytes], size: int) -> bytes | None:
    try:
        return read(size)
    except OSError:  # the client went away mid-body
        return None


def headers_of(environ: dict[str, Any]) -> dict[str, str]:
    """Return the request's headers, named as Django's ``request.headers`` names them.

    Django's ``HttpHeaders`` asks a class method about each variable of the environ, and a
    server may put the whole process environment there (granian does): this comprehension
    costs a quarter as much (14 µs against 50, with 53 variables), on the path every
    webhook takes.
    """
    headers = {
        key[5:].replace("_", "-").title(): value
        for key, value in environ.items()
        if key[:5] == "HTTP_"
    }
    for key in HttpHeaders.UNPREFIXED_HEADERS:
        if key in environ:
            headers[key.replace("_", "-").title()] = environ[key]
    return headers


def webhook_request(environ: dict[str, Any], body: bytes) -> WebhookRequest:
    """Return the request as adapters see it, with the URL the provider called.

    The URL is rebuilt from ``PUBLIC_URL`` (not from the Host header), so that a signature
    over the URL (Twilio's) still matches behind a proxy or a tunnel.
    """
    query_string = environ.get("QUERY_STRING", "")
    path = get_path_info(environ)
    url = settings.PUBLIC_URL + path + (f"?{query_string}" if query_string else "")
    form: dict[str, str] = {}
    content_type, _ = parse_header_parameters(environ.get("CONTENT_TYPE", ""))
    if body and content_type == FORM_CONTENT_TYPE:
        try:
            form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except (UnicodeDecodeError, ValueError):
            raise BodyRefused(400) from None
    query = QueryDict(get_bytes_from_wsgi(environ, "QUERY_STRING", "")) if query_string else {}
    return WebhookRequest(
        method=environ.get("REQUEST_METHOD", ""),
        url=url,
        headers=headers_of(environ),
        body=body,
        query={key: query.get(key, "") for key in query},
        form=form,
    )
