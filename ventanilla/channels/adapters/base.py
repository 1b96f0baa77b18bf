"""The adapter protocol and the normalised types every provider translates to and from.

A provider's wire format is known only inside its adapter folder. Everything past the
adapter (storage, conversations, cases) speaks the dataclasses below.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

import httpx

AttachmentKind = Literal["image", "document", "audio", "video", "sticker"]
DeliveryStatus = Literal["sent", "delivered", "read", "failed"]
EventKind = Literal["follow", "unfollow", "stop", "unsupported"]
ATTACHMENT_KINDS = frozenset(("image", "document", "audio", "video", "sticker"))
DELIVERY_STATUSES = frozenset(("sent", "delivered", "read", "failed"))
EVENT_KINDS = frozenset(("follow", "unfollow", "stop", "unsupported"))

#: a provider's clock is believed between these bounds; outside them (messages dated 2001 or
#: 2286 have been seen) the message keeps its arrival time instead
EARLIEST_PROVIDER_TIME = dt.datetime(2009, 1, 1, tzinfo=dt.UTC)
PROVIDER_CLOCK_AHEAD = dt.timedelta(days=1)


# -- what every provider's data must be before it leaves the adapter --------------------
#
# The normalised types below check their fields when they are built, inside the adapter's
# ``parse``: a value that cannot be stored (an id that is not text, a NUL byte in an id) is
# refused there as MalformedPayload (400, nothing stored); a value that can be mended is
# mended (NUL bytes stripped from text, an impossible time or place dropped), so that one
# odd field never costs the resident their message or the bot's later answers.


def provider_time(value: object, *, per_second: float = 1) -> dt.datetime | None:
    """Return a provider's Unix time (in ``1 / per_second`` units) if it is believable.

    Milliseconds where seconds are expected (Meta has sent them) are read as milliseconds.
    Anything else (not a number, NaN, out of range) is None: the arrival time stands.
    """
    if isinstance(value, bool):
        return None
    try:
        seconds = float(value) / per_second  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(seconds):
        return None
    if per_second == 1 and seconds > 1e11:
        seconds /= 1000
    try:
        at = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return believable_time(at)


def believable_time(at: dt.datetime | None) -> dt.datetime | None:
    """Return ``at`` if it lies between 2009 and a day from now, else None."""
    if at is None or not isinstance(at, dt.datetime) or at.tzinfo is None:
        return None
    latest = dt.datetime.now(tz=dt.UTC) + PROVIDER_CLOCK_AHEAD
    return at if EARLIEST_PROVIDER_TIME <= at <= latest else None


def valid_place(location: object) -> bool:
    """Say whether ``location`` has finite coordinates on Earth."""
    if not isinstance(location, Location):
        return False
    coordinates = (location.latitude, location.longitude)
    if not all(isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates):
        return False
    if not all(math.isfinite(c) for c in coordinates):
        return False
    return abs(location.latitude) <= 90 and abs(location.longitude) <= 180


def _text(value: object, name: str) -> str:
    """Return provider text without NUL bytes (no database stores them); refuse non-text."""
    if not isinstance(value, str):
        raise MalformedPayload(f"{name} is not text")
    return value.replace("\x00", "")


def _identifier(value: object, name: str, *, required: bool = True) -> str:
    """Return a provider id; refuse one that is not text, is empty or holds a NUL byte."""
    if not isinstance(value, str) or "\x00" in value or (required and not value.strip()):
        raise MalformedPayload(f"bad {name}")
    return value


def _mend(instance: object, **values: object) -> None:
    for name, value in values.items():
        object.__setattr__(instance, name, value)


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

    def __post_init__(self) -> None:
        if self.kind not in ATTACHMENT_KINDS:
            raise MalformedPayload("bad attachment kind")
        _mend(
            self,
            media_ref=_identifier(self.media_ref, "media reference", required=False),
            content_type=_text(self.content_type, "content type"),
            filename=_text(self.filename, "file name"),
            caption=_text(self.caption, "caption"),
        )


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    name: str = ""
    address: str = ""


@dataclass(frozen=True)
class PostRef:
    """A resident's post on a public network (Mastodon, Bluesky), for a reply in its thread.

    ``visibility`` is ``public`` or ``unlisted`` (anyone may read it and the council's reply)
    or ``direct`` (a private message). Bluesky's strong references need the content ids
    (``cid``) of the post and of the thread's first post (``root_id``, ``root_cid``).
    """

    id: str
    url: str = ""
    visibility: str = "public"
    author: str = ""  # the handle a reply mentions ("vecina@town.social", "vecina.bsky.social")
    cid: str = ""
    root_id: str = ""
    root_cid: str = ""
    parent_id: str = ""  # the post this one answers (the council's, another resident's)

    def __post_init__(self) -> None:
        _mend(
            self,
            id=_identifier(self.id, "post id"),
            parent_id=_text(self.parent_id, "parent post id"),
            url=_text(self.url, "post address"),
            visibility=_text(self.visibility, "visibility"),
            author=_text(self.author, "author"),
            cid=_text(self.cid, "content id"),
            root_id=_text(self.root_id, "thread id"),
            root_cid=_text(self.root_cid, "thread content id"),
        )

    @property
    def public(self) -> bool:
        return self.visibility != "direct"


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
    subject: str = ""  # e-mail's Subject
    #: provider ids of the earlier messages this one answers, oldest first (e-mail's
    #: References and In-Reply-To): a reply to one of ours joins its case
    in_reply_to: tuple[str, ...] = ()
    post: PostRef | None = None  # a post on a public network (Mastodon, Bluesky)

    def __post_init__(self) -> None:
        if self.post is not None and not isinstance(self.post, PostRef):
            raise MalformedPayload("bad post")
        location = self.location
        if location is not None:
            if valid_place(location):
                location = replace(
                    location,
                    name=_text(location.name, "place name"),
                    address=_text(location.address, "address"),
                )
            else:
                location = None  # the message stays; an impossible place does not
        if not all(isinstance(item, Attachment) for item in self.attachments):
            raise MalformedPayload("bad attachment")
        _mend(
            self,
            provider_message_id=_identifier(self.provider_message_id, "message id"),
            urn=_identifier(self.urn, "sender"),
            text=_text(self.text, "text"),
            attachments=tuple(self.attachments),
            location=location,
            contact_name=_text(self.contact_name, "contact name"),
            language_hint=_text(self.language_hint, "language"),
            received_at=believable_time(self.received_at),
            choice=_text(self.choice, "choice"),
            reply_token=_text(self.reply_token, "reply token"),
            callback_id=_text(self.callback_id, "callback id"),
            edited=bool(self.edited),
            extra_urns=tuple(_identifier(urn, "sender") for urn in self.extra_urns),
            subject=_text(self.subject, "subject"),
            in_reply_to=tuple(_identifier(i, "message id") for i in self.in_reply_to),
        )


@dataclass(frozen=True)
class StatusUpdate:
    """The provider's word on a message we sent."""

    provider_message_id: str
    status: DeliveryStatus
    at: dt.datetime | None = None
    error_code: str = ""
    error_title: str = ""

    def __post_init__(self) -> None:
        if self.status not in DELIVERY_STATUSES:
            raise MalformedPayload("bad status")
        _mend(
            self,
            provider_message_id=_identifier(self.provider_message_id, "message id"),
            at=believable_time(self.at),
            # error codes arrive as numbers as often as text: either is fine to show staff
            error_code=str(self.error_code).replace("\x00", ""),
            error_title=str(self.error_title).replace("\x00", ""),
        )


@dataclass(frozen=True)
class ChannelEvent:
    """Anything else: follow/unfollow, a stop, or an event we do not handle (named)."""

    kind: EventKind
    urn: str = ""
    name: str = ""  # the provider's own event name, for "unsupported"
    provider_event_id: str = ""

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise MalformedPayload("bad event kind")
        _mend(
            self,
            urn=_identifier(self.urn, "sender", required=False),
            name=str(self.name).replace("\x00", ""),
            provider_event_id=_identifier(self.provider_event_id, "event id", required=False),
        )


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
    reference: str = ""  # the case's reference number, for providers with a subject (e-mail)
    subject: str = ""  # the subject the resident last wrote under (e-mail)
    #: the provider ids of the resident's message this answers and of its thread (e-mail's
    #: In-Reply-To and References), oldest first
    in_reply_to: tuple[str, ...] = ()
    reply_to: PostRef | None = None  # public networks: the resident's post this answers
    private: bool = False  # public networks: a private message, even in a public thread


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


@dataclass
class Polled:
    """What one poll of a provider brought, and where the next poll starts."""

    parsed: ParsedWebhook
    cursor: str


@runtime_checkable
class SupportsPolling(Protocol):
    """An adapter whose messages are fetched rather than pushed (Mastodon, Bluesky)."""

    def poll(self, client: httpx.Client, cursor: str) -> Polled:
        """Fetch what arrived after ``cursor`` (empty: the latest page); raise SendError."""
        ...


@runtime_checkable
class KeepsMedia(Protocol):
    """An adapter that keeps inbound media itself until it is stored (e-mail keeps the raw
    message its attachments are read from)."""

    def forget_media(self, attachments: list[Attachment]) -> None:
        """Drop what was kept for ``attachments``, now all stored as files."""
        ...
