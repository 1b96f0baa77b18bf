"""The web chat: a provider with no webhook and no outside API."""

from ventanilla.channels.adapters.webchat.adapter import WebChatAdapter, WebChatProvider

__all__ = ["WebChatAdapter", "WebChatProvider"]
