"""Fake Messenger and Instagram messaging: Meta's Send API and the webhooks a page gets.

Served under ``/messenger`` and ``/instagram`` (a channel's ``api_base`` is
``http://<fake>/messenger``):

- ``POST /{ver}/me/messages`` checks the page token and the body (``recipient.id``,
  ``messaging_type``, ``message.text`` or ``message.attachment``, quick replies), answers
  ``{"recipient_id", "message_id"}`` and then delivers a signed echo, ``delivery`` and ``read``;
- a resident's message is ``entry[].messaging[]`` with ``object`` ``page`` or ``instagram``,
  signed with ``X-Hub-Signature-256`` like WhatsApp's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from typing import Any

from ventanilla.fakes.server import Delivery, FakeChannel, FakeRequest, FakeResponse, ProviderFake
from ventanilla.fakes.whatsapp import graph_error, tiny_png

VERSION = re.compile(r"^v\d+\.\d+$")
MESSAGING_TYPES = {"RESPONSE", "UPDATE", "MESSAGE_TAG"}


def scoped_id(resident: str) -> str:
    """Return a stable page-scoped id (digits) for a resident's name in tests and the demo."""
    if resident.isdigit():
        return resident
    return str(int(hashlib.sha256(resident.encode()).hexdigest()[:13], 16))


class MessengerFake(ProviderFake):
    name = "messenger"
    webhook_object = "page"

    def api(self, request: FakeRequest) -> FakeResponse:
        parts = request.path.strip("/").split("/")
        if request.method == "GET" and parts == ["cdn", parts[-1]] and len(parts) == 2:
            return self.cdn(parts[1])
        if not parts or not VERSION.match(parts[0]):
            return graph_error(2500, "Unknown path components: " + request.path)
        auth = request.headers.get("authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else request.query.get("access_token", "")
        channel = self.channel_for(access_token=token) if token else None
        if channel is None:
            return graph_error(190, "Invalid OAuth access token.", status=401)
        if request.method == "POST" and parts[1:] == ["me", "messages"]:
            return self.messages(request, channel)
        return graph_error(100, "Unsupported request: " + request.path)

    def messages(self, request: FakeRequest, channel: FakeChannel) -> FakeResponse:
        try:
            payload = request.json()
        except ValueError:
            return graph_error(100, "Invalid JSON body")
        problem = invalid_send(payload)
        if problem:
            return graph_error(100, "(#100) " + problem)
        recipient = str(payload["recipient"]["id"])
        mid = "m_" + base64.urlsafe_b64encode(self.hub.new_id().encode()).decode().rstrip("=")
        page = channel.secrets.get("page_id", "0")
        echo = {"mid": mid, "is_echo": True, "app_id": 1517776481860111}
        echo |= {"text": payload["message"]["text"]} if "text" in payload["message"] else {}
        now = int(time.time() * 1000)
        events: list[dict[str, Any]] = [
            {"sender": {"id": page}, "recipient": {"id": recipient}, "message": echo},
            {"sender": {"id": recipient}, "recipient": {"id": page}, "delivery": {"mids": [mid]}},
            {"sender": {"id": recipient}, "recipient": {"id": page}, "read": self.read(mid, now)},
        ]
        self.deliver_later(self.signed(channel, [event | {"timestamp": now}]) for event in events)
        return FakeResponse.json({"recipient_id": recipient, "message_id": mid})

    def read(self, mid: str, now: int) -> dict[str, Any]:
        return {"watermark": now}

    def cdn(self, media_id: str) -> FakeResponse:
        with self.hub.lock:
            stored = self.hub.media.get(media_id)
        if stored is None:
            return FakeResponse(status=404, body=b"Not found", content_type="text/plain")
        return FakeResponse(body=stored[0], content_type=stored[1])

    # -- residents -------------------------------------------------------------------------

    def resident_message(self, channel: FakeChannel, spec: dict[str, Any]) -> Delivery:
        """Build and sign the webhook for one resident's message.

        ``spec`` takes ``from`` (a name or a scoped id), ``text``, ``choice`` (a quick reply's
        payload), ``image`` and ``location``.
        """
        sender = scoped_id(str(spec.get("from") or "resident"))
        mid = "m_" + base64.urlsafe_b64encode(self.hub.new_id().encode()).decode().rstrip("=")
        message: dict[str, Any] = {"mid": mid}
        if spec.get("text"):
            message["text"] = str(spec["text"])
        if spec.get("choice"):
            message["quick_reply"] = {"payload": str(spec["choice"])}
        if spec.get("image"):
            media_id = self.hub.store_media(tiny_png(), "image/png")
            url = f"{self.hub.base_url}/{self.name}/cdn/{media_id}"
            message["attachments"] = [{"type": "image", "payload": {"url": url}}]
        if spec.get("location"):
            place = spec["location"]
            point = {"lat": float(place["latitude"]), "long": float(place["longitude"])}
            message["attachments"] = [{"type": "location", "payload": {"coordinates": point}}]
        event = {
            "sender": {"id": sender},
            "recipient": {"id": channel.secrets.get("page_id", "0")},
            "timestamp": int(time.time() * 1000),
            "message": message,
        }
        delivery = self.signed(channel, [event])
        delivery.headers["x-fake-message-id"] = mid
        return delivery

    # -- webhooks --------------------------------------------------------------------------

    def signed(self, channel: FakeChannel, messaging: list[dict[str, Any]]) -> Delivery:
        entry = {
            "id": channel.secrets.get("page_id", "0"),
            "time": int(time.time() * 1000),
            "messaging": messaging,
        }
        data = {"object": self.webhook_object, "entry": [entry]}
        body = json.dumps(data, separators=(",", ":")).encode()
        secret = channel.secrets.get("app_secret", "").encode()
        signature = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        headers = {
            "content-type": "application/json",
            "user-agent": "facebookexternalua",
            "x-hub-signature-256": signature,
        }
        return Delivery(url=channel.webhook_url, body=body, headers=headers)


class InstagramFake(MessengerFake):
    name = "instagram"
    webhook_object = "instagram"

    def read(self, mid: str, now: int) -> dict[str, Any]:
        return {"mid": mid}


def invalid_send(payload: Any) -> str:
    """Return why the Send API would refuse ``payload``, or an empty string."""
    if not isinstance(payload, dict):
        return "Invalid parameter"
    if not isinstance(payload.get("recipient"), dict) or not payload["recipient"].get("id"):
        return "The parameter recipient is required"
    if payload.get("messaging_type") not in MESSAGING_TYPES:
        return "messaging_type must be RESPONSE, UPDATE or MESSAGE_TAG"
    message = payload.get("message")
    if not isinstance(message, dict) or not (message.get("text") or message.get("attachment")):
        return "The parameter message[text] or message[attachment] is required"
    if len(message.get("text") or "") > 2000:
        return "param message[text] must be UTF-8 encoded with at most 2000 characters"
    quick = message.get("quick_replies") or []
    if len(quick) > 13 or any(len(q.get("title") or "") > 20 for q in quick):
        return "quick_replies: at most 13, titles of at most 20 characters"
    return ""
