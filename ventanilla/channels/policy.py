"""Provider rules checked before a message becomes a row to send."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.channels.models import Provider

WHATSAPP_WINDOW = dt.timedelta(hours=24)


class OutboundRefused(Exception):
    """The message cannot be sent as asked; the text says what to do instead."""


def whatsapp_window_open(last_inbound_at: dt.datetime | None) -> bool:
    """Return whether WhatsApp's 24-hour customer-service window is open."""
    return last_inbound_at is not None and timezone.now() - last_inbound_at < WHATSAPP_WINDOW


def check_outbound_allowed(*, channel: Any, last_inbound_at: Any, template: Any) -> None:
    """Raise OutboundRefused for a free-form WhatsApp message outside the 24-hour window."""
    if channel.provider != Provider.WHATSAPP or template:
        return
    if not whatsapp_window_open(last_inbound_at):
        raise OutboundRefused(
            _(
                "The resident last wrote more than 24 hours ago: WhatsApp only accepts an "
                "approved template now. Choose a template to reopen the conversation."
            )
        )
