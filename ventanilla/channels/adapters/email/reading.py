"""Read one RFC 5322 message: who wrote, what they said, what they attached, or what it is.

Mail that no person wrote (auto-replies, out-of-office notes, lists, bounces) is recognised
here and never becomes a resident's message: a bounce becomes the failed status of the
message of ours it returns, the rest a named channel event.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser, HeaderParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser
from typing import cast

import nh3

from ventanilla.channels.adapters.base import (
    Attachment,
    AttachmentKind,
    ChannelEvent,
    DeliveryStatus,
    InboundMessage,
    MalformedPayload,
    ParsedWebhook,
    StatusUpdate,
)
from ventanilla.citizens.urns import Scheme

#: Precedence values that only machines and mailing lists send (RFC 2076, RFC 3834)
AUTOMATIC_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
#: headers whose mere presence says a program answered (vacation tools, old MTAs)
AUTOMATIC_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "List-Id")
#: senders that return mail (RFC 5321's postmaster, the MTAs' daemons)
BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})
#: at most this many attachments of one message are kept (a message with 500 inline icons)
MAX_ATTACHMENTS = 10
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")
_MESSAGE_ID_LINE = re.compile(r"^Message-ID:\s*(<[^<>\s]{1,250}>)", re.IGNORECASE | re.MULTILINE)
#: "Re:", "RE:", "Fwd:", "Rv:", "Enc:", "Resp:" and the like, repeated, before a subject
_SUBJECT_PREFIX = re.compile(r"^\s*((re|fw|fwd|rv|enc|resp|aw|sv|tr)\s*(\[\d+\])?\s*:\s*)+", re.I)
_REFERENCE_TAG = re.compile(r"\[\s*\d{4}-\d{6}\s*\]")


def read_mail(raw: bytes, *, mail_from: str | None = None, spool: str = "") -> ParsedWebhook:
    """Translate one message as it arrived by SMTP or IMAP.

    ``mail_from`` is the envelope sender ("" is the null sender of bounces and auto-replies;
    None when unknown); ``spool`` is where the raw message is kept, for the attachments'
    references (``<spool>#<part number>``).
    """
    try:
        mail = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the parser is lenient; anything it still trips over is bad input
        raise MalformedPayload("not an e-mail message") from exc
    message_id = _message_id(mail, raw)
    if is_bounce(mail, mail_from):
        return ParsedWebhook(
            statuses=bounced_statuses(mail, raw),
            events=[ChannelEvent(kind="unsupported", name="bounce", provider_event_id=message_id)],
        )
    if is_automatic(mail, mail_from):
        event = ChannelEvent(kind="unsupported", name="auto_reply", provider_event_id=message_id)
        return ParsedWebhook(events=[event])
    name, address = parseaddr(_header(mail, "From"))
    if "@" not in address:
        raise MalformedPayload("no From address")
    subject = _header(mail, "Subject")
    thread = tuple(_MESSAGE_ID.findall(_header(mail, "References")))
    for reply_to in _MESSAGE_ID.findall(_header(mail, "In-Reply-To")):
        thread = (*[i for i in thread if i != reply_to], reply_to)
    body_part = mail.get_body(preferencelist=("plain", "html"))
    body = ""
    if body_part is not None:
        content = _content(body_part)
        body = html_to_text(content) if body_part.get_content_type() == "text/html" else content
    body = strip_quoted(body)
    is_reply = bool(thread) or bool(_SUBJECT_PREFIX.match(subject))
    topic = clean_subject(subject)
    text = body
    if topic and not is_reply and not body.startswith(topic):
        text = f"{topic}\n\n{body}".strip()
    message = InboundMessage(
        provider_message_id=message_id,
        urn=f"{Scheme.MAILTO}:{address.strip().lower()}",
        text=text,
        attachments=tuple(_attachments(mail, body_part, spool))[:MAX_ATTACHMENTS],
        contact_name=name.strip(),
        subject=subject[:300],
        in_reply_to=thread[-20:],
    )
    return ParsedWebhook(messages=[message])


def spool_name(raw: bytes, *, channel_id: int) -> str:
    """Return where the raw message is kept while its attachments wait to be stored."""
    return f"mail/{channel_id}/{hashlib.sha256(raw).hexdigest()}.eml"


def attachment_part(raw: bytes, index: int) -> tuple[bytes, str]:
    """Return the bytes and content type of the message's part number ``index``."""
    mail = BytesParser(policy=policy.default).parsebytes(raw)
    for number, part in enumerate(mail.walk()):
        if number == index:
            data = part.get_payload(decode=True)
            if not isinstance(data, bytes):
                break
            return data, part.get_content_type()
    raise KeyError(index)


# -- what kind of mail it is -----------------------------------------------------------


def is_bounce(mail: Message, mail_from: str | None = None) -> bool:
    """Say whether ``mail`` returns a message of ours (a DSN, or an MTA's plain notice)."""
    if mail.get_content_type() == "multipart/report":
        return str(mail.get_param("report-type") or "").lower() == "delivery-status"
    sender = parseaddr(_header(mail, "From"))[1].lower()
    return sender.partition("@")[0] in BOUNCE_SENDERS and mail_from in ("", None)


def is_automatic(mail: Message, mail_from: str | None = None) -> bool:
    """Say whether a program wrote ``mail``: an auto-reply, an out-of-office note, a list.

    RFC 3834's ``Auto-Submitted`` (anything but "no"), the older ``X-Autoreply`` family,
    ``Precedence: bulk/junk/list/auto_reply``, a mailing list's ``List-Id``, or the null
    envelope sender that RFC 3834 asks auto-responders to use.
    """
    submitted = _header(mail, "Auto-Submitted").strip().lower()
    if submitted and not submitted.startswith("no"):
        return True
    if any(mail.get(name) for name in AUTOMATIC_HEADERS):
        return True
    if _header(mail, "Precedence").strip().lower() in AUTOMATIC_PRECEDENCE:
        return True
    return mail_from == ""


def bounced_statuses(mail: Message, raw: bytes) -> list[StatusUpdate]:
    """Return the status of the returned message of ours, if the bounce names it."""
    original = ""
    action, code, diagnostic = "failed", "", ""
    for part in mail.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            for block in part.get_payload() or []:
                if not isinstance(block, Message):
                    continue
                if block.get("Action"):
                    action = str(block["Action"]).strip().lower()
                    code = str(block.get("Status") or "").strip()
                    diagnostic = " ".join(str(block.get("Diagnostic-Code") or "").split())
                    if action == "failed":
                        break
        elif kind == "text/rfc822-headers" and not original:
            headers = HeaderParser().parsestr(_content(part))
            original = _first_id(str(headers.get("Message-ID") or ""))
        elif kind == "message/rfc822" and not original:
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                original = _first_id(str(inner[0].get("Message-ID") or ""))
    if not original:  # a plain-text notice that quotes the returned message's headers
        body = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[-1]
        found = _MESSAGE_ID_LINE.search(body.decode("utf-8", "replace"))
        original = found.group(1) if found else ""
    status: DeliveryStatus | None = {
        "failed": "failed",
        "delivered": "delivered",
        "relayed": "delivered",
        "expanded": "delivered",
    }.get(action)  # type: ignore[assignment]
    if not original or status is None:  # "delayed": the MTA is still trying
        return []
    title = diagnostic or _header(mail, "Subject")
    return [StatusUpdate(original, status, error_code=code, error_title=title)]


# -- text ------------------------------------------------------------------------------


def clean_subject(subject: str) -> str:
    """Return the subject without "Re:"/"Fwd:" prefixes and reference tags."""
    subject = _REFERENCE_TAG.sub(" ", subject)
    subject = _SUBJECT_PREFIX.sub("", subject)
    return " ".join(subject.split())


#: a line that introduces the quoted message below it, in the clients residents use
_ATTRIBUTION = re.compile(
    r"^(on\b.+\bwrote|el\b.+\b(escribió|va escriure)|.+\b(escribió|escribio|va escriure|"
    r"wrote)|le\b.+\ba écrit)\s*:\s*$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(
    r"^\s*(-{2,}\s*(original message|mensaje original|missatge original|forwarded message|"
    r"mensaje reenviado)\s*-{2,}|_{20,})\s*$",
    re.IGNORECASE,
)
_HEADER_BLOCK = re.compile(r"^\s*(from|de)\s*:\s*\S", re.IGNORECASE)
_HEADER_NEXT = re.compile(r"^\s*(sent|date|enviado|fecha|enviat|data|to|para|per a)\s*:", re.I)


def strip_quoted(text: str) -> str:
    """Return what the resident wrote, without the message they answer and their signature.

    Cuts at the first attribution line ("El mar, 10 mar 2026, Ayuntamiento escribió:",
    also wrapped over two lines), an Outlook separator or header block, or the signature
    mark ("-- "); drops the remaining ``>`` lines.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for number, line in enumerate(lines):
        stripped = line.strip()
        following = lines[number + 1].strip() if number + 1 < len(lines) else ""
        if line.rstrip() == "--" or line == "-- ":
            break
        if _ATTRIBUTION.match(stripped) or _SEPARATOR.match(stripped):
            break
        if stripped and _ATTRIBUTION.match(f"{stripped} {following}") and following.endswith(":"):
            break
        if _HEADER_BLOCK.match(stripped) and _HEADER_NEXT.match(following):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line.rstrip())
    result = "\n".join(kept).strip()
    return re.sub(r"\n{3,}", "\n\n", result)


#: the only tags kept for the reading below; the sanitiser drops every attribute, every
#: script and style with its content, and comments
_KEPT_TAGS = {
    "p", "br", "div", "li", "ul", "ol", "tr", "td", "th", "table", "blockquote", "pre",
    "h1", "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip
_BLOCK_TAGS = _KEPT_TAGS - {"td", "th", "blockquote"}


class _TextReader(HTMLParser):
    """Collect the text of sanitised HTML, a line per block, skipping quoted blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.quoted = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "blockquote":
            self.quoted += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "blockquote":
            self.quoted = max(0, self.quoted - 1)
        elif tag in _BLOCK_TAGS and tag != "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.quoted:  # line breaks in HTML source are spaces; blocks make the lines
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Return the readable text of an HTML message: sanitised by nh3, then read as text."""
    clean = nh3.clean(html, tags=_KEPT_TAGS, attributes={}, strip_comments=True)
    reader = _TextReader()
    reader.feed(clean)
    reader.close()
    lines = [" ".join(line.split()) for line in "".join(reader.parts).split("\n")]
    text = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


# -- parts -----------------------------------------------------------------------------


def _attachments(mail: EmailMessage, body: Message | None, spool: str) -> Iterator[Attachment]:
    for number, part in enumerate(mail.walk()):
        if part.is_multipart() or part is body:
            continue
        kind = part.get_content_type()
        filename = part.get_filename() or ""
        disposition = part.get_content_disposition()
        if kind.startswith("text/") and disposition != "attachment":
            continue  # the other alternative of the body, not a file
        if kind in ("message/delivery-status", "text/rfc822-headers"):
            continue
        yield Attachment(
            kind=_kind(kind),
            media_ref=f"{spool}#{number}",
            content_type=kind,
            filename=filename[:200],
        )


def _kind(content_type: str) -> AttachmentKind:
    major = content_type.split("/", 1)[0]
    return cast(AttachmentKind, major if major in ("image", "video", "audio") else "document")


def _content(part: Message) -> str:
    try:
        return str(cast(EmailMessage, part).get_content())
    except (LookupError, ValueError, AttributeError):  # an unknown charset: read it as Latin-1
        data = part.get_payload(decode=True)
        return data.decode("latin-1") if isinstance(data, bytes) else ""


def _header(mail: Message, name: str) -> str:
    try:
        value = mail.get(name)
    except (IndexError, ValueError):  # a header the parser cannot decode
        return ""
    return str(value or "").replace("\x00", "")


def _first_id(value: str) -> str:
    found = _MESSAGE_ID.search(value)
    return found.group(0) if found else ""


def _message_id(mail: Message, raw: bytes) -> str:
    """Return the Message-ID, or one made from the content when the sender gave none."""
    return _first_id(_header(mail, "Message-ID")) or (
        f"<{hashlib.sha256(raw).hexdigest()}@no-message-id.invalid>"
    )


def recipients(mail: Message) -> list[str]:
    """Return the addresses in To and Cc, in lower case."""
    pairs = getaddresses([_header(mail, "To"), _header(mail, "Cc")])
    return [address.lower() for _, address in pairs if "@" in address]
