"""Webhook receiver: one view for every provider, ``/hooks/<provider>/<channel-id>/``.

The view only reads the request, asks the channel's adapter to verify it and to check that
it parses, stores it (``conversations.ingest.store``: one INSERT) and answers what the
provider expects; workers process the stored deliveries in batches. It is served without
the site's middleware (``ventanilla.wsgi``: no session, CSRF, OTP, axes or locale work),
and a channel and its adapter are kept in memory for a few seconds. Bad input
gets a 4xx answer, never a 500: 404 unknown or inactive channel, 405 wrong method, 413 body
over ``WEBHOOK_MAX_BYTES``, 408 body not in within ``WEBHOOK_READ_SECONDS``, 403 bad
signature (nothing stored), 400 malformed body.

Anyone may call a webhook, so the body is read (with a time limit) and size-checked before
the database is touched: a client that declares a body and sends it slowly, or never, holds
a thread for a few seconds but never a database connection.
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
from urllib.parse import parse_qsl

import structlog
from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotAllowed,
    HttpResponseNotFound,
)
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

log = structlog.get_logger(__name__)

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
#: how long a web process trusts its copy of a channel (a deactivated channel, or new
#: secrets, take effect within this many seconds)
CHANNEL_CACHE_SECONDS = 5.0
_channels: dict[tuple[str, int], tuple[float, Channel | None, Adapter | None]] = {}


class BodyRefused(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@csrf_exempt
def receive(request: HttpRequest, provider: str, channel_id: int) -> HttpResponse:
    """Verify, parse and store one provider webhook; answer as the provider expects."""
    if provider not in ADAPTERS:  # before any query: the path is anyone's to write
        return HttpResponseNotFound()
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    context = {"channel": channel_id, "provider": provider}
    body = b""
    if request.method == "POST":
        try:
            body = read_body(request)
        except BodyRefused as refused:
            log.info("webhook_body_refused", status=refused.status, **context)
            return HttpResponse(status=refused.status)
    channel, adapter = channel_and_adapter(provider, channel_id)
    if channel is None or adapter is None:
        return HttpResponseNotFound()
    if request.method == "GET":
        answer = adapter.handshake(webhook_request(request, b""))
        return HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)
    try:
        webhook = webhook_request(request, body)
    except BodyRefused as refused:
        log.info("webhook_body_refused", status=refused.status, **context)
        return HttpResponse(status=refused.status)
    try:
        adapter.verify(webhook)
    except SignatureError as error:
        log.warning(
            "webhook_signature_refused",
            reason=str(error),
            remote_addr=request.META.get("REMOTE_ADDR", ""),
            **context,
        )
        return HttpResponseForbidden()
    try:
        parsed = adapter.parse(webhook)
    except WebhookError as error:
        log.info("webhook_malformed", reason=str(error), status=error.status, **context)
        return HttpResponse(status=error.status)
    except Exception as error:  # an adapter that trips over odd input must not answer 500
        log_webhook_failure(
            type(adapter), webhook, channel.config().secrets, error, channel=channel.pk
        )
        return HttpResponseBadRequest()
    if not (parsed.messages or parsed.statuses or parsed.events):
        delivery = None  # nothing to process (a provider's ping, an empty batch)
    else:
        delivery = ingest.store(channel=channel, webhook=webhook)
        if delivery is not None and settings.WEBHOOK_PROCESSING == "inline":
            ingest.process_now(delivery)
    log.debug("webhook_stored", stored=delivery is not None, **context)
    status, content_type, text = adapter.acknowledge()
    return HttpResponse(text, status=status, content_type=content_type)


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


def read_body(request: HttpRequest) -> bytes:
    """Return the raw body within ``WEBHOOK_READ_SECONDS``.

    Raise BodyRefused: 413 past the limit (declared or actual), 408 when the client is too
    slow, 400 when it sends less than it declared or breaks off.
    """
    limit = settings.WEBHOOK_MAX_BYTES
    declared = request.META.get("CONTENT_LENGTH") or ""
    length = None
    if declared:
        try:
            length = int(declared)
        except ValueError:
            raise BodyRefused(400) from None
        if length > limit:
            raise BodyRefused(413)
    # Read from the stream, not request.body: Django would refuse big bodies with an
    # exception of its own, and the stream stops at the declared length anyway. The read
    # blocks until the client has sent it all, so it runs in a reader thread we stop waiting
    # for: the slow client gets its 408 and the reader is freed when the server drops the
    # connection. Readers are kept between requests (starting a thread per request cost
    # more than the rest of a status webhook). Behind a proxy that buffers bodies
    # (WEBHOOK_READ_SECONDS = 0) the body is all there, and read in this thread: 15 % less
    # CPU a status webhook.
    seconds = settings.WEBHOOK_READ_SECONDS
    if seconds <= 0:  # a proxy in front buffered the whole body: it is there to be read
        body = _read(request, limit + 1)
    else:
        try:
            body = _readers().submit(_read, request, limit + 1).result(seconds)
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


def _read(request: HttpRequest, size: int) -> bytes | None:
    try:
        return request.read(size)
    except OSError:  # the client went away mid-body
        return None


def webhook_request(request: HttpRequest, body: bytes) -> WebhookRequest:
    """Return the request as adapters see it, with the URL the provider called.

    The URL is rebuilt from ``PUBLIC_URL`` (not from the Host header), so that a signature
    over the URL (Twilio's) still matches behind a proxy or a tunnel.
    """
    query_string = request.META.get("QUERY_STRING", "")
    url = settings.PUBLIC_URL + request.path_info + (f"?{query_string}" if query_string else "")
    form: dict[str, str] = {}
    if body and request.content_type == FORM_CONTENT_TYPE:
        try:
            form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except (UnicodeDecodeError, ValueError):
            raise BodyRefused(400) from None
    return WebhookRequest(
        method=request.method or "",
        url=url,
        headers=dict(request.headers),
        body=body,
        query={key: request.GET.get(key, "") for key in request.GET},
        form=form,
    )
