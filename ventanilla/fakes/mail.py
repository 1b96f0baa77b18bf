"""A local SMTP server that records the mail Ventanilla sends and delivers none of it.

``ventanilla demo`` points ``EMAIL_HOST``/``EMAIL_PORT`` at it, and the tests read what it
received: the same SMTP conversation a council's mail server would have.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any, cast

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class SentMail:
    """One message as the sink received it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return BytesParser(policy=policy.default).parsebytes(self.raw)

    def header(self, name: str) -> str:
        return str(self.message.get(name) or "")

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        if body is None:
            return ""
        return str(cast(EmailMessage, body).get_content()).replace("\r\n", "\n")

    def as_dict(self) -> dict[str, Any]:
        """Return what the citizen simulator shows of it."""
        return {
            "from": self.header("From"),
            "to": list(self.rcpt_tos),
            "subject": self.header("Subject"),
            "message_id": self.header("Message-ID"),
            "in_reply_to": self.header("In-Reply-To"),
            "references": self.header("References"),
            "text": self.text,
        }


@dataclass
class MailSink:
    """aiosmtpd's handler: keep every message, in order."""

    received: list[SentMail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.arrived = threading.Condition(self.lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content
        raw = raw if isinstance(raw, bytes) else str(raw).encode()
        mail = SentMail(str(envelope.mail_from or ""), tuple(envelope.rcpt_tos), raw)
        with self.arrived:
            self.received.append(mail)
            self.arrived.notify_all()
        return "250 2.0.0 Recorded"

    def to(self, address: str) -> list[SentMail]:
        """Return the messages sent to ``address``, oldest first."""
        with self.lock:
            return [m for m in self.received if address.lower() in (r.lower() for r in m.rcpt_tos)]

    def wait_for(self, count: int, timeout: float = 10) -> list[SentMail]:
        """Wait until at least ``count`` messages arrived; return them all."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)
            return list(self.received)


def start_sink(*, host: str = "127.0.0.1", port: int = 1025) -> tuple[Controller, MailSink]:
    """Start the sink in a thread of its own; return its controller and its record."""
    sink = MailSink()
    controller = Controller(sink, hostname=host, port=port, ident="Ventanilla fake mail server")
    controller.start()
    return controller, sink
