"""Bluesky (AT Protocol): a council account's mentions and replies."""

from ventanilla.channels.adapters.bluesky.adapter import BlueskyAdapter

__all__ = ["BlueskyAdapter"]
