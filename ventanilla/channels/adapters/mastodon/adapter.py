"""Mastodon (any ActivityPub server with Mastodon's REST API): mentions in, statuses out.

The council's account is polled with its access token: ``GET /api/v1/notifications`` with
``types[]=mention`` and ``since_id`` (the newest notification seen). A mention is a status
whose ``visibility`` is ``public``, ``unlisted``, ``private`` (followers) or ``direct`` (a
private message). Residents are ``mastodon:<user>@<server>``.

Answers are statuses (``POST /api/v1/statuses``) replying to the resident's status
(``in_reply_to_id``), mentioning them, with the same visibility; a private message is
``direct``. Mastodon has no delivery receipts: a status that is created is sent.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx
import structlog

from ventanilla.channels.adapters.base import (
    Attachment,
    ChannelConfig,
    ChannelEvent,
    HandshakeResponse,
    InboundMessage,
    MalformedPayload,
    OutboundMessage,
    ParsedWebhook,
    Polled,
    PostRef,
    SendError,
    SendResult,
    SignatureError,
    WebhookRequest,
)
from ventanilla.channels.adapters.logging import log_exchange
from ventanilla.citizens.urns import Scheme

log = structlog.get_logger(__name__)

#: Mastodon's default limit; servers may allow more (``options["max_characters"]``)
MAX_CHARACTERS = 500
PAGE = 40
#: a reply to these stays readable by the same people as the resident's post
PUBLIC_VISIBILITIES = {"public", "unlisted"}
LEADING_MENTIONS = re.compile(r"^(\s*@[\w.-]+(@[\w.-]+)?)+\s*")


class MastodonAdapter:
    """Poll a council account's mentions and answer them in their thread."""

    code: ClassVar[str] = "mastodon"
    urn_schemes: ClassVar[tuple[str, ...]] = (Scheme.MASTODON,)
    required_secrets: ClassVar[tuple[str, ...]] = ("access_token",)
    default_api_base: ClassVar[str] = "https://mastodon.social"
    free_form_window: ClassVar[dt.timedelta | None] = None
    segmented_schemes: ClassVar[frozenset[str]] = frozenset()
    redact_keys: ClassVar[frozenset[str]] = frozenset(
        {"access_token", "Authorization"}
        | {"account", "acct", "username", "display_name", "content", "status", "mentions"}
        | {"url", "uri", "text", "description", "in_reply_to_account_id"}
    )

    def __init__(self, config: ChannelConfig) -> None:
        self.config = config
        self.max_characters = int(config.options.get("max_characters") or MAX_CHARACTERS)

    # -- no webhooks: the account is polled ------------------------------------------------

    def handshake(self, request: WebhookRequest) -> HandshakeResponse:
        return HandshakeResponse(405, "Mastodon channels are polled")

    def verify(self, request: WebhookRequest) -> None:
        raise SignatureError("Mastodon channels are polled, not called")

    def parse(self, request: WebhookRequest) -> ParsedWebhook:
        raise MalformedPayload("Mastodon channels are polled, not called")

    def acknowledge(self) -> tuple[int, str, str]:
        return 200, "text/plain", "OK"

    def poll(self, client: httpx.Client, cursor: str) -> Polled:
        """Fetch the mentions after ``cursor``, oldest first; return them and the new cursor."""
        params: list[tuple[str, str | int | float | bool | None]] = [
            ("types[]", "mention"),
            ("limit", str(PAGE)),
        ]
        if cursor:
            params.append(("since_id", cursor))
        try:
            response = client.get(self._url("notifications"), params=params, headers=self._auth())
        except httpx.HTTPError as exc:
            raise SendError(f"connection failed: {type(exc).__name__}", retryable=True) from exc
        log_exchange(type(self), response, self.config.secrets)
        if not response.is_success:
            raise _error(response)
        try:
            notifications = response.json()
            assert isinstance(notifications, list)
        except (ValueError, AssertionError) as exc:
            raise SendError("unparseable notifications", retryable=True) from exc
        parsed = ParsedWebhook()
        newest = cursor
        for raw in sorted(notifications, key=_id_order):
            if not isinstance(raw, dict) or not raw.get("id"):
                continue
            newest = max(newest or "0", str(raw["id"]), key=_id_order_key)
            try:
                item = self._notification(raw)
            except (KeyError, TypeError, ValueError, MalformedPayload) as exc:
                log.info("mastodon_notification_skipped", reason=str(exc))
                continue
            if isinstance(item, ChannelEvent):
                parsed.events.append(item)
            else:
                parsed.messages.append(item)
        return Polled(parsed=parsed, cursor=newest)

    def _notification(self, raw: dict[str, Any]) -> InboundMessage | ChannelEvent:
        if raw.get("type") != "mention" or not isinstance(raw.get("status"), dict):
            name = f"notification.{raw.get('type') or 'unknown'}"
            return ChannelEvent(kind="unsupported", name=name, provider_event_id=str(raw["id"]))
        status, account = raw["status"], raw.get("account") or raw["status"]["account"]
        acct = full_acct(account)
        text = LEADING_MENTIONS.sub("", html_to_text(str(status.get("content") or "")))
        attachments = tuple(
            Attachment(
                kind="image" if media.get("type") in ("image", "gifv") else "document",
                media_ref=str(media.get("url") or ""),
                caption=str(media.get("description") or ""),
            )
            for media in status.get("media_attachments") or []
            if isinstance(media, dict) and media.get("url")
        )
        post = PostRef(
            id=str(status["id"]),
            url=str(status.get("url") or status.get("uri") or ""),
            visibility=str(status.get("visibility") or "public"),
            author=acct,
            parent_id=str(status.get("in_reply_to_id") or ""),
        )
        return InboundMessage(
            provider_message_id=str(status["id"]),
            urn=f"{Scheme.MASTODON}:{acct}",
            text=text.strip(),
            attachments=attachments,
            contact_name=str(account.get("display_name") or ""),
            language_hint=str(status.get("language") or ""),
            received_at=_time(status.get("created_at")),
            post=post,
        )

    # -- sending -----------------------------------------------------------------------

    def send(self, client: httpx.Client, message: OutboundMessage) -> SendResult:
        """Post the answer in the resident's thread; long texts become a chain of statuses."""
        scheme, _, acct = message.urn.partition(":")
        if scheme != Scheme.MASTODON or not acct:
            raise SendError(f"not a Mastodon URN: {scheme}", retryable=False)
        reply_to = message.reply_to
        mention = "@" + (reply_to.author if reply_to and reply_to.author else acct)
        if message.private or reply_to is None or reply_to.visibility not in PUBLIC_VISIBILITIES:
            visibility = "direct"
        else:
            visibility = reply_to.visibility
        parent = reply_to.id if reply_to else None
        chunks = split(numbered(message), self.max_characters - len(mention) - 1)
        if not chunks:
            raise SendError("nothing to send", retryable=False)
        last = ""
        for index, chunk in enumerate(chunks):
            body: dict[str, Any] = {"status": f"{mention} {chunk}", "visibility": visibility}
            if parent:
                body["in_reply_to_id"] = parent
            headers = self._auth()
            if message.idempotency_key:
                headers["Idempotency-Key"] = f"{message.idempotency_key}-{index}"
            try:
                response = client.post(self._url("statuses"), json=body, headers=headers)
            except httpx.HTTPError as exc:
                raise SendError(f"connection failed: {type(exc).__name__}", retryable=True) from exc
            log_exchange(type(self), response, self.config.secrets)
            if not response.is_success:
                raise _error(response)
            try:
                last = parent = str(response.json()["id"])
            except (ValueError, KeyError, TypeError) as exc:
                raise SendError("unparseable response", retryable=False) from exc
        return SendResult(provider_message_id=last)

    def download(self, client: httpx.Client, attachment: Attachment) -> tuple[bytes, str]:
        response = client.get(attachment.media_ref, follow_redirects=True)
        log_exchange(type(self), response, self.config.secrets)
        response.raise_for_status()
        mime = response.headers.get("content-type", "").split(";")[0]
        return response.content, mime or attachment.content_type

    def _url(self, name: str) -> str:
        return f"{self.config.api_base.rstrip('/')}/api/v1/{name}"

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.config.secrets.get('access_token', '')}"}


# -- helpers ---------------------------------------------------------------------------


def full_acct(account: dict[str, Any]) -> str:
    """Return ``user@server`` for an account (a local account's ``acct`` has no server)."""
    acct = str(account.get("acct") or account.get("username") or "")
    if not acct:
        raise MalformedPayload("account without acct")
    if "@" in acct:
        return acct
    host = urlsplit(str(account.get("url") or "")).hostname or ""
    if not host:
        raise MalformedPayload("local account without url")
    return f"{acct}@{host}"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(content: str) -> str:
    """Return a status's HTML as plain text (paragraphs and line breaks kept)."""
    parser = _Text()
    parser.feed(content)
    parser.close()
    return "".join(parser.parts).strip()


def numbered(message: OutboundMessage) -> str:
    lines = [f"{n}. {c.label}" for n, c in enumerate(message.choices, start=1)]
    text = "\n".join(part for part in [message.text, "\n".join(lines)] if part)
    if message.attachment is not None:
        text = f"{text}\n{message.attachment.url}".strip()
    return text


def split(text: str, limit: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters, at line or word ends."""
    text, pieces = text.strip(), []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut <= limit // 2:
            cut = text.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        pieces.append(text[:cut].strip())
        text = text[cut:].strip()
    return [*pieces, text] if text else pieces


def _id_order_key(value: str) -> tuple[int, str]:
    return (len(value), value)  # Mastodon ids are numbers written as text


def _id_order(raw: Any) -> tuple[int, str]:
    return _id_order_key(str(raw.get("id") or "") if isinstance(raw, dict) else "")


def _time(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _error(response: httpx.Response) -> SendError:
    try:
        reason = str(response.json().get("error") or response.reason_phrase)
    except (ValueError, AttributeError):
        reason = response.reason_phrase
    retryable = response.status_code == 429 or response.status_code >= 500
    retry_after = None
    if response.status_code == 429:
        reset = response.headers.get("x-ratelimit-reset", "")
        try:
            retry_after = max(
                0.0, (dt.datetime.fromisoformat(reset) - dt.datetime.now(dt.UTC)).total_seconds()
            )
        except ValueError:
            retry_after = None
    return SendError(
        f"{response.status_code} {reason}",
        retryable=retryable,
        code=str(response.status_code),
        retry_after=retry_after,
    )
