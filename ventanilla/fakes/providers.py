"""The registry of provider fakes served by ``ventanilla.fakes.server``."""

from collections.abc import Callable

from ventanilla.fakes.bluesky import BlueskyFake
from ventanilla.fakes.line import LineFake
from ventanilla.fakes.mastodon import MastodonFake
from ventanilla.fakes.meta import InstagramFake, MessengerFake
from ventanilla.fakes.server import FakeHub, ProviderFake
from ventanilla.fakes.telegram import TelegramFake
from ventanilla.fakes.twilio import TwilioFake
from ventanilla.fakes.whatsapp import WhatsAppFake

PROVIDER_FAKES: dict[str, Callable[[FakeHub], ProviderFake]] = {
    "whatsapp": WhatsAppFake,
    "telegram": TelegramFake,
    "line": LineFake,
    "twilio": TwilioFake,
    "messenger": MessengerFake,
    "instagram": InstagramFake,
    "mastodon": MastodonFake,
    "bluesky": BlueskyFake,
}
