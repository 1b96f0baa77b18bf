"""The loop through the API only: a resident's place and words reach the public record."""

import pytest
from django.test import Client
from django.urls import reverse

from ventanilla.cases.models import Case, Role
from ventanilla.cases.tests.factories import make_department, make_staff
from ventanilla.conversations.tests.chat import Resident, make_channel, make_town
from ventanilla.core.tokens import issue_api_token
from ventanilla.portal.models import PublicRecord
from ventanilla.privacy.publication import public_point
from ventanilla.streets.services import import_streets

pytestmark = pytest.mark.django_db


def api(user):
    return Client(
        HTTP_AUTHORIZATION=f"Bearer {issue_api_token(user=user)}", HTTP_ACCEPT_LANGUAGE="en"
    )


def post(client, path, data):
    return client.post(f"/api/v1{path}", data, content_type="application/json")


@pytest.fixture
def town():
    town = make_town()
    for category in (town.alumbrado, town.residuos, town.baches, town.otros):
        category.public_by_default = True
        category.save()
    return town


@pytest.fixture
def reported(town):
    """A resident who reported a dark street lamp on WhatsApp, then shared where it is."""
    resident = Resident(make_channel(town.council, "whatsapp"), urn="whatsapp:34600111222")
    resident.accept_notice()
    resident.send("menú")
    resident.tap("Comunicar incidencia")
    resident.send("La farola de la calle Mayor está apagada, soy Lucía Martín, tlf 600111222")
    resident.tap("Continuar")
    resident.tap("Sin ubicación")
    resident.tap("Sí, es eso")
    case = Case.objects.get()
    assert case.latitude is None
    resident.send(location=(40.416901, -3.703301), address="Calle Mayor 3")
    case.refresh_from_db()
    return case


def test_the_whole_loop_through_the_api_with_a_token(town, reported):
    client = api(make_staff(council=town.council, role=Role.SUPERVISOR))
    ref = reported.reference
    # The place the resident shared is the case's point, with its history.
    listing = client.get("/api/v1/cases", {"search": "+34 600 11 12 22"}).json()
    assert [c["reference"] for c in listing["items"]] == [ref]
    item = listing["items"][0]
    assert (item["latitude"], item["longitude"], item["address"]) == (
        40.416901,
        -3.703301,
        "Calle Mayor 3",
    )
    # The proposed summary has the resident's name and phone removed.
    review = client.get(f"/api/v1/cases/{ref}/publication").json()
    assert review["pending"] and review["summary"] == ""
    assert "farola" in review["draft"]
    for secret in ("Lucía", "Martín", "600111222"):
        assert secret not in review["draft"]
    # Approve it as it is: the portal and Open311 show it at once, with the snapped point.
    approved = post(client, f"/cases/{ref}/publication", {"summary": None})
    assert approved.status_code == 200, approved.content
    assert approved.json()["summary"] == review["draft"] and not approved.json()["pending"]
    page = Client().get(reverse("portal:record", args=[ref])).content.decode()
    assert review["draft"] in page
    lat, lon = public_point(40.416901, -3.703301)
    assert f"{lat:.6f}".rstrip("0") in page
    open311 = Client().get("/open311/v2/requests.json").json()
    mine = next(r for r in open311 if r["service_request_id"] == ref)
    assert (mine["description"], mine["lat"], mine["long"]) == (review["draft"], lat, lon)
    assert mine["address"] == "Calle Mayor"
    # Resolved, it is still found by the resident's phone, written another way.
    for status in ("in_progress", "resolved"):
        assert post(client, f"/cases/{ref}/status", {"status": status}).status_code == 200
    found = client.get("/api/v1/cases", {"search": "0034600111222", "status": "resolved"})
    assert [c["reference"] for c in found.json()["items"]] == [ref]


def test_staff_set_a_place_by_point_or_by_the_street_directory(town, reported):
    client = api(make_staff(council=town.council, role=Role.SUPERVISOR))
    ref = reported.reference
    import_streets(council=town.council, lines=["street,lat,lon\n", "Calle Real,40.5,-3.5\n"])
    moved = post(client, f"/cases/{ref}/location", {"address": "c/ real 7"})
    assert moved.status_code == 200
    assert (moved.json()["latitude"], moved.json()["address"]) == (40.5, "Calle Real 7")
    assert PublicRecord.objects.get(case=reported).street == "Calle Real"
    unknown = post(client, f"/cases/{ref}/location", {"address": "Calle Inventada 1"})
    assert unknown.status_code == 400
    for bad in (
        {"latitude": 91, "longitude": 0},
        {"latitude": 40},
        {"latitude": "NaN", "longitude": 1},
    ):
        assert post(client, f"/cases/{ref}/location", bad).status_code == 400
    reported.refresh_from_db()
    assert reported.latitude == 40.5


def test_the_api_asks_the_same_rights_as_the_inbox(town, reported):
    ref = reported.reference
    auditor = api(make_staff(council=town.council, role=Role.AUDITOR))
    assert auditor.get(f"/api/v1/cases/{ref}/publication").status_code == 200
    assert post(auditor, f"/cases/{ref}/publication", {"summary": None}).status_code == 403
    assert (
        post(auditor, f"/cases/{ref}/location", {"latitude": 1, "longitude": 1}).status_code == 403
    )
    other = make_department(council=town.council)
    outsider = api(make_staff(council=town.council, departments=(other,)))
    assert outsider.get(f"/api/v1/cases/{ref}/publication").status_code == 404
    assert post(outsider, f"/cases/{ref}/publication", {"summary": "x"}).status_code == 404
    record = PublicRecord.objects.get(case=reported)
    assert record.summary == "" and record.summary_approved_at is None


def test_withdraw_republish_and_a_private_case_answer_json(town, reported):
    client = api(make_staff(council=town.council, role=Role.SUPERVISOR))
    ref = reported.reference
    assert post(client, f"/cases/{ref}/publication/withdraw", {"reason": ""}).status_code == 400
    gone = post(client, f"/cases/{ref}/publication/withdraw", {"reason": "Datos de salud"})
    assert gone.status_code == 200 and gone.json()["withdrawn"]
    assert Client().get(reverse("portal:record", args=[ref])).status_code == 404
    back = post(client, f"/cases/{ref}/publication/republish", {})
    assert back.status_code == 200 and not back.json()["withdrawn"]
    town.alumbrado.public_by_default = False
    town.alumbrado.save()
    PublicRecord.objects.all().delete()
    refused = post(client, f"/cases/{ref}/publication", {"summary": "Farola apagada"})
    assert refused.status_code == 409 and "detail" in refused.json()
