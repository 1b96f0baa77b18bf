"""How to reach us: the council's channels as residents find them, from the active channels.

Each way has a link that opens the resident's app (wa.me, t.me, line.me, sms:, tel:,
mailto:) and, for the messaging apps, a QR code of that link (``segno``, inline SVG) so
that a reader of the portal on a computer can open the chat on their phone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ventanilla.channels.models import Channel, Provider
from ventanilla.core.models import Council

#: the e-mail provider's code (the e-mail channel may not be installed on every branch)
EMAIL = "email"


@dataclass(frozen=True)
class Way:
    """One way to reach the council: a provider, what to write to, and links."""

    provider: str
    name: str
    address: str
    url: str
    action: str
    qr_svg: SafeString | None = None
    extra_url: str = ""
    extra_action: str = ""


def _digits(number: str) -> str:
    return re.sub(r"\D", "", number)


def _qr(url: str, title: str) -> SafeString:
    import segno  # only on the pages that show a code

    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=3, title=title, svgclass="portal-qr", lineclass=None, light="#fff")
    return mark_safe(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))  # noqa: S308 - segno's own SVG


def _address(channel: Channel) -> str:
    if channel.public_address:
        return channel.public_address.strip()
    if channel.provider == Provider.TWILIO:  # the number it sends from is the one to write to
        return channel.secrets.get("from_number", "")
    return ""


def _way(channel: Channel, address: str) -> Way | None:
    provider = str(channel.provider)
    if provider == Provider.WHATSAPP:
        url = f"https://wa.me/{_digits(address)}"
        name = "WhatsApp"
        return Way(provider, name, address, url, _("Write on WhatsApp"), _qr(url, name))
    if provider == Provider.TELEGRAM:
        username = address.lstrip("@")
        url = f"https://t.me/{quote(username)}"
        return Way(
            provider, "Telegram", f"@{username}", url, _("Write on Telegram"), _qr(url, "Telegram")
        )
    if provider == Provider.LINE:
        line_id = address if address.startswith("@") else f"@{address}"
        url = f"https://line.me/R/ti/p/{quote(line_id)}"
        return Way(provider, "LINE", line_id, url, _("Add us on LINE"), _qr(url, "LINE"))
    if provider == Provider.TWILIO:
        number = "+" + _digits(address)
        return Way(
            provider,
            _("SMS"),
            address,
            f"sms:{number}",
            _("Send an SMS"),
            extra_url=f"tel:{number}",
            extra_action=_("Call"),
        )
    if provider == EMAIL:
        return Way(provider, _("E-mail"), address, f"mailto:{address}", _("Write an e-mail"))
    return None


def ways_to_reach(council: Council) -> list[Way]:
    """Return the ways to reach ``council`` from its active channels, once per address."""
    ways: list[Way] = []
    seen: set[tuple[str, str]] = set()
    for channel in Channel.objects.of(council).active().order_by("provider", "pk"):
        address = _address(channel)
        if not address or (channel.provider, address) in seen:
            continue
        seen.add((channel.provider, address))
        way = _way(channel, address)
        if way is not None:
            ways.append(way)
    return ways
