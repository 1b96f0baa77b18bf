"""The reply panel of a case from a public post: what will be published, before sending."""

from __future__ import annotations

import pytest

from ventanilla.cases.tests.factories import make_case
from ventanilla.channels.models import Provider
from ventanilla.conversations.models import Message
from ventanilla.inbox.tests.factories import (
    make_channel,
    make_conversation,
    make_message,
    signed_in,
)

pytestmark = pytest.mark.django_db

URN = "mastodon:lucia@barrio.social"
POST = {
    "id": "113562394818234567",
    "url": "https://barrio.social/@lucia/113562394818234567",
    "visibility": "public",
    "author": "lucia@barrio.social",
}


@pytest.fixture
def case(town):
    channel = make_channel(council=town.council, provider=Provider.MASTODON)
    case = make_case(category=town.category_a, description="Farola apagada", urn=URN)
    case.citizen.name = "Lucía Gómez"
    case.citizen.language = "en"  # the public notice is in the resident's language
    case.citizen.save()
    conversation = make_conversation(channel=channel, urn=URN)
    make_message(
        case=case, conversation=conversation, text="Farola apagada", payload={"post": POST}
    )
    return case


def preview(client, case, text: str) -> str:
    url = f"/inbox/cases/{case.reference}/reply/preview/"
    response = client.post(url, {"text": text}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_the_reply_panel_says_replies_are_public_and_asks_for_the_preview(town, case) -> None:
    page = signed_in(town.agent_a).get(f"/inbox/cases/{case.reference}/").content.decode()
    assert "This case began as a public post (https://barrio.social/@lucia/" in page
    assert f'hx-post="/inbox/cases/{case.reference}/reply/preview/"' in page


def test_a_clean_reply_shows_exactly_what_will_be_published(town, case) -> None:
    html = preview(signed_in(town.agent_a), case, "La brigada pasa mañana por la calle Mayor.")
    assert "This reply will be public." in html
    assert "@lucia@barrio.social La brigada pasa mañana por la calle Mayor." in html


@pytest.mark.parametrize("text", ["Le llamamos al 600 11 12 22", "Gracias, Lucía, lo vemos"])
def test_a_reply_with_personal_data_is_shown_as_private(town, case, text: str) -> None:
    html = preview(signed_in(town.agent_a), case, text)
    assert "This reply will not be published: it contains personal data." in html
    assert "We have answered you in a private message" in html
    assert "[teléfono]" in html or "[nombre]" in html


def test_a_direct_message_has_no_public_preview(town, case) -> None:
    Message.objects.update(payload={"post": POST | {"visibility": "direct"}})
    page = signed_in(town.agent_a).get(f"/inbox/cases/{case.reference}/").content.decode()
    assert "This case began as a public post" not in page
    assert "This reply will" not in preview(
        signed_in(town.agent_a), case, "Le llamamos al 600 11 12 22"
    )


def test_another_departments_case_is_not_previewed(town, case) -> None:
    url = f"/inbox/cases/{case.reference}/reply/preview/"
    assert signed_in(town.agent_b).post(url, {"text": "x"}).status_code == 404
