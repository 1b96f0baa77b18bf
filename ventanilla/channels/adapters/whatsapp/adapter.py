"""WhatsApp Business Cloud API (Meta Graph API): webhooks in, messages out.

Residents are ``whatsapp:<wa_id>`` (the phone digits without ``+``) or, when they hide their
number behind a username, ``whatsapp:user:<business-scoped user id>``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any, ClassVar, Literal, cast

import httpx
import structlog
from django.utils.translation import gettext

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
MEDIA_TYPES = {"image", "document", "audio", "video", "sticker", "voice"}
STATUSES = {"sent", "delivered", "read", "failed"}
#: error codes Meta uses for app, account, throughput and pair rate limits
THROTTLE_CODES = {"4", "613", "80007", "130429", "131048", "131056", "133016"}
MAX_BUTTONS, MAX_BUTTON_TITLE = 3, 20
MAX_ROWS, MAX_ROW_TITLE = 10, 24
MAX_INTERACTIVE_BODY = 1024


class WhatsAppAdapter:
    """Translate WhatsApp Cloud API webhooks and sends."""

    code: ClassVar[str] = "whatsapp"
    urn_schemes: ClassVar[tuple[str, ...]] = (Scheme.WHATSAPP,)
    required_secrets: ClassVar[tuple[str, ...]] = (
        "phone_number_id",
        "access_token",
        "app_secret",
        "verify_token",
    )
    default_api_base: ClassVar[str] = "https://graph.facebook.com"
    #: Meta's customer-service window: after it, only approved templates are delivered
    free_form_window: ClassVar[dt.timedelta | None] = dt.timedelta(hours=24)
    segmented_schemes: ClassVar[frozenset[str]] = frozenset()
    redact_keys: ClassVar[frozenset[str]] = frozenset(
        # the secrets, the verify token as it arrives in the handshake query, the header
        {"access_token", "app_secret", "verify_token", "hub.verify_token", "Authorization"}
        # who the resident is: number (``input`` in send answers), username id, profile name
        | {"from", "to", "input", "wa_id", "from_user_id", "user_id", "recipient", "recipient_id"}
        | {"profile", "name", "formatted_name", "phones", "phone", "username"}
        # what they wrote or where they are
        | {"body", "text", "caption", "title", "latitude", "longitude", "address"}
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
        """Translate every entry and change; skip ids repeated within the request."""
        log_webhook(type(self), request, self.config.secrets)
        parsed = ParsedWebhook()
        seen: set[tuple[str, str]] = set()
        for value in _change_values(_load(request.body), parsed):
            contacts = value.get("contacts") or []
            for raw in value.get("messages") or []:
                item = _message(raw, contacts)
                if isinstance(item, ChannelEvent):
                    log.info("whatsapp_unsupported_event", name=item.name)
                    parsed.events.append(item)
                elif ("message", item.provider_message_id) not in seen:
                    seen.add(("message", item.provider_message_id))
                    parsed.messages.append(item)
            for raw in value.get("statuses") or []:
                status = _status(raw)
                if isinstance(status, ChannelEvent):
                    log.info("whatsapp_unsupported_event", name=status.name)
                    parsed.events.append(status)
                elif (status.provider_message_id, status.status) not in seen:
                    seen.add((status.provider_message_id, status.status))
                    parsed.statuses.append(status)
        return parsed

    def acknowledge(self) -> tuple[int, str, str]:
        """Answer 200 at once: Meta re-delivers anything else for days."""
        return 200, "text/plain", "OK"

    # -- sending -----------------------------------------------------------------------

    def send(self, client: httpx.Client, message: OutboundMessage) -> SendResult:
        """POST one message to ``/{version}/{phone_number_id}/messages``."""
        url = self._url(self.config.secrets.get("phone_number_id", ""), "messages")
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual"}
        payload |= _recipient(message.urn) | self._content(message)
        try:
            response = client.post(url, json=payload, headers=self._auth())
        except httpx.HTTPError as exc:
            raise SendError(f"connection failed: {type(exc).__name__}", retryable=True) from exc
        log_exchange(type(self), response, self.config.secrets)
        if response.is_success:
            try:
                return SendResult(provider_message_id=response.json()["messages"][0]["id"])
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                raise SendError("unparseable response", retryable=False) from exc
        raise _send_error(response)

    def download(self, client: httpx.Client, attachment: Attachment) -> tuple[bytes, str]:
        """Resolve the media id to a short-lived URL and fetch it with the same token.

        Raise ``httpx.HTTPError`` when either step fails.
        """
        meta = client.get(self._url(attachment.media_ref), headers=self._auth())
        log_exchange(type(self), meta, self.config.secrets)
        meta.raise_for_status()
        info = meta.json()
        if not isinstance(info, dict) or not info.get("url"):
            raise httpx.DecodingError("no url in the media metadata", request=meta.request)
        content = client.get(info["url"], headers=self._auth(), follow_redirects=True)
        log_exchange(type(self), content, self.config.secrets)
        content.raise_for_status()
        mime = info.get("mime_type") or content.headers.get("content-type", "")
        return content.content, mime or attachment.content_type

    def _url(self, *parts: str) -> str:
        return "/".join([self.config.api_base.rstrip("/"), self.version, *parts])

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.config.secrets.get('access_token', '')}"}

    def _content(self, message: OutboundMessage) -> dict[str, Any]:
        """Return the ``type`` and its object for the richest form the message allows."""
        if message.template is not None:
            template = message.template
            body: dict[str, Any] = {
                "name": template.name,
                "language": {"policy": "deterministic", "code": template.language},
            }
            if template.parameters:
                params = [{"type": "text", "text": p} for p in template.parameters]
                body["components"] = [{"type": "body", "parameters": params}]
            return {"type": "template", "template": body}
        if message.location is not None:
            loc = message.location
            place: dict[str, Any] = {"latitude": loc.latitude, "longitude": loc.longitude}
            place |= {k: v for k, v in (("name", loc.name), ("address", loc.address)) if v}
            return {"type": "location", "location": place}
        if message.choices:
            interactive = self._interactive(message)
            if interactive is not None:
                return {"type": "interactive", "interactive": interactive}
        text = _numbered(message)
        if message.attachment is not None:
            return _media(message, text)
        if not text:
            raise SendError("nothing to send", retryable=False)
        return {"type": "text", "text": {"body": text, "preview_url": False}}

    def _interactive(self, message: OutboundMessage) -> dict[str, Any] | None:
        """Return reply buttons or a list when the choices fit, else None."""
        choices, text = message.choices, message.text
        if not text or len(text) > MAX_INTERACTIVE_BODY:
            return None
        longest = max(len(c.label) for c in choices)
        header = _header(message)  # buttons can carry an image, video or document on top
        action: dict[str, Any]
        if len(choices) <= MAX_BUTTONS and longest <= MAX_BUTTON_TITLE and header is not False:
            buttons = [{"type": "reply", "reply": {"id": c.id, "title": c.label}} for c in choices]
            action = {"buttons": buttons}
            result = {"type": "button", "body": {"text": text}, "action": action}
            return result | ({"header": header} if header else {})
        if len(choices) <= MAX_ROWS and longest <= MAX_ROW_TITLE and message.attachment is None:
            label = str(self.config.options.get("list_button") or gettext("Options"))
            rows = [{"id": c.id, "title": c.label} for c in choices]
            action = {"button": label[:MAX_BUTTON_TITLE], "sections": [{"rows": rows}]}
            return {"type": "list", "body": {"text": text}, "action": action}
        return None


# -- inbound translation ---------------------------------------------------------------


def _load(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise MalformedPayload("body is not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("entry"), list):
        raise MalformedPayload("not a WhatsApp notification")
    return data


def _change_values(data: dict[str, Any], parsed: ParsedWebhook) -> Iterator[dict[str, Any]]:
    """Yield each ``messages`` change's value; name every other field as unsupported."""
    for entry in data["entry"]:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            raise MalformedPayload("entry without changes")
        for change in changes:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                raise MalformedPayload("change without value")
            if change.get("field") != "messages":
                name = str(change.get("field") or "unknown")
                log.info("whatsapp_unsupported_event", name=name)
                parsed.events.append(ChannelEvent(kind="unsupported", name=name))
                continue
            for error in value.get("errors") or []:
                log.warning("whatsapp_webhook_error", code=error.get("code"))
            yield value


def _message(raw: Any, contacts: list[dict[str, Any]]) -> InboundMessage | ChannelEvent:
    """Translate one ``messages[]`` element; a type we do not handle becomes an event."""
    if not isinstance(raw, dict) or not raw.get("id"):
        raise MalformedPayload("message without id")
    phone, user_id = raw.get("from", ""), raw.get("from_user_id", "")
    contact = _contact(contacts, phone, user_id)
    user_id = user_id or contact.get("user_id", "")
    if not phone and not user_id:
        raise MalformedPayload("message without sender")
    urns = [f"{Scheme.WHATSAPP}:{phone}"] if phone else []
    urns += [f"{Scheme.WHATSAPP}:user:{user_id}"] if user_id else []
    kind = raw.get("type", "")
    common = {
        "provider_message_id": raw["id"],
        "urn": urns[0],
        "extra_urns": tuple(urns[1:]),
        "contact_name": (contact.get("profile") or {}).get("name", ""),
        "received_at": _timestamp(raw.get("timestamp")),
    }
    try:
        content = _content(kind, raw.get(kind) or {})
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise MalformedPayload(f"bad {kind} message") from exc
    if content is None:
        sub = (raw.get(kind) or {}).get("type", "") if kind == "interactive" else ""
        name = f"{kind}.{sub}" if sub else kind
        return ChannelEvent(
            kind="unsupported", urn=urns[0], name=name or "unknown", provider_event_id=raw["id"]
        )
    return InboundMessage(**common, **content)


def _contact(contacts: list[dict[str, Any]], phone: str, user_id: str) -> dict[str, Any]:
    for contact in contacts:
        if (phone and contact.get("wa_id") == phone) or (
            user_id and contact.get("user_id") == user_id
        ):
            return contact
    return contacts[0] if len(contacts) == 1 else {}


def _content(kind: str, body: dict[str, Any]) -> dict[str, Any] | None:
    """Return InboundMessage fields for one message type, or None if unsupported."""
    if kind == "text":
        return {"text": body.get("body", "")}
    if kind in MEDIA_TYPES:
        caption = body.get("caption", "")
        attachment = Attachment(
            kind=cast(AttachmentKind, "audio" if kind == "voice" else kind),
            media_ref=str(body.get("id", "")),
            content_type=body.get("mime_type", ""),
            filename=body.get("filename", ""),
            caption=caption,
        )
        return {"text": caption, "attachments": (attachment,)}
    if kind == "location":
        place = Location(
            latitude=float(body["latitude"]),
            longitude=float(body["longitude"]),
            name=body.get("name", ""),
            address=body.get("address", ""),
        )
        return {"location": place}
    if kind == "interactive" and body.get("type") in ("button_reply", "list_reply"):
        reply = body[body["type"]]
        return {"text": reply.get("title", ""), "choice": reply.get("id", "")}
    if kind == "button":
        return {"text": body.get("text", ""), "choice": body.get("payload", "")}
    if kind == "contacts":
        return {"text": _contact_cards(body)}
    return None


def _contact_cards(cards: Any) -> str:
    """Render shared contact cards as lines of name and phone numbers."""
    lines = []
    for card in cards if isinstance(cards, list) else []:
        name = (card.get("name") or {}).get("formatted_name", "")
        phones = [p.get("phone", "") for p in card.get("phones") or []]
        lines.append(" ".join(part for part in [name, *phones] if part))
    return "\n".join(lines)


def _status(raw: Any) -> StatusUpdate | ChannelEvent:
    """Translate one ``statuses[]`` element; ``deleted``, ``played``... become events."""
    if not isinstance(raw, dict) or not raw.get("id") or not raw.get("status"):
        raise MalformedPayload("status without id")
    if raw["status"] not in STATUSES:
        name = f"status.{raw['status']}"
        return ChannelEvent(kind="unsupported", name=name, provider_event_id=raw["id"])
    errors = raw.get("errors") or [{}]
    return StatusUpdate(
        provider_message_id=raw["id"],
        status=raw["status"],
        at=_timestamp(raw.get("timestamp")),
        error_code=str(errors[0].get("code", "")),
        error_title=errors[0].get("title", ""),
    )


def _timestamp(value: Any) -> dt.datetime | None:
    """Read Unix seconds (or milliseconds, which Meta has been seen to send)."""
    return provider_time(value)


# -- outbound translation --------------------------------------------------------------


def _recipient(urn: str) -> dict[str, str]:
    scheme, _, path = urn.partition(":")
    if scheme != Scheme.WHATSAPP or not path:
        raise SendError(f"not a WhatsApp URN: {scheme}", retryable=False)
    if path.startswith("user:"):
        return {"recipient": path[5:]}
    return {"to": path.lstrip("+")}


def _numbered(message: OutboundMessage) -> str:
    """Return the text with choices as numbered lines, for when buttons do not fit."""
    lines = [f"{n}. {c.label}" for n, c in enumerate(message.choices, start=1)]
    return "\n".join(part for part in [message.text, "\n".join(lines)] if part)


def _media_kind(content_type: str) -> str:
    major = content_type.split("/", 1)[0]
    return major if major in ("image", "video", "audio") else "document"


def _media(message: OutboundMessage, caption: str) -> dict[str, Any]:
    attachment = message.attachment
    assert attachment is not None
    kind = _media_kind(attachment.content_type)
    media: dict[str, Any] = {"link": attachment.url}
    if caption and kind != "audio":
        media["caption"] = caption
    if kind == "document" and attachment.filename:
        media["filename"] = attachment.filename
    return {"type": kind, kind: media}


def _header(message: OutboundMessage) -> dict[str, Any] | None | Literal[False]:
    """Return the media header for buttons, None without media, False if it cannot be one."""
    if message.attachment is None:
        return None
    kind = _media_kind(message.attachment.content_type)
    if kind == "audio":
        return False
    return {"type": kind, kind: {"link": message.attachment.url}}


def _send_error(response: httpx.Response) -> SendError:
    """Classify a Graph error: throttling and 5xx are retried, the rest are final."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):  # not JSON, or not a Graph error envelope
        error = None
    error = error if isinstance(error, dict) else {}
    code = str(error.get("code") or response.status_code)
    title = error.get("error_user_title") or error.get("message") or response.reason_phrase
    details = (error.get("error_data") or {}).get("details", "")
    reason = f"{code} {title}" + (f": {details}" if details else "")
    if response.status_code == 429 or code in THROTTLE_CODES:
        return SendError(reason, retryable=True, code=code, retry_after=_retry_after(response))
    return SendError(reason, retryable=response.status_code >= 500, code=code)


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["retry-after"])
    except (KeyError, ValueError):
        return None
