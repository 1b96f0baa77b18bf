"""An agent not yet given a department still gets a working inbox, with empty queues."""

import pytest
from django.test import Client

from ventanilla.cases.models import Role
from ventanilla.cases.tests.factories import make_case, make_category, make_council, make_staff
from ventanilla.inbox.tests.factories import signed_in

pytestmark = pytest.mark.django_db


def test_an_agent_without_departments_sees_empty_queues_not_an_error():
    council = make_council()
    make_case(category=make_category(council=council))
    agent = make_staff(council=council, role=Role.AGENT)

    page = signed_in(agent, Client(HTTP_ACCEPT_LANGUAGE="en")).get("/inbox/")

    assert page.status_code == 200
    assert "No cases in this queue." in page.content.decode()
