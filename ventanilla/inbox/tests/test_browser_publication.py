"""In a browser: a place shared on WhatsApp reaches the map, the agent publishes the summary,
the portal and Open311 show both; search by phone finds a resolved case."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ventanilla.inbox.tests.test_browser import (  # noqa: F401 (the fixture)
    Phone,
    fakes,  # noqa: F401
    serious_violations,
)
from ventanilla.privacy.publication import public_point

pytestmark = pytest.mark.browser


def test_a_shared_place_and_an_approved_summary_reach_the_portal_and_open311(
    browse,
    server,
    fakes,  # noqa: F811
    transactional_db,
):
    from ventanilla.cases import services
    from ventanilla.cases.models import Case
    from ventanilla.cases.tests.factories import make_staff
    from ventanilla.cases.workflow import Status
    from ventanilla.conversations.tests.chat import make_town

    with server.lock:
        town = make_town()
        town.alumbrado.public_by_default = True
        town.alumbrado.save()
        agent = make_staff(council=town.council, departments=(town.urbanos,), username="ana")
        fakes.channel("whatsapp", council=town.council)

    # The resident reports on WhatsApp, then shares where the lamp is.
    phone = Phone(fakes, "34600111222")
    phone.say("Hola, la farola de la calle Mayor está apagada. Soy Lucía, mi móvil 600111222")
    phone.tap("Acepto")
    phone.tap("Sí, es eso")
    with server.lock:
        case = Case.objects.get()
    phone.wait_for(case.reference)
    phone.say(location={"latitude": 40.416901, "longitude": -3.703301, "address": "Calle Mayor 3"})
    phone.wait_for(case.reference + " ")  # "added to your report"

    # The case page shows the place on a map.
    page = browse(agent)
    page.goto(f"{server.url}/inbox/cases/{case.reference}/")
    expect(page.locator("#location-panel [data-map].leaflet-container")).to_be_visible()
    expect(page.locator("#history")).to_contain_text("shared in the chat")

    # The proposed summary hides her name and phone; the agent approves it as it is.
    proposed = page.locator("[data-proposed-summary]")
    expect(proposed).to_contain_text("farola")
    expect(proposed.locator("mark.redacted").first).to_be_visible()
    draft = proposed.inner_text()
    assert "Lucía" not in draft and "600111222" not in draft
    page.get_by_role("button", name="Approve the proposed summary").click()
    expect(page.locator("#announce")).to_have_text("Public summary saved.")
    expect(page.locator("[data-public-summary]")).to_have_text(draft)
    assert page.csp_errors == []

    # The portal's case page and Open311 show the summary and the point on the grid.
    lat, lon = public_point(40.416901, -3.703301)
    public = browse()
    public.goto(f"{server.url}/cases/{case.reference}/")
    expect(public.locator(".portal-summary")).to_have_text(draft)
    expect(public.locator(".portal-facts")).to_contain_text(f"{lat:.6f}".rstrip("0"))
    items = public.request.get(f"{server.url}/open311/v2/requests.json").json()
    item = next(i for i in items if i["service_request_id"] == case.reference)
    assert (item["description"], item["lat"], item["long"]) == (draft, lat, lon)

    # Resolved, the case is still found by the resident's phone written another way.
    with server.lock:
        services.change_status(case=case, status=Status.IN_PROGRESS)
        services.change_status(case=case, status=Status.RESOLVED)
    page.goto(f"{server.url}/inbox/?queue=department")
    page.fill("#id_q", "+34 600 11 12 22")
    page.keyboard.press("Enter")
    expect(page.locator(f'tr[data-reference="{case.reference}"]')).to_be_visible()


def test_the_new_pages_have_no_serious_accessibility_violations(browse, server, transactional_db):
    from ventanilla.cases.tests.factories import make_case, make_category, make_staff
    from ventanilla.conversations.tests.chat import make_town

    with server.lock:
        town = make_town()
        category = make_category(
            council=town.council, department=town.urbanos, public_by_default=True
        )
        agent = make_staff(council=town.council, departments=(town.urbanos,), username="ana")
        case = make_case(
            category=category,
            description="La farola de la calle Mayor no va; llamad a Rosa al 600111222",
            urn="whatsapp:34600123123",
        )
        make_case(category=category, description="Bache en la acera")
    page = browse(agent, bypass_csp=True)
    found = {}
    for path in (f"/inbox/cases/{case.reference}/", "/inbox/publication/"):
        page.goto(server.url + path)
        if "cases" in path:
            page.locator("#location-panel summary").click()  # the map picker, open
        found[path] = serious_violations(page)
    assert found == {path: [] for path in found}
