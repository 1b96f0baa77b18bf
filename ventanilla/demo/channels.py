"""One channel of each provider pointed at the local fakes, for ``ventanilla demo``.

The secrets are made up: the fake providers accept whatever a channel was registered with.
``ventanilla fakes`` reads these channels back from the database (``fakes.channels``) to learn
where to deliver each one's webhooks and how to sign them.
"""

from __future__ import annotations

from django.db import transaction

from ventanilla.channels import services
from ventanilla.channels.models import Channel, Provider
from ventanilla.core.models import Council

DEMO_SECRETS: dict[str, dict[str, str]] = {
    Provider.WHATSAPP: {
        "phone_number_id": "106540352242922",
        "access_token": "demo-whatsapp-access-token",
        "app_secret": "demo-whatsapp-app-secret",
        "verify_token": "demo-whatsapp-verify-token",
    },
    Provider.TELEGRAM: {
        "bot_token": "7000000001:demo-telegram-bot-token",
        "secret_token": "demo-telegram-secret-token",
    },
    Provider.LINE: {
        "channel_secret": "demo-line-channel-secret",
        "access_token": "demo-line-access-token",
    },
    Provider.TWILIO: {
        "account_sid": "AC" + "0" * 32,
        "auth_token": "demo-twilio-auth-token",
        "from_number": "+34910000000",
    },
    Provider.MESSENGER: {
        "page_id": "104837291038475",
        "access_token": "demo-messenger-page-token",
        "app_secret": "demo-messenger-app-secret",
        "verify_token": "demo-messenger-verify-token",
    },
    Provider.INSTAGRAM: {
        "page_id": "17841405822304914",
        "access_token": "demo-instagram-page-token",
        "app_secret": "demo-instagram-app-secret",
        "verify_token": "demo-instagram-verify-token",
    },
    # polled, not called: ``ventanilla demo`` runs ``poll_social`` next to the worker
    Provider.MASTODON: {"access_token": "demo-mastodon-access-token"},
    Provider.BLUESKY: {"identifier": "ayuntamiento.bsky.social", "app_password": "demo-bsky-pass"},
}
#: what residents of the demo council are told to write to (shown on the portal)
DEMO_ADDRESSES = {
    Provider.WHATSAPP: "+34910000001",
    Provider.TELEGRAM: "VentanillaDemoBot",
    Provider.LINE: "@ventanilla-demo",
    Provider.TWILIO: "+34910000000",
    Provider.MESSENGER: "m.me/ventanilla.demo",
    Provider.INSTAGRAM: "@ventanilla.demo",
    Provider.MASTODON: "@ayuntamiento@villaverde.social",
    Provider.BLUESKY: "@ayuntamiento.bsky.social",
}
DEMO_NAMES = {
    Provider.WHATSAPP: "WhatsApp (demo)",
    Provider.TELEGRAM: "Telegram (demo)",
    Provider.LINE: "LINE (demo)",
    Provider.TWILIO: "SMS (demo)",
    Provider.MESSENGER: "Messenger (demo)",
    Provider.INSTAGRAM: "Instagram (demo)",
    Provider.MASTODON: "Mastodon (demo)",
    Provider.BLUESKY: "Bluesky (demo)",
}


@transaction.atomic
def configure_demo_channels(*, council: Council, fakes_url: str, web_url: str) -> list[Channel]:
    """Create (or point again) one demo channel per provider at the fakes; return them.

    Running it again finds the channels it made (``options["demo"]``) and only updates
    their API base and secrets. ``web_url`` is where the fakes deliver webhooks; the
    ``fakes`` command reads it from its own ``--web`` option, so it is not stored.
    """
    fakes_url = fakes_url.rstrip("/")
    channels = []
    for provider, secrets in DEMO_SECRETS.items():
        api_base = f"{fakes_url}/{provider}"
        channel = Channel.objects.filter(
            council=council, provider=provider, options__demo=True
        ).first()
        if channel is None:
            channel = services.create_channel(
                council=council,
                provider=provider,
                name=DEMO_NAMES[Provider(provider)],
                secrets=secrets,
                api_base=api_base,
                options={"demo": True},
                public_address=DEMO_ADDRESSES[Provider(provider)],
            )
        elif (
            channel.api_base != api_base
            or channel.secrets != secrets
            or not channel.active
            or not channel.public_address
        ):
            channel.api_base = api_base
            channel.secrets = secrets
            channel.active = True
            channel.public_address = DEMO_ADDRESSES[Provider(provider)]
            channel.save(
                update_fields=["api_base", "secrets_encrypted", "active", "public_address"]
            )
        channels.append(channel)
    return channels


#: the demo council's mailbox: ``ventanilla demo`` runs the mail gateway that receives it
DEMO_MAIL_ADDRESS = "buzon@ayuntamiento.example"


@transaction.atomic
def configure_demo_mailbox(*, council: Council) -> Channel:
    """Create (once) the demo's e-mail channel, received by the demo's mail gateway."""
    channel = Channel.objects.filter(
        council=council, provider=Provider.EMAIL, options__demo=True
    ).first()
    if channel is None:
        channel = services.create_channel(
            council=council,
            provider=Provider.EMAIL,
            name="Buzón del Ayuntamiento (demo)",
            secrets={},
            options={"demo": True, "address": DEMO_MAIL_ADDRESS},
        )
    elif not channel.active:
        channel.active = True
        channel.save(update_fields=["active"])
    return channel


@transaction.atomic
def ensure_web_chat(*, council: Council) -> Channel:
    """Return the council's active web chat channel, creating one for the demo (``/chat/``)."""
    channel = (
        Channel.objects.filter(council=council, provider=Provider.WEBCHAT, active=True)
        .order_by("pk")
        .first()
    )
    if channel is None:
        channel = services.create_channel(
            council=council,
            provider=Provider.WEBCHAT,
            name="Web chat (demo)",
            secrets={},
            options={"demo": True},
        )
    return channel
