"""The provider registry, derived from the provider classes themselves.

Each provider's facts (code, URN schemes, secrets, API base, reply window, what to keep
out of logs) live on its class in ``adapters/<code>/``; nothing here restates them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ventanilla.channels.adapters.base import Adapter, Provider
from ventanilla.channels.adapters.bluesky import BlueskyAdapter
from ventanilla.channels.adapters.email import EmailAdapter
from ventanilla.channels.adapters.instagram import InstagramAdapter
from ventanilla.channels.adapters.line import LineAdapter
from ventanilla.channels.adapters.mastodon import MastodonAdapter
from ventanilla.channels.adapters.messenger import MessengerAdapter
from ventanilla.channels.adapters.telegram import TelegramAdapter
from ventanilla.channels.adapters.twilio import TwilioAdapter
from ventanilla.channels.adapters.webchat import WebChatAdapter
from ventanilla.channels.adapters.whatsapp import WhatsAppAdapter

if TYPE_CHECKING:
    from ventanilla.channels.models import Channel

#: the providers with an adapter (a webhook or the mail gateway, and a way to send), in
#: the order they are offered
ADAPTERS: dict[str, type[Adapter]] = {
    adapter.code: adapter
    for adapter in (
        WhatsAppAdapter,
        TelegramAdapter,
        LineAdapter,
        TwilioAdapter,
        EmailAdapter,
        MessengerAdapter,
        InstagramAdapter,
        MastodonAdapter,
        BlueskyAdapter,
    )
}
#: the providers the send task sends through: the adapters, and the web chat (which has no
#: webhook: its residents post to the chat page, and their page fetches what is sent)
SENDERS: dict[str, type[Adapter]] = {**ADAPTERS, WebChatAdapter.code: WebChatAdapter}
#: every provider a channel may use
PROVIDERS: dict[str, type[Provider]] = {**SENDERS}


class UnknownProvider(LookupError):
    """No adapter speaks this provider (e.g. the web chat, which has no webhook)."""


def provider_class(code: str) -> type[Provider]:
    """Return the class that holds ``code``'s facts; raise UnknownProvider if there is none."""
    try:
        return PROVIDERS[code]
    except KeyError:
        raise UnknownProvider(code) from None


def adapter_class(code: str) -> type[Adapter]:
    """Return the adapter class for ``code``; raise UnknownProvider if there is none."""
    try:
        return SENDERS[code]
    except KeyError:
        raise UnknownProvider(code) from None


def adapter_for(channel: Channel) -> Adapter:
    """Return an adapter configured for ``channel`` (its secrets, API base and options)."""
    return adapter_class(channel.provider)(channel.config())


def sends_segmented(provider: str, urn: str) -> bool:
    """Return whether a message to ``urn`` through ``provider`` is an SMS billed per segment."""
    try:
        facts = provider_class(provider)
    except UnknownProvider:
        return False
    return urn.partition(":")[0] in facts.segmented_schemes
