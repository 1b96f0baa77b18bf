"""The adapter registry: which class speaks each provider's wire format.

Adapters are imported on first use, so that loading one provider never needs another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from ventanilla.channels.adapters.base import Adapter
    from ventanilla.channels.models import Channel

ADAPTERS = {
    "whatsapp": "ventanilla.channels.adapters.whatsapp.WhatsAppAdapter",
    "telegram": "ventanilla.channels.adapters.telegram.TelegramAdapter",
    "line": "ventanilla.channels.adapters.line.LineAdapter",
    "twilio": "ventanilla.channels.adapters.twilio.TwilioAdapter",
}


class UnknownProvider(LookupError):
    """No adapter speaks this provider (e.g. the web chat, which has no webhook)."""


def adapter_class(provider: str) -> type[Adapter]:
    """Return the adapter class for ``provider``; raise UnknownProvider if there is none."""
    try:
        path = ADAPTERS[provider]
    except KeyError:
        raise UnknownProvider(provider) from None
    return import_string(path)  # type: ignore[no-any-return]


def adapter_for(channel: Channel) -> Adapter:
    """Return an adapter configured for ``channel`` (its secrets, API base and options)."""
    return adapter_class(channel.provider)(channel.config())
