"""Facebook Messenger (Messenger Platform, Meta Graph API): webhooks in, Send API out.

The webhook family is WhatsApp's: a ``GET`` subscription handshake with ``hub.challenge``
and every ``POST`` signed with ``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body with the
app secret). The payload is the Messenger Platform's own::

    {"object": "page", "entry": [{"id": PAGE_ID, "time": ..., "messaging": [
        {"sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "timestamp": ...,
         "message": {"mid": ..., "text": ..., "quick_reply": {"payload": ...},
                     "attachments": [{"type": "image", "payload": {"url": ...}}]}}]}]}

Other ``messaging[]`` items: ``postback`` (a button), ``delivery`` (``mids``), ``read``
(``watermark``; Instagram names the ``mid``), echoes of our own sends (``is_echo``). Residents
are ``messenger:<PSID>`` (the page-scoped id). Sending is ``POST /{version}/me/messages``
with the page access token, ``recipient.id`` and ``messaging_type`` ``RESPONSE``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, ClassVar, cast

import httpx
import structlog

from ventanilla.channels.adapters.base import (
    Attachment,
    AttachmentKind,
    ChannelConfig,
    ChannelEvent,
    HandshakeResponse,
    InboundMessage,
    Location,
    MalformedPayload,
    OutboundMessage,
    ParsedWebhook,
    SendError,
    SendResult,
    StatusUpdate,
    WebhookRequest,
    provider_time,
)
from ventanilla.channels.adapters.logging import log_exchange, log_webhook
from ventanilla.channels.adapters.meta import meta_handshake, verify_meta_signature
from ventanilla.citizens.urns import Scheme

log = structlog.get_logger(__name__)

DEFAULT_GRAPH_VERSION = "v21.0"
#: Meta's attachment types and ours (``file`` is a document; ``ig_reel``/``share`` are links)
ATTACHMENT_TYPES: dict[str, AttachmentKind] = {
    "image": "image",
    "video": "video",
    "audio": "audio",
    "file": "document",
    "sticker": "sticker",
}
#: quick replies: at most 13, titles of at most 20 characters
MAX_QUICK_REPLIES, MAX_QUICK_REPLY_TITLE = 13, 20
MAX_TEXT = 2000
#: error codes Meta uses for rate limits
THROTTLE_CODES = {"4", "17", "32", "613"}
#: the resident cannot be reached any more (blocked the page, account gone)
UNREACHABLE_SUBCODES = {"2018108", "1545041"}


class MetaMessagingAdapter:
    """What Messenger and Instagram messaging share: the wire format, signature and Send API."""

    code: ClassVar[str]
    urn_schemes: ClassVar[tuple[str, ...]]
    #: the webhook's ``object``: ``page`` for Messenger, ``instagram`` for Instagram
    webhook_object: ClassVar[str]
    required_secrets: ClassVar[tuple[str, ...]] = (
        "page_id",
        "access_token",
        "app_secret",
        "verify_token",
    )
    default_api_base: ClassVar[str] = "https://graph.facebook.com"
    # Meta keeps a 24-hour standard messaging window here too; outside it the Send API refuses
    # with a final error (no templates to reopen it: message tags are not supported yet).
    free_form_window: ClassVar[dt.timedelta | None] = None
    segmented_schemes: ClassVar[frozenset[str]] = frozenset()
    redact_keys: ClassVar[frozenset[str]] = frozenset(
        {"access_token", "app_secret", "verify_token", "hub.verify_token", "Authorization"}
        | {"sender", "recipient", "recipient_id", "id", "name", "username"}
        | {"text", "title", "payload", "url", "coordinates"}
    )

    def __init__(self, config: ChannelConfig) -> None:
        self.config = config
        self.version = str(config.options.get("graph_version") or DEFAULT_GRAPH_VERSION)

    # -- webhooks ----------------------------------------------------------------------

    def handshake(self, request: WebhookRequest) -> HandshakeResponse:
        """Echo ``hub.challenge`` when Meta subscribes with our verify token."""
        return meta_handshake(request, self.config.secrets.get("verify_token", ""))

    def verify(self, request: WebhookRequest) -> None:
        """Check ``X-Hub-Signature-256`` against the raw body and the app secret."""
        verify_meta_signature(request, self.config.secrets.get("app_secret", ""))

    def parse(self, request: WebhookRequest) -> ParsedWebhook:
        """Translate every entry's ``messaging[]``; skip repeats and our own echoes."""
        log_webhook(type(self), request, self.config.secrets)
        data = _load(request.body)
        if data.get("object") != self.webhook_object:
            raise MalformedPayload(f"not a {self.code} notification")
        parsed = ParsedWebhook()
        seen: set[tuple[str, str]] = set()
        for entry in data["entry"]:
            items = entry.get("messaging") if isinstance(entry, dict) else None
            if items is None:
                # a change of another field (feed, mentions...) we are not subscribed for
                for change in (entry.get("changes") if isinstance(entry, dict) else None) or []:
                    name = str((change or {}).get("field") or "unknown")
                    parsed.events.append(ChannelEvent(kind="unsupported", name=name))
                continue
            if not isinstance(items, list):
                raise MalformedPayload("messaging is not a list")
            for raw in items:
                self._item(raw, parsed, seen)
        return parsed

    def _item(self, raw: Any, parsed: ParsedWebhook, seen: set[tuple[str, str]]) -> None:
        if not isinstance(raw, dict):
            raise MalformedPayload("messaging item is not an object")
        sender = str((raw.get("sender") or {}).get("id") or "")
        at = provider_time(raw.get("timestamp"))
        urn = f"{self.urn_schemes[0]}:{sender}" if sender else ""
        if isinstance(raw.get("message"), dict):
            message = raw["message"]
            if message.get("is_echo"):
                return  # our own send, told back to us
            if not sender:
                raise MalformedPayload("message without sender")
            item = _message(message, urn, at)
            key = ("message", item.provider_message_id)
            if key not in seen:
                seen.add(key)
                parsed.messages.append(item)
            return
        if isinstance(raw.get("postback"), dict):
            postback = raw["postback"]
            if not sender:
                raise MalformedPayload("postback without sender")
            mid = str(postback.get("mid") or f"postback-{sender}-{raw.get('timestamp')}")
            choice = InboundMessage(
                provider_message_id=mid,
                urn=urn,
                text=str(postback.get("title") or ""),
                choice=str(postback.get("payload") or ""),
                received_at=at,
            )
            if ("message", mid) not in seen:
                seen.add(("message", mid))
                parsed.messages.append(choice)
            return
        if isinstance(raw.get("delivery"), dict):
            for mid in raw["delivery"].get("mids") or []:
                self._status(parsed, seen, str(mid), "delivered", at)
            return
        if isinstance(raw.get("read"), dict):
            read = raw["read"]
            if read.get("mid"):  # Instagram names the message
                self._status(parsed, seen, str(read["mid"]), "read", at)
            else:  # Messenger gives a watermark: everything before it was read
                watermark = str(read.get("watermark") or "")
                parsed.events.append(
                    ChannelEvent(
                        kind="unsupported",
                        urn=urn,
                        name="read.watermark",
                        provider_event_id=f"read-{sender}-{watermark}"[:200],
                    )
                )
            return
        name = next((key for key in raw if key not in ("sender", "recipient", "timestamp")), "")
        log.info("meta_unsupported_event", provider=self.code, name=name)
        parsed.events.append(ChannelEvent(kind="unsupported", urn=urn, name=name or "unknown"))

    @staticmethod
    def _status(
        parsed: ParsedWebhook,
        seen: set[tuple[str, str]],
        mid: str,
        status: str,
        at: dt.datetime | None,
    ) -> None:
        if (mid, status) not in seen:
            seen.add((mid, status))
            parsed.statuses.append(
                StatusUpdate(provider_message_id=mid, status=cast(Any, status), at=at)
            )

    def acknowledge(self) -> tuple[int, str, str]:
        """Answer 200 at once: Meta re-delivers anything else."""
        return 200, "text/plain", "EVENT_RECEIVED"

    # -- sending -----------------------------------------------------------------------

    def send(self, client: httpx.Client, message: OutboundMessage) -> SendResult:
        """POST one message to ``/{version}/me/messages`` as a reply (``RESPONSE``)."""
        scheme, _, recipient = message.urn.partition(":")
        if scheme != self.urn_schemes[0] or not recipient:
            raise SendError(f"not a {self.code} URN: {scheme}", retryable=False)
        payload = {
            "recipient": {"id": recipient},
            "messaging_type": "RESPONSE",
            "message": _content(message),
        }
        url = "/".join([self.config.api_base.rstrip("/"), self.version, "me", "messages"])
        try:
            response = client.post(url, json=payload, headers=self._auth())
        except httpx.HTTPError as exc:
            raise SendError(f"connection failed: {type(exc).__name__}", retryable=True) from exc
        log_exchange(type(self), response, self.config.secrets)
        if response.is_success:
            try:
                return SendResult(provider_message_id=str(response.json()["message_id"]))
            except (ValueError, KeyError, TypeError) as exc:
                raise SendError("unparseable response", retryable=False) from exc
        raise _send_error(response)

    def download(self, client: httpx.Client, attachment: Attachment) -> tuple[bytes, str]:
        """Fetch the attachment's CDN URL (it carries its own signature)."""
        response = client.get(attachment.media_ref, follow_redirects=True)
        log_exchange(type(self), response, self.config.secrets)
        response.raise_for_status()
        mime = response.headers.get("content-type", "").split(";")[0]
        return response.content, mime or attachment.content_type

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.config.secrets.get('access_token', '')}"}


class MessengerAdapter(MetaMessagingAdapter):
    """Translate Messenger webhooks and sends."""

    code: ClassVar[str] = "messenger"
    urn_schemes: ClassVar[tuple[str, ...]] = (Scheme.MESSENGER,)
    webhook_object: ClassVar[str] = "page"


# -- inbound translation ---------------------------------------------------------------


def _load(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise MalformedPayload("body is not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("entry"), list):
        raise MalformedPayload("not a Messenger Platform notification")
    return data


def _message(message: dict[str, Any], urn: str, at: dt.datetime | None) -> InboundMessage:
    mid = message.get("mid")
    if not mid:
        raise MalformedPayload("message without mid")
    attachments: list[Attachment] = []
    location = None
    links: list[str] = []
    for raw in message.get("attachments") or []:
        if not isinstance(raw, dict):
            raise MalformedPayload("bad attachment")
        kind, body = raw.get("type", ""), raw.get("payload") or {}
        if kind == "location" and isinstance(body.get("coordinates"), dict):
            point = body["coordinates"]
            try:
                location = Location(latitude=float(point["lat"]), longitude=float(point["long"]))
            except (KeyError, TypeError, ValueError) as exc:
                raise MalformedPayload("bad location") from exc
        elif kind in ATTACHMENT_TYPES and body.get("url"):
            attachments.append(Attachment(kind=ATTACHMENT_TYPES[kind], media_ref=str(body["url"])))
        elif body.get("url"):  # a shared post, reel or link: kept as its address
            links.append(str(body["url"]))
    quick = message.get("quick_reply") or {}
    text = "\n".join(part for part in [str(message.get("text") or ""), *links] if part)
    return InboundMessage(
        provider_message_id=str(mid),
        urn=urn,
        text=text,
        attachments=tuple(attachments),
        location=location,
        choice=str(quick.get("payload") or "") if isinstance(quick, dict) else "",
        received_at=at,
    )


# -- outbound translation --------------------------------------------------------------


def _content(message: OutboundMessage) -> dict[str, Any]:
    """Return the Send API's ``message``: text with quick replies, or an attachment."""
    text = message.text
    quick = [{"content_type": "text", "title": c.label, "payload": c.id} for c in message.choices]
    fits = len(quick) <= MAX_QUICK_REPLIES and all(
        len(c.label) <= MAX_QUICK_REPLY_TITLE for c in message.choices
    )
    if message.choices and not fits:
        lines = [f"{n}. {c.label}" for n, c in enumerate(message.choices, start=1)]
        text, quick = "\n".join(part for part in [text, *lines] if part), []
    if message.location is not None and not text:
        loc = message.location
        text = f"https://www.openstreetmap.org/?mlat={loc.latitude}&mlon={loc.longitude}"
    if message.attachment is not None and not text:
        kind = message.attachment.content_type.split("/", 1)[0]
        kind = kind if kind in ("image", "video", "audio") else "file"
        payload = {"url": message.attachment.url, "is_reusable": True}
        return {"attachment": {"type": kind, "payload": payload}}
    if message.attachment is not None:
        text = f"{text}\n{message.attachment.url}"
    if message.template is not None and not text:
        text = " ".join(message.template.parameters)
    if not text:
        raise SendError("nothing to send", retryable=False)
    body: dict[str, Any] = {"text": text[:MAX_TEXT]}
    if quick:
        body["quick_replies"] = quick
    return body


def _send_error(response: httpx.Response) -> SendError:
    """Classify a Graph error: throttling and 5xx are retried, the rest are final."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    error = error if isinstance(error, dict) else {}
    code = str(error.get("code") or response.status_code)
    subcode = str(error.get("error_subcode") or "")
    reason = f"{code} {error.get('message') or response.reason_phrase}"
    if response.status_code == 429 or code in THROTTLE_CODES:
        return SendError(reason, retryable=True, code=code)
    return SendError(
        reason,
        retryable=response.status_code >= 500,
        code=code,
        resident_stopped=subcode in UNREACHABLE_SUBCODES,
    )
