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
from ventanilla.core.tokens import issue_api_token, revoke_api_tokens

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    council = make_council()
    dept_a, dept_b = make_department(council=council), make_department(council=council)
    case_a = make_case(
        category=make_category(council=council, department=dept_a),
        description="Farola apagada en calle Mayor",
    )
    case_b = make_case(
        category=make_category(council=council, department=dept_b), description="Ruido en la plaza"
    )
    agent_a = make_staff(council=council, departments=(dept_a,))
    other = make_council()
    outsider = make_staff(council=other, role=Role.SUPERVISOR)
    make_case(category=make_category(council=other))
    return locals()


def api(user):
    return Client(
        HTTP_AUTHORIZATION=f"Bearer {issue_api_token(user=user)}", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_agent_sees_only_their_departments_cases(world):
    client = api(world["agent_a"])
    listing = client.get("/api/v1/cases").json()
    assert [c["reference"] for c in listing["items"]] == [world["case_a"].reference]
    assert client.get(f"/api/v1/cases/{world['case_a'].reference}").status_code == 200
    response = client.get(f"/api/v1/cases/{world['case_b'].reference}")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    assert client.get(f"/api/v1/cases/{world['case_b'].reference}/messages").status_code == 404
    assert (
        client.post(
            f"/api/v1/cases/{world['case_b'].reference}/notes",
            {"text": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_staff_of_another_council_see_nothing_of_this_one(world):
    client = api(world["outsider"])
    references = [c["reference"] for c in client.get("/api/v1/cases").json()["items"]]
    assert len(references) == 1  # only their own council's case
    # the same reference number exists in both councils: they get their own, never ours
    detail = client.get(f"/api/v1/cases/{world['case_a'].reference}").json()
    assert detail["description"] != world["case_a"].description


def test_status_change_with_comment_and_illegal_transition(world):
    client = api(world["agent_a"])
    ref = world["case_a"].reference
    ok = client.post(
        f"/api/v1/cases/{ref}/status",
        {"status": "in_progress", "comment": "Brigada avisada"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "in_progress"
    bad = client.post(
        f"/api/v1/cases/{ref}/status", {"status": "closed"}, content_type="application/json"
    )
    assert bad.status_code == 409
    assert "cannot go from" in bad.json()["detail"]
    world["case_a"].refresh_from_db()
    assert world["case_a"].status == "in_progress"


@pytest.mark.parametrize("body", [b"{not json", b'{"status": "flying"}', b"[]", b'{"comment": 5}'])
def test_malformed_bodies_get_400_with_a_message(world, body):
    client = api(world["agent_a"])
    response = client.post(
        f"/api/v1/cases/{world['case_a'].reference}/status", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"]


def test_unknown_case_and_bad_tokens(world):
    client = api(world["agent_a"])
    assert client.get("/api/v1/cases/2026-999999").status_code == 404
    assert Client().get("/api/v1/cases").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer nope").get("/api/v1/cases").status_code == 401
    revoke_api_tokens(user=world["agent_a"])
    assert client.get("/api/v1/cases").status_code == 401


def test_notes_are_added_and_auditors_cannot_write(world):
    ref = world["case_a"].reference
    response = api(world["agent_a"]).post(
        f"/api/v1/cases/{ref}/notes", {"text": "Pedir presupuesto"}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["text"] == "Pedir presupuesto"
    auditor = make_staff(council=world["council"], role=Role.AUDITOR)
    client = api(auditor)
    assert client.get(f"/api/v1/cases/{ref}").status_code == 200
    assert (
        client.post(
            f"/api/v1/cases/{ref}/notes", {"text": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert world["case_a"].notes.count() == 1


def test_openapi_document_is_served():
    document = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/cases/{reference}/status" in document["paths"]
