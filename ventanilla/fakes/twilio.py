"""A fake Twilio Programmable Messaging API (SMS/MMS) and the webhooks it sends.

Served under ``/twilio`` (so a channel's ``api_base`` is ``http://<fake>/twilio``):

- ``POST /2010-04-01/Accounts/{sid}/Messages.json`` checks basic auth and the form, answers
  201 with an ``SM…`` sid, then posts signed ``sent`` and ``delivered`` callbacks to the
  ``StatusCallback`` it was given;
- ``GET /2010-04-01/Accounts/{sid}/Messages/{MM…}/Media/{ME…}`` needs basic auth and
  redirects to ``/media-content/{id}``, the file itself, as Twilio redirects to its storage.

A resident who texts STOP (or another opt-out keyword) is unsubscribed from that sender:
later sends to them fail with 21610 until they text START.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import hmac
import math
import re
from typing import Any
from urllib.parse import parse_qs, urlencode

import phonenumbers

from ventanilla.fakes.server import (
    Delivery,
    FakeChannel,
    FakeRequest,
    FakeResponse,
    ProviderFake,
)
from ventanilla.fakes.whatsapp import tiny_png

API = "2010-04-01"
MESSAGES = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/Messages\.json$")
MEDIA = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/Messages/(\w+)/Media/ME(\w+)$")
STOP_KEYWORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
START_KEYWORDS = {"START", "YES", "UNSTOP"}


def twilio_error(code: int, message: str, status: int = 400) -> FakeResponse:
    """Return an error the way the Twilio REST API does."""
    more_info = f"https://www.twilio.com/docs/errors/{code}"
    body = {"code": code, "message": message, "more_info": more_info, "status": status}
    return FakeResponse.json(body, status=status)


def twilio_signature(token: str, url: str, params: dict[str, str]) -> str:
    """Sign like Twilio: base64 HMAC-SHA1 of the URL followed by sorted ``name+value``."""
    payload = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(
        hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    ).decode()


def segments(body: str) -> int:
    """Count SMS segments: 160/153 characters in GSM-7 (roughly ASCII), else 70/67."""
    single, multi = (160, 153) if body.isascii() else (70, 67)
    return 1 if len(body) <= single else math.ceil(len(body) / multi)


class TwilioFake(ProviderFake):
    name = "twilio"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opted_out: set[tuple[str, str]] = set()  # (our sender, resident's number)

    def api(self, request: FakeRequest) -> FakeResponse:
        """Route a REST call."""
        if request.method == "GET" and request.path.startswith("/media-content/"):
            return self.media_content(request.path.rsplit("/", 1)[-1])
        match = MESSAGES.match(request.path) or MEDIA.match(request.path)
        if match is None:
            return twilio_error(20404, "The requested resource was not found", status=404)
        channel = self.authenticate(request, match.group(1))
        if channel is None:
            return twilio_error(20003, "Authenticate", status=401)
        if match.re is MESSAGES and request.method == "POST":
            return self.create_message(request, channel)
        if match.re is MEDIA and request.method == "GET":
            host = request.headers.get("host", "127.0.0.1")
            location = f"http://{host}/twilio/media-content/{match.group(3)}"
            return FakeResponse(status=307, body=b"", headers={"Location": location})
        return twilio_error(20004, "Method not allowed", status=405)

    def authenticate(self, request: FakeRequest, account_sid: str) -> FakeChannel | None:
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Basic "):
            return None
        try:
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            return None
        if user != account_sid:
            return None
        return self.channel_for(account_sid=user, auth_token=password)

    def media_content(self, media_id: str) -> FakeResponse:
        with self.hub.lock:
            stored = self.hub.media.get(media_id)
        if stored is None:
            return twilio_error(20404, "The requested resource was not found", status=404)
        return FakeResponse(body=stored[0], content_type=stored[1])

    # -- sending ---------------------------------------------------------------------------

    def create_message(self, request: FakeRequest, channel: FakeChannel) -> FakeResponse:
        """Accept a send (201, queued), then call its StatusCallback with sent, delivered."""
        form = request.form()
        media = parse_qs(request.body.decode()).get("MediaUrl", [])
        problem = self.invalid(channel, form, media)
        if problem is not None:
            return twilio_error(*problem)
        sid = "SM" + self.hub.new_id()
        sender = form.get("From") or form.get("MessagingServiceSid", "")
        body = form.get("Body", "")
        now = email.utils.formatdate(usegmt=True)
        account = channel.secrets["account_sid"]
        uri = f"/{API}/Accounts/{account}/Messages/{sid}.json"
        callback = form.get("StatusCallback")
        if callback:
            self.deliver_later(
                self.status_delivery(channel, callback, sid, form, status)
                for status in ("sent", "delivered")
            )
        return FakeResponse.json(
            {
                "account_sid": account,
                "api_version": API,
                "body": body,
                "date_created": now,
                "date_updated": now,
                "date_sent": None,
                "direction": "outbound-api",
                "error_code": None,
                "error_message": None,
                "from": sender if sender.startswith("+") else None,
                "messaging_service_sid": sender if sender.startswith("MG") else None,
                "num_media": str(len(media)),
                "num_segments": str(segments(body)),
                "price": None,
                "price_unit": "USD",
                "sid": sid,
                "status": "queued",
                "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
                "to": form["To"],
                "uri": uri,
            },
            status=201,
        )

    def invalid(
        self, channel: FakeChannel, form: dict[str, str], media: list[str]
    ) -> tuple[int, str] | None:
        """Return (code, message) for a send Twilio would refuse, else None."""
        to = form.get("To", "")
        if not _possible(to):
            return 21211, f"The 'To' number {to} is not a valid phone number."
        sender = form.get("From") or form.get("MessagingServiceSid")
        if sender != channel.secrets.get("from_number"):
            return 21606, "The 'From' phone number provided is not a valid message-capable number."
        if not form.get("Body") and not media:
            return 21602, "Message body is required."
        if len(form.get("Body", "")) > 1600:
            return 21617, "The concatenated message body exceeds the 1600 character limit."
        with self.hub.lock:
            if (sender, to) in self.opted_out:
                return 21610, "Attempt to send to unsubscribed recipient"
        return None

    def status_delivery(
        self, channel: FakeChannel, url: str, sid: str, form: dict[str, str], status: str
    ) -> Delivery:
        params = {
            "SmsSid": sid,
            "SmsStatus": status,
            "MessageStatus": status,
            "To": form["To"],
            "MessageSid": sid,
            "AccountSid": channel.secrets["account_sid"],
            "From": form.get("From") or channel.secrets.get("from_number", ""),
            "ApiVersion": API,
        }
        return self.signed(channel, url, params)

    # -- residents -------------------------------------------------------------------------

    def resident_message(self, channel: FakeChannel, spec: dict[str, Any]) -> Delivery:
        """Build and sign the webhook for a resident's SMS (or MMS with ``image``).

        SMS carries no name and no location: ``name`` is dropped and a location is sent as
        the text ``"<latitude>,<longitude>"``; a ``choice`` is sent as the text the resident
        would type.
        """
        phone = "+" + str(spec["from"]).lstrip("+")
        ours = channel.secrets.get("from_number", "")
        text = str(spec.get("text") or "")
        if spec.get("choice"):
            text = str(spec["choice"])
        if spec.get("location"):
            place = spec["location"]
            text = f"{place['latitude']},{place['longitude']}"
        self.track_opt_out(ours, phone, text)
        media = self.resident_media(channel) if spec.get("image") else {}
        sid = ("MM" if media else "SM") + self.hub.new_id()
        account = channel.secrets.get("account_sid", "")
        params = {
            "ToCountry": _region(ours),
            "SmsMessageSid": sid,
            "NumMedia": "1" if media else "0",
            "SmsSid": sid,
            "SmsStatus": "received",
            "Body": text,
            "FromCountry": _region(phone),
            "To": ours,
            "NumSegments": str(segments(text)),
            "MessageSid": sid,
            "AccountSid": account,
            "From": phone,
            "ApiVersion": API,
        }
        if media:
            params["MediaUrl0"] = media["url"].format(account=account, sid=sid)
            params["MediaContentType0"] = media["type"]
        delivery = self.signed(channel, channel.webhook_url, params)
        delivery.headers["x-fake-message-id"] = sid
        return delivery

    def resident_media(self, channel: FakeChannel) -> dict[str, str]:
        media_id = self.hub.store_media(tiny_png(), "image/png")
        base = self.hub.base_url or "http://127.0.0.1"
        url = f"{base}/twilio/{API}/Accounts/{{account}}/Messages/{{sid}}/Media/ME{media_id}"
        return {"url": url, "type": "image/png"}

    def track_opt_out(self, ours: str, phone: str, text: str) -> None:
        keyword = text.strip().upper()
        with self.hub.lock:
            if keyword in STOP_KEYWORDS:
                self.opted_out.add((ours, phone))
            elif keyword in START_KEYWORDS:
                self.opted_out.discard((ours, phone))

    def signed(self, channel: FakeChannel, url: str, params: dict[str, str]) -> Delivery:
        """Sign form parameters for ``url`` exactly, as Twilio does for every webhook."""
        token = channel.secrets.get("auth_token", "")
        headers = {
            "content-type": "application/x-www-form-urlencoded",
            "user-agent": "TwilioProxy/1.1",
            "i-twilio-idempotency-token": self.hub.new_id(),
            "x-twilio-signature": twilio_signature(token, url, params),
        }
        return Delivery(url=url, body=urlencode(params).encode(), headers=headers)


def _possible(number: str) -> bool:
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return False


def _region(number: str) -> str:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number, None)) or ""
    except phonenumbers.NumberParseException:
        return ""
