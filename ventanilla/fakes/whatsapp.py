"""A fake WhatsApp Cloud API: the Graph endpoints a channel calls and the webhooks it gets.

Served under ``/whatsapp`` (so a channel's ``api_base`` is ``http://<fake>/whatsapp``):

- ``POST /{ver}/{phone_number_id}/messages`` checks the bearer token and the body, answers
  with a ``wamid`` and then delivers signed ``sent``, ``delivered`` and ``read`` statuses;
- ``GET /{ver}/{media_id}`` answers the media's metadata and a download URL valid 5 minutes;
- ``GET /media-download/{media_id}`` serves the bytes to the same bearer token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import struct
import time
import zlib
from typing import Any

from ventanilla.fakes.server import (
    Delivery,
    FakeChannel,
    FakeRequest,
    FakeResponse,
    ProviderFake,
)

VERSION = re.compile(r"^v\d+\.\d+$")
MEDIA_URL_SECONDS = 300
MESSAGE_TYPES = {
    "text",
    "image",
    "document",
    "audio",
    "video",
    "sticker",
    "location",
    "template",
    "interactive",
    "contacts",
    "reaction",
}


def tiny_png(rgb: tuple[int, int, int] = (230, 120, 20), size: int = 8) -> bytes:
    """Return a valid PNG of one colour, built with the standard library only."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\x00" + bytes(rgb) * size  # filter byte 0, then RGB pixels
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


def graph_error(code: int, message: str, status: int = 400, details: str = "") -> FakeResponse:
    """Return an error in the Graph API envelope."""
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AbCdEfGhIjKlMnOpQrStUvW",
    }
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return FakeResponse.json({"error": error}, status=status)


class WhatsAppFake(ProviderFake):
    name = "whatsapp"

    def api(self, request: FakeRequest) -> FakeResponse:
        """Route a Graph API call."""
        parts = request.path.strip("/").split("/")
        if request.method == "GET" and len(parts) == 2 and parts[0] == "media-download":
            return self.download(request, parts[1])
        if not parts or not VERSION.match(parts[0]):
            return graph_error(2500, "Unknown path components: " + request.path)
        channel = self.authenticate(request)
        if channel is None:
            return graph_error(190, "Invalid OAuth access token.", status=401)
        if request.method == "POST" and len(parts) == 3 and parts[2] == "messages":
            return self.messages(request, channel, parts[1])
        if request.method == "GET" and len(parts) == 2:
            return self.media_info(request, parts[1])
        return graph_error(100, "Unsupported request: " + request.path)

    def authenticate(self, request: FakeRequest) -> FakeChannel | None:
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or not auth[7:]:
            return None
        return self.channel_for(access_token=auth[7:])

    # -- messages --------------------------------------------------------------------------

    def messages(self, request: FakeRequest, channel: FakeChannel, pnid: str) -> FakeResponse:
        """Accept a send, answer its wamid and deliver its statuses later."""
        if channel.secrets.get("phone_number_id", pnid) != pnid:
            return graph_error(100, f"Object with ID '{pnid}' does not exist")
        try:
            payload = request.json()
        except ValueError:
            return graph_error(100, "Invalid JSON body")
        if not isinstance(payload, dict):
            return graph_error(100, "Invalid parameter")
        if payload.get("status") == "read" and payload.get("message_id"):
            return FakeResponse.json({"success": True})
        problem = invalid_message(payload)
        if problem is not None:
            code, details = problem
            return graph_error(code, "Invalid parameter", details=details)
        wamid = "wamid." + base64.b64encode(self.hub.new_id().encode()).decode()
        to = payload.get("to") or payload.get("recipient")
        contact = {"input": to, "wa_id": to} if payload.get("to") else {"input": to, "user_id": to}
        self.deliver_later(
            self.status_delivery(channel, wamid, status, payload)
            for status in ("sent", "delivered", "read")
        )
        return FakeResponse.json(
            {"messaging_product": "whatsapp", "contacts": [contact], "messages": [{"id": wamid}]}
        )

    def status_delivery(
        self, channel: FakeChannel, wamid: str, status: str, payload: dict[str, Any]
    ) -> Delivery:
        recipient = (
            {"recipient_id": payload["to"]}
            if payload.get("to")
            else {"recipient_user_id": payload.get("recipient")}
        )
        item = {"id": wamid, "status": status, "timestamp": str(int(time.time())), **recipient}
        if status != "read":
            item["conversation"] = {"id": self.hub.new_id(), "origin": {"type": "service"}}
            item["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "service"}
        return self.signed(channel, self.envelope(channel, {"statuses": [item]}))

    # -- media -----------------------------------------------------------------------------

    def media_info(self, request: FakeRequest, media_id: str) -> FakeResponse:
        """Answer a media id's metadata with a short-lived download URL pointing back here."""
        with self.hub.lock:
            stored = self.hub.media.get(media_id)
        if stored is None:
            return graph_error(100, f"Object with ID '{media_id}' does not exist")
        data, mime = stored
        host = request.headers.get("host", "127.0.0.1")
        expires = int(time.time()) + MEDIA_URL_SECONDS
        return FakeResponse.json(
            {
                "messaging_product": "whatsapp",
                "url": f"http://{host}/whatsapp/media-download/{media_id}?exp={expires}",
                "mime_type": mime,
                "sha256": hashlib.sha256(data).hexdigest(),
                "file_size": len(data),
                "id": media_id,
            }
        )

    def download(self, request: FakeRequest, media_id: str) -> FakeResponse:
        """Serve the bytes to a bearer of any registered token, until the URL expires."""
        if self.authenticate(request) is None:
            return graph_error(190, "Invalid OAuth access token.", status=401)
        if int(request.query.get("exp", "0")) < time.time():
            return FakeResponse(status=404, body=b"URL expired", content_type="text/plain")
        with self.hub.lock:
            stored = self.hub.media.get(media_id)
        if stored is None:
            return FakeResponse(status=404, body=b"Not found", content_type="text/plain")
        return FakeResponse(body=stored[0], content_type=stored[1])

    # -- residents -------------------------------------------------------------------------

    def resident_message(self, channel: FakeChannel, spec: dict[str, Any]) -> Delivery:
        """Build and sign the webhook for one resident's message.

        ``spec`` takes ``from`` (digits or E.164), or ``user_id`` for a resident with a
        username, plus ``name``, ``text``, ``image``, ``location`` and ``choice``.
        """
        phone = str(spec.get("from") or "").lstrip("+")
        user_id = str(spec.get("user_id") or "")
        wamid = "wamid." + base64.b64encode(self.hub.new_id().encode()).decode()
        message: dict[str, Any] = {"id": wamid, "timestamp": str(int(time.time()))}
        message |= {"from": phone} if phone else {}
        message |= {"from_user_id": user_id} if user_id else {}
        message |= self.resident_content(spec)
        contact: dict[str, Any] = {"profile": {"name": spec.get("name") or ""}}
        contact |= {"wa_id": phone} if phone else {}
        contact |= {"user_id": user_id} if user_id else {}
        value = {"contacts": [contact], "messages": [message]}
        delivery = self.signed(channel, self.envelope(channel, value))
        delivery.headers["x-fake-message-id"] = wamid
        return delivery

    def resident_content(self, spec: dict[str, Any]) -> dict[str, Any]:
        text = str(spec.get("text") or "")
        if spec.get("choice"):
            reply = {"id": str(spec["choice"]), "title": text or str(spec["choice"])}
            return {
                "type": "interactive",
                "interactive": {"type": "button_reply", "button_reply": reply},
            }
        if spec.get("location"):
            place = spec["location"]
            point = {"latitude": float(place["latitude"]), "longitude": float(place["longitude"])}
            return {"type": "location", "location": point}
        if spec.get("image"):
            png = tiny_png()
            media_id = self.hub.store_media(png, "image/png")
            image = {
                "mime_type": "image/png",
                "sha256": base64.b64encode(hashlib.sha256(png).digest()).decode(),
                "id": media_id,
            }
            return {"type": "image", "image": image | ({"caption": text} if text else {})}
        return {"type": "text", "text": {"body": text}}

    # -- webhooks --------------------------------------------------------------------------

    def envelope(self, channel: FakeChannel, value: dict[str, Any]) -> dict[str, Any]:
        pnid = channel.secrets.get("phone_number_id", "0")
        metadata = {"display_phone_number": "34910000000", "phone_number_id": pnid}
        value = {"messaging_product": "whatsapp", "metadata": metadata, **value}
        change = {"field": "messages", "value": value}
        return {"object": "whatsapp_business_account", "entry": [{"id": "0", "changes": [change]}]}

    def signed(self, channel: FakeChannel, data: dict[str, Any]) -> Delivery:
        """Sign the body as Meta does: HMAC-SHA256 of the exact bytes, ASCII-escaped JSON."""
        body = json.dumps(data, separators=(",", ":")).encode()
        secret = channel.secrets.get("app_secret", "").encode()
        signature = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        headers = {
            "content-type": "application/json",
            "user-agent": "facebookexternalua",
            "x-hub-signature-256": signature,
        }
        return Delivery(url=channel.webhook_url, body=body, headers=headers)


def invalid_message(payload: dict[str, Any]) -> tuple[int, str] | None:
    """Return (error code, details) for a body the Cloud API would refuse, else None."""
    if payload.get("messaging_product") != "whatsapp":
        return 100, "messaging_product must be 'whatsapp'"
    if not payload.get("to") and not payload.get("recipient"):
        return 100, "The parameter to is required."
    kind = payload.get("type", "text")
    body = payload.get(kind)
    if kind not in MESSAGE_TYPES or not isinstance(body, dict):
        return 100, f"Invalid message type or missing '{kind}' object"
    if kind == "text" and not 0 < len(body.get("body") or "") <= 4096:
        return 100, "text.body must be 1 to 4096 characters"
    if kind in ("image", "document", "audio", "video", "sticker") and not (
        body.get("link") or body.get("id")
    ):
        return 100, f"{kind} needs a link or an id"
    if kind == "interactive":
        return invalid_interactive(body)
    return None


def invalid_interactive(body: dict[str, Any]) -> tuple[int, str] | None:
    if not (body.get("body") or {}).get("text"):
        return 100, "interactive.body.text is required"
    action = body.get("action") or {}
    if body.get("type") == "button":
        buttons = action.get("buttons") or []
        if not 1 <= len(buttons) <= 3:
            return 131009, "buttons must have 1 to 3 entries"
        if any(len(b["reply"]["title"]) > 20 for b in buttons):
            return 131009, "button title length exceeded (20)"
        return None
    if body.get("type") == "list":
        rows = [row for section in action.get("sections") or [] for row in section["rows"]]
        if not 1 <= len(rows) <= 10 or not 0 < len(action.get("button") or "") <= 20:
            return 131009, "a list needs 1 to 10 rows and a button label of up to 20"
        if any(len(row["title"]) > 24 for row in rows):
            return 131009, "row title length exceeded (24)"
        return None
    return 100, "unsupported interactive type"
