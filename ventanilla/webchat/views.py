"""The web chat's pages: the chat, the resident's posts and their live stream of answers.

The chat page sets the browser token (``identity``); the post and the stream accept only a
valid token and only ever touch that visitor's own conversation. Posts are JSON answers to
the page's script, which sends the header ``X-Webchat: 1``: a cross-site form cannot set it
and a cross-site script may not (no CORS), which is what protects these posts instead of
the CSRF cookie (a chat framed on a council's site may not receive that cookie).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import structlog
from django.conf import settings
from django.db import connection
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.multipartparser import MultiPartParserError
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ventanilla.channels.adapters.base import MalformedPayload
from ventanilla.channels.adapters.webchat.adapter import image_type
from ventanilla.channels.models import Channel
from ventanilla.core import throttle
from ventanilla.core.client_address import client_address
from ventanilla.core.councils import council_for_request
from ventanilla.core.models import Council
from ventanilla.inbox import live
from ventanilla.webchat import identity, selectors, services

log = structlog.get_logger(__name__)

CLIENT_HEADER = "X-Webchat"


def _council(request: HttpRequest) -> Council:
    slug = request.GET.get("council", "")
    council = Council.objects.filter(slug=slug).first() if slug else council_for_request(request)
    if council is None:
        raise Http404(_("No council is configured."))
    return council


def _channel(request: HttpRequest) -> Channel:
    channel = selectors.chat_channel(_council(request))
    if channel is None:
        raise Http404(_("This council has no web chat."))
    return channel


def _visitor(request: HttpRequest) -> str | None:
    return identity.visitor_from(request.COOKIES.get(identity.COOKIE_NAME))


def _refuse(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _too_large(limit: int) -> JsonResponse:
    return _refuse(
        413,
        _("The photo is too large (at most %(size)s).") % {"size": filesizeformat(limit)},
    )


def _set_token(request: HttpRequest, response: HttpResponse, visitor: str) -> None:
    secure = request.is_secure()
    response.set_cookie(
        identity.COOKIE_NAME,
        identity.sign(visitor),
        max_age=identity.COOKIE_MAX_AGE,
        httponly=True,
        secure=secure,
        # framed on a council's own site the chat is a third party: only a secure cookie
        # may be sent there; on plain http (a laptop demo) the chat works on its own pages
        samesite="None" if secure else "Lax",
        path=reverse("webchat:chat"),
    )


@never_cache
@require_GET
@xframe_options_exempt
def chat(request: HttpRequest) -> HttpResponse:
    """The chat page (also what the embeddable script opens in a frame)."""
    channel = _channel(request)
    visitor = _visitor(request)
    language = request.GET.get("lang", "")
    if language in dict(settings.LANGUAGES):  # the embedding site's language
        translation.activate(language)
        request.LANGUAGE_CODE = language
    query = {"council": request.GET["council"]} if request.GET.get("council") else {}
    suffix = f"?{urlencode(query)}" if query else ""
    response = TemplateResponse(
        request,
        "webchat/chat.html",
        {
            "council": channel.council,
            "embedded": request.GET.get("embed") == "1",
            "post_url": reverse("webchat:post") + suffix,
            "stream_url": reverse("webchat:stream") + suffix,
            "tiles_url": settings.TILES_URL,
            "max_photo_bytes": settings.WEBCHAT_MAX_PHOTO_BYTES,
            "privacy_url": reverse("portal:privacy"),
            **map_view(channel.council),
        },
    )
    # the one page a council may frame on its own site (django-csp reads this attribute)
    response._csp_replace = {"frame-ancestors": frame_ancestors()}  # type: ignore[attr-defined]
    if visitor is None:
        _set_token(request, response, identity.new_visitor())
    return response


@csrf_exempt
@never_cache
@require_POST
def post(request: HttpRequest) -> HttpResponse:
    """Take one message from the resident's page: text, a choice, a place and/or a photo."""
    if request.headers.get(CLIENT_HEADER) != "1":
        return _refuse(400, _("This address is for the chat page only."))
    visitor = _visitor(request)
    if visitor is None:
        return _refuse(403, _("Your chat session is not valid. Reload the page to start again."))
    limit = settings.WEBCHAT_MAX_PHOTO_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _refuse(400, _("The message could not be read."))
    if declared > limit + 64 * 1024:  # the photo plus room for the text and the form
        return _too_large(limit)
    channel = _channel(request)
    address = client_address(request)
    limit_per_hour = settings.WEBCHAT_POSTS_PER_HOUR
    if not (
        throttle.hit(
            scope="webchat_visitor", client=visitor, limit=limit_per_hour, window_seconds=3600
        )
        and throttle.hit(
            scope="webchat_address", client=address, limit=limit_per_hour * 5, window_seconds=3600
        )
    ):
        log.info("webchat_post_throttled", channel=channel.pk)
        return _refuse(429, _("Too many messages in a short time. Please wait a few minutes."))
    try:
        upload = request.FILES.get("photo")
        fields = {
            key: request.POST.get(key, "")
            for key in ("client_id", "text", "choice", "latitude", "longitude")
        }
    except MultiPartParserError:
        return _refuse(400, _("The message could not be read."))
    photo: bytes | None = None
    photo_type = ""
    if upload is not None:
        if upload.size is None or upload.size > limit:
            return _too_large(limit)
        photo = upload.read(limit + 1)
        photo_type = image_type(photo[:16])
        if len(photo) > limit:
            return _too_large(limit)
        if not photo_type:
            return _refuse(400, _("Only photos can be sent (JPEG, PNG, GIF or WebP)."))
    try:
        posted = services.post_from_browser(
            channel=channel,
            urn=identity.urn_for(visitor),
            fields=fields,
            photo=photo,
            photo_type=photo_type,
            language=get_language() or "",
        )
    except MalformedPayload as error:
        log.info("webchat_post_refused", reason=str(error), channel=channel.pk)
        return _refuse(400, _("The message could not be read."))
    except services.ChatRefused:
        return _refuse(400, _("The message could not be stored. Please try again."))
    return JsonResponse(
        {"id": posted.message_id, "duplicate": posted.duplicate},
        status=200 if posted.duplicate else 201,
    )


@never_cache
@require_GET
def stream(request: HttpRequest) -> HttpResponseBase:
    """Stream the resident's own conversation (server-sent events): history, then news."""
    visitor = _visitor(request)
    if visitor is None:
        return _refuse(403, _("Your chat session is not valid. Reload the page to start again."))
    channel = _channel(request)
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after") or "0"
    try:
        after = max(0, int(raw))
    except ValueError:
        after = 0
    response = StreamingHttpResponse(
        conversation_events(channel=channel, urn=identity.urn_for(visitor), after=after),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def conversation_events(
    *,
    channel: Channel,
    urn: str,
    after: int,
    source: live.LiveHub | live.PollingSource | None = None,
    seconds: float | None = None,
) -> Iterator[str]:
    """Yield one resident's messages after ``after`` as server-sent events, for a while.

    It waits on the inbox's live hub (one poller per process, no database connection held
    while waiting) and, when a message event of this council comes, reads this
    conversation's messages again: only this conversation is ever read. What it sends of
    the council's messages is marked delivered.
    """
    source = source or live.default_source()
    seconds = live.STREAM_SECONDS if seconds is None else seconds
    yield "retry: 1000\n\n"
    live.open_streams.add(1)
    seq = source.subscribe()
    try:
        deadline = time.monotonic() + seconds
        fresh = True
        conversation: int | None = None
        while True:
            if fresh:
                conversation = conversation or selectors.conversation_id(
                    channel_id=channel.pk, urn=urn
                )
                if conversation is not None:
                    shown = selectors.messages_after(conversation_id=conversation, after=after)
                    for message in shown:
                        after = message.pk
                        item = json.dumps(selectors.as_browser_item(message))
                        yield f"id: {message.pk}\nevent: message\ndata: {item}\n\n"
                    services.mark_delivered(channel=channel, messages=shown)
                if not connection.in_atomic_block:
                    connection.close()  # wait without a database connection
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            seq, items = source.wait(seq, timeout=min(live.KEEPALIVE_SECONDS, remaining))
            fresh = any(i.council_id == channel.council_id and i.kind == "message" for i in items)
            if not items:
                yield ": keepalive\n\n"
    finally:
        source.unsubscribe()
        live.open_streams.add(-1)


def map_view(council: Council) -> dict[str, str]:
    """Where the pin map opens: around the council's located cases, else all of Spain."""
    centre = selectors.map_centre(council)
    if centre is None:
        return {"centre": "40.41680,-3.70380", "zoom": "6"}
    return {"centre": f"{centre[0]:.5f},{centre[1]:.5f}", "zoom": "15"}


def frame_ancestors() -> list[str]:
    """Return the sites that may frame the chat: ours and ``WEBCHAT_EMBED_ORIGINS``."""
    return ["'self'", *settings.WEBCHAT_EMBED_ORIGINS]
