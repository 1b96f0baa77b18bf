"""Bluesky (AT Protocol): mentions and replies to the council's account in, posts out.

The account signs in with an app password (``com.atproto.server.createSession``) and is
polled with ``app.bsky.notification.listNotifications``; notifications whose ``reason`` is
``mention`` or ``reply`` are residents' posts. Residents are ``bluesky:<DID>``.

An answer is an ``app.bsky.feed.post`` record (``com.atproto.repo.createRecord``) in the
resident's thread: ``reply.root`` and ``reply.parent`` are strong references (``uri`` and
``cid``), the resident's handle is a mention facet and links are link facets. Every post is
public; a private answer is a direct message through the chat service
(``chat.bsky.convo.getConvoForMembers``, ``chat.bsky.convo.sendMessage``).
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any, ClassVar

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
from ventanilla.channels.adapters.mastodon.adapter import numbered, split
from ventanilla.citizens.urns import Scheme

log = structlog.get_logger(__name__)

#: a post's text limit (graphemes; counted here as characters, which is never more)
MAX_GRAPHEMES = 300
PAGE = 50
RESIDENT_REASONS = {"mention", "reply"}
CHAT_PROXY = "did:web:api.bsky.chat#bsky_chat"
POST = "app.bsky.feed.post"

#: sessions by (server, identifier): createSession is rate-limited, so it is reused
_sessions: dict[tuple[str, str], dict[str, str]] = {}
_sessions_lock = threading.Lock()


class BlueskyAdapter:
    """Poll a council account's mentions and answer them in their thread."""

    code: ClassVar[str] = "bluesky"
    urn_schemes: ClassVar[tuple[str, ...]] = (Scheme.BLUESKY,)
    required_secrets: ClassVar[tuple[str, ...]] = ("identifier", "app_password")
    default_api_base: ClassVar[str] = "https://bsky.social"
    free_form_window: ClassVar[dt.timedelta | None] = None
    segmented_schemes: ClassVar[frozenset[str]] = frozenset()
    redact_keys: ClassVar[frozenset[str]] = frozenset(
        {"identifier", "app_password", "password", "accessJwt", "refreshJwt", "Authorization"}
        | {"author", "handle", "displayName", "did", "members", "text", "record", "facets"}
    )

    def __init__(self, config: ChannelConfig) -> None:
        self.config = config

    # -- no webhooks: the account is polled ------------------------------------------------

    def handshake(self, request: WebhookRequest) -> HandshakeResponse:
        return HandshakeResponse(405, "Bluesky channels are polled")

    def verify(self, request: WebhookRequest) -> None:
        raise SignatureError("Bluesky channels are polled, not called")

    def parse(self, request: WebhookRequest) -> ParsedWebhook:
        raise MalformedPayload("Bluesky channels are polled, not called")

    def acknowledge(self) -> tuple[int, str, str]:
        return 200, "text/plain", "OK"

    def poll(self, client: httpx.Client, cursor: str) -> Polled:
        """Fetch the notifications indexed after ``cursor`` (an ``indexedAt`` time)."""
        data = self._xrpc(client, "GET", "app.bsky.notification.listNotifications", {"limit": PAGE})
        notifications = data.get("notifications")
        if not isinstance(notifications, list):
            raise SendError("unparseable notifications", retryable=True)
        parsed, newest = ParsedWebhook(), cursor
        fresh = [
            n
            for n in notifications
            if isinstance(n, dict) and str(n.get("indexedAt") or "") > cursor
        ]
        for raw in sorted(fresh, key=lambda n: str(n.get("indexedAt"))):
            newest = max(newest, str(raw["indexedAt"]))
            try:
                parsed_item = self._notification(raw)
            except (KeyError, TypeError, ValueError, MalformedPayload) as exc:
                log.info("bluesky_notification_skipped", reason=str(exc))
                continue
            if isinstance(parsed_item, ChannelEvent):
                parsed.events.append(parsed_item)
            else:
                parsed.messages.append(parsed_item)
        return Polled(parsed=parsed, cursor=newest)

    def _notification(self, raw: dict[str, Any]) -> InboundMessage | ChannelEvent:
        reason = str(raw.get("reason") or "")
        if reason not in RESIDENT_REASONS:
            return ChannelEvent(
                kind="unsupported",
                name=f"notification.{reason or 'unknown'}",
                provider_event_id=str(raw.get("uri") or "")[:200],
            )
        author, record = raw["author"], raw["record"]
        uri, cid = str(raw["uri"]), str(raw["cid"])
        reply = (record.get("reply") or {}) if isinstance(record, dict) else {}
        root, parent = reply.get("root") or {}, reply.get("parent") or {}
        handle = str(author.get("handle") or "")
        post = PostRef(
            id=uri,
            cid=cid,
            root_id=str(root.get("uri") or uri),
            root_cid=str(root.get("cid") or cid),
            url=web_url(uri, handle),
            visibility="public",
            author=handle,
            parent_id=str(parent.get("uri") or ""),
        )
        return InboundMessage(
            provider_message_id=uri,
            urn=f"{Scheme.BLUESKY}:{author['did']}",
            text=strip_leading_mentions(str(record.get("text") or ""), record),
            contact_name=str(author.get("displayName") or ""),
            language_hint=str((record.get("langs") or [""])[0]),
            received_at=_time(record.get("createdAt")),
            post=post,
        )

    # -- sending -----------------------------------------------------------------------

    def send(self, client: httpx.Client, message: OutboundMessage) -> SendResult:
        """Reply in the resident's thread, or write to them privately."""
        scheme, _, did = message.urn.partition(":")
        if scheme != Scheme.BLUESKY or not did:
            raise SendError(f"not a Bluesky URN: {scheme}", retryable=False)
        text = numbered(message)
        if not text:
            raise SendError("nothing to send", retryable=False)
        if message.private or message.reply_to is None:
            return self._direct(client, did, text)
        reply_to = message.reply_to
        mention = f"@{reply_to.author} " if reply_to.author else ""
        root = {"uri": reply_to.root_id or reply_to.id, "cid": reply_to.root_cid or reply_to.cid}
        parent = {"uri": reply_to.id, "cid": reply_to.cid}
        last = ""
        for chunk in split(text, MAX_GRAPHEMES - len(mention)):
            body = mention + chunk
            record: dict[str, Any] = {
                "$type": POST,
                "text": body,
                "createdAt": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
                "reply": {"root": root, "parent": parent},
            }
            facets = link_facets(body)
            if mention:
                end = len(mention.rstrip().encode())
                facets.insert(0, facet(0, end, "mention", did=did))
            if facets:
                record["facets"] = facets
            created = self._xrpc(
                client,
                "POST",
                "com.atproto.repo.createRecord",
                json={"repo": self._session(client)["did"], "collection": POST, "record": record},
            )
            try:
                parent = {"uri": str(created["uri"]), "cid": str(created["cid"])}
            except KeyError as exc:
                raise SendError("unparseable response", retryable=False) from exc
            last = parent["uri"]
        return SendResult(provider_message_id=last)

    def _direct(self, client: httpx.Client, did: str, text: str) -> SendResult:
        headers = {"atproto-proxy": CHAT_PROXY}
        convo = self._xrpc(
            client, "GET", "chat.bsky.convo.getConvoForMembers", {"members": did}, headers=headers
        )
        try:
            convo_id = str(convo["convo"]["id"])
        except (KeyError, TypeError) as exc:
            raise SendError("unparseable conversation", retryable=False) from exc
        sent = self._xrpc(
            client,
            "POST",
            "chat.bsky.convo.sendMessage",
            json={"convoId": convo_id, "message": {"text": text[:1000]}},
            headers=headers,
        )
        return SendResult(provider_message_id=str(sent.get("id") or ""))

    def download(self, client: httpx.Client, attachment: Attachment) -> tuple[bytes, str]:
        response = client.get(attachment.media_ref, follow_redirects=True)
        response.raise_for_status()
        return response.content, response.headers.get("content-type", "").split(";")[0]

    # -- XRPC ----------------------------------------------------------------------------

    def _session(self, client: httpx.Client, *, renew: bool = False) -> dict[str, str]:
        key = (self.config.api_base, self.config.secrets.get("identifier", ""))
        with _sessions_lock:
            session = None if renew else _sessions.get(key)
        if session is not None:
            return session
        body = {
            "identifier": self.config.secrets.get("identifier", ""),
            "password": self.config.secrets.get("app_password", ""),
        }
        response = self._call(client, "POST", "com.atproto.server.createSession", json=body)
        data = response.json()
        session = {"accessJwt": str(data["accessJwt"]), "did": str(data["did"])}
        with _sessions_lock:
            _sessions[key] = session
        return session

    def _xrpc(
        self,
        client: httpx.Client,
        method: str,
        name: str,
        params: dict[str, Any] | None = None,
        *,
        json: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        for attempt in (0, 1):
            session = self._session(client, renew=attempt == 1)
            auth = {"Authorization": f"Bearer {session['accessJwt']}", **(headers or {})}
            try:
                response = self._call(client, method, name, params=params, json=json, headers=auth)
            except SendError as error:
                if error.code in ("ExpiredToken", "InvalidToken") and attempt == 0:
                    continue
                raise
            data = response.json()
            return data if isinstance(data, dict) else {}
        raise SendError("session refused", retryable=False)

    def _call(self, client: httpx.Client, method: str, name: str, **kwargs: Any) -> httpx.Response:
        url = f"{self.config.api_base.rstrip('/')}/xrpc/{name}"
        try:
            response = client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise SendError(f"connection failed: {type(exc).__name__}", retryable=True) from exc
        log_exchange(type(self), response, self.config.secrets)
        if response.is_success:
            return response
        try:
            error = response.json()
        except ValueError:
            error = {}
        code = str(error.get("error") or response.status_code)
        retryable = response.status_code == 429 or response.status_code >= 500
        raise SendError(
            f"{response.status_code} {code}: {error.get('message') or ''}".strip(),
            retryable=retryable,
            code=code,
        )


# -- helpers ---------------------------------------------------------------------------


def web_url(uri: str, handle: str) -> str:
    """Return the bsky.app address of a post (``at://did/app.bsky.feed.post/rkey``)."""
    rkey = uri.rsplit("/", 1)[-1]
    return f"https://bsky.app/profile/{handle}/post/{rkey}" if handle and rkey else ""


def strip_leading_mentions(text: str, record: dict[str, Any]) -> str:
    """Drop the mentions a post starts with (the council's handle) from its text."""
    raw, start = text.encode(), 0
    facets = [f for f in record.get("facets") or [] if isinstance(f, dict)]
    for item in sorted(facets, key=lambda f: int((f.get("index") or {}).get("byteStart", 0))):
        index = item.get("index") or {}
        kinds = {(feature or {}).get("$type") for feature in item.get("features") or []}
        begin, end = int(index.get("byteStart", 0)), int(index.get("byteEnd", 0))
        if "app.bsky.richtext.facet#mention" not in kinds or raw[start:begin].strip():
            break
        start = end
    return raw[start:].decode(errors="ignore").strip()


def facet(start: int, end: int, kind: str, **value: str) -> dict[str, Any]:
    feature = {"$type": f"app.bsky.richtext.facet#{kind}", **value}
    return {"index": {"byteStart": start, "byteEnd": end}, "features": [feature]}


def link_facets(text: str) -> list[dict[str, Any]]:
    """Return link facets (UTF-8 byte offsets) for the http(s) addresses in ``text``."""
    facets, raw, offset = [], text.encode(), 0
    for word in text.split():
        word = word.rstrip(".,;:!?)»")
        if not word.startswith(("http://", "https://")):
            continue
        encoded = word.encode()
        start = raw.find(encoded, offset)
        facets.append(facet(start, start + len(encoded), "link", uri=word))
        offset = start + len(encoded)
    return facets


def _time(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
