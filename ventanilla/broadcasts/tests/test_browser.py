"""The alerts pages in a real browser: axe-core finds nothing serious."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ventanilla.broadcasts import services
from ventanilla.broadcasts.models import Source
from ventanilla.broadcasts.tests.factories import make_supervisors, make_traffic
from ventanilla.cases.tests.factories import make_council
from ventanilla.conversations.services import conversation_for
from ventanilla.conversations.tests.chat import make_channel
from ventanilla.inbox.tests.test_browser import serious_violations
from ventanilla.insights.models import District

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alerts_pages_are_accessible(browse, server, monkeypatch):
    with server.lock:
        council = make_council(name="Villaverde")
        topic = make_traffic(council)
        sms = make_channel(council, "twilio")
        whatsapp = make_channel(council, "whatsapp")
        for n, channel in enumerate((sms, whatsapp, sms)):
            urn = f"tel:+3460066{n:04d}" if channel == sms else f"whatsapp:3460066{n:04d}"
            conversation = conversation_for(channel=channel, urn=urn)
            services.subscribe(
                topic=topic, conversation=conversation, source=Source.CHAT, notice=""
            )
        ana, bernat = make_supervisors(council)
        sending = services.create_broadcast(
            topic=topic, texts={"es": "Corte de agua"}, by=ana, template_name="aviso"
        )
        services.approve(broadcast=sending, by=bernat)
        monkeypatch.setattr(services, "start_dispatch", lambda **kwargs: None)
        services.send(broadcast=sending)
        draft = services.create_broadcast(topic=topic, texts={"es": "Obras"}, by=ana)
        services.submit_alert(
            conversation=conversation, text="Árbol caído", latitude=40.4, longitude=-3.7, photos=1
        )
    page = browse(bernat, bypass_csp=True)
    found = {}
    paths = ("/alerts/", "/alerts/new/", f"/alerts/{draft.pk}/", f"/alerts/{sending.pk}/")
    for path in (*paths, "/alerts/relay/", "/alerts/costs/", "/public-alerts/"):
        page.goto(server.url + path)
        found[path] = serious_violations(page)
    assert found == {path: [] for path in found}
    page.goto(f"{server.url}/alerts/{sending.pk}/")
    expect(page.locator("progress")).to_be_visible()


PHONE = {"width": 390, "height": 844}


def test_the_portal_subscription_pages_are_accessible_and_fit_a_phone(browse, server):
    with server.lock:
        council = make_council(name="Villaverde")
        topic = make_traffic(council)
        centre = District.objects.create(
            council=council, name="Centro", south=40, north=41, west=-4, east=-3
        )
        water = services.create_topic(council=council, slug="agua", name_es="Cortes de agua")
        water.districts.set([centre])
        make_channel(council, "twilio")
        whatsapp = make_channel(council, "whatsapp")
        whatsapp.options = {services.CODE_TEMPLATE_OPTION: "codigo"}
        whatsapp.save()
    found, too_wide = {}, {}
    page = browse(bypass_csp=True)
    for viewport in ({"width": 1280, "height": 800}, PHONE):
        page.set_viewport_size(viewport)
        for path in ("/public-alerts/subscribe/", "/public-alerts/unsubscribe/"):
            page.goto(server.url + path)
            found[path] = serious_violations(page)
            if viewport == PHONE:
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > PHONE["width"]:
                    too_wide[path] = width
    page.goto(server.url + "/public-alerts/subscribe/")
    page.get_by_label(topic.name_en).check()
    page.get_by_label("SMS (text message)").check()
    page.get_by_label("Mobile phone number").fill("600 700 701")
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_role("heading", name="Type the code")).to_be_visible()
    found["code"] = serious_violations(page)
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    found["wrong code"] = serious_violations(page)
    assert found == {path: [] for path in found}
    assert too_wide == {}
