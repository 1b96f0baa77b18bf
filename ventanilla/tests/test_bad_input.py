"""Input that used to give 500: NUL characters and dates out of any sensible range."""

import json

import pytest
from django.test import Client

from ventanilla.cases.models import Note
from ventanilla.cases.tests.factories import make_council, make_department, make_staff
from ventanilla.cases.workflow import Status
from ventanilla.core.tests.signin import sign_in
from ventanilla.core.tokens import issue_api_token
from ventanilla.portal.tests.factories import make_public_category, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def town(db):
    council = make_council(name="Villaverde")
    department = make_department(council=council)
    category = make_public_category(council=council, department=department, code="alumbrado")
    case = open_case(category=category, status=Status.IN_PROGRESS)
    agent = make_staff(council=council, departments=(department,), username="agente.policia")
    return {"council": council, "case": case, "agent": agent}


@pytest.mark.parametrize(
    "url",
    [
        "/cases/%00/",
        "/cases/%00/support/",
        "/open311/v2/requests/%00.json",
        "/open311/v2/services/%00.json",
        "/open311/v2/requests.json?service_code=%00",
        "/open311/v2/requests.json?jurisdiction_id=%00",
        "/open311/v2/services.xml?jurisdiction_id=x%00y",
        "/cases/?q=%00",
        "/cases/?category=%00",
        "/map/cases.geojson?bbox=%00",
        "/open-data/cases.csv?area=%00",
        "/hooks/%00/1/",
        "/static/%00.css",
    ],
)
def test_a_nul_character_in_the_address_is_a_bad_request(town, url):
    assert Client().get(url).status_code == 400


def test_a_nul_character_in_the_inbox_address_is_a_bad_request(town):
    client = sign_in(Client(), town["agent"])
    assert client.get("/inbox/cases/%00/").status_code == 400
    assert client.get("/inbox/?q=%00").status_code == 400


def test_a_nul_character_in_an_open311_body_is_a_bad_request(town):
    response = Client().post(
        "/open311/v2/requests.json",
        {"jurisdiction_id": "\x00", "api_key": "\x00", "service_code": "alumbrado"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "not allowed" in response.json()[0]["description"]


def test_api_search_with_a_nul_character_is_a_bad_request(town):
    token = issue_api_token(user=town["agent"])
    response = Client().get("/api/v1/cases", {"q": "\x00"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400
    assert response.json()["detail"]  # the API's errors are JSON, like every other


def test_api_notes_and_comments_keep_their_text_without_nul(town):
    token = issue_api_token(user=town["agent"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    reference = town["case"].reference
    response = client.post(
        f"/api/v1/cases/{reference}/notes",
        json.dumps({"text": "Farola\u0000 revisada"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Note.objects.get().text == "Farola revisada"
    response = client.post(
        f"/api/v1/cases/{reference}/status",
        json.dumps({"status": "resolved", "comment": "Arreglada\u0000"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    town["case"].refresh_from_db()
    assert town["case"].status == Status.RESOLVED
    assert town["case"].events.filter(comment="Arreglada").exists()


def test_an_inbox_note_with_a_nul_character_is_refused_with_the_form(town):
    client = sign_in(Client(), town["agent"])
    reference = town["case"].reference
    response = client.post(f"/inbox/cases/{reference}/note/", {"note-text": "hola\x00"})
    assert response.status_code == 422
    assert not Note.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/statistics/?start=1900-01-01&end=9999-12-31",
        "/open-data/statistics.csv?start=1900-01-01&end=9999-12-31",
        "/open-data/statistics.json?start=1900-01-01&end=9999-12-31",
        "/cases/?start=0001-01-01&end=9999-12-31",
        "/open-data/cases.csv?end=9999-12-31",
        "/open-data/cases.json?end=9999-12-31",
        "/map/cases.geojson?end=9999-12-31",
    ],
)
def test_a_far_future_or_past_date_is_clamped(town, url):
    response = Client().get(url)
    assert response.status_code == 200


def test_the_statistics_period_is_clamped_to_sensible_dates(town):
    response = Client().get("/open-data/statistics.json?start=1900-01-01&end=9999-12-31")
    assert response.json()["period"] == {"start": "2000-01-01", "end": "2100-12-31"}


def test_the_inbox_queue_clamps_a_far_future_date(town):
    client = sign_in(Client(), town["agent"])
    assert client.get("/inbox/?date_from=0001-01-01&date_to=9999-12-31").status_code == 200
