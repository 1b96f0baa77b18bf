"""The public verification pages in a real browser: axe-core finds no serious violation."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from ventanilla.conversations.tests.chat import make_town
from ventanilla.portal.tests.test_browser import (  # noqa: F401 (fixtures)
    chromium,
    open_page,
    serious_violations,
    server,
)
from ventanilla.procedures.codes import format_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_verification_pages_have_no_serious_accessibility_violations(  # noqa: F811
    open_page,  # noqa: F811
    server,  # noqa: F811
):
    from ventanilla.procedures.tests.test_documents import issue

    cache.clear()
    document = issue(make_town().council)
    page = open_page(bypass_csp=True)  # axe-core is injected as an inline script
    found = {}
    for path in (
        "/verify/",
        f"/verify/{document.csv}/",
        f"/verify/?code={format_csv(document.csv)[:-2]}",  # a mistyped code: the error state
        "/verify/FORGED0FORGED0FORGED0FORG/",
    ):
        page.goto(server + path)
        found[path] = serious_violations(page)
    assert found == {path: [] for path in found}
    cache.clear()
