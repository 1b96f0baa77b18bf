"""A fake Bluesky PDS: sessions, the account's notifications, posts and the chat service.

Served under ``/bluesky`` (a channel's ``api_base`` is ``http://<fake>/bluesky``), XRPC:

- ``POST /xrpc/com.atproto.server.createSession`` (``identifier``, ``password``);
- ``GET /xrpc/app.bsky.notification.listNotifications``: mentions and replies, newest first;
- ``POST /xrpc/com.atproto.repo.createRecord``: an ``app.bsky.feed.post`` whose ``reply``
  strong references must name posts the fake holds (``uri`` and ``cid``), text of at most
  300 characters, facets with UTF-8 byte offsets inside the text;
- ``GET /xrpc/chat.bsky.convo.getConvoForMembers`` and ``POST .../chat.bsky.convo.sendMessage``
  with the ``atproto-proxy`` header: direct messages.

Bluesky calls no webhook: ``/_control/bluesky/inbound`` (``from`` a handle, ``text``,
``reply_to`` a post uri) makes a resident mention the council; the next poll finds it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import threading
from typing import Any

from ventanilla.fakes.server import Delivery, FakeChannel, FakeRequest, FakeResponse, ProviderFake

COUNCIL_HANDLE = "ayuntamiento.bsky.social"


def did_of(handle: str) -> str:
    return "did:plc:" + hashlib.sha256(handle.encode()).hexdigest()[:24]


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def error(status: int, name: str, message: str = "") -> FakeResponse:
    return FakeResponse.json({"error": name, "message": message or name}, status=status)


class BlueskyFake(ProviderFake):
    name = "bluesky"
    polled = True

    def __init__(self, hub: Any) -> None:
        super().__init__(hub)
        self.lock = threading.Lock()
        self.rkeys = itertools.count(1)
        self.reset()

    def reset(self) -> None:
        with getattr(self, "lock", threading.Lock()):
            self.sessions: dict[str, str] = {}  # access token -> identifier
            self.posts: dict[str, dict[str, Any]] = {}  # uri -> {uri, cid, author, record}
            self.notifications: dict[str, list[dict[str, Any]]] = {}  # identifier -> oldest first
            self.messages: list[dict[str, Any]] = []  # direct messages sent

    # -- XRPC --------------------------------------------------------------------------

    def api(self, request: FakeRequest) -> FakeResponse:
        name = request.path.removeprefix("/xrpc/").strip("/")
        if request.method == "POST" and name == "com.atproto.server.createSession":
            return self.create_session(request)
        auth = request.headers.get("authorization", "")
        with self.lock:
            identifier = self.sessions.get(auth.removeprefix("Bearer "))
        if identifier is None:
            return error(401, "InvalidToken", "Token could not be verified")
        if request.method == "GET" and name == "app.bsky.notification.listNotifications":
            with self.lock:
                rows = list(reversed(self.notifications.get(identifier, [])))
            limit = int(request.query.get("limit") or 50)
            return FakeResponse.json({"notifications": rows[:limit], "cursor": ""})
        if request.method == "POST" and name == "com.atproto.repo.createRecord":
            return self.create_record(request, identifier)
        if name.startswith("chat.bsky.convo."):
            if request.headers.get("atproto-proxy") != "did:web:api.bsky.chat#bsky_chat":
                return error(400, "InvalidRequest", "chat calls go through the chat service")
            if request.method == "GET" and name == "chat.bsky.convo.getConvoForMembers":
                member = request.query.get("members", "")
                return FakeResponse.json({"convo": {"id": "convo-" + member[-12:]}})
            if request.method == "POST" and name == "chat.bsky.convo.sendMessage":
                body = request.json()
                sent = {
                    "id": f"msg{next(self.rkeys)}",
                    "convoId": body["convoId"],
                    "text": body["message"]["text"],
                    "sentAt": now(),
                }
                with self.lock:
                    self.messages.append(sent)
                return FakeResponse.json(sent)
        return error(501, "MethodNotImplemented", name)

    def create_session(self, request: FakeRequest) -> FakeResponse:
        body = request.json() or {}
        channel = self.channel_for(
            identifier=str(body.get("identifier")), app_password=str(body.get("password"))
        )
        if channel is None:
            return error(401, "AuthenticationRequired", "Invalid identifier or password")
        token = "eyJ." + self.hub.new_id()
        with self.lock:
            self.sessions[token] = channel.secrets["identifier"]
        handle = channel.secrets["identifier"]
        return FakeResponse.json(
            {"accessJwt": token, "refreshJwt": "r" + token, "handle": handle, "did": did_of(handle)}
        )

    def create_record(self, request: FakeRequest, identifier: str) -> FakeResponse:
        body = request.json() or {}
        record = body.get("record") or {}
        if body.get("collection") != "app.bsky.feed.post" or record.get("$type") != body.get(
            "collection"
        ):
            return error(400, "InvalidRequest", "only posts")
        if body.get("repo") != did_of(identifier):
            return error(400, "InvalidRequest", "repo is not the session's")
        text = str(record.get("text") or "")
        if not text or len(text) > 300:
            return error(400, "InvalidRequest", "Record/text must not be longer than 300 graphemes")
        for ref in ("root", "parent"):
            if "reply" in record:
                strong = (record["reply"] or {}).get(ref) or {}
                held = self.posts.get(str(strong.get("uri")))
                if held is None or held["cid"] != strong.get("cid"):
                    return error(400, "InvalidRequest", f"reply.{ref} is not a strong ref")
        size = len(text.encode())
        for item in record.get("facets") or []:
            index = item.get("index") or {}
            if not 0 <= index.get("byteStart", -1) < index.get("byteEnd", -1) <= size:
                return error(400, "InvalidRequest", "facet outside the text")
        post = self.store(identifier, record)
        return FakeResponse.json({"uri": post["uri"], "cid": post["cid"]})

    def store(self, handle: str, record: dict[str, Any]) -> dict[str, Any]:
        rkey = f"3l{next(self.rkeys):011d}"
        uri = f"at://{did_of(handle)}/app.bsky.feed.post/{rkey}"
        cid = "bafyrei" + hashlib.sha256(uri.encode()).hexdigest()[:52]
        author = {"did": did_of(handle), "handle": handle, "displayName": handle.split(".")[0]}
        post = {"uri": uri, "cid": cid, "author": author, "record": record, "indexedAt": now()}
        with self.lock:
            self.posts[uri] = post
        return post

    # -- residents ---------------------------------------------------------------------

    def queue_inbound(self, channel: FakeChannel, spec: dict[str, Any]) -> dict[str, Any]:
        """A resident mentions the council account; the next poll finds it."""
        handle = str(spec.get("from") or "lucia")
        handle = handle if "." in handle else f"{handle}.bsky.social"
        council = channel.secrets.get("identifier", COUNCIL_HANDLE)
        mention = f"@{council}"
        text = f"{mention} {spec.get('text') or ''}".strip()
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": now(),
            "langs": ["es"],
            "facets": [
                {
                    "index": {"byteStart": 0, "byteEnd": len(mention.encode())},
                    "features": [
                        {"$type": "app.bsky.richtext.facet#mention", "did": did_of(council)}
                    ],
                }
            ],
        }
        reason = "mention"
        parent = self.posts.get(str(spec.get("reply_to") or ""))
        if parent is not None:
            root = (parent["record"].get("reply") or {}).get("root") or {
                "uri": parent["uri"],
                "cid": parent["cid"],
            }
            record["reply"] = {"root": root, "parent": {"uri": parent["uri"], "cid": parent["cid"]}}
            reason = "reply"
        post = self.store(handle, record)
        notification = post | {"reason": reason, "isRead": False, "labels": []}
        with self.lock:
            self.notifications.setdefault(council, []).append(notification)
        return {"status": 200, "message_id": post["uri"]}

    def resident_message(self, channel: FakeChannel, spec: dict[str, Any]) -> Delivery:
        raise NotImplementedError("Bluesky is polled: use queue_inbound")

    def replies_to(self, uri: str) -> list[dict[str, Any]]:
        """Return the posts answering ``uri``, oldest first, with their text and facets."""
        with self.lock:
            return [
                {"uri": p["uri"], "text": p["record"]["text"], "visibility": "public", **p}
                for p in self.posts.values()
                if ((p["record"].get("reply") or {}).get("parent") or {}).get("uri") == uri
            ]
