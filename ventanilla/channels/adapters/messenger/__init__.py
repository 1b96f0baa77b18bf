"""Facebook Messenger through Meta's Graph API (Messenger Platform)."""

from ventanilla.channels.adapters.messenger.adapter import MessengerAdapter

__all__ = ["MessengerAdapter"]
