"""SMS through Twilio's Programmable Messaging: form-encoded webhooks in, REST sends out.

Residents are ``tel:<E.164>``. SMS has no buttons, so choices go out as numbered lines.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import ClassVar, cast
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import httpx
import phonenumbers
import structlog

from ventanilla.channels.adapters.base import (
    Attachment,
    AttachmentKind,
    ChannelConfig,
    ChannelEvent,
    DeliveryStatus,
    HandshakeResponse,
    InboundMessage,
    Location,
    MalformedPayload,
    OutboundMessage,
    ParsedWebhook,
    SendError,
    SendResult,
    SignatureError,
    StatusUpdate,
    WebhookRequest,
)
from ventanilla.channels.adapters.logging import log_exchange, log_webhook
from ventanilla.citizens.urns import Scheme

log = structlog.get_logger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
STATUSES: dict[str, DeliveryStatus] = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
    "undelivered": "failed",
    "canceled": "failed",
}
#: steps before "sent": our row is already "sent" to Twilio, so they tell nothing new
PENDING = {"queued", "accepted", "scheduled", "sending"}
#: Twilio's default opt-out keywords; Twilio itself then blocks sends with error 21610
STOP_KEYWORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
STOPPED = "21610"
THROTTLED = "20429"
ERROR_TITLES = {
    "21610": "Attempt to send to unsubscribed recipient",
    "30003": "Unreachable destination handset",
    "30005": "Unknown destination handset",
    "30006": "Landline or unreachable carrier",
    "30007": "Message filtered",
    "30008": "Unknown error",
}


class TwilioAdapter:
    """Translate Twilio SMS webhooks, status callbacks and sends."""

    code: ClassVar[str] = "twilio"
    #: SMS residents by number; a Twilio WhatsApp sender's residents keep WhatsApp's scheme
    urn_schemes: ClassVar[tuple[str, ...]] = (Scheme.TEL, Scheme.WHATSAPP)
    required_secrets: ClassVar[tuple[str, ...]] = ("account_sid", "auth_token", "from_number")
    default_api_base: ClassVar[str] = "https://api.twilio.com"
    free_form_window: ClassVar[dt.timedelta | None] = None
    #: SMS residents; a Twilio WhatsApp sender's are not billed per segment
    segmented_schemes: ClassVar[frozenset[str]] = frozenset({Scheme.TEL})
    redact_keys: ClassVar[frozenset[str]] = frozenset(
        {"auth_token", "Authorization", "X-Twilio-Signature"}
        # who the resident is and where their number is registered (form and JSON names)
        | {"From", "To", "WaId", "ProfileName", "FromCity", "FromState", "FromZip"}
        | {"FromCountry", "ToCity", "ToState", "ToZip", "ToCountry"}
        # what they wrote or where they are
        | {"Body", "Latitude", "Longitude", "Address", "Label"}
    )

    def __init__(self, config: ChannelConfig) -> None:
        self.config = config
        self.region = str(config.options.get("region") or "ES")
        # Advanced Opt-Out lets a council add its own keywords (e.g. BAJA)
        extra = config.options.get("stop_keywords") or ()
        self.stop_keywords = STOP_KEYWORDS | {str(word).upper() for word in extra}

    # -- webhooks ----------------------------------------------------------------------

    def handshake(self, request: WebhookRequest) -> HandshakeResponse:
        """Refuse GET: Twilio only POSTs."""
        return HandshakeResponse(405, "Method Not Allowed")

    def verify(self, request: WebhookRequest) -> None:
        """Check ``X-Twilio-Signature`` over the URL and the sorted form parameters."""
        token = self.config.secrets.get("auth_token", "")
        header = request.header("X-Twilio-Signature") or ""
        if not token:
            raise SignatureError("no auth token configured")
        if not header:
            raise SignatureError("missing X-Twilio-Signature")
        try:
            pairs = _pairs(request)
        except MalformedPayload as exc:
            raise SignatureError("body is not form-encoded") from exc
        # Twilio is inconsistent about default ports, so accept the URL with or without one.
        if not any(
            hmac.compare_digest(signature(token, url, pairs).encode(), header.encode())
            for url in _url_variants(request.url)
        ):
            raise SignatureError("bad X-Twilio-Signature")

    def parse(self, request: WebhookRequest) -> ParsedWebhook:
        """Translate an inbound message or a status callback."""
        log_webhook(type(self), request, self.config.secrets)
        fields = dict(_pairs(request))
        status = fields.get("MessageStatus") or fields.get("SmsStatus") or "received"
        sid = fields.get("MessageSid") or fields.get("SmsMessageSid") or fields.get("SmsSid")
        if not sid:
            raise MalformedPayload("no MessageSid")
        if status in ("received", "receiving"):
            return self._inbound(sid, fields)
        return self._status(sid, status, fields)

    def acknowledge(self) -> tuple[int, str, str]:
        """Answer empty TwiML: no automatic reply."""
        return 200, "text/xml", EMPTY_TWIML

    def _inbound(self, sid: str, fields: Mapping[str, str]) -> ParsedWebhook:
        if not fields.get("From"):
            raise MalformedPayload("no From")
        urn = self._urn(fields["From"])
        text = fields.get("Body", "")
        location = None
        if fields.get("Latitude") and fields.get("Longitude"):
            try:
                location = Location(float(fields["Latitude"]), float(fields["Longitude"]))
            except ValueError as exc:
                raise MalformedPayload("bad Latitude/Longitude") from exc
        message = InboundMessage(
            provider_message_id=sid,
            urn=urn,
            text=text,
            attachments=_attachments(fields),
            location=location,
            contact_name=fields.get("ProfileName", ""),
        )
        parsed = ParsedWebhook(messages=[message])
        keyword = text.strip().upper()
        if fields.get("OptOutType", "").upper() == "STOP" or keyword in self.stop_keywords:
            parsed.events.append(ChannelEvent(kind="stop", urn=urn, provider_event_id=sid))
        return parsed

    def _status(self, sid: str, status: str, fields: Mapping[str, str]) -> ParsedWebhook:
        parsed = ParsedWebhook()
        if status in PENDING:
            return parsed
        if status not in STATUSES:
            log.info("twilio_unsupported_event", name=f"status.{status}")
            event = ChannelEvent(kind="unsupported", name=f"status.{status}", provider_event_id=sid)
            parsed.events.append(event)
            return parsed
        code = fields.get("ErrorCode", "") if STATUSES[status] == "failed" else ""
        title = fields.get("ErrorMessage") or ERROR_TITLES.get(code, "")
        parsed.statuses.append(StatusUpdate(sid, STATUSES[status], None, code, title))
        if code == STOPPED and fields.get("To"):
            parsed.events.append(ChannelEvent(kind="stop", urn=self._urn(fields["To"])))
        return parsed

    def _urn(self, number: str) -> str:
        """Return ``tel:<E.164>``; keep short codes and sender names as they come."""
        whatsapp = f"{Scheme.WHATSAPP}:"
        if number.startswith(whatsapp):  # Twilio's WhatsApp sender, should one arrive here
            return whatsapp + number[len(whatsapp) :].lstrip("+")
        try:
            parsed = phonenumbers.parse(number, self.region)
        except phonenumbers.NumberParseException:
            return f"tel:{number}"
        if not phonenumbers.is_possible_number(parsed):
            return f"tel:{number}"
        return "tel:" + phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

    # -- sending -----------------------------------------------------------------------

    def send(self, client: httpx.Client, message: OutboundMessage) -> SendResult:
        """POST one message to ``/2010-04-01/Accounts/{sid}/Messages.json``."""
        sid = self.config.secrets.get("account_sid", "")
        url = f"{self.config.api_base.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
        try:
            response = client.post(url, data=self._form(message), auth=self._auth())
        except httpx.HTTPError as exc:
            raise SendError(f"connection failed: {type(exc).__name__}", retryable=True) from exc
        log_exchange(type(self), response, self.config.secrets)
        if response.is_success:
            try:
                return SendResult(provider_message_id=response.json()["sid"])
            except (ValueError, KeyError, TypeError) as exc:
                raise SendError("unparseable response", retryable=False) from exc
        raise _send_error(response)

    def download(self, client: httpx.Client, attachment: Attachment) -> tuple[bytes, str]:
        """Fetch a media URL, following Twilio's redirect to the file.

        Credentials go only to the API's own origin. Raise ``httpx.HTTPError`` on failure.
        """
        auth = self._auth() if _same_origin(attachment.media_ref, self.config.api_base) else None
        response = client.get(attachment.media_ref, auth=auth, follow_redirects=True)
        log_exchange(type(self), response, self.config.secrets)
        response.raise_for_status()
        mime = response.headers.get("content-type", "").split(";")[0]
        return response.content, attachment.content_type or mime

    def _auth(self) -> tuple[str, str]:
        secrets = self.config.secrets
        return secrets.get("account_sid", ""), secrets.get("auth_token", "")

    def _form(self, message: OutboundMessage) -> dict[str, str]:
        scheme, _, to = message.urn.partition(":")
        if scheme != "tel" or not to:
            raise SendError(f"not a tel URN: {scheme}", retryable=False)
        sender = self.config.secrets.get("from_number", "")
        form = {"To": to, "MessagingServiceSid" if sender.startswith("MG") else "From": sender}
        body = _body(message)
        if body:
            form["Body"] = body
        if message.attachment is not None:
            form["MediaUrl"] = message.attachment.url
        if not body and message.attachment is None:
            raise SendError("nothing to send", retryable=False)
        if self.config.status_callback_url:
            form["StatusCallback"] = self.config.status_callback_url
        return form


def signature(token: str, url: str, pairs: Iterable[tuple[str, str]]) -> str:
    """Return Twilio's signature: base64 HMAC-SHA1 of the URL and the sorted ``name+value``."""
    payload = url + "".join(name + value for name, value in sorted(set(pairs)))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _pairs(request: WebhookRequest) -> list[tuple[str, str]]:
    """Return the form parameters, repeated names included, from the raw body if there is one."""
    if not request.body:
        return list(request.form.items())
    try:
        return parse_qsl(request.body.decode(), keep_blank_values=True)
    except UnicodeDecodeError as exc:
        raise MalformedPayload("body is not form-encoded") from exc


def _url_variants(url: str) -> list[str]:
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    try:
        port = parts.port
    except ValueError:
        return [url]
    if default is None or (port is not None and port != default):
        return [url]
    host = parts.netloc.rsplit(":", 1)[0] if port else parts.netloc
    other = host if port else f"{host}:{default}"
    return [url, urlunsplit(parts._replace(netloc=other))]


def _attachments(fields: Mapping[str, str]) -> tuple[Attachment, ...]:
    try:
        count = int(fields.get("NumMedia") or 0)
        refs = [
            (fields[f"MediaUrl{i}"], fields.get(f"MediaContentType{i}", "")) for i in range(count)
        ]
    except (ValueError, KeyError) as exc:
        raise MalformedPayload("bad NumMedia/MediaUrl") from exc
    return tuple(
        Attachment(kind=_kind(mime), media_ref=url, content_type=mime) for url, mime in refs
    )


def _kind(content_type: str) -> AttachmentKind:
    major = content_type.split("/", 1)[0]
    return cast(AttachmentKind, major if major in ("image", "video", "audio") else "document")


def _body(message: OutboundMessage) -> str:
    """Return the SMS text: the text, a map link for a place, and choices as numbered lines."""
    parts = [message.text]
    if message.location is not None:
        place = message.location
        parts += [place.name, place.address]
        parts.append(f"https://www.openstreetmap.org/?mlat={place.latitude}&mlon={place.longitude}")
    parts += [f"{n}. {c.label}" for n, c in enumerate(message.choices, start=1)]
    return "\n".join(part for part in parts if part)


def _send_error(response: httpx.Response) -> SendError:
    """Classify a Twilio REST error: throttling and 5xx are retried, the rest are final."""
    try:
        data = response.json()
    except ValueError:
        data = {}
    data = data if isinstance(data, dict) else {}
    code = str(data.get("code") or response.status_code)
    reason = f"{code} {data.get('message') or response.reason_phrase}"
    if response.status_code == 429 or code == THROTTLED:
        return SendError(reason, retryable=True, code=code, retry_after=_retry_after(response))
    if response.status_code >= 500:
        return SendError(reason, retryable=True, code=code)
    return SendError(reason, retryable=False, code=code, resident_stopped=code == STOPPED)


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["retry-after"])
    except (KeyError, ValueError):
        return None


def _same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)
