"""End-to-end tests in a real browser (Debian's chromium driven by Playwright).

The live server runs the whole application; the tests change data through the services, as
another agent, the worker or a resident's webhook would, and watch the open page.
"""

from __future__ import annotations

import os
import time
from typing import Any

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from ventanilla.cases import services
from ventanilla.cases.tests.factories import make_case
from ventanilla.channels.adapters.base import InboundMessage
from ventanilla.channels.models import Provider
from ventanilla.conversations.services import attach_messages_to_case, record_inbound
from ventanilla.core.models import EncryptedTOTPDevice
from ventanilla.inbox.tests.conftest import AXE
from ventanilla.inbox.tests.factories import make_channel, make_conversation, make_message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"
LIVE_LIMIT_MS = 2000


def code_of(device: EncryptedTOTPDevice, offset: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{(value + offset) % 1_000_000:06d}"


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page; return its serious and critical violations."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def wait_live(page: Any) -> None:
    expect(page.locator("#inbox-config")).to_have_attribute("data-live-state", "open")


def test_sign_in_with_a_wrong_code_fails_and_with_the_right_one_succeeds(town, browse, server):
    device = EncryptedTOTPDevice.objects.create(user=town.agent_a, name="phone", confirmed=True)
    page = browse()
    page.goto(f"{server.url}/inbox/")
    expect(page).to_have_url(f"{server.url}/inbox/login/?next=/inbox/")
    login = page.locator("main form")
    page.fill("#id_username", "ana")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", code_of(device, offset=1))
    login.locator("button[type=submit]").click()
    expect(page.locator("main [role=alert]")).to_contain_text("verification code is not valid")
    assert "/inbox/login/" in page.url
    time.sleep(1.2)  # django-otp throttles a device for a second after a wrong code
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", code_of(device))
    login.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{server.url}/inbox/")
    expect(page.locator("h1")).to_have_text("My departments")
    assert page.csp_errors == []


def test_a_new_case_appears_in_the_open_queue_within_two_seconds(town, browse, server):
    with server.lock:
        existing = make_case(category=town.category_a, description="Bache")
    page = browse(town.agent_a)
    page.goto(f"{server.url}/inbox/?queue=department")
    expect(page.locator(f'tr[data-reference="{existing.reference}"]')).to_be_visible()
    wait_live(page)
    page.evaluate("() => { window.sameDocument = true; }")
    with server.lock:
        hidden = make_case(category=town.category_b, description="Ruido de otro departamento")
        case = make_case(category=town.category_a, description="Contenedor quemado")
    started = time.monotonic()
    row = page.locator(f'tr[data-reference="{case.reference}"]')
    expect(row).to_be_visible(timeout=LIVE_LIMIT_MS)
    elapsed = time.monotonic() - started
    assert elapsed < LIVE_LIMIT_MS / 1000
    assert page.evaluate("() => window.sameDocument") is True  # no reload happened
    expect(page.locator('#queue-nav a[aria-current="page"] .count')).to_contain_text("2")
    assert page.locator(f'tr[data-reference="{hidden.reference}"]').count() == 0
    assert page.csp_errors == []


def test_an_assignment_appears_in_my_queue_within_two_seconds(town, browse, server):
    with server.lock:
        case = make_case(category=town.category_a, description="Farola")
    page = browse(town.agent_a)
    page.goto(f"{server.url}/inbox/?queue=mine")
    expect(page.locator(".empty")).to_be_visible()
    wait_live(page)
    with server.lock:
        services.assign_case(case=case, agent=town.agent_a, by=town.supervisor)
    expect(page.locator(f'tr[data-reference="{case.reference}"]')).to_be_visible(
        timeout=LIVE_LIMIT_MS
    )


def test_a_residents_new_message_appears_on_the_open_case_page(town, browse, server):
    with server.lock:
        channel = make_channel(council=town.council, provider=Provider.TELEGRAM)
        case = make_case(category=town.category_a, urn="telegram:777001")
        chat = make_conversation(channel=channel, urn="telegram:777001")
        make_message(case=case, conversation=chat, text="Primer mensaje")
    page = browse(town.agent_a)
    page.goto(f"{server.url}/inbox/cases/{case.reference}/")
    wait_live(page)
    page.fill("#id_reply-text", "Borrador a medias")
    with server.lock:
        message = record_inbound(
            channel=channel,
            inbound=InboundMessage(
                provider_message_id="tg-777001-2", urn="telegram:777001", text="Sigue apagada"
            ),
        )
        attach_messages_to_case(case=case, messages=[message])
    expect(page.locator("#thread")).to_contain_text("Sigue apagada", timeout=LIVE_LIMIT_MS)
    expect(page.locator("#id_reply-text")).to_have_value("Borrador a medias")  # kept


def test_a_live_refresh_keeps_a_status_the_agent_has_chosen(town, browse, server):
    with server.lock:
        channel = make_channel(council=town.council, provider=Provider.TELEGRAM)
        case = make_case(category=town.category_a, urn="telegram:777002")
        chat = make_conversation(channel=channel, urn="telegram:777002")
        make_message(case=case, conversation=chat, text="Primer mensaje")
    page = browse(town.agent_a)
    page.goto(f"{server.url}/inbox/cases/{case.reference}/")
    wait_live(page)
    page.select_option("#id_status-status", "in_progress")
    page.locator("h1").first.focus()  # the agent looks away: nothing focused in the form
    with server.lock:
        message = record_inbound(
            channel=channel,
            inbound=InboundMessage(
                provider_message_id="tg-777002-2", urn="telegram:777002", text="¿Alguna novedad?"
            ),
        )
        attach_messages_to_case(case=case, messages=[message])
    expect(page.locator("#thread")).to_contain_text("¿Alguna novedad?", timeout=LIVE_LIMIT_MS)
    expect(page.locator("#id_status-status")).to_have_value("in_progress")  # kept


def test_the_case_page_and_its_map_keep_to_the_content_security_policy(town, browse, server):
    with server.lock:
        case = make_case(
            category=town.category_a, latitude=40.4169, longitude=-3.7033, address="Calle Mayor"
        )
    page = browse(town.agent_a)
    page.goto(f"{server.url}/inbox/cases/{case.reference}/")
    expect(page.locator(".map.leaflet-container")).to_be_visible()  # the map script ran
    expect(page.locator(".leaflet-marker-icon")).to_be_visible()
    assert page.csp_errors == []


def test_an_agent_of_another_department_gets_404_by_url(town, browse, server):
    with server.lock:
        case = make_case(category=town.category_a)
    page = browse(town.agent_b)
    response = page.goto(f"{server.url}/inbox/cases/{case.reference}/")
    assert response.status == 404
    assert case.reference not in page.content()


def test_keyboard_shortcuts_walk_the_queue_assign_and_show_help(town, browse, server):
    with server.lock:
        first = make_case(category=town.category_a, description="Primero")
        second = make_case(category=town.category_a, description="Segundo")
    page = browse(town.agent_a)
    page.goto(f"{server.url}/inbox/?queue=department")
    page.keyboard.press("j")
    expect(page.locator(f'tr[data-reference="{first.reference}"]')).to_have_class(
        "case-row is-selected"
    )
    page.keyboard.press("j")
    expect(page.locator(f'tr[data-reference="{second.reference}"] a.case-link')).to_be_focused()
    page.keyboard.press("k")
    page.keyboard.press("o")
    expect(page).to_have_url(f"{server.url}/inbox/cases/{first.reference}/?queue=department")
    page.wait_for_load_state("load")  # the case page's scripts, as a person waits to see it
    page.keyboard.press("?")
    dialog = page.locator("dialog#shortcuts")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.keyboard.press("a")
    expect(page.locator("#case-facts")).to_contain_text("ana")
    expect(page.locator("#announce")).to_have_text("Assignment saved.")
    page.keyboard.press("s")
    expect(page.locator("#id_status-status")).to_be_focused()
    page.keyboard.press("Escape")
    page.locator("body").click(position={"x": 5, "y": 400})
    page.keyboard.press("j")
    expect(page).to_have_url(f"{server.url}/inbox/cases/{second.reference}/?queue=department")


def test_actions_work_without_javascript(town, browse, server):
    with server.lock:
        case = make_case(category=town.category_a)
    page = browse(town.agent_a, java_script_enabled=False)
    page.goto(f"{server.url}/inbox/cases/{case.reference}/")
    page.locator("form[data-assign-me] button").click()
    expect(page.locator(".flash")).to_contain_text("Assignment saved.")
    page.select_option("#id_status-status", "in_progress")
    page.fill("#id_status-comment", "Vamos")
    page.get_by_role("button", name="Change status").click()
    expect(page.locator("#case-facts")).to_contain_text("In progress")


def test_no_serious_accessibility_violations(town, browse, server):
    with server.lock:
        channel = make_channel(council=town.council, provider=Provider.WHATSAPP)
        case = make_case(
            category=town.category_a,
            urn="whatsapp:34600123123",
            latitude=40.4169,
            longitude=-3.7033,
            address="Calle Mayor",
        )
        chat = make_conversation(channel=channel, urn="whatsapp:34600123123")
        make_message(case=case, conversation=chat, text="La farola no funciona")
        make_message(case=case, conversation=chat, text="Vamos", direction="out", status="read")
        services.add_note(case=case, author=town.agent_a, text="Nota interna")
    # axe-core is injected as an inline script: this context alone bypasses the CSP
    page = browse(town.agent_a, bypass_csp=True)
    found = {}
    for path in (
        "/inbox/?queue=department",
        f"/inbox/cases/{case.reference}/",
        "/inbox/?queue=mine",
    ):
        page.goto(server.url + path)
        found[path] = serious_violations(page)
    anonymous = browse(bypass_csp=True)
    anonymous.goto(f"{server.url}/inbox/login/")
    found["/inbox/login/"] = serious_violations(anonymous)
    assert found == {path: [] for path in found}


def test_screenshot_of_the_demo_inbox(browse, server, transactional_db):
    """Save docs/inbox.png from the demo data (only when INBOX_SCREENSHOT names the file)."""
    target = os.environ.get("INBOX_SCREENSHOT")
    if not target:
        pytest.skip("set INBOX_SCREENSHOT=docs/inbox.png to take the README's screenshot")
    from django.contrib.auth import get_user_model

    from ventanilla.demo.data import load_demo

    with server.lock:
        load_demo()
        user = get_user_model().objects.get(username="supervisora")
    page = browse(user)
    page.goto(f"{server.url}/inbox/?queue=all")
    expect(page.locator("#queue-results")).to_be_visible()
    page.screenshot(path=target)


# -- a resident writes through the fake providers ------------------------------------------


@pytest.fixture
def fakes(server, settings, monkeypatch):
    """The fake providers, delivering to the live server (see ``fakes.tests.harness``)."""
    import httpx

    from ventanilla.fakes.server import start
    from ventanilla.fakes.tests.harness import Fakes

    fake_server, hub = start()
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "send", "bulk"],
        }
    }
    with httpx.Client(timeout=30) as client:
        helper = Fakes(url=hub.base_url, hub=hub, live_url=server.url, client=client)
        # Statuses the fake would post back after each send are held: not part of this story.
        monkeypatch.setattr(hub, "deliver_later", lambda deliveries, delay: None)
        yield helper
    fake_server.shutdown()
    fake_server.server_close()


class Phone:
    """A resident's WhatsApp, played through the citizen simulator of the fakes."""

    def __init__(self, fakes: Any, number: str) -> None:
        from ventanilla.fakes.simulator import Simulator

        self.fakes = fakes
        self.number = number
        self.simulator = Simulator(fakes.hub, language="es")
        self.simulator.install()

    def received(self) -> list[dict[str, Any]]:
        return [
            m for m in self.simulator.transcript("whatsapp", self.number) if m["direction"] == "out"
        ]

    def say(self, text: str = "", **spec: Any) -> None:
        body = {"provider": "whatsapp", "resident": self.number, "name": "Lucía", **spec}
        if text:
            body["text"] = text
        sent = self.fakes.client.post(f"{self.fakes.url}/simulator/send", json=body)
        assert sent.json() == {"status": 200}, sent.text

    def tap(self, label: str) -> None:
        for message in reversed(self.received()):
            for choice in message["choices"]:
                if choice["label"] == label:
                    return self.say(label, choice=choice["id"])
        raise AssertionError(f"{label!r} was not offered")

    def wait_for(self, text: str, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in m["text"] for m in self.received()):
                return
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never reached the resident: {self.received()}")


def test_a_resident_reports_the_agent_answers_and_resolves(browse, server, fakes, transactional_db):
    from ventanilla.cases.models import Case
    from ventanilla.cases.tests.factories import make_staff
    from ventanilla.conversations.tests.chat import make_town

    with server.lock:
        town = make_town()
        agent = make_staff(council=town.council, departments=(town.urbanos,), username="ana")
        channel = fakes.channel("whatsapp", council=town.council)
    page = browse(agent)
    page.goto(f"{server.url}/inbox/?queue=department")
    expect(page.locator(".empty")).to_be_visible()
    wait_live(page)

    # The resident writes; the bot shows the privacy notice, then suggests a category.
    phone = Phone(fakes, "34600111222")
    phone.say("Hola, la farola de la calle Mayor 3 está apagada")
    phone.tap("Acepto")
    phone.tap("Sí, es eso")
    started = time.monotonic()
    with server.lock:
        case = Case.objects.get(channel=channel)
    phone.wait_for(case.reference)

    # The case appears in the agent's open queue without a reload.
    row = page.locator(f'tr[data-reference="{case.reference}"]')
    expect(row).to_be_visible(timeout=LIVE_LIMIT_MS)
    assert time.monotonic() - started < LIVE_LIMIT_MS / 1000 + 0.5

    # The agent opens it, reads the conversation and replies.
    row.locator("a.case-link").click()
    expect(page.locator("#thread")).to_contain_text("la farola de la calle Mayor 3")
    expect(page.locator(".window-open")).to_be_visible()
    page.fill("#id_reply-text", "Gracias, Lucía. La brigada irá mañana por la mañana.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#announce")).to_have_text("Reply queued for sending.")
    phone.wait_for("La brigada irá mañana por la mañana.")
    expect(page.locator("#thread .msg-out").last).to_contain_text("La brigada irá mañana")

    # The agent takes the case and resolves it; the resident is told.
    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator("#case-facts")).to_contain_text("ana")
    page.select_option("#id_status-status", "resolved")
    page.fill("#id_status-comment", "Farola reparada")
    page.get_by_role("button", name="Change status").click()
    expect(page.locator("#case-facts")).to_contain_text("Resolved")
    phone.wait_for(f"Su incidencia {case.reference} ha quedado resuelta")
    assert page.csp_errors == []
