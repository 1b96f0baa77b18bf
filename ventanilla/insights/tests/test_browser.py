"""The dashboard in a real browser: readable without script, no serious axe-core violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ventanilla.inbox.tests.test_browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_has_no_serious_accessibility_violation(town, browse, server):
    # axe-core is injected as an inline script: this context alone bypasses the CSP
    page = browse(town.supervisor, bypass_csp=True)
    page.goto(f"{server.url}/insights/?start=2026-03-01&end=2026-03-31")
    expect(page.get_by_role("heading", name="Statistics", exact=True)).to_be_visible()
    expect(page.get_by_role("img", name="Cases received and resolved")).to_be_visible()
    expect(page.get_by_role("table", name="Per department")).to_be_visible()
    with server.lock:
        assert serious_violations(page) == []


def test_dashboard_reads_the_same_with_script_off(town, browse, server):
    page = browse(town.supervisor, java_script_enabled=False)
    page.goto(f"{server.url}/insights/?start=2026-03-01&end=2026-03-31")
    expect(page.get_by_role("row", name="Cases received 5 2")).to_be_visible()
