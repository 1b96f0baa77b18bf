"""Each message of a case shows the channel it came by; a report from the portal's form too."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from ventanilla.cases.tests.factories import make_case
from ventanilla.channels.models import Provider
from ventanilla.inbox.tests.factories import (
    make_channel,
    make_conversation,
    make_message,
    signed_in,
)
from ventanilla.portal import services as portal_services

pytestmark = pytest.mark.django_db


def marks(html: str) -> list[str]:
    """Return the channel of each message, in the thread's order, as staff read it."""
    found = re.findall(
        r'<span class="channel channel-(\w+)"[^>]*><span class="channel-mark" aria-hidden="true">'
        r"(\w+)</span> ([^<]+)</span>",
        html,
    )
    return [f"{provider}:{mark}:{name.strip()}" for provider, mark, name in found]


def test_every_message_shows_its_channel_with_a_mark_and_its_name(town):
    case = make_case(category=town.category_a, description="Farola", urn="whatsapp:34600111222")
    whatsapp = make_channel(council=town.council, provider=Provider.WHATSAPP)
    telegram = make_channel(council=town.council, provider=Provider.TELEGRAM)
    make_message(case=case, conversation=make_conversation(channel=whatsapp), text="Uno")
    make_message(case=case, conversation=make_conversation(channel=telegram), text="Dos")
    html = signed_in(town.agent_a).get(f"/inbox/cases/{case.reference}/").content.decode()
    assert marks(html) == ["whatsapp:WA:WhatsApp", "telegram:TG:Telegram"]


def test_a_report_from_the_portal_form_says_so_and_shows_its_photo_to_staff(town):
    town.category_a.public_by_default = True
    town.category_a.save()
    image = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 0, 255)).save(image, format="PNG")
    case = portal_services.submit_form_report(
        submission=portal_services.FormSubmission(
            category=town.category_a,
            description="Farola apagada junto al parque",
            latitude=40.4169,
            longitude=-3.7033,
            photo=image.getvalue(),
        ),
        record_url=lambda reference: f"https://example.org/cases/{reference}/",
    )
    agent = signed_in(town.agent_a)
    html = agent.get(f"/inbox/cases/{case.reference}/").content.decode()
    assert "webform:WEB:Portal report form" in marks(html)
    photo_url = f"/inbox/cases/{case.reference}/form-photo/"
    assert f'<img src="{photo_url}"' in html
    served = agent.get(photo_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    # staff of another department may not see it
    assert signed_in(town.agent_b).get(photo_url).status_code == 404
