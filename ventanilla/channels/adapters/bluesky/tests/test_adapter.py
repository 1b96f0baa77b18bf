"""Bluesky adapter: saved notifications, strong references, facets, private messages."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from ventanilla.channels.adapters.base import ChannelConfig, OutboundMessage, PostRef
from ventanilla.channels.adapters.bluesky import adapter as bluesky
from ventanilla.channels.adapters.bluesky.adapter import BlueskyAdapter, link_facets

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SECRETS = {"identifier": "ayto-villaverde.bsky.social", "app_password": "app-pass"}
RESIDENT = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"


@pytest.fixture
def adapter() -> BlueskyAdapter:
    bluesky._sessions.clear()
    return BlueskyAdapter(ChannelConfig(channel_id=1, api_base="https://pds", secrets=SECRETS))


def client(calls: list[httpx.Request]) -> httpx.Client:
    notifications = json.loads((FIXTURES / "list_notifications.json").read_text())

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        name = request.url.path.rsplit("/", 1)[-1]
        if name == "com.atproto.server.createSession":
            return httpx.Response(200, json={"accessJwt": "jwt", "did": "did:plc:council"})
        if name == "app.bsky.notification.listNotifications":
            return httpx.Response(200, json=notifications)
        if name == "com.atproto.repo.createRecord":
            return httpx.Response(
                200, json={"uri": f"at://did:plc:council/p/{len(calls)}", "cid": "c"}
            )
        if name == "chat.bsky.convo.getConvoForMembers":
            return httpx.Response(200, json={"convo": {"id": "convo1"}})
        return httpx.Response(200, json={"id": "msg1"})

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_a_poll_signs_in_once_and_reads_mentions_and_replies(adapter: BlueskyAdapter) -> None:
    calls: list[httpx.Request] = []
    with client(calls) as http:
        polled = adapter.poll(http, "2026-11-29T09:30:00.000Z")
        again = adapter.poll(http, polled.cursor)
    names = [c.url.path.rsplit("/", 1)[-1] for c in calls]
    assert names.count("com.atproto.server.createSession") == 1  # the session is reused
    assert json.loads(calls[0].content) == {
        "identifier": "ayto-villaverde.bsky.social",
        "password": "app-pass",
    }
    assert calls[1].headers["authorization"] == "Bearer jwt"
    mention, reply = polled.parsed.messages  # oldest first; the like is older than the cursor
    assert polled.parsed.events == []
    assert mention.urn == f"bluesky:{RESIDENT}"
    assert mention.text == (
        "Hay un bache enorme en la avenida de la Estación, delante del número 12"
    )
    assert mention.post is not None and mention.post.public
    assert mention.post.root_id == mention.post.id  # a new thread
    assert mention.post.url == "https://bsky.app/profile/lucia.bsky.social/post/3lbz4ewq5xk2p"
    assert reply.post is not None and reply.post.root_id.endswith("3lbz2rrrrrrr2")
    assert reply.text == "+1, en mi calle también pasa"
    assert polled.cursor == "2026-11-29T10:02:12.101Z"
    assert again.parsed.messages == [] and again.cursor == polled.cursor


def test_a_reply_carries_strong_refs_a_mention_and_link_facets(adapter: BlueskyAdapter) -> None:
    calls: list[httpx.Request] = []
    post = PostRef(
        id="at://did:plc:x/app.bsky.feed.post/3b",
        cid="cid-b",
        root_id="at://did:plc:x/app.bsky.feed.post/3a",
        root_cid="cid-a",
        author="lucia.bsky.social",
    )
    text = "Registrada: 2026-000001. Sígala aquí: https://ventanilla.example/cases/2026-000001/"
    with client(calls) as http:
        adapter.send(http, OutboundMessage(urn=f"bluesky:{RESIDENT}", text=text, reply_to=post))
    body = json.loads(calls[-1].content)
    assert body["repo"] == "did:plc:council" and body["collection"] == "app.bsky.feed.post"
    record = body["record"]
    assert record["text"] == f"@lucia.bsky.social {text}"
    assert record["reply"] == {
        "root": {"uri": post.root_id, "cid": "cid-a"},
        "parent": {"uri": post.id, "cid": "cid-b"},
    }
    mention, link = record["facets"]
    raw = record["text"].encode()
    assert mention["features"][0] == {"$type": "app.bsky.richtext.facet#mention", "did": RESIDENT}
    start, end = link["index"]["byteStart"], link["index"]["byteEnd"]
    assert raw[start:end] == b"https://ventanilla.example/cases/2026-000001/"


def test_a_private_answer_is_a_direct_message_through_the_chat_service(
    adapter: BlueskyAdapter,
) -> None:
    calls: list[httpx.Request] = []
    post = PostRef(id="at://x/app.bsky.feed.post/1", cid="c", author="lucia.bsky.social")
    message = OutboundMessage(
        urn=f"bluesky:{RESIDENT}", text="Le llamamos", reply_to=post, private=True
    )
    with client(calls) as http:
        result = adapter.send(http, message)
    convo, sent = calls[-2], calls[-1]
    assert convo.url.params["members"] == RESIDENT
    assert sent.headers["atproto-proxy"] == "did:web:api.bsky.chat#bsky_chat"
    assert json.loads(sent.content) == {"convoId": "convo1", "message": {"text": "Le llamamos"}}
    assert result.provider_message_id == "msg1"


def test_link_facets_count_bytes_not_characters() -> None:
    (facet,) = link_facets("Año ñ https://a.example/x")
    assert facet["index"] == {"byteStart": 8, "byteEnd": 27}
    (dotted,) = link_facets("Vea https://a.example/x.")
    assert dotted["features"][0]["uri"] == "https://a.example/x"
