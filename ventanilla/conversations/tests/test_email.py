"""E-mail end to end over real SMTP on 127.0.0.1.

The resident's mail client is ``smtplib`` talking to the mail gateway (aiosmtpd in a thread);
our replies leave through Django's SMTP backend to a local sink (the fakes' mail server)
that records them. The worker runs the dialog and the sends in between.
"""

from __future__ import annotations

import json
import smtplib
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from django.core.files.storage import default_storage

from ventanilla.cases.models import Case
from ventanilla.channels import services as channel_services
from ventanilla.channels.models import Channel, WebhookEvent
from ventanilla.conversations.mail_gateway import start_gateway
from ventanilla.conversations.models import DeliveryStatus, Direction, Message
from ventanilla.conversations.services import queue_outbound
from ventanilla.conversations.tests.chat import make_town
from ventanilla.fakes.mail import MailSink, SentMail, start_sink
from ventanilla.fakes.server import FakeHub, FakeRequest
from ventanilla.fakes.simulator import MailSide, Simulator
from ventanilla.fakes.tests.harness import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = "buzon@ayuntamiento.example"
LUCIA = "lucia.garcia@correo.example"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
    "da63646060f80f0002870180eb47ba920000000049454e44ae426082"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Post:
    """The resident's mail client, the gateway it writes to, the sink our replies reach."""

    gateway_port: int
    sink: MailSink
    channel: Channel

    def send(
        self,
        text: str,
        *,
        subject: str = "Farola apagada",
        answering: SentMail | None = None,
        photo: bool = False,
        sender: str = LUCIA,
        mail_from: str | None = None,
        headers: dict[str, str] | None = None,
        message_id: str = "",
    ) -> str:
        """Send one message to the gateway as the resident; return its Message-ID."""
        mail = EmailMessage()
        mail["From"] = f"Lucía García <{sender}>"
        mail["To"] = f"Ayuntamiento <{ADDRESS}>"
        mail["Subject"] = f"Re: {answering.header('Subject')}" if answering else subject
        mail["Message-ID"] = message_id or make_msgid(domain="correo.example")
        if answering is not None:
            mail["In-Reply-To"] = answering.header("Message-ID")
            mail["References"] = " ".join(
                filter(None, [answering.header("References"), answering.header("Message-ID")])
            )
            quoted = "\n".join(f"> {line}" for line in answering.text.splitlines())
            text = f"{text}\n\nEl mar, 10 mar 2026 a las 10:05, Ayuntamiento escribió:\n{quoted}"
        for name, value in (headers or {}).items():
            mail[name] = value
        mail.set_content(text)
        if photo:
            mail.add_attachment(PNG, maintype="image", subtype="png", filename="farola.png")
        with smtplib.SMTP("127.0.0.1", self.gateway_port, timeout=10) as client:
            client.send_message(
                mail, from_addr=sender if mail_from is None else mail_from, to_addrs=[ADDRESS]
            )
        return str(mail["Message-ID"])

    def inbox(self) -> list[SentMail]:
        return self.sink.to(LUCIA)

    def say(self, text: str, **options: Any) -> list[SentMail]:
        """Send, let the worker answer, return the mail that reached the resident."""
        before = len(self.inbox())
        self.send(text, **options)
        run_tasks()
        return self.inbox()[before:]


def option_number(mail: SentMail, label: str) -> str:
    """Return the number the resident types to pick ``label`` in a numbered list."""
    for line in mail.text.splitlines():
        number, _, rest = line.partition(". ")
        if number.isdigit() and rest.strip() == label:
            return number
    raise AssertionError(f"{label!r} not offered in {mail.text!r}")


@pytest.fixture
def post(settings: Any) -> Iterator[Post]:
    town = make_town()
    channel = channel_services.create_channel(
        council=town.council,
        provider="email",
        name="Buzón del Ayuntamiento",
        secrets={},
        options={"address": ADDRESS},
    )
    sink_port, gateway_port = free_port(), free_port()
    sink_server, sink = start_sink(port=sink_port)
    gateway = start_gateway(host="127.0.0.1", port=gateway_port, max_bytes=200_000)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink_port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield Post(gateway_port, sink, channel)
    finally:
        gateway.stop()
        sink_server.stop()


def test_a_mail_with_a_photo_opens_a_case_and_the_thread_stays_on_it(post: Post) -> None:
    # the resident writes with a photo: the privacy notice answers in the same thread
    first_id = post.send(
        "La farola de la calle Mayor 3 está apagada desde el lunes.",
        subject="Farola apagada",
        photo=True,
    )
    run_tasks()
    (notice,) = post.inbox()
    assert "Antes de empezar, sobre sus datos" in notice.text
    assert notice.header("In-Reply-To") == first_id
    assert notice.header("From") == f"Buzón del Ayuntamiento <{ADDRESS}>"
    assert notice.header("Subject") == "Re: Farola apagada"

    # choices come as numbered lines: the resident answers with the number, quoting us
    (question,) = post.say(option_number(notice, "Acepto"), answering=notice)
    assert "Entendemos que se trata de" in question.text
    (created,) = post.say(option_number(question, "Sí, es eso"), answering=question)

    case = Case.objects.get()
    assert f"con el número {case.reference}" in created.text
    assert created.header("Subject") == f"[{case.reference}] Re: Farola apagada"
    photo = Message.objects.get(provider_message_id=first_id)
    assert photo.case == case
    (attachment,) = photo.attachments.all()
    assert attachment.filename == "farola.png" and attachment.content_type == "image/png"
    assert attachment.file.read() == PNG  # stored like any other channel's media
    assert default_storage.listdir(f"mail/{post.channel.pk}")[1] == []  # raw mail not kept

    # the agent's answer: threaded to the resident's last message, reference in the subject
    answer = queue_outbound(
        conversation=photo.conversation, text="La brigada pasará mañana.", case=case
    )
    run_tasks()
    sent = post.inbox()[-1]
    answer.refresh_from_db()
    assert sent.text.startswith("La brigada pasará mañana.")
    assert sent.header("Subject") == f"[{case.reference}] Re: Farola apagada"
    last_in = Message.objects.filter(direction=Direction.IN).latest("pk")
    assert sent.header("In-Reply-To") == last_in.provider_message_id
    assert first_id in sent.header("References").split()
    assert answer.status == DeliveryStatus.SENT
    assert answer.provider_message_id == sent.header("Message-ID")

    # the resident's reply to it lands on the same case, without the quoted text
    replies = post.say("Gracias. Ayer seguía apagada.", answering=sent)
    reply = Message.objects.filter(direction=Direction.IN).latest("pk")
    assert reply.case == case and Case.objects.count() == 1
    assert reply.text == "Gracias. Ayer seguía apagada."
    assert f"Hemos añadido su mensaje a la incidencia {case.reference}" in replies[0].text

    # an out-of-office answer to our mail opens nothing and gets no answer
    before = Message.objects.count()
    assert not post.say(
        "Estoy de vacaciones hasta el día 20.",
        answering=sent,
        mail_from="",
        headers={"Auto-Submitted": "auto-replied"},
    )
    assert Message.objects.count() == before and Case.objects.count() == 1
    assert WebhookEvent.objects.filter(name="auto_reply").count() == 1

    # a bounce of our answer marks it failed, opens nothing, answers nothing
    assert not post.say(
        f"Message-ID: {answer.provider_message_id}\n\n550 5.1.1 User unknown",
        subject="Undelivered Mail Returned to Sender",
        sender="MAILER-DAEMON@mx.correo.example",
        mail_from="",
    )
    answer.refresh_from_db()
    assert answer.status == DeliveryStatus.FAILED
    assert Message.objects.count() == before and Case.objects.count() == 1


def test_the_same_message_twice_is_stored_once(post: Post) -> None:
    message_id = post.send("Hay un bache en la avenida.", subject="Bache")
    post.send("Hay un bache en la avenida.", subject="Bache", message_id=message_id)
    assert Message.objects.filter(direction=Direction.IN).count() == 1


def test_a_subject_with_the_reference_finds_the_residents_case(post: Post) -> None:
    post.say("Hola, la farola de la calle Mayor 3 está apagada", subject="Farola")
    notice = post.inbox()[-1]
    (question,) = post.say(option_number(notice, "Acepto"), answering=notice)
    post.say(option_number(question, "Sí, es eso"), answering=question)
    case = Case.objects.get()

    # a new mail, not a reply, with the reference in its subject
    post.say("Os adjunto otra foto.", subject=f"Farola [{case.reference}]", photo=True)
    latest = Message.objects.filter(direction=Direction.IN).latest("pk")
    assert latest.case == case and Case.objects.count() == 1

    # another sender naming the same reference does not reach Lucía's case
    post.say(
        "Esto es sobre otra cosa: un contenedor lleno",
        subject=f"[{case.reference}]",
        sender="otra@correo.example",
    )
    stranger = Message.objects.filter(direction=Direction.IN).latest("pk")
    assert stranger.case is None


def test_mail_for_other_addresses_and_oversized_mail_are_refused(post: Post) -> None:
    with smtplib.SMTP("127.0.0.1", post.gateway_port, timeout=10) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.sendmail(LUCIA, ["otro@ayuntamiento.example"], b"Subject: x\r\n\r\nhola\r\n")
        assert refused.value.recipients["otro@ayuntamiento.example"][0] == 550
    # refused at MAIL FROM when the client declares its size (SIZE), else after DATA
    with pytest.raises(smtplib.SMTPResponseException) as too_big:
        post.send("x" * 300_000)
    assert too_big.value.smtp_code == 552
    assert not Message.objects.exists()


def test_the_simulator_writes_by_smtp_and_shows_the_councils_answers(post: Post) -> None:
    simulator = Simulator(
        FakeHub({}),
        language="es",
        mail=MailSide(post.sink, "127.0.0.1", post.gateway_port, ADDRESS),
    )

    def send(**spec: Any) -> Any:
        body = json.dumps({"provider": "email", "resident": LUCIA, "name": "Lucía", **spec})
        request = FakeRequest("POST", "/simulator/send", {}, {}, body.encode())
        return json.loads(simulator.send(request).body)

    state = json.loads(simulator.state(FakeRequest("GET", "/", {}, {}, b"")).body)
    assert "email" in state["providers"]
    assert send(text="La farola de la calle Mayor está apagada", image=True) == {"status": 200}
    run_tasks()
    assert send(text="1") == {"status": 200}  # "Acepto", in the thread of the notice
    run_tasks()

    mine, notice, answer, question = simulator.transcript("email", LUCIA)
    assert (mine["direction"], mine["image"], mine["status"]) == ("in", True, 200)
    assert notice["direction"] == "out" and "sobre sus datos" in notice["text"]
    assert answer["direction"] == "in" and "Entendemos que se trata de" in question["text"]
    first, reply = Message.objects.filter(direction=Direction.IN).order_by("pk")
    assert reply.payload["thread"][-1] == post.inbox()[0].header("Message-ID")
    assert first.attachments.get().file


class FakeImap:
    """Stands in for imaplib.IMAP4: a mailbox holding the saved messages, by UID."""

    boxes: dict[bytes, bytes] = {}
    seen: set[bytes] = set()

    def __init__(self, host: str, port: int) -> None:
        self.logged_in = False

    def __enter__(self) -> FakeImap:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def login(self, user: str, password: str) -> None:
        assert (user, password) == ("buzon", "s3cret")
        self.logged_in = True

    def select(self, folder: str) -> None:
        assert self.logged_in and folder == "INBOX"

    def uid(self, command: str, *args: Any) -> tuple[str, list[Any]]:
        if command == "SEARCH":
            unseen = [uid for uid in sorted(self.boxes) if uid not in self.seen]
            return "OK", [b" ".join(unseen)]
        if command == "FETCH":
            return "OK", [(b"1 (UID " + args[0] + b" BODY[] {n}", self.boxes[args[0]]), b")"]
        if command == "STORE":
            self.seen.add(args[0])
        return "OK", []


def test_mail_polled_from_a_mailbox_is_stored_once_and_marked_read(
    post: Post, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from ventanilla.conversations import mail_gateway

    fixtures = Path(mail_gateway.__file__).parents[1] / "channels/adapters/email/fixtures"
    FakeImap.boxes = {
        b"11": (fixtures / "plain.eml").read_bytes(),
        b"12": (fixtures / "auto_replied.eml").read_bytes(),
    }
    FakeImap.seen = set()
    monkeypatch.setattr(mail_gateway.imaplib, "IMAP4", FakeImap)
    mailbox = mail_gateway.Mailbox("imap.example", 143, "buzon", "s3cret", ssl=False)

    first = mail_gateway.poll_mailbox(mailbox=mailbox, channel=post.channel)
    again = mail_gateway.poll_mailbox(mailbox=mailbox, channel=post.channel)

    assert (len(first.stored), first.events) == (1, 1)  # the auto-reply is only an event
    assert FakeImap.seen == {b"11", b"12"}
    assert (again.stored, again.duplicates) == ([], 0)
    (message,) = Message.objects.filter(direction=Direction.IN)
    assert message.conversation.urn == "mailto:lucia.garcia@correo.example"
