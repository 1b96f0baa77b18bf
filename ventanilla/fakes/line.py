"""A local LINE Messaging API: reply, push with retry keys, content download, signed webhooks.

Like LINE, the fake issues a reply token with every event it delivers, accepts each token
once and only for 60 seconds (``clock`` and ``reply_token_ttl`` let tests age them), and
remembers push retry keys so that a reused key answers 409 with the accepted request id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import random
import re
import threading
import time
import uuid
from typing import Any

from ventanilla.fakes.server import (
    Delivery,
    FakeChannel,
    FakeHub,
    FakeRequest,
    FakeResponse,
    ProviderFake,
)
from ventanilla.fakes.telegram import png_image

USER_ID_RE = re.compile(r"^U[0-9a-f]{32}$")
CONTENT_RE = re.compile(r"^/v2/bot/message/([0-9]+)/content$")
ULID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MESSAGE_TYPES = {"text", "image", "video", "audio", "location", "sticker", "imagemap", "template"}
AUTH_FAILED = (
    "Authentication failed. Confirm that the access token in the authorization header is valid."
)

Json = dict[str, Any]


def line_user_id(value: Any) -> str:
    """Return ``value`` as a LINE userId, deriving a stable one from anything else."""
    text = str(value or "resident")
    if USER_ID_RE.match(text):
        return text
    return "U" + hashlib.sha256(text.encode()).hexdigest()[:32]


def sign(channel_secret: str, body: bytes) -> str:
    """Return the X-Line-Signature LINE puts on ``body``."""
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _error(status: int, message: str, details: list[Json] | None = None) -> FakeResponse:
    body: Json = {"message": message}
    if details:
        body["details"] = details
    return FakeResponse.json(body, status=status)


class LineFake(ProviderFake):
    """Play the LINE Messaging API for every official account registered with the hub."""

    name = "line"
    reply_token_ttl = 60.0

    def __init__(self, hub: FakeHub) -> None:
        super().__init__(hub)
        self.lock = threading.Lock()
        self.clock = time.monotonic
        # Start from the clock so a restarted fake never reuses ids a demo database holds.
        self._ids = itertools.count(time.time_ns() // 1000 * 100)
        self.reply_tokens: dict[str, tuple[str, float]] = {}  # token -> (access token, issued)
        self.retry_keys: dict[tuple[str, str], tuple[str, list[Json]]] = {}
        self.contents: dict[str, tuple[str, str]] = {}  # message id -> (access token, media id)

    # -- API -------------------------------------------------------------------------------

    def api(self, request: FakeRequest) -> FakeResponse:
        """Answer one call; every answer carries its own ``x-line-request-id``."""
        request_id = str(uuid.uuid4())
        response = self._route(request, request_id)
        response.headers.setdefault("x-line-request-id", request_id)
        return response

    def _route(self, request: FakeRequest, request_id: str) -> FakeResponse:
        auth = request.headers.get("authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        if not token or self.channel_for(access_token=token) is None:
            return _error(401, AUTH_FAILED)
        if request.method == "POST" and request.path == "/v2/bot/message/reply":
            return self._reply(request, token)
        if request.method == "POST" and request.path == "/v2/bot/message/push":
            return self._push(request, token, request_id)
        content = CONTENT_RE.match(request.path)
        if request.method == "GET" and content:
            return self._content(content.group(1), token)
        if request.method == "GET" and request.path == "/v2/bot/info":
            return FakeResponse.json(self._bot_info(token))
        return _error(404, "Not found")

    def _reply(self, request: FakeRequest, token: str) -> FakeResponse:
        if "x-line-retry-key" in request.headers:
            return _error(400, "The retry key cannot be used with this API")
        body, problem = _validated(request)
        if problem is not None:
            return problem
        with self.lock:
            issued = self.reply_tokens.pop(str(body.get("replyToken")), None)
        if issued is None or issued[0] != token:
            return _error(400, "Invalid reply token")
        if self.clock() - issued[1] >= self.reply_token_ttl:
            return _error(400, "Invalid reply token")
        return FakeResponse.json({"sentMessages": self._sent_messages(body["messages"])})

    def _push(self, request: FakeRequest, token: str, request_id: str) -> FakeResponse:
        key = request.headers.get("x-line-retry-key")
        if key is not None and not _is_uuid(key):
            return _error(400, "The value of the X-Line-Retry-Key header is invalid")
        body, problem = _validated(request)
        if problem is not None:
            return problem
        if not USER_ID_RE.match(str(body.get("to"))):
            return _error(
                400, "The property, 'to', in the request body is invalid (line: -, column: -)"
            )
        sent = self._sent_messages(body["messages"])
        with self.lock:
            accepted = self.retry_keys.get((token, str(key))) if key else None
            if key and accepted is None:
                self.retry_keys[(token, key)] = (request_id, sent)
        if accepted is not None:
            payload = {"message": "The retry key is already accepted", "sentMessages": accepted[1]}
            response = FakeResponse.json(payload, status=409)
            response.headers["x-line-accepted-request-id"] = accepted[0]
            return response
        return FakeResponse.json({"sentMessages": sent})

    def _content(self, message_id: str, token: str) -> FakeResponse:
        with self.lock:
            stored = self.contents.get(message_id)
        if stored is None or stored[0] != token or stored[1] not in self.hub.media:
            return _error(404, "Not found")
        data, content_type = self.hub.media[stored[1]]
        return FakeResponse(body=data, content_type=content_type)

    def _bot_info(self, token: str) -> Json:
        user_id = line_user_id(f"bot:{token}")
        return {"userId": user_id, "basicId": "@ventanilla", "displayName": "Ventanilla"}

    def _sent_messages(self, messages: list[Json]) -> list[Json]:
        with self.lock:
            ids = [str(next(self._ids)) for _ in messages]
        return [{"id": message_id, "quoteToken": uuid.uuid4().hex} for message_id in ids]

    # -- residents -------------------------------------------------------------------------

    def resident_message(self, channel: FakeChannel, spec: dict[str, Any]) -> Delivery:
        """Build the signed webhook for a resident: one event per part of ``spec``.

        ``spec`` may also say ``"event": "follow" | "unfollow"``; with nothing in it, the
        body has no events, like the console's Verify button.
        """
        token = channel.secrets.get("access_token", "")
        source = {"type": "user", "userId": line_user_id(spec.get("from"))}
        events: list[Json] = []
        if spec.get("event") in ("follow", "unfollow"):
            events.append(self._event(token, source, spec["event"]))
        if spec.get("choice"):
            events.append(
                self._event(token, source, "postback", postback={"data": str(spec["choice"])})
            )
        if spec.get("image"):
            events.append(
                self._message_event(
                    token, source, {"type": "image", "contentProvider": {"type": "line"}}
                )
            )
        if spec.get("location"):
            point = spec["location"]
            location: Json = {"type": "location", "title": "Ubicación"}
            location.update(latitude=float(point["latitude"]), longitude=float(point["longitude"]))
            events.append(self._message_event(token, source, location))
        if spec.get("text") and not spec.get("choice"):
            events.append(
                self._message_event(token, source, {"type": "text", "text": str(spec["text"])})
            )
        ids = [_provider_id(event) for event in events]
        body = {"destination": self._bot_info(token)["userId"], "events": events}
        return self._signed(channel, body, ids)

    def redelivery(self, channel: FakeChannel, delivery: Delivery) -> Delivery:
        """Return ``delivery`` again as LINE's webhook redelivery sends it."""
        body = json.loads(delivery.body)
        for event in body["events"]:
            event["deliveryContext"] = {"isRedelivery": True}
        return self._signed(channel, body, [_provider_id(event) for event in body["events"]])

    def _signed(self, channel: FakeChannel, body: Json, ids: list[str]) -> Delivery:
        raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "content-type": "application/json; charset=utf-8",
            "x-line-signature": sign(channel.secrets.get("channel_secret", ""), raw),
            "x-fake-message-id": ids[-1] if ids else "",
            "x-fake-message-ids": ",".join(ids),
        }
        return Delivery(url=channel.webhook_url, body=raw, headers=headers)

    def _message_event(self, token: str, source: Json, message: Json) -> Json:
        with self.lock:
            message_id = str(next(self._ids))
        if message["type"] == "image":
            media_id = self.hub.store_media(png_image(32, 18), "image/png")
            with self.lock:
                self.contents[message_id] = (token, media_id)
        message = {"id": message_id, **message, "quoteToken": uuid.uuid4().hex}
        return self._event(token, source, "message", message=message)

    def _event(self, token: str, source: Json, kind: str, **content: Any) -> Json:
        event: Json = {
            "type": kind,
            "mode": "active",
            "timestamp": int(time.time() * 1000),
            "source": source,
            "webhookEventId": _ulid(),
            "deliveryContext": {"isRedelivery": False},
        }
        if kind != "unfollow":
            reply_token = uuid.uuid4().hex
            with self.lock:
                self.reply_tokens[reply_token] = (token, self.clock())
            event["replyToken"] = reply_token
        return {**event, **content}


def _provider_id(event: Json) -> str:
    """Return the id the adapter gives this event: the message id, else the event id."""
    return str((event.get("message") or {}).get("id") or event["webhookEventId"])


def _ulid() -> str:
    value = (int(time.time() * 1000) << 80) | random.getrandbits(80)
    return "".join(ULID_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def _is_uuid(value: str) -> bool:
    return re.fullmatch(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", value) is not None


def _validated(request: FakeRequest) -> tuple[Json, FakeResponse | None]:
    """Return the body and, if LINE would refuse it, the 400 answer."""
    try:
        body = request.json()
    except ValueError:
        return {}, _error(400, "The request body could not be parsed as JSON")
    if not isinstance(body, dict):
        return {}, _error(400, "The request body could not be parsed as JSON")
    details = _message_problems(body.get("messages"))
    if details:
        return body, _error(400, f"The request body has {len(details)} error(s)", details)
    return body, None


def _message_problems(messages: Any) -> list[Json]:
    if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
        return [{"message": "Size must be between 1 and 5", "property": "messages"}]
    problems: list[Json] = []
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        if not isinstance(message, dict) or message.get("type") not in MESSAGE_TYPES:
            problems.append({"message": "Invalid message type", "property": f"{where}.type"})
            continue
        problems += _field_problems(message, where)
        quick = (message.get("quickReply") or {}).get("items")
        if quick is not None:
            problems += _quick_reply_problems(quick, f"{where}.quickReply.items")
    return problems


def _field_problems(message: Json, where: str) -> list[Json]:
    required = {
        "text": ("text",),
        "image": ("originalContentUrl", "previewImageUrl"),
        "location": ("title", "address", "latitude", "longitude"),
    }.get(message["type"], ())
    problems = [
        {"message": "Must not be empty", "property": f"{where}.{name}"}
        for name in required
        if message.get(name) in (None, "")
    ]
    if len(str(message.get("text") or "")) > 5000:
        problems.append(
            {"message": "Length must be between 0 and 5000", "property": f"{where}.text"}
        )
    return problems


def _quick_reply_problems(items: Any, where: str) -> list[Json]:
    if not isinstance(items, list) or not 1 <= len(items) <= 13:
        return [{"message": "Size must be between 1 and 13", "property": where}]
    problems = []
    for index, item in enumerate(items):
        action = (item.get("action") or {}) if isinstance(item, dict) else {}
        label = str(action.get("label") or "")
        if not 1 <= len(label) <= 20:
            problems.append(
                {
                    "message": "Length must be between 1 and 20",
                    "property": f"{where}[{index}].action.label",
                }
            )
        if action.get("type") == "postback" and not 1 <= len(str(action.get("data") or "")) <= 300:
            problems.append(
                {
                    "message": "Length must be between 1 and 300",
                    "property": f"{where}[{index}].action.data",
                }
            )
    return problems
