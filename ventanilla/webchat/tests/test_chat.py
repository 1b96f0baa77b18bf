"""The web chat without a browser: the page, the resident's posts and their own stream."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signing import dumps
from django.test import Client

from ventanilla.cases.models import Case
from ventanilla.cases.tests.factories import make_staff
from ventanilla.conversations.models import Attachment, DeliveryStatus, Direction, Message
from ventanilla.demo.channels import ensure_web_chat
from ventanilla.inbox.services import reply_to_case
from ventanilla.webchat import identity, views
from ventanilla.webchat.tests.conftest import Browser
from ventanilla.webchat.tests.jpeg import JPEG

pytestmark = pytest.mark.django_db(transaction=True)


def photo(data: bytes = JPEG, name: str = "farola.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "image/jpeg")


def last_choices() -> list[dict[str, str]]:
    offered = Message.objects.filter(direction=Direction.OUT).exclude(payload__choices=None)
    return offered.last().payload["choices"]  # type: ignore[union-attr]


def tap(browser: Browser, label: str) -> Any:
    choice = next(c for c in last_choices() if c["label"] == label)
    return browser.post(label, choice=choice["id"])


def events(browser: Browser, channel: Any, after: int = 0) -> list[dict[str, Any]]:
    """What the resident's stream sends, read at once (it ends without waiting)."""
    visitor = identity.visitor_from(browser.client.cookies[identity.COOKIE_NAME].value)
    assert visitor is not None
    chunks = views.conversation_events(
        channel=channel, urn=identity.urn_for(visitor), after=after, seconds=0
    )
    return [
        json.loads(line[len("data: ") :])
        for chunk in chunks
        for line in chunk.splitlines()
        if line.startswith("data: ")
    ]


def stored_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_page_gives_a_signed_token_and_an_accessible_chat(web_chat: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.get("/chat/")
    assert response.status_code == 200
    cookie = response.cookies[identity.COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/chat/"
    assert identity.visitor_from(cookie.value) is not None
    html = response.content.decode()
    assert 'role="log"' in html and 'aria-live="polite"' in html
    assert '<label for="webchat-text">Your message</label>' in html
    assert "<script>" not in html  # strict CSP: scripts are files
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    # a returning browser keeps its token
    assert identity.COOKIE_NAME not in client.get("/chat/").cookies


def test_the_chat_speaks_the_embedding_sites_language(web_chat: Any) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="es").get("/chat/?embed=1&lang=en")
    assert "Your message" in response.content.decode()


def test_only_the_councils_listed_sites_may_frame_the_chat(web_chat: Any, settings: Any) -> None:
    settings.WEBCHAT_EMBED_ORIGINS = ["https://www.villaverde.example"]
    policy = Client().get("/chat/?embed=1")["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://www.villaverde.example" in policy
    # every other page keeps refusing frames
    assert "frame-ancestors 'none'" in Client().get("/privacy/")["Content-Security-Policy"]


def test_no_web_chat_channel_no_page(town: Any) -> None:
    assert Client().get("/chat/").status_code == 404


def test_a_resident_reports_with_a_photo_and_a_place_and_gets_a_reference(
    browser: Browser, web_chat: Any, settings: Any
) -> None:
    sent = browser.post("La farola de la calle Mayor 3 está apagada", photo=photo())
    assert sent.status_code == 201
    assert [c["label"] for c in last_choices()] == ["Acepto", "No acepto"]
    tap(browser, "Acepto")
    assert browser.post(latitude="40.416800", longitude="-3.703800").status_code == 201
    tap(browser, "Sí, es eso")

    case = Case.objects.get()
    assert (case.latitude, case.longitude) == (40.4168, -3.7038)
    attachment = Attachment.objects.get(message__case=case)
    assert attachment.file.read() == JPEG and attachment.content_type == "image/jpeg"
    shown = events(browser, web_chat)
    council = [e for e in shown if e["from"] == "council"]
    assert f"con el número {case.reference}" in council[-1]["text"]
    assert council[0]["choices"] == [
        {"id": "consent:yes", "label": "Acepto"},
        {"id": "consent:no", "label": "No acepto"},
    ]
    assert shown[0] == {**shown[0], "from": "resident", "photos": 1, "located": False}
    # the answers went out through the web chat adapter and reached the page: delivered
    outbound = Message.objects.filter(direction=Direction.OUT)
    assert set(outbound.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
    assert all(m.provider_message_id.startswith("webchat-out-") for m in outbound)


def test_a_staff_reply_reaches_the_residents_stream(browser: Browser, web_chat: Any, town: Any):
    browser.post("La farola de la calle Mayor 3 está apagada")
    tap(browser, "Acepto")
    tap(browser, "Sí, es eso")
    case = Case.objects.get()
    seen = events(browser, web_chat)
    agent = make_staff(council=town.council, departments=(case.department,))
    reply_to_case(case=case, by=agent, text="La brigada va mañana.")
    news = events(browser, web_chat, after=seen[-1]["id"])
    assert [e["text"] for e in news] == ["La brigada va mañana."]


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-token",
        dumps("0" * 32, salt="another.salt"),  # signed, but not for the chat
        identity.sign("0" * 32)[:-2] + "xx",  # tampered
        dumps("../../etc", salt=identity.SALT),  # signed by us, but not a visitor id
    ],
)
def test_a_bad_or_forged_token_is_refused(web_chat: Any, token: str) -> None:
    client = Client()
    client.cookies[identity.COOKIE_NAME] = token
    posted = client.post(
        "/chat/messages/", {"client_id": "abcdefgh12", "text": "hola"}, HTTP_X_WEBCHAT="1"
    )
    assert posted.status_code == 403
    assert posted.json()["error"]
    assert client.get("/chat/stream/").status_code == 403
    assert Message.objects.count() == 0


def test_a_post_without_the_chat_header_is_refused(browser: Browser) -> None:
    # a form on another site cannot add the header (this stands in for the CSRF token)
    response = browser.client.post("/chat/messages/", {"client_id": "abcdefgh12", "text": "x"})
    assert response.status_code == 400
    assert Message.objects.count() == 0


def test_an_oversized_photo_is_refused_and_nothing_is_stored(
    browser: Browser, settings: Any
) -> None:
    settings.WEBCHAT_MAX_PHOTO_BYTES = len(JPEG) + 10
    browser.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = browser.post("Mirad", photo=photo(JPEG + b"\0" * 100))
    assert response.status_code == 413
    assert response.json()["error"].startswith("The photo is too large")
    assert Message.objects.count() == 0
    assert stored_files(settings) == []


def test_an_upload_far_over_the_limit_is_refused_before_it_is_read(
    browser: Browser, settings: Any
) -> None:
    settings.WEBCHAT_MAX_PHOTO_BYTES = 1024
    response = browser.post("Mirad", photo=photo(JPEG + b"\0" * 200_000))
    assert response.status_code == 413
    assert Message.objects.count() == 0
    assert stored_files(settings) == []


def test_a_file_that_is_not_a_photo_is_refused(browser: Browser, settings: Any) -> None:
    response = browser.post("Mirad", photo=photo(b"%PDF-1.4 not a photo", "farola.jpg"))
    assert response.status_code == 400
    assert Message.objects.count() == 0
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    "fields",
    [
        {"client_id": "short", "text": "hola"},
        {"client_id": "abcdefgh12"},  # says nothing
        {"client_id": "abcdefgh12", "latitude": "91", "longitude": "0"},
        {"client_id": "abcdefgh12", "latitude": "nan", "longitude": "0"},
        {"client_id": "abcdefgh12", "text": "x" * 4001},
    ],
)
def test_a_malformed_post_is_refused(browser: Browser, fields: dict[str, str]) -> None:
    response = browser.client.post("/chat/messages/", fields, HTTP_X_WEBCHAT="1")
    assert response.status_code == 400
    assert Message.objects.count() == 0


def test_a_flood_of_posts_is_slowed_down(browser: Browser, settings: Any) -> None:
    settings.WEBCHAT_POSTS_PER_HOUR = 2
    assert browser.post("uno").status_code == 201
    assert browser.post("dos").status_code == 201
    refused = browser.post("tres")
    assert refused.status_code == 429 and refused.json()["error"]
    assert Message.objects.filter(direction=Direction.IN).count() == 2


def test_a_repeated_client_id_is_stored_once(browser: Browser) -> None:
    first = browser.post("Hola", client_id="0f8fad5b-d9cb-469f-a165-70867728950e")
    again = browser.post("Hola", client_id="0f8fad5b-d9cb-469f-a165-70867728950e")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {"id": first.json()["id"], "duplicate": True}
    assert Message.objects.filter(direction=Direction.IN).count() == 1
    assert Message.objects.filter(direction=Direction.OUT).count() == 1  # answered once


def test_two_residents_may_use_the_same_client_id(web_chat: Any, immediate_tasks: Any) -> None:
    one, two = Browser(), Browser()
    one.open(), two.open()
    assert one.post("Hola", client_id="same-id-123").status_code == 201
    assert two.post("Buenas", client_id="same-id-123").status_code == 201
    assert Message.objects.filter(direction=Direction.IN).count() == 2


def test_a_residents_stream_never_carries_another_residents_messages(
    web_chat: Any, immediate_tasks: Any, town: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(views.live, "STREAM_SECONDS", 0.2)
    ana, bea = Browser(), Browser()
    ana.open(), bea.open()
    ana.post("La farola de la calle Mayor 3 está apagada")
    bea.post("Hay un contenedor quemado en la plaza")
    tap(bea, "Acepto")
    tap(bea, "Sí, es eso")
    case = Case.objects.get()
    agent = make_staff(council=town.council, departments=(case.department,))
    reply_to_case(case=case, by=agent, text="Mañana lo retiramos.")

    anas = events(ana, web_chat)
    beas = events(bea, web_chat)
    assert [e["from"] for e in anas] == ["resident", "council"]
    assert anas[0]["text"] == "La farola de la calle Mayor 3 está apagada"
    ana_text = json.dumps(anas)
    for secret in ("contenedor", case.reference, "Mañana lo retiramos"):
        assert secret not in ana_text
    assert "Mañana lo retiramos." in [e["text"] for e in beas]
    # and through HTTP, with Ana's cookie, asking for everything after 0
    body = b"".join(ana.client.get("/chat/stream/", {"after": "0"}).streaming_content)  # type: ignore[arg-type]
    assert "La farola" in body.decode()
    assert b"contenedor" not in body and case.reference.encode() not in body


def test_the_demo_council_gets_one_web_chat(town: Any) -> None:
    first = ensure_web_chat(council=town.council)
    assert ensure_web_chat(council=town.council) == first
    assert first.provider == "webchat" and first.active
    assert Client().get("/chat/").status_code == 200


def test_a_broken_upload_is_refused(browser: Browser) -> None:
    response = browser.client.post(
        "/chat/messages/",
        b'--xyz\r\nContent-Disposition: form-data; name="text"\r\n\r\nhola',  # never ends
        content_type="multipart/form-data; boundary=xyz",
        HTTP_X_WEBCHAT="1",
    )
    assert response.status_code == 400
    assert Message.objects.count() == 0
