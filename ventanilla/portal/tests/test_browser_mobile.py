"""The portal on a phone (390 px wide) and the report form, in a real browser.

Every public page fits a 390 px screen without scrolling sideways; the report form opens a
case and shows its reference, offers a nearby case of the same category first, and has no
serious accessibility violation (axe-core).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from ventanilla.portal.tests.test_browser import (  # noqa: F401 - fixtures
    chromium,
    open_page,
    serious_violations,
    server,
    town,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
#: the elements that stick out of the screen, to say what to fix when the test fails
WIDER_THAN_THE_SCREEN = """() => Array.from(document.querySelectorAll("body *"))
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(0, 8)
  .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""


@pytest.fixture
def quick_form(settings):
    settings.PORTAL_REPORT_MIN_SECONDS = 0


def test_every_portal_page_fits_a_390_px_screen(town, open_page, server, quick_form):
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
    ]
    too_wide = {}
    for path in paths:
        page.goto(server + path)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = (width, page.evaluate(WIDER_THAN_THE_SCREEN))
    assert too_wide == {}
