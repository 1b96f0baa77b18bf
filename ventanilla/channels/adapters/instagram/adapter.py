"""Instagram direct messages: the Messenger Platform's webhooks and Send API for Instagram.

Webhooks arrive with ``"object": "instagram"``; residents are ``instagram:<IGSID>`` (the
Instagram-scoped id of the sender). Everything else is Messenger's wire format.
"""

from __future__ import annotations

from typing import ClassVar

from ventanilla.channels.adapters.messenger.adapter import MetaMessagingAdapter
from ventanilla.citizens.urns import Scheme


class InstagramAdapter(MetaMessagingAdapter):
    """Translate Instagram messaging webhooks and sends."""

    code: ClassVar[str] = "instagram"
    urn_schemes: ClassVar[tuple[str, ...]] = (Scheme.INSTAGRAM,)
    webhook_object: ClassVar[str] = "instagram"
