"""Webhook receiver: one view for every provider, ``/hooks/<provider>/<channel-id>/``.

The view only reads the request, asks the channel's adapter to verify and parse it, hands
the result to ``conversations.inbound.receive`` and answers what the provider expects. Bad input
gets a 4xx answer, never a 500: 404 unknown or inactive channel, 405 wrong method, 413 body
over ``WEBHOOK_MAX_BYTES``, 403 bad signature (nothing stored), 400 malformed body.
"""

from __future__ import annotations

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

from ventanilla.channels.adapters import UnknownProvider, adapter_for
from ventanilla.channels.adapters.base import SignatureError, WebhookError, WebhookRequest
from ventanilla.channels.models import Channel
from ventanilla.conversations import inbound

log = structlog.get_logger(__name__)

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


class BodyRefused(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@csrf_exempt
def receive(request: HttpRequest, provider: str, channel_id: int) -> HttpResponse:
    """Verify, parse and store one provider webhook; answer as the provider expects."""
    channel = (
        Channel.objects.select_related("council")
        .filter(pk=channel_id, provider=provider, active=True)
        .first()
    )
    if channel is None:
        return HttpResponseNotFound()
    try:
        adapter = adapter_for(channel)
    except UnknownProvider:
        return HttpResponseNotFound()
    context = {"channel": channel.pk, "provider": provider}
    if request.method == "GET":
        answer = adapter.handshake(webhook_request(request, b""))
        return HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        body = read_body(request)
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
    except Exception:  # an adapter that trips over odd input must not answer 500
        log.exception("webhook_parse_error", **context)
        return HttpResponseBadRequest()
    received = inbound.receive(channel=channel, parsed=parsed)
    log.debug(
        "webhook_received",
        stored=len(received.stored),
        duplicates=received.duplicates,
        statuses=received.statuses,
        events=received.events,
        **context,
    )
    status, content_type, text = adapter.acknowledge()
    return HttpResponse(text, status=status, content_type=content_type)


def read_body(request: HttpRequest) -> bytes:
    """Return the raw body; raise BodyRefused(413) past the limit, declared or actual."""
    limit = settings.WEBHOOK_MAX_BYTES
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared:
        try:
            length = int(declared)
        except ValueError:
            raise BodyRefused(400) from None
        if length > limit:
            raise BodyRefused(413)
    # Read from the stream, not request.body: Django would refuse big bodies with an
    # exception of its own, and the stream stops at the declared length anyway.
    body = request.read(limit + 1)
    if len(body) > limit:
        raise BodyRefused(413)
    return body


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
