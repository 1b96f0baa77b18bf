import pytest
from django.test import Client

from ventanilla.cases.models import Role
from ventanilla.cases.tests.factories import (
    make_case,
    make_category,
    make_council,
    make_department,
    make_staff,
)
from ventanilla.core.tokens import issue_api_token
from ventanilla.crews.models import StaffMessage, WorkOrder
from ventanilla.crews.tests.factories import make_crew, make_identity
from ventanilla.inbox.tests.factories import make_channel

pytestmark = pytest.mark.django_db


def api(user):
    return Client(
        HTTP_AUTHORIZATION=f"Bearer {issue_api_token(user=user)}", HTTP_ACCEPT_LANGUAGE="en"
    )


@pytest.fixture
def world():
    council = make_council()
    dept = make_department(council=council)
    case = make_case(category=make_category(council=council, department=dept))
    agent = make_staff(council=council, departments=(dept,))
    crew = make_crew(council=council, name="Alumbrado", department=dept)
    make_identity(channel=make_channel(council=council), crew=crew)
    silent = make_crew(council=council, name="Sin teléfono")
    other = make_council()
    foreign = make_crew(council=other, name="Ajena")
    outsider = make_staff(council=other, role=Role.SUPERVISOR)
    return locals()


def test_crews_lists_the_councils_crews_with_their_phones(world):
    answer = api(world["agent"]).get("/api/v1/crews")
    assert answer.status_code == 200
    assert [(c["name"], c["linked_phones"]) for c in answer.json()] == [
        ("Alumbrado", 1),
        ("Sin teléfono", 0),
    ]
    assert [c["name"] for c in api(world["outsider"]).get("/api/v1/crews").json()] == ["Ajena"]
    assert Client().get("/api/v1/crews").status_code == 401


def test_a_work_order_is_created_and_sent(world):
    case = world["case"]
    answer = api(world["agent"]).post(
        f"/api/v1/cases/{case.reference}/work-orders",
        {"crew": world["crew"].pk, "note": "Urgente"},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["reference"] == case.reference
    assert answer.json()["crew"] == world["crew"].pk
    order = WorkOrder.objects.get()
    assert order.note == "Urgente" and order.due_at == case.due_at
    sent = StaffMessage.objects.get(work_order=order)
    assert case.reference in sent.text and "Urgente" in sent.text


@pytest.mark.parametrize(
    ("who", "crew", "status"),
    [
        ("agent", "silent", 400),  # nobody linked a phone
        ("agent", "foreign", 400),  # another council's crew
        ("outsider", "crew", 404),  # another council's case
    ],
)
def test_work_orders_that_cannot_go(world, who, crew, status):
    answer = api(world[who]).post(
        f"/api/v1/cases/{world['case'].reference}/work-orders",
        {"crew": world[crew].pk},
        content_type="application/json",
    )
    assert answer.status_code == status
    assert not WorkOrder.objects.exists()
