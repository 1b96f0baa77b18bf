"""The registry of provider fakes served by ``ventanilla.fakes.server``."""

from ventanilla.fakes.line import LineFake
from ventanilla.fakes.telegram import TelegramFake
from ventanilla.fakes.twilio import TwilioFake
from ventanilla.fakes.whatsapp import WhatsAppFake

PROVIDER_FAKES = {
    "whatsapp": WhatsAppFake,
    "telegram": TelegramFake,
    "line": LineFake,
    "twilio": TwilioFake,
}
