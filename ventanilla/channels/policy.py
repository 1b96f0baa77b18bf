"""Provider rules checked before a message becomes a row to send."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.channels.adapters import provider_class


class OutboundRefused(Exception):
    """The message cannot be sent as asked; the text says what to do instead."""


@dataclass(frozen=True)
class ReplyWindow:
    """A provider's free-form window for one conversation (WhatsApp's 24 hours).

    ``applies`` is False for providers without one, whose window is always open.
    """

    applies: bool
    open: bool
    closes_at: dt.datetime | None


def reply_window(*, provider: str, last_inbound_at: dt.datetime | None) -> ReplyWindow:
    """Return whether free-form messages may go out now, given when the resident last wrote."""
    window = provider_class(provider).free_form_window
    if window is None:
        return ReplyWindow(applies=False, open=True, closes_at=None)
    if last_inbound_at is None or timezone.now() - last_inbound_at >= window:
        return ReplyWindow(applies=True, open=False, closes_at=None)
    return ReplyWindow(applies=True, open=True, closes_at=last_inbound_at + window)


def check_outbound_allowed(*, channel: Any, last_inbound_at: Any, template: Any) -> None:
    """Raise OutboundRefused for a free-form message once the provider's window has closed."""
    if template or reply_window(provider=channel.provider, last_inbound_at=last_inbound_at).open:
        return
    raise OutboundRefused(
        _(
            "The resident last wrote more than 24 hours ago: WhatsApp only accepts an "
            "approved template now. Choose a template to reopen the conversation."
        )
    )
