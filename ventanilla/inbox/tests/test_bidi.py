"""Text residents send cannot reorder the inbox around it (right-to-left overrides)."""

import re

import pytest

from ventanilla.cases.tests.factories import make_case
from ventanilla.channels.models import Provider
from ventanilla.citizens.models import Citizen
from ventanilla.inbox.tests.factories import (
    make_attachment,
    make_channel,
    make_conversation,
    make_message,
    signed_in,
)

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: what follows it is shown backwards
URN = "whatsapp:34600111333"


def isolated(html: str, text: str) -> bool:
    """Whether ``text`` sits directly in a <bdi> or an element with dir="auto"."""
    pattern = rf'(<bdi>|<[a-z]+[^>]*\bdir="auto"[^>]*>)[^<]*{re.escape(text)}'
    return re.search(pattern, html) is not None


def test_what_a_resident_wrote_is_isolated_wherever_the_inbox_shows_it(town):
    case = make_case(category=town.category_a, description=f"Farola {RLO}gpj.exe", urn=URN)
    Citizen.objects.filter(pk=case.citizen_id).update(name=f"Ana {RLO}ovitnegra")
    chat = make_conversation(
        channel=make_channel(council=town.council, provider=Provider.WHATSAPP), urn=URN
    )
    message = make_message(
        case=case, conversation=chat, text=f"Mire {RLO}fdp.exe", address=f"Calle {RLO}royaM"
    )
    message.latitude, message.longitude = 40.4, -3.7
    message.save()
    make_attachment(message=message, filename=f"foto{RLO}gpj.exe", caption="")
    client = signed_in(town.agent_a)

    page = client.get(f"/inbox/cases/{case.reference}/").content.decode()
    for text in (
        f"Farola {RLO}gpj.exe",
        f"Ana {RLO}ovitnegra",
        f"Mire {RLO}fdp.exe",
        f"Calle {RLO}royaM",
    ):
        assert text in page
        assert isolated(page, text), text
    queue = client.get("/inbox/").content.decode()
    assert isolated(queue, f"Farola {RLO}gpj.exe") and isolated(queue, f"Ana {RLO}ovitnegra")
