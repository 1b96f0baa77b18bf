"""A hand-off request through the fake provider, in a real browser; the same through the API.

The resident writes through the fake Telegram (it signs and delivers the webhook to the live
server); the worker runs the dialog and the sends; what the resident reads is what the fake
received from Ventanilla.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from ventanilla.cases.tests.factories import make_case
from ventanilla.channels import services as channel_services
from ventanilla.channels.models import Channel, Provider
from ventanilla.citizens.services import find_or_create_citizen, record_consent, set_opt_out
from ventanilla.conversations.models import Conversation, Direction, Message
from ventanilla.core.tokens import issue_api_token
from ventanilla.fakes.tests.harness import RESIDENT, SECRETS, URN, run_tasks
from ventanilla.inbox.tests.factories import make_channel, make_conversation, make_message
from ventanilla.inbox.tests.test_browser import LIVE_LIMIT_MS, serious_violations, wait_live

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def telegram(fake_server, town, server):
    """A Telegram channel whose API is the fake, and a resident who accepted the notice."""
    url, hub = fake_server
    with hub.lock:
        hub.received.clear()
        hub.channels.clear()
    with server.lock:
        channel = channel_services.create_channel(
            council=town.council,
            provider="telegram",
            name="Telegram",
            secrets=SECRETS["telegram"],
            api_base=f"{url}/telegram",
            rate_per_second=1000,
        )
        citizen = find_or_create_citizen(council=town.council, urn=URN["telegram"], name="Lucía")
        record_consent(citizen=citizen, version=town.council.privacy_notice_version)
    webhook = server.url + channel.webhook_path
    registered = httpx.post(
        f"{url}/_control/channels",
        json={"provider": "telegram", "webhook_url": webhook, "secrets": SECRETS["telegram"]},
    )
    registered.raise_for_status()

    def says(text: str) -> None:
        """The resident writes; the fake delivers the webhook; the worker answers."""
        spec = {"from": RESIDENT["telegram"], "name": "Lucía", "text": text, "webhook_url": webhook}
        httpx.post(f"{url}/_control/telegram/inbound", json=spec, timeout=30).raise_for_status()
        with server.lock:
            run_tasks()

    def sent_texts() -> list[str]:
        """Return what Ventanilla sent the resident, as the fake received it."""
        with hub.lock:
            rows = [r for r in hub.received if r["provider"] == "telegram"]
        return [r["body"] for r in rows if r["path"].endswith("/sendMessage")]

    return channel, says, sent_texts


def conversation_of(channel: Channel) -> Conversation:
    return Conversation.objects.get(channel=channel, urn=URN["telegram"])


def test_a_hand_off_request_appears_within_two_seconds_and_the_answer_reaches_the_resident(
    town, browse, server, telegram
):
    channel, says, sent_texts = telegram
    page = browse(town.agent_a)
    page.goto(f"{server.url}/inbox/conversations/")
    expect(page.locator("#handoff-title")).to_be_visible()
    wait_live(page)
    page.evaluate("() => { window.sameDocument = true; }")

    says("Quiero hablar con una persona")
    started = time.monotonic()
    with server.lock:
        conversation = conversation_of(channel)
    row = page.locator(
        f'section[aria-labelledby="handoff-title"] tr[data-conversation="{conversation.pk}"]'
    )
    expect(row).to_be_visible(timeout=LIVE_LIMIT_MS)
    assert time.monotonic() - started < LIVE_LIMIT_MS / 1000
    assert page.evaluate("() => window.sameDocument") is True  # no reload
    expect(row).to_contain_text("Quiero hablar con una persona")
    assert "persona" in sent_texts()[-1]  # the bot said someone will answer

    says("Es por una multa de aparcamiento")  # the bot keeps quiet: it waits for staff
    expect(row).to_contain_text("Es por una multa de aparcamiento", timeout=LIVE_LIMIT_MS)
    before = len(sent_texts())
    assert before == 1

    row.locator("a.case-link").click()
    expect(page.locator("h1")).to_contain_text("Conversation with Lucía")
    expect(page.locator("#thread")).to_contain_text("Es por una multa de aparcamiento")
    page.fill("#id_text", "Hola Lucía, soy Ana. ¿Qué día fue la multa?")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".flash")).to_contain_text("Answer queued for sending.")
    with server.lock:
        run_tasks()
    assert "Hola Lucía, soy Ana. ¿Qué día fue la multa?" in sent_texts()[-1]

    page.get_by_role("button", name="Close").click()
    expect(page.locator("h1")).to_have_text("Conversations")
    expect(page.locator(f'tr[data-conversation="{conversation.pk}"]')).to_have_count(0)
    assert page.csp_errors == []


def test_the_same_through_the_api_with_a_token_only(town, server, telegram):
    channel, says, sent_texts = telegram
    with server.lock:
        token = issue_api_token(user=town.agent_a)
    api = httpx.Client(
        base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )

    says("Quiero hablar con una persona")
    says("Es sobre la farola de mi calle")

    [row] = api.get("/conversations").json()["handoffs"]
    assert row["last_text"] == "Es sobre la farola de mi calle"
    answered = api.post(f"/conversations/{row['id']}/replies", json={"text": "Le atiende Ana."})
    assert answered.status_code == 201
    opened = api.post(f"/conversations/{row['id']}/case", json={"category": town.category_a.code})
    assert opened.status_code == 201, opened.text
    reference = opened.json()["reference"]
    with server.lock:
        run_tasks()
    texts = sent_texts()
    assert "Le atiende Ana." in texts[-2] and reference in texts[-1]

    replied = api.post(f"/cases/{reference}/replies", json={"text": "Vamos el lunes."})
    assert replied.status_code == 201
    status = api.post(
        f"/cases/{reference}/status",
        json={
            "status": "waiting_resident",
            "resident_message": "¿Qué número de la calle?",
            "note": "Nota solo interna",
        },
    )
    assert status.status_code == 200
    with server.lock:
        run_tasks()
    texts = sent_texts()
    assert "Vamos el lunes." in texts[-2] and "¿Qué número de la calle?" in texts[-1]
    assert all("Nota solo interna" not in text for text in texts)

    says("En el número 12")  # the resident's answer to the waiting case
    case = api.get(f"/cases/{reference}").json()
    assert case["status"] == "in_progress"
    assert api.get("/conversations").json() == {"handoffs": [], "others": []}
    anonymous = httpx.post(f"{server.url}/api/v1/conversations/{row['id']}/close")
    assert anonymous.status_code == 401
    assert api.post(f"/conversations/{row['id']}/close").status_code == 204


def test_no_serious_accessibility_violations_on_the_new_pages(town, browse, server):
    with server.lock:
        channel = make_channel(council=town.council, provider=Provider.WHATSAPP)
        case = make_case(category=town.category_a, urn="whatsapp:34600123124")
        chat = make_conversation(channel=channel, urn="whatsapp:34600123124")
        make_message(case=case, conversation=chat, text="La farola no funciona")
        other = make_conversation(channel=channel, urn="whatsapp:34600123125")
        Message.objects.create(
            council=town.council,
            conversation=other,
            channel=channel,
            direction=Direction.IN,
            text="Hola",
            status="received",
        )
        set_opt_out(citizen=case.citizen, opted_out=True)
    page = browse(town.agent_a, bypass_csp=True)
    found: dict[str, Any] = {}
    for path in (
        "/inbox/conversations/",
        f"/inbox/conversations/{other.pk}/",
        f"/inbox/residents/{case.citizen.pk}/",
        f"/inbox/cases/{case.reference}/",
    ):
        page.goto(server.url + path)
        found[path] = serious_violations(page)
    assert found == {path: [] for path in found}
