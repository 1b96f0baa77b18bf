"""The adapter protocol and the normalised types every provider translates to and from.

A provider's wire format is known only inside its adapter folder. Everything past the
adapter (storage, conversations, cases) speaks the dataclasses below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

import httpx

AttachmentKind = Literal["image", "document", "audio", "video", "sticker"]
DeliveryStatus = Literal["sent", "delivered", "read", "failed"]
EventKind = Literal["follow", "unfollow", "stop", "unsupported"]


@dataclass(frozen=True)
class ChannelConfig:
    """What an adapter needs to know about one configured channel.

    ``secrets`` holds the provider's credentials by the names of `add_channel`'s options
    (``phone_number_id``, ``access_token``, ``app_secret``, ``verify_token``,
    ``bot_token``, ``secret_token``, ``channel_secret``, ``account_sid``, ``auth_token``,
    ``from_number``). ``status_callback_url`` is the absolute URL of this channel's
    webhook, for providers that take it per message (Twilio).
    """

    channel_id: int
    api_base: str
    secrets: Mapping[str, str]
    status_callback_url: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WebhookRequest:
    """A provider's HTTP request to our webhook, free of Django."""

    method: str
    url: str  # absolute URL as the provider called it (Twilio signs it)
    headers: Mapping[str, str]  # case-insensitive lookups: use ``header()``
    body: bytes
    query: Mapping[str, str] = field(default_factory=dict)
    form: Mapping[str, str] = field(default_factory=dict)  # parsed form body, if form-encoded

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return None


@dataclass(frozen=True)
class Attachment:
    kind: AttachmentKind
    media_ref: str  # the provider's media id, file id or URL, as ``download`` takes it
    content_type: str = ""
    filename: str = ""
    caption: str = ""


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    name: str = ""
    address: str = ""


@dataclass(frozen=True)
class InboundMessage:
    """One message a resident sent."""

    provider_message_id: str  # unique per channel: the idempotency key
    urn: str  # "whatsapp:34600111222", "telegram:123456789", "line:U...", "tel:+34600111222"
    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    location: Location | None = None
    contact_name: str = ""
    language_hint: str = ""  # e.g. Telegram's from.language_code
    received_at: dt.datetime | None = None
    choice: str = ""  # id of a button/list/postback/callback the resident picked
    reply_token: str = ""  # LINE reply token (single use, short lived)
    callback_id: str = ""  # Telegram callback_query id that must be answered
    edited: bool = False
    extra_urns: tuple[str, ...] = ()  # e.g. WhatsApp username id next to the phone


@dataclass(frozen=True)
class StatusUpdate:
    """The provider's word on a message we sent."""

    provider_message_id: str
    status: DeliveryStatus
    at: dt.datetime | None = None
    error_code: str = ""
    error_title: str = ""


@dataclass(frozen=True)
class ChannelEvent:
    """Anything else: follow/unfollow, a stop, or an event we do not handle (named)."""

    kind: EventKind
    urn: str = ""
    name: str = ""  # the provider's own event name, for "unsupported"
    provider_event_id: str = ""


@dataclass
class ParsedWebhook:
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    events: list[ChannelEvent] = field(default_factory=list)


@dataclass(frozen=True)
class Choice:
    id: str
    label: str


@dataclass(frozen=True)
class OutboundAttachment:
    url: str  # where the provider can fetch it (or the fake); adapters may upload instead
    content_type: str
    filename: str = ""


@dataclass(frozen=True)
class Template:
    name: str
    language: str
    parameters: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutboundMessage:
    """One message to send to one resident."""

    urn: str
    text: str = ""
    choices: tuple[Choice, ...] = ()  # rendered as buttons/lists/keyboards/quick replies/numbers
    attachment: OutboundAttachment | None = None
    location: Location | None = None
    template: Template | None = None
    idempotency_key: str = ""  # stable per outbound row (LINE X-Line-Retry-Key needs a UUID)
    reply_token: str = ""  # LINE: use the reply API while the token is fresh


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str


class WebhookError(Exception):
    """The request is refused; ``status`` is the HTTP status to answer."""

    status: int = 400

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status


class SignatureError(WebhookError):
    status = 403


class MalformedPayload(WebhookError):
    status = 400


class SendError(Exception):
    """A send failed. ``retryable`` says whether to try again; ``retry_after`` in seconds."""

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool,
        code: str = "",
        retry_after: float | None = None,
        resident_stopped: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.code = code
        self.retry_after = retry_after
        self.resident_stopped = resident_stopped


@dataclass(frozen=True)
class HandshakeResponse:
    status: int
    body: str
    content_type: str = "text/plain"


class Provider(Protocol):
    """What Ventanilla knows about one provider, read from its class (no channel needed).

    Every fact about a provider lives on its class in ``adapters/<code>/``; the registry in
    ``adapters/__init__.py``, the model's defaults, the outbound policy and the inbox read
    them from there.
    """

    #: the provider's name in URLs (``/hooks/<code>/<id>/``) and in ``Channel.provider``
    code: ClassVar[str]
    #: the URN schemes of the residents it reaches (``citizens.urns.Scheme``), main one first
    urn_schemes: ClassVar[tuple[str, ...]]
    #: the secrets a channel needs, by the names of ``add_channel``'s options
    required_secrets: ClassVar[tuple[str, ...]]
    #: the provider's real API, used when a channel sets no ``api_base``
    default_api_base: ClassVar[str]
    #: how long after the resident last wrote free-form messages are accepted (else only
    #: approved templates); None when the provider has no such window
    free_form_window: ClassVar[dt.timedelta | None]
    #: fields that never reach a log as they are: the secrets and headers that carry them,
    #: and the resident's personal fields in the provider's payloads (matched ignoring case)
    redact_keys: ClassVar[frozenset[str]]
    #: the URN schemes reached by SMS, billed per segment: the bot's texts to them use their
    #: short SMS variant (``conversations.bot_templates``)
    segmented_schemes: ClassVar[frozenset[str]]


class Adapter(Provider, Protocol):
    """What every provider with a webhook and an API implements. Adapters only translate."""

    def __init__(self, config: ChannelConfig) -> None: ...

    def handshake(self, request: WebhookRequest) -> HandshakeResponse:
        """Answer a GET on the webhook (WhatsApp's verification); others answer 405."""
        ...

    def verify(self, request: WebhookRequest) -> None:
        """Raise SignatureError unless the request is signed by the provider."""
        ...

    def parse(self, request: WebhookRequest) -> ParsedWebhook:
        """Translate a verified request; raise MalformedPayload on bad input."""
        ...

    def acknowledge(self) -> tuple[int, str, str]:
        """The body the provider expects on success: (status, content_type, body)."""
        ...

    def send(self, client: httpx.Client, message: OutboundMessage) -> SendResult:
        """Send one message; raise SendError (retryable or not) on failure."""
        ...

    def download(self, client: httpx.Client, attachment: Attachment) -> tuple[bytes, str]:
        """Fetch an inbound attachment's bytes and content type."""
        ...


@runtime_checkable
class SupportsCallbacks(Protocol):
    """An adapter whose buttons must be answered (Telegram's callback queries)."""

    def answer_callback(self, client: httpx.Client, callback_id: str, text: str = "") -> None:
        """Answer the button press ``callback_id`` so the resident's app stops waiting."""
        ...


@runtime_checkable
class SupportsWebhookSetup(Protocol):
    """An adapter that can point the provider at our webhook through its API."""

    def set_webhook(self, client: httpx.Client, url: str) -> None:
        """Register ``url`` as the webhook; raise SendError when the provider refuses."""
        ...
