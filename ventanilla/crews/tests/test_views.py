"""The crews' staff pages, through Django's test client."""

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
from ventanilla.crews.models import (
    ClosureEvidence,
    InternalMessage,
    LinkCode,
    NotificationPreference,
    WorkOrder,
)
from ventanilla.crews.tests.factories import make_crew, make_identity
from ventanilla.inbox.tests.factories import make_channel, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    council = make_council()
    dept = make_department(council=council, name="Servicios Urbanos")
    other_dept = make_department(council=council, name="Policía")
    case = make_case(category=make_category(council=council, department=dept))
    hidden = make_case(category=make_category(council=council, department=other_dept))
    agent = make_staff(council=council, departments=(dept,), username="ana")
    supervisor = make_staff(council=council, role=Role.SUPERVISOR, username="sara")
    crew = make_crew(council=council, name="Alumbrado", department=dept)
    make_identity(channel=make_channel(council=council), crew=crew)
    return locals()


def english(user):
    client = signed_in(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_a_staff_member_gets_a_code_to_link_their_phone(world):
    client = english(world["agent"])
    page = client.post("/inbox/crews/code/", follow=True)
    code = LinkCode.objects.get(user=world["agent"])
    assert f"VINCULAR {code.code}" in page.content.decode()
    # only supervisors make codes for a crew
    assert client.post("/inbox/crews/code/", {"crew": world["crew"].pk}).status_code == 403
    english(world["supervisor"]).post("/inbox/crews/code/", {"crew": world["crew"].pk})
    assert LinkCode.objects.filter(crew=world["crew"]).count() == 1


def test_preferences_are_saved(world):
    english(world["agent"]).post(
        "/inbox/crews/preferences/",
        {"via": "messaging", "events": ["assigned", "handoff"], "quiet_from": "22:00"},
    )
    preference = NotificationPreference.objects.get(user=world["agent"])
    assert (preference.via, preference.events) == ("messaging", ["assigned", "handoff"])


def test_an_agent_sends_a_work_order_from_a_case(world):
    client = english(world["agent"])
    url = f"/inbox/crews/cases/{world['case'].reference}/work-order/"
    assert "Send the work order" in client.get(url).content.decode()
    page = client.post(url, {"crew": world["crew"].pk, "note": "Con escalera"}, follow=True)
    assert "The work order was sent." in page.content.decode()
    assert WorkOrder.objects.get().note == "Con escalera"
    # a case out of the agent's departments is not found
    hidden = f"/inbox/crews/cases/{world['hidden'].reference}/work-order/"
    assert client.get(hidden).status_code == 404


def test_closure_evidence_is_published_only_once_approved(world):
    order = WorkOrder.objects.create(
        council=world["council"],
        case=world["case"],
        crew=world["crew"],
        due_at=world["case"].due_at,
    )
    evidence = ClosureEvidence(council=world["council"], case=world["case"], work_order=order)
    evidence.file.save("after.png", ContentFile(b"\x89PNG"), save=True)
    client = english(world["agent"])
    photo = client.get(f"/inbox/crews/evidence/{evidence.pk}/")
    assert photo.status_code == 200 and photo["Cache-Control"] == "private, no-store"
    assert (
        english(make_staff(council=world["council"]))
        .get(f"/inbox/crews/evidence/{evidence.pk}/")
        .status_code
        == 404
    )  # sees no case of that department
    client.post(f"/inbox/crews/evidence/{evidence.pk}/publication/", {"public": "1"})
    evidence.refresh_from_db()
    assert evidence.public_approved


def test_internal_messages_are_for_supervisors(world):
    assert english(world["agent"]).get("/inbox/crews/messages/").status_code == 403
    client = english(world["supervisor"])
    page = client.post(
        "/inbox/crews/messages/",
        {"crew": world["crew"].pk, "text": "Reunión a las 12"},
        follow=True,
    )
    assert "The message was sent." in page.content.decode()
    assert "0 of 1" in page.content.decode()
    assert InternalMessage.objects.get().text == "Reunión a las 12"
    both = client.post(
        "/inbox/crews/messages/",
        {"crew": world["crew"].pk, "department": world["dept"].pk, "text": "x"},
    )
    assert "Choose a department or a crew" in both.content.decode()
