"""Instagram direct messages through Meta's Graph API (Messenger Platform for Instagram)."""

from ventanilla.channels.adapters.instagram.adapter import InstagramAdapter

__all__ = ["InstagramAdapter"]
