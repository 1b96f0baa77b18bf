"""Public networks through the fakes: a public mention is a case answered in its thread.

The resident posts on the fake Mastodon server; Ventanilla polls it, opens the case and
posts its answer; what the public reads is what the fake holds in the thread.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from ventanilla.cases.models import Case, Category
from ventanilla.cases.services import change_status
from ventanilla.cases.tests.factories import make_staff
from ventanilla.cases.workflow import Status
from ventanilla.channels.models import Channel
from ventanilla.conversations.models import Conversation, Direction, Message
from ventanilla.conversations.polling import poll_channel, poll_public_channels
from ventanilla.conversations.tests.chat import make_town
from ventanilla.fakes.simulator import Simulator
from ventanilla.fakes.tests.harness import Fakes, run_tasks
from ventanilla.inbox.services import reply_to_case
from ventanilla.portal.models import PublicRecord

pytestmark = pytest.mark.django_db(transaction=True)

LAMP = "La farola de la calle Mayor 3 lleva una semana apagada"


@pytest.fixture
def town(transactional_db: Any) -> Any:
    return make_town()


def post(fakes: Fakes, channel: Channel, text: str = LAMP, **spec: Any) -> dict[str, Any]:
    """The resident posts; Ventanilla polls and the worker answers."""
    posted = fakes.resident_says(channel, text=text, **spec)
    poll_channel(channel=Channel.objects.get(pk=channel.pk), client=fakes.client)
    run_tasks()
    return posted


def thread(fakes: Fakes, provider: str, post_id: str) -> list[dict[str, Any]]:
    return fakes.hub.providers[provider].replies_to(post_id)  # type: ignore[attr-defined, no-any-return]


def statuses(fakes: Fakes) -> list[dict[str, Any]]:
    with fakes.hub.providers["mastodon"].lock:  # type: ignore[attr-defined]
        return [
            s
            for s in fakes.hub.providers["mastodon"].statuses.values()  # type: ignore[attr-defined]
            if s["account"]["username"] == "ayuntamiento"
        ]


def test_a_public_mention_opens_a_case_answered_in_public_in_its_thread(
    fakes: Fakes, town: Any
) -> None:
    channel = fakes.channel("mastodon", council=town.council)
    posted = post(fakes, channel, visibility="public")
    case = Case.objects.get()
    assert case.category == town.alumbrado
    assert case.description == LAMP
    (reply,) = thread(fakes, "mastodon", posted["message_id"])
    assert reply["visibility"] == "public"
    assert reply["text"].startswith("@lucia@barrio.social ")
    assert case.reference in reply["text"]
    assert f"{fakes.live_url}/cases/{case.reference}/" in reply["text"]
    # the post and the answer are the case's messages, the answer marked sent
    assert case.messages.filter(direction=Direction.IN).get().text == LAMP
    sent = case.messages.get(direction=Direction.OUT)
    assert sent.provider_message_id == reply["id"] and sent.status == "sent"
    # polling again brings nothing new: no second case, no second answer
    poll_channel(channel=Channel.objects.get(pk=channel.pk), client=fakes.client)
    run_tasks()
    assert Case.objects.count() == 1 and len(statuses(fakes)) == 1


@pytest.mark.parametrize(
    "text", ["Le llamamos mañana al 600 11 12 22", "Gracias, Lucia, mañana pasa la brigada"]
)
def test_a_public_reply_with_personal_data_goes_privately_and_the_thread_is_told(
    fakes: Fakes, town: Any, text: str
) -> None:
    channel = fakes.channel("mastodon", council=town.council)
    posted = post(fakes, channel, visibility="public")
    case = Case.objects.get()
    agent = make_staff(council=town.council, departments=(case.department,))
    with transaction.atomic():
        reply_to_case(case=case, by=agent, text=text)
    run_tasks()
    replies = thread(fakes, "mastodon", posted["message_id"])
    registered, notice = [s for s in replies if s["visibility"] != "direct"]
    assert registered["visibility"] == "public" and case.reference in registered["text"]
    # in public: only that the answer went privately, nothing of it
    assert notice["visibility"] == "public"
    assert "private message" in notice["text"] or "mensaje privado" in notice["text"]
    assert "600" not in notice["text"] and "Lucia" not in notice["text"]
    # the answer itself, privately
    (private,) = [s for s in statuses(fakes) if s["visibility"] == "direct"]
    assert private["text"] == f"@lucia@barrio.social {text}"
    assert all(text not in s["text"] for s in statuses(fakes) if s["visibility"] != "direct")
    row = Message.objects.get(text=text)
    assert row.payload["private"] is True and row.author == agent


def test_a_direct_message_stays_private(fakes: Fakes, town: Any) -> None:
    channel = fakes.channel("mastodon", council=town.council)
    post(fakes, channel, text="Hola, mi teléfono es el 600 11 12 22", visibility="direct")
    conversation = Conversation.objects.get(channel=channel)
    assert conversation.urn == "mastodon:lucia@barrio.social"
    # the dialog answers as in any chat (the privacy notice first), and only privately
    answers = statuses(fakes)
    assert answers and all(s["visibility"] == "direct" for s in answers)
    assert "Antes de empezar, sobre sus datos" in " ".join(s["text"] for s in answers)
    assert not Case.objects.exists()


@pytest.mark.parametrize("in_public", [True, False], ids=["public", "category-says-private"])
def test_the_resolution_is_posted_in_the_thread(fakes: Fakes, town: Any, in_public: bool) -> None:
    channel = fakes.channel("mastodon", council=town.council)
    posted = post(fakes, channel, visibility="public")
    case = Case.objects.get()
    Category.objects.filter(pk=case.category_id).update(resolution_in_public_thread=in_public)
    case.refresh_from_db()
    with transaction.atomic():
        change_status(case=case, status=Status.IN_PROGRESS)
        change_status(case=case, status=Status.RESOLVED)
    run_tasks()
    replies = thread(fakes, "mastodon", posted["message_id"])
    public = [s["text"] for s in replies if s["visibility"] == "public"]
    private = [s["text"] for s in replies if s["visibility"] == "direct"]
    page = f"{fakes.live_url}/cases/{case.reference}/"
    if in_public:
        (resolved,) = [text for text in public if "resuelta" in text.lower()]
        assert page in resolved and case.reference in resolved
        # the satisfaction question is asked privately, not in front of everyone
        assert not any("resuelta" in text.lower() for text in private)
        assert any("valora" in text for text in private)
        assert not any("valora" in text for text in public)
    else:
        assert not any("resuelta" in text.lower() for text in public)
        assert any("resuelta" in text.lower() for text in private)


# -- Bluesky ---------------------------------------------------------------------------


def test_a_bluesky_mention_opens_a_case_answered_in_its_thread(fakes: Fakes, town: Any) -> None:
    channel = fakes.channel("bluesky", council=town.council)
    posted = post(fakes, channel)
    case = Case.objects.get()
    assert case.description == LAMP  # the council's handle is not part of the report
    (reply,) = thread(fakes, "bluesky", posted["message_id"])
    record = reply["record"]
    assert record["text"].startswith("@lucia.bsky.social ")
    assert case.reference in record["text"]
    page = f"{fakes.live_url}/cases/{case.reference}/"
    assert page in record["text"]
    assert record["reply"]["root"]["uri"] == posted["message_id"]
    links = [f["features"][0].get("uri") for f in record["facets"]]
    assert page in links
    assert case.messages.get(direction=Direction.OUT).provider_message_id == reply["uri"]


def test_a_bluesky_reply_with_personal_data_goes_by_direct_message(fakes: Fakes, town: Any) -> None:
    channel = fakes.channel("bluesky", council=town.council)
    posted = post(fakes, channel)
    case = Case.objects.get()
    agent = make_staff(council=town.council, departments=(case.department,))
    text = "Le llamamos mañana al 600 11 12 22"
    with transaction.atomic():
        reply_to_case(case=case, by=agent, text=text)
    run_tasks()
    registered, notice = thread(fakes, "bluesky", posted["message_id"])
    assert "600" not in notice["record"]["text"]
    assert "private message" in notice["record"]["text"] or "privado" in notice["record"]["text"]
    (direct,) = fakes.hub.providers["bluesky"].messages  # type: ignore[attr-defined]
    assert direct["text"] == text


# -- the public thread and the public record point to each other ------------------------


def test_the_case_page_links_the_post_and_a_plus_one_in_the_thread_is_a_support(
    fakes: Fakes, town: Any
) -> None:
    channel = fakes.channel("mastodon", council=town.council)
    posted = post(fakes, channel, visibility="public")
    case = Case.objects.get()
    (answer,) = thread(fakes, "mastodon", posted["message_id"])
    page = fakes.client.get(f"{fakes.live_url}/cases/{case.reference}/").text
    assert f"https://barrio.social/@lucia/{posted['message_id']}" in page

    # a "+1" outside any case's thread registers nothing
    post(fakes, channel, text="+1", visibility="public", **{"from": "pau"})
    record = PublicRecord.objects.get(case=case)
    assert record.support_count == 0 and Case.objects.count() == 1
    # another resident backs it in the thread
    backed = post(
        fakes,
        channel,
        text="+1",
        visibility="public",
        in_reply_to_id=answer["id"],
        **{"from": "marta"},
    )
    record.refresh_from_db()
    assert record.support_count == 1
    assert Case.objects.count() == 1
    (thanks,) = thread(fakes, "mastodon", backed["message_id"])
    assert case.reference in thanks["text"] and thanks["visibility"] == "public"

    # the resident adds something in the thread: it joins the case, no new one
    post(
        fakes,
        channel,
        text="Ahora también la de al lado",
        visibility="public",
        in_reply_to_id=answer["id"],
    )
    assert Case.objects.count() == 1
    assert case.messages.filter(text="Ahora también la de al lado").exists()


@pytest.mark.parametrize("provider", ["mastodon", "bluesky"])
def test_the_simulator_plays_a_resident_posting_in_public(
    fakes: Fakes, town: Any, provider: str
) -> None:
    simulator = Simulator(fakes.hub, language="es")
    simulator.install()
    channel = fakes.channel(provider, council=town.council)
    body = {"provider": provider, "resident": "lucia", "text": LAMP, "visibility": "public"}
    assert fakes.client.post(f"{fakes.url}/simulator/send", json=body).json() == {"status": 200}
    poll_channel(channel=Channel.objects.get(pk=channel.pk), client=fakes.client)
    run_tasks()
    said, answered = simulator.transcript(provider, "lucia")
    assert (said["direction"], said["text"]) == ("in", LAMP)
    assert answered["direction"] == "out"
    assert Case.objects.get().reference in answered["text"]


def test_poll_social_fetches_every_polled_channel_once(fakes: Fakes, town: Any) -> None:
    mastodon = fakes.channel("mastodon", council=town.council)
    bluesky = fakes.channel("bluesky", council=town.council)
    fakes.resident_says(mastodon, text=LAMP, visibility="public")
    fakes.resident_says(bluesky, text=LAMP)
    out = io.StringIO()
    call_command("poll_social", stdout=out)
    call_command("poll_social", stdout=out)  # the cursor moved: nothing twice
    assert Message.objects.filter(direction=Direction.IN).count() == 2
    assert Channel.objects.get(pk=mastodon.pk).options["poll_cursor"]


def test_the_workers_poll_the_public_channels_without_a_process_of_their_own(
    fakes: Fakes, town: Any
) -> None:
    channel = fakes.channel("mastodon", council=town.council)
    fakes.resident_says(channel, text=LAMP, visibility="public")

    assert poll_public_channels.call() == 1
    run_tasks()

    assert Case.objects.get().description == LAMP
    assert poll_public_channels.call() == 0  # the cursor moved on
