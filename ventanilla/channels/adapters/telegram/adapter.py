"""Translate Telegram Bot API webhooks and calls to and from Ventanilla's types.

Every URL of the Bot API carries the bot token, so no URL, request or httpx exception
text leaves this module: errors are rebuilt from the provider's ``description``.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import mimetypes
from collections.abc import Iterator, Mapping
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

WEBHOOK_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes
STOPPED_MARKERS = ("blocked by the user", "user is deactivated")
# Message fields that are envelope, not content: used to name what we cannot handle.
ENVELOPE_KEYS = frozenset(
    {"message_id", "message_thread_id", "from", "sender_chat", "date", "chat", "edit_date"}
    | {"entities", "caption_entities", "reply_to_message", "forward_origin", "via_bot"}
    | {"has_protected_content", "author_signature", "link_preview_options", "reply_markup"}
)
FILE_KINDS: tuple[tuple[str, AttachmentKind], ...] = (
    ("document", "document"),
    ("voice", "audio"),
    ("audio", "audio"),
    ("video", "video"),
    ("video_note", "video"),
    ("sticker", "sticker"),
)

Item = InboundMessage | ChannelEvent


class TelegramAdapter:
    """Speak the Telegram Bot API for one bot."""

    code: ClassVar[str] = "telegram"
    urn_schemes: ClassVar[tuple[str, ...]] = (Scheme.TELEGRAM,)
    required_secrets: ClassVar[tuple[str, ...]] = ("bot_token", "secret_token")
    default_api_base: ClassVar[str] = "https://api.telegram.org"
    free_form_window: ClassVar[dt.timedelta | None] = None
    segmented_schemes: ClassVar[frozenset[str]] = frozenset()
    redact_keys: ClassVar[frozenset[str]] = frozenset(
        {"bot_token", "secret_token", WEBHOOK_HEADER}
        # who the resident is: the user and chat objects, a shared contact
        | {"from", "chat", "chat_id", "chat_instance", "user", "contact", "phone_number"}
        | {"first_name", "last_name", "username"}
        # what they wrote or where they are
        | {"text", "caption", "location", "venue", "reply_to_message"}
    )

    def __init__(self, config: ChannelConfig) -> None:
        self.config = config
        self._api = (config.api_base or self.default_api_base).rstrip("/")
        self._token = config.secrets.get("bot_token", "")

    # -- webhooks ----------------------------------------------------------------------

    def handshake(self, request: WebhookRequest) -> HandshakeResponse:
        """Refuse GET: Telegram has no verification handshake."""
        return HandshakeResponse(status=405, body="Method Not Allowed")

    def verify(self, request: WebhookRequest) -> None:
        """Raise SignatureError unless the secret-token header matches ours."""
        expected = self.config.secrets.get("secret_token", "")
        given = request.header(WEBHOOK_HEADER)
        if not expected or given is None:
            raise SignatureError("missing Telegram secret token")
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise SignatureError("bad Telegram secret token")

    def parse(self, request: WebhookRequest) -> ParsedWebhook:
        """Translate one Update; its ``update_id`` is the idempotency key."""
        log_webhook(type(self), request, self.config.secrets)
        update = _load_object(request.body)
        update_id = update.get("update_id")
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            raise MalformedPayload("update without update_id")
        try:
            item = _parse_update(str(update_id), update)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise MalformedPayload(f"malformed Telegram update: {exc!r}") from None
        parsed = ParsedWebhook()
        if isinstance(item, InboundMessage):
            parsed.messages.append(item)
        else:
            if item.kind == "unsupported":
                log.info("telegram_update_unsupported", name=item.name, update_id=update_id)
            parsed.events.append(item)
        return parsed

    def acknowledge(self) -> tuple[int, str, str]:
        """Answer 200 with an empty body (a JSON body would be read as a method call)."""
        return 200, "text/plain", ""

    # -- calls -------------------------------------------------------------------------

    def send(self, client: httpx.Client, message: OutboundMessage) -> SendResult:
        """Send one message as one or more Bot API calls; return the last message's id.

        Telegram numbers messages per chat, so the id we keep is ``<chat_id>:<message_id>``.
        """
        result: Any = None
        chat_id = _chat_id(message.urn)
        for method, payload in _plan_calls(chat_id, message):
            result = self._call(client, method, payload)
        if not isinstance(result, dict) or "message_id" not in result:
            raise SendError("Telegram returned no message", retryable=False, code="no_result")
        return SendResult(provider_message_id=f"{chat_id}:{result['message_id']}")

    def answer_callback(self, client: httpx.Client, callback_id: str, text: str = "") -> None:
        """Answer a callback query so the resident's button stops spinning."""
        payload: dict[str, Any] = {"callback_query_id": callback_id}
        if text:
            payload["text"] = text
        self._call(client, "answerCallbackQuery", payload)

    def set_webhook(self, client: httpx.Client, url: str) -> None:
        """Point the bot's webhook at ``url``, signed with our secret token."""
        secret = self.config.secrets.get("secret_token", "")
        if not secret:  # verify() refuses every update without one
            raise SendError("channel has no secret_token", retryable=False, code="config")
        payload = {"url": url, "secret_token": secret, "allowed_updates": list(ALLOWED_UPDATES)}
        self._call(client, "setWebhook", payload)

    def download(self, client: httpx.Client, attachment: Attachment) -> tuple[bytes, str]:
        """Resolve the file id with getFile, then fetch the bytes from the file server."""
        info = self._call(client, "getFile", {"file_id": attachment.media_ref}, get=True)
        file_path = info.get("file_path") if isinstance(info, dict) else None
        if not file_path:
            raise SendError("Telegram file is not downloadable", retryable=False, code="no_file")
        response = self._request(client, "GET", f"{self._api}/file/bot{self._token}/{file_path}")
        if response.status_code != 200:
            raise _send_error("file download", response)
        return response.content, _content_type(response, file_path, attachment)

    def _call(
        self, client: httpx.Client, method: str, payload: dict[str, Any], *, get: bool = False
    ) -> Any:
        """Call one Bot API method and return its ``result``; raise SendError on failure."""
        url = f"{self._api}/bot{self._token}/{method}"
        if get:
            response = self._request(client, "GET", url, params=payload)
        else:
            response = self._request(client, "POST", url, json=payload)
        data = _json_or_none(response)
        if response.status_code == 200 and isinstance(data, dict) and data.get("ok") is True:
            return data.get("result")
        raise _send_error(method, response, data)

    def _request(self, client: httpx.Client, verb: str, url: str, **kwargs: Any) -> httpx.Response:
        """Make one HTTP request; turn network failures into a retryable SendError."""
        try:
            response = client.request(verb, url, **kwargs)
        except httpx.HTTPError as exc:
            # str(exc) and the chained traceback may show the URL, which holds the token.
            raise SendError(type(exc).__name__, retryable=True, code="network") from None
        log_exchange(type(self), response, self.config.secrets)
        return response


# -- parsing ---------------------------------------------------------------------------


def _parse_update(update_id: str, update: Mapping[str, Any]) -> Item:
    for key, edited in (("message", False), ("edited_message", True)):
        if key in update:
            return _parse_message(update_id, key, update[key], edited=edited)
    if "callback_query" in update:
        return _parse_callback(update_id, update["callback_query"])
    if "my_chat_member" in update:
        return _parse_membership(update_id, update["my_chat_member"])
    name = next((key for key in update if key != "update_id"), "empty")
    return ChannelEvent(kind="unsupported", name=name, provider_event_id=update_id)


def _parse_message(update_id: str, key: str, message: Mapping[str, Any], *, edited: bool) -> Item:
    chat = message["chat"]
    if chat.get("type") != "private":  # no group chats: residents talk to the council 1:1
        name = f"{key}:{chat.get('type')}"
        return ChannelEvent(kind="unsupported", name=name, provider_event_id=update_id)
    sender = message.get("from") or {}
    caption = str(message.get("caption") or "")
    text = str(message.get("text") or caption)
    attachments = tuple(_attachments(message, caption))
    location = _location(message)
    contact = message.get("contact")
    extra_urns: tuple[str, ...] = ()
    if isinstance(contact, dict):
        text = text or str(contact["phone_number"])
        extra_urns = _own_phone_urn(contact, sender)
    if not (text or attachments or location):
        content = next((k for k in message if k not in ENVELOPE_KEYS), "empty")
        urn, name = _urn(chat["id"]), f"{key}:{content}"
        return ChannelEvent(kind="unsupported", urn=urn, name=name, provider_event_id=update_id)
    stamp = message.get("edit_date") if edited else message.get("date")
    return InboundMessage(
        provider_message_id=update_id,
        urn=_urn(chat["id"]),
        text=text,
        attachments=attachments,
        location=location,
        contact_name=_display_name(sender),
        language_hint=str(sender.get("language_code") or ""),
        received_at=provider_time(stamp),
        edited=edited,
        extra_urns=extra_urns,
    )


def _parse_callback(update_id: str, query: Mapping[str, Any]) -> Item:
    sender = query["from"]
    chat = (query.get("message") or {}).get("chat") or {"id": sender["id"], "type": "private"}
    if chat.get("type") != "private":
        name = f"callback_query:{chat.get('type')}"
        return ChannelEvent(kind="unsupported", name=name, provider_event_id=update_id)
    data = str(query.get("data") or "")
    return InboundMessage(
        provider_message_id=update_id,
        urn=_urn(chat["id"]),
        text=_button_label(query.get("message") or {}, data),
        choice=data,
        callback_id=str(query["id"]),
        contact_name=_display_name(sender),
        language_hint=str(sender.get("language_code") or ""),
    )


def _parse_membership(update_id: str, change: Mapping[str, Any]) -> ChannelEvent:
    """Read a private chat's bot membership: "kicked" means the resident blocked the bot."""
    chat = change["chat"]
    status = change["new_chat_member"]["status"]
    if chat.get("type") == "private" and status in ("kicked", "member"):
        kind: EventKind = "unfollow" if status == "kicked" else "follow"
        urn, name = _urn(chat["id"]), f"my_chat_member:{status}"
        return ChannelEvent(kind=kind, urn=urn, name=name, provider_event_id=update_id)
    return ChannelEvent(kind="unsupported", name="my_chat_member", provider_event_id=update_id)


def _attachments(message: Mapping[str, Any], caption: str) -> Iterator[Attachment]:
    photos = message.get("photo")
    if photos:  # several sizes of one photo, smallest first: keep the largest
        largest = max(photos, key=lambda p: p.get("width", 0) * p.get("height", 0))
        yield Attachment(kind="image", media_ref=str(largest["file_id"]), caption=caption)
    for key, kind in FILE_KINDS:
        item = message.get(key)
        if isinstance(item, dict):
            yield Attachment(
                kind=kind,
                media_ref=str(item["file_id"]),
                content_type=str(item.get("mime_type") or ""),
                filename=str(item.get("file_name") or ""),
                caption=caption,
            )
            return  # an animation also carries "document": one attachment per message


def _location(message: Mapping[str, Any]) -> Location | None:
    venue = message.get("venue") or {}
    point = message.get("location") or venue.get("location")
    if not point:
        return None
    return Location(
        latitude=float(point["latitude"]),
        longitude=float(point["longitude"]),
        name=str(venue.get("title") or ""),
        address=str(venue.get("address") or ""),
    )


def _own_phone_urn(contact: Mapping[str, Any], sender: Mapping[str, Any]) -> tuple[str, ...]:
    """Return a tel: URN when residents share their own number in international form."""
    digits = "".join(ch for ch in str(contact.get("phone_number", "")) if ch.isdigit())
    if contact.get("user_id") != sender.get("id") or not digits or digits.startswith("0"):
        return ()
    return (f"tel:+{digits}",)


def _button_label(message: Mapping[str, Any], data: str) -> str:
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    for row in keyboard:
        for button in row:
            if button.get("callback_data") == data:
                return str(button.get("text") or "")
    return ""


def _display_name(user: Mapping[str, Any]) -> str:
    name = " ".join(str(user[k]) for k in ("first_name", "last_name") if user.get(k))
    return name or (f"@{user['username']}" if user.get("username") else "")


def _urn(chat_id: Any) -> str:
    return f"{Scheme.TELEGRAM}:{int(chat_id)}"


def _load_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise MalformedPayload("body is not JSON") from None
    if not isinstance(data, dict):
        raise MalformedPayload("body is not a JSON object")
    return data


# -- sending ---------------------------------------------------------------------------


def _chat_id(urn: str) -> int:
    scheme, _, value = urn.partition(":")
    if scheme != Scheme.TELEGRAM or not value.lstrip("-").isdigit():
        raise SendError(f"not a Telegram URN: {scheme}", retryable=False, code="bad_urn")
    return int(value)


def _plan_calls(chat_id: int, message: OutboundMessage) -> list[tuple[str, dict[str, Any]]]:
    """Return the Bot API calls for one message; buttons go on the last one."""
    calls: list[tuple[str, dict[str, Any]]] = []
    text = message.text
    if message.attachment:
        is_image = message.attachment.content_type.startswith("image/")
        method, field_name = ("sendPhoto", "photo") if is_image else ("sendDocument", "document")
        payload: dict[str, Any] = {"chat_id": chat_id, field_name: message.attachment.url}
        if text and len(text) <= CAPTION_LIMIT:
            payload["caption"], text = text, ""
        calls.append((method, payload))
    for start in range(0, len(text), TEXT_LIMIT):
        calls.append(
            ("sendMessage", {"chat_id": chat_id, "text": text[start : start + TEXT_LIMIT]})
        )
    if message.location:
        calls.append(_location_call(chat_id, message.location))
    if not calls:
        code = "template_unsupported" if message.template else "empty"
        raise SendError("nothing Telegram can send", retryable=False, code=code)
    if message.choices:
        calls[-1][1]["reply_markup"] = _inline_keyboard(message.choices)
    return calls


def _location_call(chat_id: int, location: Location) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {
        "chat_id": chat_id,
        "latitude": location.latitude,
        "longitude": location.longitude,
    }
    if location.name and location.address:
        return "sendVenue", {**payload, "title": location.name, "address": location.address}
    return "sendLocation", payload


def _inline_keyboard(choices: tuple[Choice, ...]) -> dict[str, Any]:
    for choice in choices:
        if len(choice.id.encode()) > CALLBACK_DATA_LIMIT:
            raise SendError("choice id over 64 bytes", retryable=False, code="choice_too_long")
    rows = [[{"text": choice.label, "callback_data": choice.id}] for choice in choices]
    return {"inline_keyboard": rows}


def _send_error(what: str, response: httpx.Response, data: Any = None) -> SendError:
    """Map a failed Bot API answer to a retryable or permanent SendError."""
    status = response.status_code
    body = data if isinstance(data, dict) else {}
    description = str(body.get("description") or response.reason_phrase)
    code = str(body.get("error_code") or status)
    reason = f"{what}: {description}"
    if status == 429 or code == "429":
        wait = (body.get("parameters") or {}).get("retry_after")
        wait = wait or response.headers.get("retry-after")
        return SendError(reason, retryable=True, code=code, retry_after=_seconds(wait))
    if status >= 500:
        return SendError(reason, retryable=True, code=code)
    stopped = status == 403 and any(m in description.lower() for m in STOPPED_MARKERS)
    return SendError(reason, retryable=False, code=code, resident_stopped=stopped)


def _seconds(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date in Retry-After: let the task's backoff decide


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _content_type(response: httpx.Response, file_path: str, attachment: Attachment) -> str:
    given = str(response.headers.get("content-type", "")).split(";")[0].strip()
    if given and given != "application/octet-stream":
        return given
    guessed = mimetypes.guess_type(file_path)[0]
    return guessed or attachment.content_type or "application/octet-stream"
