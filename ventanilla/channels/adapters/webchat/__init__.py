"""The web chat: a provider with no webhook and no outside API."""

from ventanilla.channels.adapters.webchat.adapter import WebChatProvider

__all__ = ["WebChatProvider"]
