"""How to reach us: the council's channels on the portal's home and case pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ventanilla.cases.tests.factories import make_council
from ventanilla.channels.services import create_channel
from ventanilla.demo.channels import DEMO_SECRETS
from ventanilla.portal.tests.factories import make_public_category, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return make_council(name="Villaverde")


def channel(council, provider, address, **fields):
    made = create_channel(
        council=council,
        provider=provider,
        name=provider,
        secrets=DEMO_SECRETS[provider],
        public_address=address,
    )
    for name, value in fields.items():
        setattr(made, name, value)
    made.save()
    return made


def page(client, name, *args):
    return client.get(reverse(name, args=args), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_home_and_case_pages_show_every_active_channel(client, council):
    channel(council, "whatsapp", "+34 910 000 001")
    channel(council, "telegram", "@VillaverdeBot")
    channel(council, "line", "@villaverde")
    channel(council, "twilio", "+34910000000")
    case = open_case(category=make_public_category(council=council))
    for html in (page(client, "portal:home"), page(client, "portal:record", case.reference)):
        assert "How to reach us" in html
        assert 'href="https://wa.me/34910000001"' in html
        assert 'href="https://t.me/VillaverdeBot"' in html
        assert 'href="https://line.me/R/ti/p/%40villaverde"' in html
        assert 'href="sms:+34910000000"' in html and 'href="tel:+34910000000"' in html
        assert html.count('class="portal-qr"') == 3  # WhatsApp, Telegram, LINE
        assert f'href="{reverse("portal:report")}"' in html
        assert " style=" not in html  # the QR codes are plain SVG (CSP)


def test_an_inactive_channel_or_one_without_an_address_is_not_shown(client, council):
    channel(council, "whatsapp", "+34910000001", active=False)
    channel(council, "telegram", "")
    html = page(client, "portal:home")
    assert "wa.me" not in html and "t.me/" not in html


def test_the_sms_channel_falls_back_to_the_number_it_sends_from(client, council):
    channel(council, "twilio", "")
    assert 'href="sms:+34910000000"' in page(client, "portal:home")


def test_the_web_chat_is_linked_when_it_is_installed(client, council):
    html = page(client, "portal:home")
    try:
        chat_url = reverse("webchat:chat")
    except Exception:  # noqa: BLE001 - the web chat is another part, maybe not installed
        assert "Open the web chat" not in html
    else:
        assert f'href="{chat_url}"' in html
