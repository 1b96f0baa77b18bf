"""The crews' staff pages in a real browser: no serious or critical axe-core violation."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from ventanilla.cases.models import Role
from ventanilla.cases.tests.factories import (
    make_case,
    make_category,
    make_council,
    make_department,
    make_staff,
)
from ventanilla.crews import services
from ventanilla.crews.models import ClosureEvidence, WorkOrder
from ventanilla.crews.tests.factories import make_crew, make_identity
from ventanilla.inbox.tests.factories import make_channel
from ventanilla.inbox.tests.test_browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_no_serious_accessibility_violations_on_the_crews_pages(browse, server):
    with server.lock:
        council = make_council(name="Villaverde")
        dept = make_department(council=council, name="Servicios Urbanos")
        case = make_case(category=make_category(council=council, department=dept))
        supervisor = make_staff(council=council, role=Role.SUPERVISOR, username="sara")
        crew = make_crew(council=council, name="Alumbrado", department=dept, supervisor=supervisor)
        channel = make_channel(council=council)
        make_identity(channel=channel, crew=crew)
        make_identity(channel=channel, user=supervisor)
        services.send_internal_message(
            council=council, author=supervisor, crew=crew, text="Reunión a las 12"
        )
        order = WorkOrder.objects.create(
            council=council, case=case, crew=crew, due_at=case.due_at, answer="Cambiada"
        )
        evidence = ClosureEvidence(council=council, case=case, work_order=order, note="Cambiada")
        evidence.file.save("after.png", ContentFile(b"\x89PNG"), save=True)
    page = browse(supervisor, bypass_csp=True)
    found = {}
    for path in (
        "/inbox/crews/",
        "/inbox/crews/messages/",
        f"/inbox/crews/cases/{case.reference}/work-order/",
    ):
        page.goto(server.url + path)
        found[path] = serious_violations(page)
    page.goto(server.url + "/inbox/crews/")
    page.get_by_role("button", name="Link my phone").click()
    assert "VINCULAR" in page.locator("main").inner_text()
    found["code"] = serious_violations(page)
    assert found == {key: [] for key in found}
