"""A local Telegram Bot API: ``/bot<token>/<method>`` calls, file downloads, webhook updates.

The fake answers in Telegram's envelope (``{"ok": true, "result": ...}`` or ``{"ok": false,
"error_code", "description"}``) with Telegram's own error texts, so the adapter's error
mapping is exercised exactly as in production.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import mimetypes
import re
import struct
import threading
import time
import zlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from ventanilla.fakes.server import (
    Delivery,
    FakeChannel,
    FakeHub,
    FakeRequest,
    FakeResponse,
    ProviderFake,
)

SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
PHOTO_SIZES = ((9, 5), (32, 18), (64, 36))  # smallest first, like Telegram
BOT_ID_FALLBACK = 7000000001

Params = dict[str, Any]


def png_image(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (214, 92, 38)) -> bytes:
    """Return a valid single-colour PNG, built with the standard library only."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    rows = (b"\x00" + bytes(rgb) * width) * height  # filter byte 0 before each row
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def telegram_user_id(value: Any) -> int:
    """Return ``value`` as a Telegram user id, deriving a stable one from non-numeric text."""
    text = str(value or "resident")
    if text.isdigit():
        return int(text)
    digest = int(hashlib.sha256(text.encode()).hexdigest(), 16)
    return 1_000_000_000 + digest % 8_000_000_000


def _ok(result: Any) -> FakeResponse:
    return FakeResponse.json({"ok": True, "result": result})


def _error(status: int, description: str, **parameters: Any) -> FakeResponse:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return FakeResponse.json(body, status=status)


UNAUTHORIZED = (401, "Unauthorized")
NOT_FOUND = (404, "Not Found")
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class TelegramFake(ProviderFake):
    """Play the Telegram Bot API for every bot registered with the hub."""

    name = "telegram"

    def __init__(self, hub: FakeHub) -> None:
        super().__init__(hub)
        self.lock = threading.Lock()
        # Start from the clock so a restarted fake never reuses ids a demo database holds.
        base = int(time.time()) - 1_600_000_000
        self._update_ids = itertools.count(base * 4)
        self._message_ids = itertools.count(base % 1_000_000 * 100)
        self.files: dict[str, str] = {}  # file_id -> file_path
        self.callback_ids: set[str] = set()  # callback queries not answered yet
        self.webhooks: dict[str, Params] = {}  # bot token -> last setWebhook parameters
        self.methods: dict[str, Callable[[FakeChannel, str, Params], FakeResponse]] = {
            "getme": self._get_me,
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "sendlocation": self._send_location,
            "sendvenue": self._send_location,
            "answercallbackquery": self._answer_callback_query,
            "getfile": self._get_file,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "getupdates": self._get_updates,
        }

    # -- API -------------------------------------------------------------------------------

    def api(self, request: FakeRequest) -> FakeResponse:
        """Route ``/bot<token>/<method>`` and ``/file/bot<token>/<path>``."""
        parts = request.path.strip("/").split("/")
        if len(parts) >= 3 and parts[0] == "file" and parts[1].startswith("bot"):
            return self._download(parts[1][3:], "/".join(parts[2:]))
        if len(parts) != 2 or not parts[0].startswith("bot"):
            return _error(*NOT_FOUND)
        token, method = parts[0][3:], parts[1].lower()
        channel = self.channel_for(bot_token=token)
        if channel is None:
            return _error(*UNAUTHORIZED)
        handler = self.methods.get(method)
        if handler is None:
            return _error(*NOT_FOUND)
        try:
            params = _params(request)
        except ValueError:
            return _error(400, "Bad Request: can't parse request body")
        return handler(channel, token, params)

    def _get_me(self, channel: FakeChannel, token: str, params: Params) -> FakeResponse:
        return _ok({**_bot(token), "can_join_groups": False, "supports_inline_queries": False})

    def _send_message(self, channel: FakeChannel, token: str, params: Params) -> FakeResponse:
        text = str(params.get("text") or "")
        if not text:
            return _error(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return _error(400, "Bad Request: message is too long")
        return self._sent(token, params, text=text)

    def _send_photo(self, channel: FakeChannel, token: str, params: Params) -> FakeResponse:
        if not params.get("photo"):
            return _error(400, "Bad Request: there is no photo in the request")
        if len(str(params.get("caption") or "")) > 1024:
            return _error(400, "Bad Request: message caption is too long")
        sizes = [self._file_entry("photo", w, h) for w, h in PHOTO_SIZES]
        return self._sent(token, params, photo=sizes, **_caption(params))

    def _send_document(self, channel: FakeChannel, token: str, params: Params) -> FakeResponse:
        source = str(params.get("document") or "")
        if not source:
            return _error(400, "Bad Request: there is no document in the request")
        file_name = urlsplit(source).path.rsplit("/", 1)[-1] or "document"
        document = {
            "file_id": self.hub.new_id("BQAC"),
            "file_unique_id": self.hub.new_id()[:12],
            "file_name": file_name,
            "mime_type": mimetypes.guess_type(file_name)[0] or "application/octet-stream",
        }
        return self._sent(token, params, document=document, **_caption(params))

    def _send_location(self, channel: FakeChannel, token: str, params: Params) -> FakeResponse:
        try:
            point = {"latitude": float(params["latitude"]), "longitude": float(params["longitude"])}
        except (KeyError, TypeError, ValueError):
            return _error(400, "Bad Request: wrong latitude or longitude specified")
        if "title" in params or "address" in params:
            venue = {
                "location": point,
                "title": params.get("title"),
                "address": params.get("address"),
            }
            return self._sent(token, params, location=point, venue=venue)
        return self._sent(token, params, location=point)

    def _answer_callback_query(
        self, channel: FakeChannel, token: str, params: Params
    ) -> FakeResponse:
        with self.lock:
            known = str(params.get("callback_query_id")) in self.callback_ids
            self.callback_ids.discard(str(params.get("callback_query_id")))
        if not known:
            return _error(400, QUERY_TOO_OLD)
        return _ok(True)

    def _get_file(self, channel: FakeChannel, token: str, params: Params) -> FakeResponse:
        file_id = str(params.get("file_id") or "")
        with self.lock:
            file_path = self.files.get(file_id)
        if file_path is None or file_id not in self.hub.media:
            return _error(400, "Bad Request: invalid file_id")
        data, _ = self.hub.media[file_id]
        unique_id = hashlib.sha1(file_id.encode()).hexdigest()[:12]
        result = {"file_id": file_id, "file_unique_id": unique_id, "file_size": len(data)}
        return _ok({**result, "file_path": file_path})

    def _download(self, token: str, file_path: str) -> FakeResponse:
        if self.channel_for(bot_token=token) is None:
            return _error(*UNAUTHORIZED)
        with self.lock:
            file_id = next((fid for fid, path in self.files.items() if path == file_path), None)
        if file_id is None or file_id not in self.hub.media:
            return _error(*NOT_FOUND)
        data, content_type = self.hub.media[file_id]
        return FakeResponse(body=data, content_type=content_type)

    def _set_webhook(self, channel: FakeChannel, token: str, params: Params) -> FakeResponse:
        url = str(params.get("url") or "")
        secret = params.get("secret_token")
        if secret is not None and not SECRET_TOKEN_RE.match(str(secret)):
            return _error(400, "Bad Request: secret token contains unallowed characters")
        with self.hub.lock:  # Telegram now delivers there, with that header
            channel.webhook_url = url
            if secret is None:
                channel.secrets.pop("secret_token", None)
            else:
                channel.secrets["secret_token"] = str(secret)
        with self.lock:
            self.webhooks[token] = dict(params)
        return FakeResponse.json({"ok": True, "result": True, "description": "Webhook was set"})

    def _delete_webhook(self, channel: FakeChannel, token: str, params: Params) -> FakeResponse:
        with self.lock:
            self.webhooks[token] = {"url": ""}
        return FakeResponse.json({"ok": True, "result": True, "description": "Webhook was deleted"})

    def _get_webhook_info(self, channel: FakeChannel, token: str, params: Params) -> FakeResponse:
        with self.lock:
            webhook = self.webhooks.get(token, {"url": channel.webhook_url})
        info = {"url": webhook.get("url", ""), "has_custom_certificate": False}
        if webhook.get("allowed_updates"):
            info["allowed_updates"] = webhook["allowed_updates"]
        return _ok({**info, "pending_update_count": 0})

    def _get_updates(self, channel: FakeChannel, token: str, params: Params) -> FakeResponse:
        with self.lock:
            webhook_url = self.webhooks.get(token, {"url": channel.webhook_url}).get("url")
        if webhook_url:
            return _error(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        return _ok([])

    def _sent(self, token: str, params: Params, **content: Any) -> FakeResponse:
        """Answer a send with the Message Telegram would return."""
        try:
            chat_id = int(params.get("chat_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return _error(400, "Bad Request: chat not found")
        with self.lock:
            message_id = next(self._message_ids)
        message = {
            "message_id": message_id,
            "from": _bot(token),
            "chat": {"id": chat_id, "type": "private"},
            "date": int(time.time()),
            **content,
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            buttons = [button for row in markup["inline_keyboard"] for button in row]
            if any(len(str(b.get("callback_data", "")).encode()) > 64 for b in buttons):
                return _error(400, "Bad Request: BUTTON_DATA_INVALID")
            message["reply_markup"] = markup
        return _ok(message)

    def _file_entry(self, kind: str, width: int, height: int) -> dict[str, Any]:
        """Store a PNG and return its PhotoSize, downloadable through getFile."""
        data = png_image(width, height)
        file_id = self.hub.store_media(data, "image/png")
        with self.lock:
            self.files[file_id] = f"{kind}s/file_{len(self.files)}.png"
        unique_id = hashlib.sha1(file_id.encode()).hexdigest()[:12]
        return {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "file_size": len(data),
            "width": width,
            "height": height,
        }

    # -- residents -------------------------------------------------------------------------

    def resident_message(self, channel: FakeChannel, spec: dict[str, Any]) -> Delivery:
        """Build the Update a resident's message produces, with the secret-token header."""
        user_id = telegram_user_id(spec.get("from"))
        first, _, last = str(spec.get("name") or "Vecino").partition(" ")
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first}
        if last:
            user["last_name"] = last
        if spec.get("language"):
            user["language_code"] = str(spec["language"])
        chat = {"id": user_id, "first_name": first, "type": "private"}
        with self.lock:
            update_id = next(self._update_ids)
        if spec.get("choice"):
            update = {"update_id": update_id, "callback_query": self._callback(user, chat, spec)}
        else:
            update = {"update_id": update_id, "message": self._message(user, chat, spec)}
        headers = {"content-type": "application/json", "x-fake-message-id": str(update_id)}
        if channel.secrets.get("secret_token"):
            headers["x-telegram-bot-api-secret-token"] = channel.secrets["secret_token"]
        body = json.dumps(update, ensure_ascii=False).encode()
        return Delivery(url=channel.webhook_url, body=body, headers=headers)

    def _message(self, user: Params, chat: Params, spec: dict[str, Any]) -> Params:
        with self.lock:
            message_id = next(self._message_ids)
        message: Params = {"message_id": message_id, "date": int(time.time())}
        message.update({"from": user, "chat": chat})
        text = str(spec.get("text") or "")
        if spec.get("image"):
            message["photo"] = [self._file_entry("photo", w, h) for w, h in PHOTO_SIZES]
            if text:
                message["caption"] = text
        elif text:
            message["text"] = text
        if spec.get("location"):
            location = spec["location"]
            message["location"] = {
                "latitude": float(location["latitude"]),
                "longitude": float(location["longitude"]),
            }
        return message

    def _callback(self, user: Params, chat: Params, spec: dict[str, Any]) -> Params:
        query_id = self.hub.new_id()[:18]
        with self.lock:
            self.callback_ids.add(query_id)
            message_id = next(self._message_ids)
        choice = str(spec["choice"])
        keyboard = {
            "inline_keyboard": [[{"text": spec.get("text") or choice, "callback_data": choice}]]
        }
        message = {"message_id": message_id, "date": int(time.time()), "chat": chat}
        return {
            "id": query_id,
            "from": user,
            "message": {**message, "text": "…", "reply_markup": keyboard},
            "chat_instance": str(-telegram_user_id(f"chat-{chat['id']}")),
            "data": choice,
        }


def _bot(token: str) -> dict[str, Any]:
    head = token.split(":", 1)[0]
    bot_id = int(head) if head.isdigit() else BOT_ID_FALLBACK
    return {"id": bot_id, "is_bot": True, "first_name": "Ventanilla", "username": "ventanilla_bot"}


def _caption(params: Params) -> dict[str, str]:
    caption = str(params.get("caption") or "")
    return {"caption": caption} if caption else {}


def _params(request: FakeRequest) -> Params:
    """Merge the query string with a JSON or form body, as Telegram accepts all three."""
    params: Params = dict(request.query)
    content_type = request.headers.get("content-type", "")
    if request.body and "json" in content_type:
        body = request.json()
        if not isinstance(body, dict):
            raise ValueError("body is not an object")
        params.update(body)
    elif request.body and "form" in content_type:
        params.update(request.form())
    for key in ("reply_markup", "allowed_updates"):
        if isinstance(params.get(key), str):  # form-encoded calls send these as JSON text
            params[key] = json.loads(params[key])
    return params
