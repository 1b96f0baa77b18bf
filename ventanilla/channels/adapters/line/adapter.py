"""Translate LINE Messaging API webhooks and calls to and from Ventanilla's types."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

import httpx
import structlog

from ventanilla.channels.adapters.base import (
    Attachment,
    AttachmentKind,
    ChannelConfig,
    ChannelEvent,
    Choice,
    EventKind,
    HandshakeResponse,
    InboundMessage,
    Location,
    MalformedPayload,
    OutboundMessage,
    ParsedWebhook,
    SendError,
    SendResult,
    SignatureError,
    WebhookRequest,
    provider_time,
)
from ventanilla.channels.adapters.logging import log_exchange, log_webhook
from ventanilla.citizens.urns import Scheme

log = structlog.get_logger(__name__)

SIGNATURE_HEADER = "X-Line-Signature"
REAL_DATA_API_BASE = "https://api-data.line.me"
MEDIA_KINDS: dict[str, AttachmentKind] = {
    "image": "image",
    "video": "video",
    "audio": "audio",
    "file": "document",
}
FOLLOW_EVENTS: dict[str, EventKind] = {"follow": "follow", "unfollow": "unfollow"}
MAX_MESSAGES = 5
TEXT_LIMIT = 5000
QUICK_REPLY_LIMIT = 13
LABEL_LIMIT = 20
POSTBACK_DATA_LIMIT = 300
EXPIRED_REPLY_ERROR = "Invalid reply token"
# Namespace for retry keys derived from our own idempotency keys (which need not be UUIDs).
RETRY_KEY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://ventanilla.example/line/retry-key")

Item = InboundMessage | ChannelEvent


class LineAdapter:
    """Speak the LINE Messaging API for one official account."""

    code: ClassVar[str] = "line"
    urn_schemes: ClassVar[tuple[str, ...]] = (Scheme.LINE,)
    required_secrets: ClassVar[tuple[str, ...]] = ("channel_secret", "access_token")
    default_api_base: ClassVar[str] = "https://api.line.me"
    free_form_window: ClassVar[dt.timedelta | None] = None
    segmented_schemes: ClassVar[frozenset[str]] = frozenset()
    redact_keys: ClassVar[frozenset[str]] = frozenset(
        {"channel_secret", "access_token", "replyToken", "reply_token", SIGNATURE_HEADER}
        # who the resident is: their user id (in ``source`` and as ``to``), their profile
        | {"userId", "to", "displayName", "pictureUrl", "statusMessage"}
        # what they wrote or where they are
        | {"text", "title", "address", "latitude", "longitude"}
    )

    def __init__(self, config: ChannelConfig) -> None:
        self.config = config
        real = self.default_api_base
        self._api = (config.api_base or real).rstrip("/")
        default_data = REAL_DATA_API_BASE if self._api == real else self._api
        self._data_api = str(config.options.get("data_api_base") or default_data).rstrip("/")
        self._auth = {"Authorization": f"Bearer {config.secrets.get('access_token', '')}"}

    # -- webhooks ----------------------------------------------------------------------

    def handshake(self, request: WebhookRequest) -> HandshakeResponse:
        """Refuse GET: LINE verifies a webhook with a signed POST of no events."""
        return HandshakeResponse(status=405, body="Method Not Allowed")

    def verify(self, request: WebhookRequest) -> None:
        """Raise SignatureError unless X-Line-Signature is our HMAC of the raw body."""
        secret = self.config.secrets.get("channel_secret", "")
        given = request.header(SIGNATURE_HEADER)
        if not secret or not given:
            raise SignatureError("missing LINE signature")
        if not hmac.compare_digest(given.encode(), signature(secret, request.body).encode()):
            raise SignatureError("bad LINE signature")

    def parse(self, request: WebhookRequest) -> ParsedWebhook:
        """Translate every event of the body; an empty ``events`` list is LINE's verify call."""
        log_webhook(type(self), request, self.config.secrets)
        try:
            body = json.loads(request.body)
            events = body["events"]
            if not isinstance(events, list):
                raise TypeError("events is not a list")
            items = [_parse_event(event) for event in events]
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise MalformedPayload(f"malformed LINE webhook: {exc!r}") from None
        parsed = ParsedWebhook()
        for item in items:
            if isinstance(item, InboundMessage):
                parsed.messages.append(item)
                continue
            if item.kind == "unsupported":
                log.info("line_event_unsupported", name=item.name, event_id=item.provider_event_id)
            parsed.events.append(item)
        return parsed

    def acknowledge(self) -> tuple[int, str, str]:
        """Answer 200: LINE ignores the body."""
        return 200, "application/json", "{}"

    # -- calls -------------------------------------------------------------------------

    def send(self, client: httpx.Client, message: OutboundMessage) -> SendResult:
        """Reply while the token is fresh, else push with an idempotent retry key."""
        messages = _line_messages(message)
        if message.reply_token:
            payload = {"replyToken": message.reply_token, "messages": messages}
            response = self._post(client, "/v2/bot/message/reply", payload)
            if response.status_code == 200:
                return _sent(response)
            if _error_message(response) != EXPIRED_REPLY_ERROR:
                raise _send_error("reply", response)
            log.info("line_reply_token_invalid", fallback="push")
        key = message.idempotency_key
        headers = {"X-Line-Retry-Key": retry_key(key)} if key else {}
        payload = {"to": _user_id(message.urn), "messages": messages}
        response = self._post(client, "/v2/bot/message/push", payload, headers)
        if response.status_code == 409 and headers:  # the same key was accepted before
            accepted = response.headers.get("x-line-accepted-request-id")
            return SendResult(provider_message_id=accepted or _sent(response).provider_message_id)
        if response.status_code != 200:
            raise _send_error("push", response)
        return _sent(response)

    def download(self, client: httpx.Client, attachment: Attachment) -> tuple[bytes, str]:
        """Fetch a resident's image, video, audio or file from the content endpoint."""
        if not attachment.media_ref.isdigit():  # stickers have no content to fetch
            raise SendError("LINE has no content for this", retryable=False, code="no_content")
        url = f"{self._data_api}/v2/bot/message/{attachment.media_ref}/content"
        response = self._request(client, "GET", url)
        if response.status_code == 202:  # video or audio still being prepared
            raise SendError("LINE content not ready", retryable=True, code="202")
        if response.status_code != 200:
            raise _send_error("content", response)
        content_type = response.headers.get("content-type", "").split(";")[0].strip()
        return response.content, content_type or "application/octet-stream"

    def _post(
        self,
        client: httpx.Client,
        path: str,
        payload: dict[str, Any],
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        return self._request(client, "POST", f"{self._api}{path}", json=payload, headers=headers)

    def _request(self, client: httpx.Client, verb: str, url: str, **kwargs: Any) -> httpx.Response:
        """Make one authorised request; turn network failures into a retryable SendError."""
        headers = {**self._auth, **(kwargs.pop("headers", None) or {})}
        try:
            response = client.request(verb, url, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise SendError(type(exc).__name__, retryable=True, code="network") from None
        log_exchange(type(self), response, self.config.secrets)
        return response


def signature(channel_secret: str, body: bytes) -> str:
    """Return the X-Line-Signature of ``body``: base64 of its HMAC-SHA256."""
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def retry_key(idempotency_key: str) -> str:
    """Return ``idempotency_key`` as the UUID LINE wants, deriving one when it is not."""
    try:
        return str(uuid.UUID(idempotency_key))
    except ValueError:
        return str(uuid.uuid5(RETRY_KEY_NAMESPACE, idempotency_key))


# -- parsing ---------------------------------------------------------------------------


def _parse_event(event: Mapping[str, Any]) -> Item:
    kind = str(event["type"])
    event_id = str(event.get("webhookEventId") or "")
    source = event.get("source") or {}
    if source.get("type") != "user":  # no group chats: residents talk to the council 1:1
        name = f"{kind}:{source.get('type')}"
        return ChannelEvent(kind="unsupported", name=name, provider_event_id=event_id)
    urn = f"{Scheme.LINE}:{source['userId']}"
    common: dict[str, Any] = {"urn": urn, "received_at": _timestamp(event)}
    if event.get("mode", "active") == "active":  # in standby another module answers
        common["reply_token"] = str(event.get("replyToken") or "")
    if kind == "message":
        return _parse_message(event["message"], event_id, common)
    if kind == "postback":
        if not event_id:
            raise KeyError("webhookEventId")
        choice = str(event["postback"]["data"])
        return InboundMessage(provider_message_id=event_id, choice=choice, **common)
    if kind in FOLLOW_EVENTS:
        follow = FOLLOW_EVENTS[kind]
        return ChannelEvent(kind=follow, urn=urn, name=kind, provider_event_id=event_id)
    return ChannelEvent(kind="unsupported", urn=urn, name=kind, provider_event_id=event_id)


def _parse_message(message: Mapping[str, Any], event_id: str, common: dict[str, Any]) -> Item:
    message_id, kind = str(message["id"]), str(message["type"])
    if kind == "text":
        return InboundMessage(provider_message_id=message_id, text=str(message["text"]), **common)
    if kind in MEDIA_KINDS:
        filename = str(message.get("fileName") or "")
        attachment = Attachment(kind=MEDIA_KINDS[kind], media_ref=message_id, filename=filename)
        return InboundMessage(provider_message_id=message_id, attachments=(attachment,), **common)
    if kind == "location":
        location = Location(
            latitude=float(message["latitude"]),
            longitude=float(message["longitude"]),
            name=str(message.get("title") or ""),
            address=str(message.get("address") or ""),
        )
        return InboundMessage(provider_message_id=message_id, location=location, **common)
    if kind == "sticker":
        ref = f"sticker:{message['packageId']}:{message['stickerId']}"
        keywords = ", ".join(str(k) for k in message.get("keywords") or ())
        sticker = Attachment(kind="sticker", media_ref=ref, caption=keywords)
        text = str(message.get("text") or "")  # "message stickers" carry typed text
        return InboundMessage(
            provider_message_id=message_id, text=text, attachments=(sticker,), **common
        )
    name = f"message:{kind}"
    return ChannelEvent(
        kind="unsupported", urn=common["urn"], name=name, provider_event_id=event_id
    )


def _timestamp(event: Mapping[str, Any]) -> dt.datetime | None:
    return provider_time(event.get("timestamp"), per_second=1000)


# -- sending ---------------------------------------------------------------------------


def _user_id(urn: str) -> str:
    scheme, _, user_id = urn.partition(":")
    if scheme != Scheme.LINE or not user_id:
        raise SendError(f"not a LINE URN: {scheme}", retryable=False, code="bad_urn")
    return user_id


def _line_messages(message: OutboundMessage) -> list[dict[str, Any]]:
    """Return up to five LINE message objects; quick replies go on the last one."""
    items: list[dict[str, Any]] = []
    if message.attachment and message.attachment.content_type.startswith("image/"):
        url = message.attachment.url
        items.append({"type": "image", "originalContentUrl": url, "previewImageUrl": url})
    elif message.attachment:  # bots cannot send files on LINE: send the link
        label = message.attachment.filename
        items.append({"type": "text", "text": f"{label}\n{message.attachment.url}".strip()})
    text = message.text
    items += [
        {"type": "text", "text": text[i : i + TEXT_LIMIT]} for i in range(0, len(text), TEXT_LIMIT)
    ]
    if message.location:
        items.append(_location_message(message.location))
    if not items:
        code = "template_unsupported" if message.template else "empty"
        raise SendError("nothing LINE can send", retryable=False, code=code)
    if len(items) > MAX_MESSAGES:
        raise SendError("over five LINE messages", retryable=False, code="too_long")
    if message.choices:
        items[-1]["quickReply"] = {"items": _quick_replies(message.choices)}
    return items


def _location_message(location: Location) -> dict[str, Any]:
    fallback = f"{location.latitude:.5f}, {location.longitude:.5f}"
    return {
        "type": "location",
        "title": (location.name or fallback)[:100],
        "address": (location.address or fallback)[:100],
        "latitude": location.latitude,
        "longitude": location.longitude,
    }


def _quick_replies(choices: tuple[Choice, ...]) -> list[dict[str, Any]]:
    if len(choices) > QUICK_REPLY_LIMIT:
        log.warning("line_quick_replies_truncated", choices=len(choices))
    items = []
    for choice in choices[:QUICK_REPLY_LIMIT]:
        if len(choice.id) > POSTBACK_DATA_LIMIT:
            raise SendError("choice id over 300 chars", retryable=False, code="choice_too_long")
        label = choice.label if len(choice.label) <= LABEL_LIMIT else choice.label[:19] + "…"
        action = {"type": "postback", "label": label, "data": choice.id}
        items.append({"type": "action", "action": {**action, "displayText": choice.label[:300]}})
    return items


def _sent(response: httpx.Response) -> SendResult:
    """Return the first sent message id, or the request id on older API versions."""
    body = _json_or_none(response)
    sent = body.get("sentMessages") if isinstance(body, dict) else None
    if sent and isinstance(sent[0], dict) and sent[0].get("id"):
        return SendResult(provider_message_id=str(sent[0]["id"]))
    return SendResult(provider_message_id=response.headers.get("x-line-request-id", ""))


def _send_error(what: str, response: httpx.Response) -> SendError:
    """Map a failed LINE answer to a retryable or permanent SendError."""
    status, message = response.status_code, _error_message(response)
    body = _json_or_none(response)
    details = body.get("details") if isinstance(body, dict) else None
    if details and isinstance(details[0], dict):
        message += f" ({details[0].get('property')}: {details[0].get('message')})"
    reason = f"{what}: {status} {message or response.reason_phrase}"
    if status == 429 and "monthly limit" in message.lower():  # waiting will not help
        return SendError(reason, retryable=False, code="quota")
    if status == 429:
        wait = response.headers.get("retry-after")
        seconds = float(wait) if wait and wait.isdigit() else None
        return SendError(reason, retryable=True, code="429", retry_after=seconds)
    return SendError(reason, retryable=status >= 500, code=str(status))


def _error_message(response: httpx.Response) -> str:
    body = _json_or_none(response)
    return str(body.get("message") or "") if isinstance(body, dict) else ""


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
