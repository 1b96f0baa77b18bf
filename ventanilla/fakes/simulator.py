"""The citizen simulator: a web page on the fake server where a person plays a resident.

The page (``/``) picks a provider and a phone number or user id, and sends text, a photo, a
location or a tap on a button the council's bot offered. It sends through the provider's
fake, which signs and delivers the webhook to Ventanilla exactly as the provider would, and
shows the conversation: what the resident sent and everything Ventanilla sent to that
resident through the fake, read back from the API calls the fake recorded.

Routes (added to the hub's ``extra_routes``):

- ``GET /``: the page;
- ``GET /simulator/state?provider=&resident=``: providers with a channel, and the transcript;
- ``POST /simulator/send`` ``{"provider", "resident", "name"?, "text"?, "image"?,
  "location"?, "choice"?}``: one message from the resident.

E-mail (``provider`` "email", the resident an address) goes by SMTP to the mail gateway,
as a reply to the last mail the resident received; the council's answers are read from the
fake mail server (``fakes.mail``) that Ventanilla sends through.
"""

from __future__ import annotations

import json
import re
import smtplib
import threading
import time
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from ventanilla.fakes.line import line_user_id
from ventanilla.fakes.mail import MailSink
from ventanilla.fakes.meta import scoped_id
from ventanilla.fakes.server import FakeChannel, FakeHub, FakeRequest, FakeResponse
from ventanilla.fakes.telegram import png_image, telegram_user_id

PAGE = Path(__file__).with_name("simulator.html")
PROVIDERS = (
    "whatsapp",
    "telegram",
    "line",
    "twilio",
    "email",
    "messenger",
    "instagram",
    "mastodon",
    "bluesky",
)
DEFAULT_RESIDENTS = {
    "whatsapp": "34600111222",
    "telegram": "123456789",
    "line": "vecina-lucia",
    "twilio": "+34600111222",
    "email": "vecina.lucia@correo.example",
    "messenger": "vecina-lucia",
    "instagram": "vecina-lucia",
    "mastodon": "lucia",
    "bluesky": "lucia",
}
WHATSAPP_SEND = re.compile(r"^/v\d+\.\d+/[^/]+/messages$")
TELEGRAM_SEND = re.compile(r"^/bot[^/]+/(send\w+)$", re.IGNORECASE)
LINE_SEND = re.compile(r"^/v2/bot/message/(push|reply)$")
TWILIO_SEND = re.compile(r"^/2010-04-01/Accounts/[^/]+/Messages\.json$")
META_SEND = re.compile(r"^/v\d+\.\d+/me/messages$")


@dataclass
class Outgoing:
    """One message Ventanilla sent to a resident, as plain text and choices."""

    to: str
    text: str = ""
    choices: list[dict[str, str]] = field(default_factory=list)
    image: str = ""
    location: dict[str, Any] | None = None


def register_channels(hub: FakeHub, *, channels: list[Any], web_url: str) -> list[FakeChannel]:
    """Tell the hub where each channel's webhooks go (``web_url`` + its path) and its secrets."""
    registered = []
    for channel in channels:
        fake = FakeChannel(
            provider=channel.provider,
            webhook_url=web_url.rstrip("/") + channel.webhook_path,
            secrets=dict(channel.secrets),
        )
        with hub.lock:
            hub.channels = [
                c
                for c in hub.channels
                if not (c.provider == fake.provider and c.webhook_url == fake.webhook_url)
            ]
            hub.channels.append(fake)
        registered.append(fake)
    return registered


def resident_key(provider: str, resident: str) -> str:
    """Return how the provider addresses ``resident`` in the calls Ventanilla makes."""
    if provider == "whatsapp":
        return resident.strip().lstrip("+")
    if provider == "telegram":
        return str(telegram_user_id(resident.strip()))
    if provider == "line":
        return line_user_id(resident.strip())
    if provider == "twilio":
        return "+" + resident.strip().lstrip("+")
    if provider in ("messenger", "instagram"):
        return scoped_id(resident.strip())
    if provider == "mastodon":
        name = resident.strip().lstrip("@")
        return name if "@" in name else f"{name}@barrio.social"
    if provider == "bluesky":
        name = resident.strip().lstrip("@")
        return name if "." in name else f"{name}.bsky.social"
    return resident


@dataclass(frozen=True)
class MailSide:
    """Where the simulator's residents send e-mail, and where the council's answers land."""

    sink: MailSink
    gateway_host: str
    gateway_port: int
    address: str  # the council's mailbox (an e-mail channel's address)


class Simulator:
    """Serve the simulator page and remember what residents sent through it."""

    def __init__(
        self, hub: FakeHub, *, language: str | None = None, mail: MailSide | None = None
    ) -> None:
        self.hub = hub
        self.mail = mail
        self.language = language or settings.LANGUAGE_CODE
        self.lock = threading.Lock()
        self.sent: list[dict[str, Any]] = []
        self.reply_tokens: dict[str, str] = {}  # LINE reply token -> userId it answers

    def install(self) -> None:
        self.hub.extra_routes["/"] = self.page
        self.hub.extra_routes["/simulator/state"] = self.state
        self.hub.extra_routes["/simulator/send"] = self.send

    # -- routes ----------------------------------------------------------------------------

    def page(self, request: FakeRequest) -> FakeResponse:
        with translation.override(self.language):
            labels = self.labels()
            html = PAGE.read_text(encoding="utf-8")
            html = html.replace("{{ lang }}", translation.get_language() or "es")
            html = html.replace("{{ title }}", labels["title"])
            data = {"labels": labels, "residents": DEFAULT_RESIDENTS}
            # "</" cannot end the script element from inside a JSON string.
            html = html.replace("{{ data }}", json.dumps(data).replace("</", "<\\/"))
        return FakeResponse(body=html.encode(), content_type="text/html; charset=utf-8")

    def state(self, request: FakeRequest) -> FakeResponse:
        provider = request.query.get("provider", "")
        resident = request.query.get("resident", "")
        with self.hub.lock:
            providers = sorted({c.provider for c in self.hub.channels}, key=_provider_order)
        if self.mail is not None:
            providers.append("email")
        messages = self.transcript(provider, resident) if provider and resident else []
        return FakeResponse.json({"providers": providers, "messages": messages})

    def send(self, request: FakeRequest) -> FakeResponse:
        try:
            spec = request.json() or {}
        except ValueError:
            return FakeResponse.json({"error": "body is not JSON"}, status=400)
        provider = str(spec.get("provider") or "")
        resident = str(spec.get("resident") or "").strip()
        if provider == "email" and self.mail is not None and resident:
            return FakeResponse.json({"status": self.send_mail(self.mail, resident, spec)})
        fake = self.hub.providers.get(provider)
        channel = self.hub.find_channel(provider, None)
        if fake is None or channel is None or not resident:
            return FakeResponse.json({"error": "no channel for this provider"}, status=404)
        keys = ("name", "text", "image", "location", "choice", "visibility")
        wanted = {key: spec[key] for key in keys if spec.get(key)}
        if getattr(fake, "polled", False):  # Mastodon, Bluesky: posted, found by the next poll
            with self.lock, self.hub.lock:
                self.sent.append(
                    {
                        "provider": provider,
                        "resident": resident_key(provider, resident),
                        "after": len(self.hub.received),
                        "at": time.time(),
                        "text": str(spec.get("text") or ""),
                        "image": False,
                        "location": None,
                        "choice": "",
                        "status": 200,
                    }
                )
            fake.queue_inbound(channel, {"from": resident, **wanted})  # type: ignore[attr-defined]
            return FakeResponse.json({"status": 200})
        delivery = fake.resident_message(channel, {"from": resident, **wanted})
        if provider == "line":
            self.remember_reply_tokens(delivery.body)
        with self.lock, self.hub.lock:
            entry = {
                "provider": provider,
                "resident": resident_key(provider, resident),
                "after": len(self.hub.received),
                "at": time.time(),
                "text": str(spec.get("text") or ""),
                "image": bool(spec.get("image")),
                "location": spec.get("location") or None,
                "choice": str(spec.get("choice") or ""),
                "status": 0,
            }
            self.sent.append(entry)
        entry["status"] = self.hub.deliver(delivery)
        return FakeResponse.json({"status": entry["status"]})

    def send_mail(self, mail: MailSide, resident: str, spec: dict[str, Any]) -> int:
        """Send the resident's e-mail to the gateway; return 200 once it is accepted."""
        resident = resident.lower()
        answered = mail.sink.to(resident)
        message = EmailMessage()
        message["From"] = formataddr((str(spec.get("name") or ""), resident))
        message["To"] = mail.address
        message["Message-ID"] = make_msgid(domain=resident.rpartition("@")[2] or "localhost")
        if answered:  # a reply to the council's last mail, in its thread
            last = answered[-1]
            message["Subject"] = "Re: " + last.header("Subject").removeprefix("Re: ")
            message["In-Reply-To"] = last.header("Message-ID")
            message["References"] = f"{last.header('References')} {last.header('Message-ID')}"
        else:
            message["Subject"] = str(spec.get("text") or _("Message to the council"))[:60]
        text = str(spec.get("text") or "")
        place = spec.get("location") or {}
        if place:
            text += f"\n\n{place.get('latitude')}, {place.get('longitude')}"
        message.set_content(text or "-")
        if spec.get("image"):
            message.add_attachment(
                png_image(32, 18), maintype="image", subtype="png", filename="foto.png"
            )
        with self.lock:
            entry: dict[str, Any] = {
                "provider": "email",
                "resident": resident,
                "after": len(mail.sink.received),
                "at": time.time(),
                "text": str(spec.get("text") or ""),
                "image": bool(spec.get("image")),
                "location": place or None,
                "choice": "",
                "status": 0,
            }
            self.sent.append(entry)
        try:
            with smtplib.SMTP(mail.gateway_host, mail.gateway_port, timeout=30) as client:
                client.send_message(message, from_addr=resident, to_addrs=[mail.address])
            entry["status"] = 200
        except smtplib.SMTPResponseException as error:
            entry["status"] = error.smtp_code
        except (smtplib.SMTPException, OSError):
            entry["status"] = 503
        return int(entry["status"])

    # -- transcript ------------------------------------------------------------------------

    def mail_transcript(self, mail: MailSide, resident: str) -> list[dict[str, Any]]:
        """Return the e-mail conversation with ``resident``, oldest first."""
        resident = resident.strip().lower()
        with mail.sink.lock:
            received = list(enumerate(mail.sink.received))
        with self.lock:
            mine = [e for e in self.sent if e["provider"] == "email" and e["resident"] == resident]
        items: list[tuple[int, int, dict[str, Any]]] = []
        for order, entry in enumerate(mine):
            body = {k: entry[k] for k in ("text", "image", "location", "choice", "status")}
            items.append((entry["after"], order, {"direction": "in", **body}))
        for index, sent in received:
            if resident in (r.lower() for r in sent.rcpt_tos):
                out = Outgoing(to=resident, text=f"{sent.header('Subject')}\n\n{sent.text}")
                body = asdict(out)
                body.pop("to")
                items.append((index + 1, 0, {"direction": "out", **body}))
        items.sort(key=lambda item: (item[0], item[2]["direction"] == "in", item[1]))
        return [item[2] for item in items]

    def transcript(self, provider: str, resident: str) -> list[dict[str, Any]]:
        """Return the conversation with ``resident`` on ``provider``, oldest first."""
        if provider == "email" and self.mail is not None:
            return self.mail_transcript(self.mail, resident)
        key = resident_key(provider, resident)
        with self.hub.lock:
            records = list(enumerate(self.hub.received))
        with self.lock:
            mine = [e for e in self.sent if e["provider"] == provider and e["resident"] == key]
        items: list[tuple[int, int, dict[str, Any]]] = []
        for order, entry in enumerate(mine):
            body = {k: entry[k] for k in ("text", "image", "location", "choice", "status")}
            items.append((entry["after"], order, {"direction": "in", **body}))
        for index, record in records:
            if record["provider"] != provider:
                continue
            for outgoing in self.outgoing(provider, record):
                if outgoing.to == key:
                    body = asdict(outgoing)
                    body.pop("to")
                    items.append((index + 1, 0, {"direction": "out", **body}))
        items.sort(key=lambda item: (item[0], item[2]["direction"] == "in", item[1]))
        return [item[2] for item in items]

    def outgoing(self, provider: str, record: dict[str, Any]) -> list[Outgoing]:
        """Read the messages one recorded API call carried (none for other calls)."""
        if record.get("method") != "POST":
            return []
        try:
            if provider == "whatsapp":
                return whatsapp_outgoing(record)
            if provider == "telegram":
                return telegram_outgoing(record)
            if provider == "line":
                return line_outgoing(record, self.reply_tokens)
            if provider == "twilio":
                return twilio_outgoing(record)
            if provider in ("messenger", "instagram"):
                return meta_outgoing(record)
            if provider in ("mastodon", "bluesky"):
                return post_outgoing(record)
        except (ValueError, TypeError, KeyError, AttributeError):
            return []
        return []

    def remember_reply_tokens(self, body: bytes) -> None:
        """Note which resident each LINE reply token answers (replies carry no recipient)."""
        try:
            events = json.loads(body).get("events") or []
        except (ValueError, AttributeError):
            return
        with self.lock:
            for event in events:
                if event.get("replyToken"):
                    self.reply_tokens[event["replyToken"]] = event["source"]["userId"]

    def labels(self) -> dict[str, str]:
        return {
            "title": _("Resident simulator"),
            "intro": _(
                "Play a resident: write to the council from a messaging app. Ventanilla "
                "receives it exactly as it would from the provider."
            ),
            "who": _("Who you are"),
            "provider": _("Messaging app"),
            "resident": _("Your phone number, user id or e-mail address"),
            "name": _("Your name"),
            "message": _("Message"),
            "send": _("Send"),
            "photo": _("Send a photo"),
            "location": _("Send a location"),
            "latitude": _("Latitude"),
            "longitude": _("Longitude"),
            "conversation": _("Conversation"),
            "empty": _("No messages yet. Say hello to the council."),
            "you": _("You"),
            "council": _("Council"),
            "photo_sent": _("Photo"),
            "location_sent": _("Location"),
            "choices": _("Options"),
            "no_channels": _(
                "No channel is registered with the fake providers. Run “ventanilla demo”."
            ),
            "delivered": _("Delivered to Ventanilla"),
            "refused": _("Ventanilla answered with an error (HTTP %(status)s)"),
            "unreachable": _("Ventanilla could not be reached"),
            "whatsapp": "WhatsApp",
            "telegram": "Telegram",
            "line": "LINE",
            "twilio": _("SMS (Twilio)"),
            "email": _("E-mail"),
            "messenger": "Messenger",
            "instagram": "Instagram",
            "mastodon": "Mastodon",
            "bluesky": "Bluesky",
        }


def _provider_order(provider: str) -> int:
    return PROVIDERS.index(provider) if provider in PROVIDERS else len(PROVIDERS)


# -- what Ventanilla sent, per provider ------------------------------------------------


def whatsapp_outgoing(record: dict[str, Any]) -> list[Outgoing]:
    if not WHATSAPP_SEND.match(record["path"]):
        return []
    body = json.loads(record["body"])
    if body.get("status") == "read":  # a read receipt, not a message
        return []
    out = Outgoing(to=str(body.get("to") or body.get("recipient") or "").lstrip("+"))
    kind = body.get("type", "text")
    content = body.get(kind) or {}
    if kind == "text":
        out.text = content.get("body", "")
    elif kind == "interactive":
        out.text = (content.get("body") or {}).get("text", "")
        action = content.get("action") or {}
        for button in action.get("buttons") or []:
            reply = button.get("reply") or {}
            out.choices.append({"id": reply.get("id", ""), "label": reply.get("title", "")})
        for section in action.get("sections") or []:
            for row in section.get("rows") or []:
                out.choices.append({"id": row.get("id", ""), "label": row.get("title", "")})
        header = content.get("header") or {}
        out.image = (header.get("image") or {}).get("link", "")
    elif kind in ("image", "sticker"):
        out.image = content.get("link", "")
        out.text = content.get("caption", "")
    elif kind in ("document", "video", "audio"):
        out.text = "\n".join(p for p in (content.get("caption", ""), content.get("link", "")) if p)
    elif kind == "location":
        out.location = _place(content, "name")
    elif kind == "template":
        params = [
            str(p.get("text", ""))
            for component in content.get("components") or []
            for p in component.get("parameters") or []
            if p.get("type") == "text"
        ]
        out.text = f"[{content.get('name', '')}] " + " · ".join(params)
    return [out]


def telegram_outgoing(record: dict[str, Any]) -> list[Outgoing]:
    match = TELEGRAM_SEND.match(record["path"])
    if not match:
        return []
    params: dict[str, Any] = dict(record.get("query") or {})
    content_type = (record.get("headers") or {}).get("content-type", "")
    if record["body"] and "json" in content_type:
        params.update(json.loads(record["body"]))
    elif record["body"]:
        params.update({k: v[-1] for k, v in parse_qs(record["body"]).items()})
    out = Outgoing(to=str(int(params["chat_id"])))
    out.text = str(params.get("text") or params.get("caption") or "")
    method = match.group(1).lower()
    if method == "sendphoto" and str(params.get("photo", "")).startswith("http"):
        out.image = str(params["photo"])
    elif method == "senddocument":
        out.text = "\n".join(p for p in (out.text, str(params.get("document") or "")) if p)
    elif method in ("sendlocation", "sendvenue"):
        out.location = _place(params, "title")
    markup = params.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            if "callback_data" in button:
                out.choices.append({"id": button["callback_data"], "label": button["text"]})
    for row in markup.get("keyboard") or []:
        for button in row:
            label = button if isinstance(button, str) else button.get("text", "")
            out.choices.append({"id": "", "label": label})
    return [out]


def line_outgoing(record: dict[str, Any], reply_tokens: dict[str, str]) -> list[Outgoing]:
    match = LINE_SEND.match(record["path"])
    if not match:
        return []
    body = json.loads(record["body"])
    to = body.get("to") if match.group(1) == "push" else reply_tokens.get(body.get("replyToken"))
    result = []
    for message in body.get("messages") or []:
        out = Outgoing(to=str(to or ""))
        kind = message.get("type")
        if kind == "text":
            out.text = message.get("text", "")
        elif kind == "image":
            out.image = message.get("originalContentUrl", "")
        elif kind == "location":
            out.location = _place(message, "title")
        for item in (message.get("quickReply") or {}).get("items") or []:
            action = item.get("action") or {}
            if action.get("type") == "postback":
                out.choices.append({"id": action.get("data", ""), "label": action.get("label", "")})
            elif action.get("type") == "message":
                out.choices.append({"id": "", "label": action.get("text", "")})
        result.append(out)
    return result


def twilio_outgoing(record: dict[str, Any]) -> list[Outgoing]:
    if not TWILIO_SEND.match(record["path"]):
        return []
    form = parse_qs(record["body"], keep_blank_values=True)
    out = Outgoing(to=form.get("To", [""])[-1], text=form.get("Body", [""])[-1])
    media = form.get("MediaUrl") or []
    if media:
        out.image = media[-1]
    return [out]


def _place(data: dict[str, Any], name_key: str) -> dict[str, Any]:
    return {
        "latitude": float(data["latitude"]),
        "longitude": float(data["longitude"]),
        "name": str(data.get(name_key) or ""),
        "address": str(data.get("address") or ""),
    }


def meta_outgoing(record: dict[str, Any]) -> list[Outgoing]:
    if not META_SEND.match(record["path"]):
        return []
    body = json.loads(record["body"])
    message = body["message"]
    choices = [
        {"id": q["payload"], "label": q["title"]} for q in message.get("quick_replies") or []
    ]
    attachment = (message.get("attachment") or {}).get("payload") or {}
    return [
        Outgoing(
            to=str(body["recipient"]["id"]),
            text=message.get("text", ""),
            choices=choices,
            image=attachment.get("url", ""),
        )
    ]


def post_outgoing(record: dict[str, Any]) -> list[Outgoing]:
    """Read a Mastodon status or a Bluesky post: ``@handle text`` (private messages aside)."""
    body = json.loads(record["body"])
    if record["path"] == "/api/v1/statuses":
        text = str(body.get("status") or "")
    elif record["path"] == "/xrpc/com.atproto.repo.createRecord":
        text = str((body.get("record") or {}).get("text") or "")
    else:
        return []
    handle, _, rest = text.partition(" ")
    if not handle.startswith("@"):
        return []
    return [Outgoing(to=handle[1:], text=rest)]
