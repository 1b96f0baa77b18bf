"""Mastodon: a council account's mentions and private mentions."""

from ventanilla.channels.adapters.mastodon.adapter import MastodonAdapter

__all__ = ["MastodonAdapter"]
