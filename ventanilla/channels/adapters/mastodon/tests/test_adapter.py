"""Mastodon adapter: saved notifications, the poll's cursor, replies in the thread."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from ventanilla.channels.adapters.base import ChannelConfig, OutboundMessage, PostRef, SendError
from ventanilla.channels.adapters.mastodon import MastodonAdapter
from ventanilla.channels.adapters.mastodon.adapter import html_to_text, split

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ADAPTER = MastodonAdapter(
    ChannelConfig(
        channel_id=1, api_base="https://villaverde.social", secrets={"access_token": "tok"}
    )
)
POST = PostRef(
    id="113562394818234567",
    url="https://barrio.social/@lucia/113562394818234567",
    visibility="public",
    author="lucia@barrio.social",
)


def mock(answer: object, calls: list[httpx.Request], status: int = 200) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if request.method == "POST":
            return httpx.Response(status, json={"id": str(900 + len(calls))})
        return httpx.Response(status, json=answer)

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_a_poll_reads_mentions_oldest_first_and_moves_the_cursor() -> None:
    calls: list[httpx.Request] = []
    notifications = json.loads((FIXTURES / "notifications.json").read_text())
    with mock(notifications, calls) as client:
        polled = ADAPTER.poll(client, "34975800")
    request = calls[0]
    assert request.url.path == "/api/v1/notifications"
    assert request.url.params.get_list("types[]") == ["mention"]
    assert request.url.params["since_id"] == "34975800"
    assert request.headers["authorization"] == "Bearer tok"
    assert polled.cursor == "34975870"
    public, direct = polled.parsed.messages
    assert public.urn == "mastodon:lucia@barrio.social"
    assert public.text == (
        "La farola de la calle Mayor esquina con la plaza lleva una semana apagada.\n"
        "De noche no se ve nada."
    )
    assert public.post is not None and public.post.public
    assert public.post.url == "https://barrio.social/@lucia/113562394818234567"
    assert public.attachments[0].kind == "image"
    assert public.language_hint == "es"
    # a local account's acct has no server: it is added from the account's address
    assert direct.urn == "mastodon:pere@villaverde.social"
    assert direct.post is not None and direct.post.visibility == "direct"
    assert not direct.post.public
    # not a mention: named, not stored as a message
    assert [e.name for e in polled.parsed.events] == ["notification.favourite"]


def test_the_first_poll_has_no_since_id() -> None:
    calls: list[httpx.Request] = []
    with mock([], calls) as client:
        polled = ADAPTER.poll(client, "")
    assert "since_id" not in calls[0].url.params and polled.cursor == ""


def test_a_public_reply_answers_the_post_in_its_thread_with_its_visibility() -> None:
    calls: list[httpx.Request] = []
    message = OutboundMessage(
        urn="mastodon:lucia@barrio.social",
        text="Registrada: 2026-000001",
        reply_to=POST,
        idempotency_key="out-1",
    )
    with mock(None, calls) as client:
        result = ADAPTER.send(client, message)
    body = json.loads(calls[0].content)
    assert body == {
        "status": "@lucia@barrio.social Registrada: 2026-000001",
        "visibility": "public",
        "in_reply_to_id": "113562394818234567",
    }
    assert calls[0].headers["idempotency-key"] == "out-1-0"
    assert result.provider_message_id == "901"


@pytest.mark.parametrize(
    ("post", "private"),
    [(POST, True), (PostRef(id="1", visibility="direct", author="pere@villaverde.social"), False)],
)
def test_private_answers_and_answers_to_direct_messages_are_direct(
    post: PostRef, private: bool
) -> None:
    calls: list[httpx.Request] = []
    message = OutboundMessage(
        urn="mastodon:x@y.social", text="Hola", reply_to=post, private=private
    )
    with mock(None, calls) as client:
        ADAPTER.send(client, message)
    assert json.loads(calls[0].content)["visibility"] == "direct"


def test_a_long_answer_is_a_chain_of_statuses_each_replying_to_the_last() -> None:
    calls: list[httpx.Request] = []
    text = "\n".join(f"Línea {n}: " + "x" * 80 for n in range(12))
    message = OutboundMessage(urn="mastodon:lucia@barrio.social", text=text, reply_to=POST)
    with mock(None, calls) as client:
        ADAPTER.send(client, message)
    bodies = [json.loads(call.content) for call in calls]
    assert len(bodies) > 1 and all(len(b["status"]) <= 500 for b in bodies)
    assert bodies[1]["in_reply_to_id"] == "901"
    assert " ".join(b["status"] for b in bodies).count("Línea") == 12


def test_a_refused_status_is_final_and_throttling_is_retried() -> None:
    message = OutboundMessage(urn="mastodon:lucia@barrio.social", text="Hola", reply_to=POST)
    for status, retryable in ((422, False), (429, True), (503, True)):
        with mock(None, [], status=status) as client, pytest.raises(SendError) as error:
            ADAPTER.send(client, message)
        assert error.value.retryable is retryable


def test_html_and_splitting() -> None:
    assert (
        html_to_text("<p>Uno &amp; dos<br />tres</p><p>cuatro</p>") == "Uno & dos\ntres\n\ncuatro"
    )
    assert split("a b c", 3) == ["a b", "c"]
