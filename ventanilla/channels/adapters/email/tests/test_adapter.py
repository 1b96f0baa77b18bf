"""The e-mail adapter, read from saved RFC 5322 messages and sent to a local SMTP sink."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from ventanilla.channels.adapters.base import (
    ChannelConfig,
    Choice,
    MalformedPayload,
    OutboundMessage,
    SendError,
)
from ventanilla.channels.adapters.email import EmailAdapter
from ventanilla.channels.adapters.email.reading import html_to_text, read_mail, strip_quoted
from ventanilla.fakes.mail import MailSink, start_sink

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CONFIG = ChannelConfig(
    channel_id=7,
    api_base="",
    secrets={},
    options={"address": "buzon@ayuntamiento.example", "display_name": "Ayuntamiento"},
)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def read(name: str, **options: Any) -> Any:
    return EmailAdapter(CONFIG).read(fixture(name), **options)


# -- in --------------------------------------------------------------------------------


def test_a_plain_message_is_the_residents_words_with_the_subject_first() -> None:
    (message,) = read("plain.eml").messages
    assert message.urn == "mailto:lucia.garcia@correo.example"  # lower case: one resident
    assert message.contact_name == "Lucía García"
    assert message.provider_message_id == "<CAF3k9dQx1p=plain-7f3a@mail.correo.example>"
    assert message.text.startswith("Farola apagada en la calle Mayor\n\nBuenos días:")
    assert "lleva tres noches apagada." in message.text
    assert "600 111 222" not in message.text  # the signature after "-- " is dropped
    assert message.subject == "Farola apagada en la calle Mayor"
    assert message.in_reply_to == ()


def test_html_only_mail_becomes_safe_plain_text() -> None:
    (message,) = read("html_only.eml").messages
    assert message.text == (
        "Contenidor ple\n\nBon dia,\n\n"
        "El contenidor de la plaça Major està ple & fa pudor des de dilluns.\n\n"
        "- Carrer Major 5\n- Des de: dilluns\n\nMés informació"
    )
    for dropped in ("alert", "color: red", "steal", "javascript", "pixel", "hidden comment"):
        assert dropped not in message.text


def test_attachments_point_into_the_kept_message_and_are_read_back() -> None:
    raw = fixture("attachment.eml")
    adapter = EmailAdapter(CONFIG)
    (message,) = adapter.read(raw).messages
    assert message.text.endswith("adjunto una foto.")
    photo, pdf = message.attachments
    assert (photo.kind, photo.content_type, photo.filename) == ("image", "image/png", "bache.png")
    assert (pdf.kind, pdf.filename) == ("document", "denuncia nº1.pdf")
    assert photo.media_ref.startswith(f"mail/7/{adapter.spool(raw).split('/')[-1]}#")

    default_storage.save(adapter.spool(raw), ContentFile(raw))
    data, content_type = adapter.download(httpx.Client(), photo)
    assert data.startswith(b"\x89PNG") and content_type == "image/png"
    assert adapter.download(httpx.Client(), pdf)[0].startswith(b"%PDF-1.4")

    adapter.forget_media([photo, pdf])  # both stored: the raw message is not kept
    assert not default_storage.exists(adapter.spool(raw))


def test_a_spool_that_is_gone_is_a_final_download_error() -> None:
    (message,) = read("attachment.eml").messages
    with pytest.raises(SendError) as error:
        EmailAdapter(CONFIG).download(httpx.Client(), message.attachments[0])
    assert not error.value.retryable


def test_a_reply_carries_its_thread_and_loses_the_quoted_message() -> None:
    (message,) = read("reply.eml").messages
    assert message.text == "Sigue apagada esta noche, os mando otra foto mañana."
    assert message.in_reply_to == (
        "<CAF3k9dQx1p=plain-7f3a@mail.correo.example>",
        "<1b1c8d60-3a5b-5e31-9c1e-1d8f0e6a7c42@ayuntamiento.example>",
    )
    assert message.subject == "Re: [2026-000123] Farola apagada en la calle Mayor"


def test_an_outlook_reply_loses_the_quoted_header_block() -> None:
    (message,) = read("outlook_reply.eml").messages
    assert message.text == "Yes, that's the one."


@pytest.mark.parametrize("name", ["auto_replied.eml", "x_autoreply.eml", "out_of_office.eml"])
def test_automatic_answers_are_named_events_not_messages(name: str) -> None:
    parsed = read(name)
    assert parsed.messages == [] and parsed.statuses == []
    (event,) = parsed.events
    assert (event.kind, event.name) == ("unsupported", "auto_reply")


def test_mail_from_our_own_address_is_not_answered() -> None:
    raw = b"From: buzon@ayuntamiento.example\r\nMessage-ID: <loop@a>\r\n\r\nhola\r\n"
    parsed = EmailAdapter(CONFIG).read(raw)
    assert parsed.messages == [] and parsed.events[0].name == "own_address"


def test_mail_from_the_null_sender_is_automatic() -> None:
    parsed = read("plain.eml", mail_from="")
    assert parsed.messages == [] and parsed.events[0].name == "auto_reply"


def test_a_delivery_status_notification_fails_the_message_it_returns() -> None:
    parsed = read("bounce.eml", mail_from="")
    assert parsed.messages == []
    (status,) = parsed.statuses
    assert status.provider_message_id == (
        "<1b1c8d60-3a5b-5e31-9c1e-1d8f0e6a7c42@ayuntamiento.example>"
    )
    assert status.status == "failed" and status.error_code == "5.1.1"
    assert "User unknown" in status.error_title
    assert parsed.events[0].name == "bounce"


def test_a_plain_bounce_from_the_mailer_daemon_names_the_returned_message() -> None:
    parsed = read("bounce_plain.eml", mail_from="")
    assert parsed.messages == []
    (status,) = parsed.statuses
    assert status.provider_message_id == (
        "<5f2d9a0e-1111-5000-8000-00000000beef@ayuntamiento.example>"
    )
    assert status.status == "failed"


def test_mail_without_a_sender_is_malformed() -> None:
    with pytest.raises(MalformedPayload):
        read_mail(b"Subject: hola\r\n\r\nsin remitente\r\n")


def test_a_message_without_message_id_gets_one_from_its_content() -> None:
    raw = b"From: a@b.example\r\nSubject: hola\r\n\r\nhola\r\n"
    first, again = read_mail(raw).messages[0], read_mail(raw).messages[0]
    assert first.provider_message_id == again.provider_message_id  # still stored once
    assert first.provider_message_id.endswith("@no-message-id.invalid>")


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Vale.\n\nOn Tue, 10 Mar 2026 at 12:00, Ayuntamiento <b@a.example> wrote:\n> hi", "Vale."),
        ("D'acord.\n\nEl dt., 10 de març 2026, Ajuntament va escriure:\n> hola", "D'acord."),
        ("Sí.\nEl mar, 10 mar 2026 a las 12:00, Ayuntamiento (<b@a.example>)\nescribió:\n>", "Sí."),
        ("Ok\n\n-----Mensaje original-----\nDe: Ayuntamiento", "Ok"),
        ("arriba\n> citado\nabajo", "arriba\nabajo"),
    ],
)
def test_quoted_text_is_stripped(text: str, kept: str) -> None:
    assert strip_quoted(text) == kept


def test_quoted_html_is_dropped() -> None:
    html = "<div>Sí, es esa.</div><blockquote>Hemos abierto su caso</blockquote>"
    assert html_to_text(html) == "Sí, es esa."


# -- out -------------------------------------------------------------------------------


@pytest.fixture
def sink(settings: Any) -> Iterator[MailSink]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller, sink = start_sink(port=port)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield sink
    controller.stop()


def test_a_reply_goes_out_threaded_with_the_reference_in_the_subject(sink: MailSink) -> None:
    message = OutboundMessage(
        urn="mailto:lucia.garcia@correo.example",
        text="¿Es la farola del número 3?",
        choices=(Choice("yes", "Sí"), Choice("no", "No")),
        idempotency_key="1b1c8d60-3a5b-5e31-9c1e-1d8f0e6a7c42",
        reference="2026-000123",
        subject="Re: Farola apagada",
        in_reply_to=("<first@correo.example>", "<second@correo.example>"),
    )
    result = EmailAdapter(CONFIG).send(httpx.Client(), message)

    (sent,) = sink.received
    assert result.provider_message_id == (
        "<1b1c8d60-3a5b-5e31-9c1e-1d8f0e6a7c42@ayuntamiento.example>"
    )
    assert sent.header("Message-ID") == result.provider_message_id
    assert sent.header("Subject") == "[2026-000123] Re: Farola apagada"
    assert sent.header("In-Reply-To") == "<second@correo.example>"
    assert sent.header("References") == "<first@correo.example> <second@correo.example>"
    assert sent.header("From") == "Ayuntamiento <buzon@ayuntamiento.example>"
    assert sent.rcpt_tos == ("lucia.garcia@correo.example",)
    assert sent.mail_from == "buzon@ayuntamiento.example"  # bounces come back to the gateway
    assert sent.text.strip() == "¿Es la farola del número 3?\n\n1. Sí\n2. No"


def test_an_unreachable_mail_server_is_retried(settings: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nobody listens here once the probe closes
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    message = OutboundMessage(urn="mailto:a@b.example", text="hola", idempotency_key="k")
    with pytest.raises(SendError) as error:
        EmailAdapter(CONFIG).send(httpx.Client(), message)
    assert error.value.retryable


def test_only_mailto_residents_are_written_to() -> None:
    with pytest.raises(SendError) as error:
        EmailAdapter(CONFIG).send(httpx.Client(), OutboundMessage(urn="tel:+34600111222", text="x"))
    assert not error.value.retryable


def test_the_webhook_is_refused() -> None:
    from ventanilla.channels.adapters.base import SignatureError, WebhookRequest

    with pytest.raises(SignatureError):
        EmailAdapter(CONFIG).verify(WebhookRequest("POST", "https://x/", {}, b"From: a@b\r\n"))
