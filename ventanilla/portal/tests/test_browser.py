"""The public portal in a real browser (Debian's chromium driven by Playwright).

axe-core checks the pages; the map is loaded under the real Content Security Policy; the
support button works with JavaScript off.
"""

from __future__ import annotations

import os
import threading
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from django.core import signing
from django.db import connection
from django.urls import reverse

from ventanilla.cases.models import Case
from ventanilla.cases.tests.factories import make_council
from ventanilla.cases.workflow import Status
from ventanilla.channels.services import create_channel
from ventanilla.demo.channels import DEMO_SECRETS
from ventanilla.portal import services
from ventanilla.portal.tests.factories import make_public_category, open_case, record_of
from ventanilla.portal.views import REPORT_DONE_SALT
from ventanilla.streets.services import import_streets

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]
#: axe-core as the axe-playwright-python package ships it (a dev dependency)
AXE = Path(str(files("axe_playwright_python") / "axe.min.js"))


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the database calls
    # here are synchronous all the same.
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            yield browser
            browser.close()
    finally:
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


@pytest.fixture
def server(django_db_setup, live_server, settings):
    """The live server; on in-memory SQLite its threads share one connection, so one at a time."""
    settings.TILES_URL = "/static/leaflet/images/layers.png?{z}/{x}/{y}"
    httpd = live_server.thread.httpd
    app = httpd.get_app()
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        lock = threading.Lock()

        def one_at_a_time(environ: dict[str, Any], start_response: Any) -> Any:
            with lock:
                response = app(environ, start_response)
                try:
                    return [b"".join(response)]
                finally:
                    if hasattr(response, "close"):
                        response.close()

        httpd.set_app(one_at_a_time)
    yield live_server.url
    httpd.set_app(app)


@pytest.fixture
def open_page(chromium, server):
    contexts = []

    def open_(**options: Any) -> Any:
        context = chromium.new_context(locale="en-GB", **options)
        contexts.append(context)
        page = context.new_page()
        page.csp_errors = []
        page.on(
            "console",
            lambda m: (
                page.csp_errors.append(m.text) if "Content Security Policy" in m.text else None
            ),
        )
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def town():
    council = make_council(name="Villaverde")
    category = make_public_category(council=council, name_es="Alumbrado", name_en="Lighting")
    cases = [
        open_case(category=category, latitude=40.4169, longitude=-3.7033, address="Calle Mayor 3"),
        open_case(
            category=category,
            latitude=40.4189,
            longitude=-3.7013,
            address="Calle Olmo",
            status=Status.RESOLVED,
        ),
        open_case(category=category),  # no location
    ]
    for case in cases:
        services.update_public_summary(case=case, text="Farola apagada desde el lunes")
    services.support_case(record=record_of(cases[0]), browser_token="someone")
    return cases


def serious_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_public_pages_have_no_serious_accessibility_violations(town, open_page, server):
    # axe-core is injected as an inline script: this context alone bypasses the CSP
    page = open_page(bypass_csp=True)
    found = {}
    for path in (
        reverse("portal:home"),
        reverse("portal:records"),
        reverse("portal:record", args=[town[0].reference]),
        reverse("portal:statistics"),
        reverse("portal:map"),
        reverse("portal:ranking"),
        reverse("portal:open_data"),
        reverse("portal:privacy"),
    ):
        page.goto(server + path)
        found[path] = serious_violations(page)
    assert found == {path: [] for path in found}


def test_the_map_shows_the_located_cases_under_the_csp(town, open_page, server):
    page = open_page()
    page.goto(server + reverse("portal:map"))
    page.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length === 2")
    assert "2" in page.locator("#portal-map-status").inner_text()
    page.locator("path.leaflet-interactive").first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Farola apagada" in popup.inner_text()
    assert page.csp_errors == []


def test_supporting_works_without_javascript(town, open_page, server):
    page = open_page(java_script_enabled=False)
    page.goto(server + reverse("portal:record", args=[town[1].reference]))
    page.get_by_role("button", name="Me too: support this case").click()
    assert "1 person supports this case." in page.content()
    assert "You support this case." in page.content()
    assert record_of(town[1]).support_count == 1


# -- on a phone, and the report form ---------------------------------------------------------

PHONE = {"width": 390, "height": 844}
#: the elements that stick out of the screen, to say what to fix when the test fails
WIDER_THAN_THE_SCREEN = """() => Array.from(document.querySelectorAll("body *"))
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(0, 8)
  .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${e.getBoundingClientRect().right}`)"""


@pytest.fixture
def quick_form(settings):
    """No minimum fill time: the browser fills the form in faster than a person."""
    settings.PORTAL_REPORT_MIN_SECONDS = 0


@pytest.fixture
def channels(town):
    council = town[0].council
    for provider, address in (
        ("whatsapp", "+34910000001"),
        ("telegram", "VillaverdeAyuntamientoBot"),
        ("line", "@villaverde"),
        ("twilio", "+34910000000"),
    ):
        create_channel(
            council=council,
            provider=provider,
            name=provider,
            secrets=DEMO_SECRETS[provider],
            public_address=address,
        )


def test_every_portal_page_fits_a_390_px_screen(town, channels, open_page, server):
    page = open_page(viewport=PHONE)
    paths = [
        reverse("portal:home"),
        reverse("portal:records"),
        reverse("portal:record", args=[town[0].reference]),
        reverse("portal:map"),
        reverse("portal:ranking"),
        reverse("portal:statistics"),
        reverse("portal:open_data"),
        reverse("portal:privacy"),
        reverse("portal:report"),
        reverse("procedures:verify"),
        reverse("procedures:verify_code", args=["ABCD-EFGH-JKLM"]),
        reverse("portal:report_done")
        + "?r="
        + signing.dumps([town[0].reference, True], salt=REPORT_DONE_SALT),
    ]
    too_wide = {}
    for path in paths:
        page.goto(server + path)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = (width, page.evaluate(WIDER_THAN_THE_SCREEN))
    assert too_wide == {}
    assert page.csp_errors == []


def test_how_to_reach_us_has_no_serious_accessibility_violations(town, channels, open_page, server):
    page = open_page(bypass_csp=True)
    found = {}
    for path in (reverse("portal:home"), reverse("portal:record", args=[town[0].reference])):
        page.goto(server + path)
        assert page.locator(".portal-qr").count() == 3
        found[path] = serious_violations(page)
    assert found == {path: [] for path in found}


@pytest.fixture
def lamp_post():
    """A council with one open, public case of street lighting: the duplicate to find."""
    council = make_council(name="Villaverde")
    lighting = make_public_category(council=council, name_es="Alumbrado", name_en="Lighting")
    make_public_category(council=council, name_es="Limpieza", name_en="Cleaning")
    case = open_case(category=lighting, latitude=40.4169, longitude=-3.7033)
    services.update_public_summary(case=case, text="Farola apagada en la plaza")
    return case


def fill_report(page: Any, *, category: str = "Lighting") -> None:
    page.select_option("#id_category", label=category)
    page.fill("#id_description", "La farola de la plaza no se enciende por la noche")
    # the map opens on the council's cases: its middle is where the open case is
    page.locator("#report-map").click()


def test_the_report_form_offers_a_nearby_case_first_then_opens_a_case(
    lamp_post, open_page, server, quick_form
):
    page = open_page(viewport=PHONE)
    page.goto(server + reverse("portal:report"))
    fill_report(page)
    nearby = page.locator("#report-nearby")
    nearby.wait_for(state="visible")
    assert lamp_post.reference in nearby.inner_text()
    assert nearby.get_by_role("button", name=f"Support {lamp_post.reference}").is_visible()
    assert Case.objects.count() == 1  # nothing opened while the resident looks
    page.fill("#id_contact", "lucia@example.org")
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url("**/report/sent/**")
    shown = page.locator("#reference-number").inner_text()
    new = Case.objects.exclude(pk=lamp_post.pk).get()
    assert shown == new.reference
    assert new.category == lamp_post.category
    assert abs(new.latitude - 40.4169) < 0.0005 and abs(new.longitude + 3.7033) < 0.0005
    assert page.csp_errors == []


def test_the_resident_supports_the_nearby_case_instead(lamp_post, open_page, server, quick_form):
    page = open_page()
    page.goto(server + reverse("portal:report"))
    fill_report(page)
    page.get_by_role("button", name=f"Support {lamp_post.reference}").click()
    page.wait_for_url(f"**{reverse('portal:record', args=[lamp_post.reference])}")
    assert "Thank you: your support has been counted." in page.content()
    assert record_of(lamp_post).support_count == 1
    assert Case.objects.count() == 1


def test_another_category_in_the_same_place_is_not_a_duplicate(
    lamp_post, open_page, server, quick_form
):
    page = open_page()
    page.goto(server + reverse("portal:report"))
    fill_report(page, category="Cleaning")
    page.wait_for_load_state("networkidle")
    assert page.locator("#report-nearby").is_hidden()


def test_the_report_form_works_without_javascript(lamp_post, open_page, server, quick_form):
    # without the map, the street directory gives the place
    import_streets(
        council=lamp_post.council, lines=["street,lat,lon\n", "Plaza Mayor,40.4169,-3.7033\n"]
    )
    page = open_page(java_script_enabled=False)
    page.goto(server + reverse("portal:report"))
    assert page.locator("#report-map").is_hidden()
    page.select_option("#id_category", label="Lighting")
    page.fill("#id_description", "La farola de la plaza no se enciende")
    page.fill("#id_address", "Plaza Mayor")
    page.get_by_role("button", name="Send the report").click()
    # the nearby case comes first, after the first send
    offered = page.locator("#report-duplicates-server")
    assert lamp_post.reference in offered.inner_text()
    assert Case.objects.count() == 1
    page.get_by_role("button", name="It is a new problem: send my report").click()
    page.wait_for_url("**/report/sent/**")
    reference = page.locator("#reference-number").inner_text()
    assert Case.objects.get(reference=reference).address == "Plaza Mayor"


def test_the_report_form_has_no_serious_accessibility_violations(lamp_post, open_page, server):
    page = open_page(bypass_csp=True)
    page.goto(server + reverse("portal:report"))
    found = {"empty": serious_violations(page)}
    fill_report(page)
    page.locator("#report-nearby").wait_for(state="visible")
    found["with a nearby case"] = serious_violations(page)
    page.goto(server + reverse("portal:report"))
    page.get_by_role("button", name="Send the report").click()  # the browser checks required
    page.evaluate("document.getElementById('report-form').noValidate = true")
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_load_state()
    assert page.locator(".error").count() > 0
    found["with errors"] = serious_violations(page)
    assert found == {"empty": [], "with a nearby case": [], "with errors": []}
