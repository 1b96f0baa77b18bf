"""Open311 GeoReport v2, in XML and JSON: formats, parameters, limits and errors."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
import time_machine

from ventanilla.cases import services as case_services
from ventanilla.cases.models import Case
from ventanilla.cases.tests.factories import make_council
from ventanilla.cases.workflow import Status
from ventanilla.open311 import services as open311_services
from ventanilla.open311.format import MAX_RESULTS
from ventanilla.open311.models import Open311Submission
from ventanilla.portal import services
from ventanilla.portal.models import PublicRecord
from ventanilla.portal.tests.factories import (
    make_private_category,
    make_public_category,
    message_with_photo,
    open_case,
    record_of,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


@pytest.fixture
def council():
    return make_council(slug="villa", name="Villaverde")


@pytest.fixture
def lighting(council):
    return make_public_category(
        council=council,
        code="alumbrado",
        name_es="Alumbrado público",
        name_en="Street lighting",
        keywords="farola\nluz",
        group="calle",
        description="Farolas apagadas",
        resolution_days=5,
    )


def xml(response):
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    body = response.content.decode("utf-8")
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def json_of(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


def errors(response, fmt):
    if fmt == "json":
        return [(e["code"], e["description"]) for e in json_of(response)]
    root = xml(response)
    assert root.tag == "errors"
    return [(int(e.findtext("code")), e.findtext("description")) for e in root.findall("error")]


# -- services -------------------------------------------------------------------------------


def test_services_list_public_active_categories(client, council, lighting):
    make_private_category(council=council, code="policia")
    make_public_category(council=council, code="viejo", active=False)
    client.cookies["django_language"] = "en"
    [service] = json_of(client.get("/open311/v2/services.json"))
    assert service == {
        "service_code": "alumbrado",
        "service_name": "Street lighting",
        "description": "Farolas apagadas",
        "metadata": False,
        "type": "realtime",
        "keywords": "farola, luz",
        "group": "calle",
    }
    root = xml(client.get("/open311/v2/services.xml"))
    assert root.tag == "services"
    [element] = root.findall("service")
    assert [child.tag for child in element] == list(service)
    assert element.findtext("metadata") == "false" and element.findtext("type") == "realtime"


def test_service_definition_has_no_attributes(client, lighting):
    assert json_of(client.get("/open311/v2/services/alumbrado.json")) == {
        "service_code": "alumbrado",
        "attributes": [],
    }
    root = xml(client.get("/open311/v2/services/alumbrado.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "alumbrado"
    assert root.find("attributes") is not None and len(root.find("attributes")) == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_or_private_service_is_404(client, council, fmt):
    make_private_category(council=council, code="policia")
    for code in ("nada", "policia"):
        response = client.get(f"/open311/v2/services/{code}.{fmt}")
        assert response.status_code == 404
        assert errors(response, fmt)[0][0] == 404


# -- requests -------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_request_has_every_field_and_only_public_data(client, council, lighting):
    case = open_case(
        category=lighting,
        description="Soy Ana Ruiz, tlf 611223344, la farola de la calle Mayor 3 no va",
        name="Ana Ruiz",
        latitude=40.4169,
        longitude=-3.7033,
        address="Calle Mayor 3, 2º A",
    )
    services.update_public_summary(case=case, text="Farola apagada en la calle Mayor")
    client.cookies["django_language"] = "en"
    [item] = json_of(client.get(f"/open311/v2/requests/{case.reference}.json"))
    record = record_of(case)
    assert list(item) == REQUEST_FIELDS
    assert item["service_request_id"] == case.reference
    assert item["status"] == "open" and item["status_notes"] == "New"
    assert item["service_name"] == "Street lighting" and item["service_code"] == "alumbrado"
    assert item["description"] == "Farola apagada en la calle Mayor"
    assert item["agency_responsible"] == lighting.department.name
    assert "5 working days" in item["service_notice"]
    assert item["requested_datetime"] == "2026-06-15T12:00:00+02:00"  # Madrid, summer
    assert item["expected_datetime"] == record.expected_at.astimezone(council.tz).isoformat()
    assert item["address"] == "Calle Mayor"
    assert (item["lat"], item["long"]) == (record.latitude, record.longitude)
    assert item["media_url"] is None and item["address_id"] is None
    root = xml(client.get(f"/open311/v2/requests/{case.reference}.xml"))
    assert root.tag == "service_requests"
    [element] = root.findall("request")
    assert [child.tag for child in element] == REQUEST_FIELDS
    assert element.findtext("lat") == str(record.latitude)
    assert element.find("media_url").text is None


def test_closed_is_never_fixed(client, council, lighting):
    outcomes = {}
    for status in (Status.RESOLVED, Status.REJECTED, Status.DUPLICATE, Status.IN_PROGRESS):
        case = open_case(category=lighting, status=status)
        outcomes[case.reference] = status
    client.cookies["django_language"] = "en"
    items = json_of(client.get("/open311/v2/requests.json"))
    notes = {i["service_request_id"]: (i["status"], i["status_notes"]) for i in items}
    assert sorted(notes.values()) == [
        ("closed", "Duplicate"),
        ("closed", "Rejected"),
        ("closed", "Resolved"),
        ("open", "In progress"),
    ]
    assert "fixed" not in client.get("/open311/v2/requests.xml").content.decode().lower()


def test_a_closed_request_is_updated_when_it_was_closed(client, council, lighting):
    with time_machine.travel(NOW, tick=False):
        case = open_case(category=lighting)
    with time_machine.travel(NOW + dt.timedelta(hours=5), tick=False):
        case = case_services.change_status(case=case, status=Status.IN_PROGRESS)
        case = case_services.change_status(case=case, status=Status.RESOLVED)
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        case_services.set_priority(case=case, priority=4)  # a private change
    with time_machine.travel(NOW + dt.timedelta(days=3), tick=False):
        [item] = json_of(client.get(f"/open311/v2/requests/{case.reference}.json"))
    assert item["updated_datetime"] == "2026-06-15T17:00:00+02:00"


def test_media_url_is_an_approved_photo_only(client, council, lighting):
    case = open_case(category=lighting)
    attachment = message_with_photo(case=case)
    [item] = json_of(client.get(f"/open311/v2/requests/{case.reference}.json"))
    assert item["media_url"] is None
    photo = services.approve_photo(attachment=attachment)
    [item] = json_of(client.get(f"/open311/v2/requests/{case.reference}.json"))
    assert item["media_url"] == f"http://testserver/cases/{case.reference}/photos/{photo.pk}/"
    assert client.get(item["media_url"]).status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_hidden_requests_are_404(client, council, lighting, fmt):
    private = open_case(category=make_private_category(council=council))
    withdrawn = open_case(category=lighting)
    services.withdraw_case(case=withdrawn, reason="Error")
    for reference in (private.reference, withdrawn.reference, "2026-999999"):
        response = client.get(f"/open311/v2/requests/{reference}.{fmt}")
        assert response.status_code == 404 and errors(response, fmt)[0][0] == 404
    listed = client.get(f"/open311/v2/requests.{fmt}").content.decode()
    assert private.reference not in listed and withdrawn.reference not in listed


def ids(response):
    return {item["service_request_id"] for item in json_of(response)}


def test_requests_default_to_the_last_90_days(client, council, lighting):
    with time_machine.travel(NOW - dt.timedelta(days=91), tick=False):
        old = open_case(category=lighting)
    with time_machine.travel(NOW - dt.timedelta(days=89), tick=False):
        recent = open_case(category=lighting)
    with time_machine.travel(NOW, tick=False):
        assert ids(client.get("/open311/v2/requests.json")) == {recent.reference}
        # "Optional" means an empty parameter is the same as none
        empty = {"start_date": "", "end_date": "", "status": "", "service_code": ""}
        assert ids(client.get("/open311/v2/requests.json", empty)) == {recent.reference}
        # a window that includes the old one, and service_request_id overriding everything
        window = {"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-03-17T00:00:00Z"}
        assert ids(client.get("/open311/v2/requests.json", window)) == {old.reference}
        both = {"service_request_id": f"{old.reference},{recent.reference}", "status": "closed"}
        assert ids(client.get("/open311/v2/requests.json", both)) == {
            old.reference,
            recent.reference,
        }
        # only an end date: the 90 days before it
        assert ids(client.get("/open311/v2/requests.json", {"end_date": "2026-03-17"})) == {
            old.reference
        }
        # only a start date: the 90 days after it
        assert ids(
            client.get("/open311/v2/requests.json", {"start_date": "2026-03-17T12:00:00+01:00"})
        ) == {recent.reference}


@time_machine.travel(NOW, tick=False)
def test_requests_filters(client, council, lighting):
    potholes = make_public_category(council=council, code="baches")
    waste = make_public_category(council=council, code="residuos")
    lamp = open_case(category=lighting)
    hole = open_case(category=potholes, status=Status.RESOLVED)
    bin_ = open_case(category=waste, status=Status.REJECTED)

    def listed(**params):
        return ids(client.get("/open311/v2/requests.json", params))

    assert listed(status="open") == {lamp.reference}
    assert listed(status="closed") == {hole.reference, bin_.reference}
    assert listed(status="open,closed") == {lamp.reference, hole.reference, bin_.reference}
    assert listed(service_code="baches,residuos") == {hole.reference, bin_.reference}
    assert listed(service_code="baches", status="open") == set()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "params",
    [
        {"status": "fixed"},
        {"start_date": "yesterday"},
        {"start_date": "2026-06-01T00:00:00"},  # no time zone
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},  # > 90 days
        {"start_date": "2026-06-10T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
    ],
)
def test_invalid_query_parameters_are_400(client, council, fmt, params):
    response = client.get(f"/open311/v2/requests.{fmt}", params)
    assert response.status_code == 400
    [(code, description)] = errors(response, fmt)
    assert code == 400 and description


@time_machine.travel(NOW, tick=False)
def test_an_unencoded_plus_in_a_date_is_understood(client, council, lighting):
    case = open_case(category=lighting)
    query = "start_date=2026-06-15T00:00:00+02:00&end_date=2026-06-16T00:00:00+02:00"
    assert ids(client.get(f"/open311/v2/requests.json?{query}")) == {case.reference}


def test_requests_stop_at_1000_most_recent_first(client, council, lighting):
    first = open_case(category=lighting)
    record = record_of(first)
    PublicRecord.objects.bulk_create(
        PublicRecord(
            council=council,
            reference=f"2026-{n:06d}",
            category=lighting,
            department=lighting.department,
            status=Status.NEW,
            requested_at=NOW - dt.timedelta(minutes=n),
            updated_at=NOW,
        )
        for n in range(2, MAX_RESULTS + 2)
    )
    with time_machine.travel(NOW, tick=False):
        items = json_of(client.get("/open311/v2/requests.json"))
        root = xml(client.get("/open311/v2/requests.xml"))
    assert len(items) == MAX_RESULTS == len(root.findall("request"))
    assert items[0]["service_request_id"] == "2026-000002"
    assert record.reference not in {i["service_request_id"] for i in items}  # the 1001st


def test_request_lists_do_not_query_per_request(
    client, council, lighting, django_assert_max_num_queries
):
    for _ in range(20):
        open_case(category=lighting)
    with django_assert_max_num_queries(6):
        assert len(json_of(client.get("/open311/v2/requests.json"))) == 20


# -- jurisdictions --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_jurisdiction_id(client, council, lighting, fmt, settings):
    settings.ALLOWED_HOSTS = ["testserver", "portal.villa.example.org"]
    case = open_case(category=lighting)
    url = f"/open311/v2/requests/{case.reference}.{fmt}"
    # optional with one council; when given, it must be a council's
    assert client.get(url).status_code == 200
    assert client.get(url, {"jurisdiction_id": "villa.example.org"}).status_code == 200
    response = client.get(url, {"jurisdiction_id": "elsewhere.org"})
    assert response.status_code == 404 and errors(response, fmt)[0][0] == 404
    # with several councils it is required, unless the host is a council's domain
    other = make_council(slug="otra")
    response = client.get(url)
    assert response.status_code == 400 and errors(response, fmt)[0][0] == 400
    assert client.get(url, {"jurisdiction_id": "villa.example.org"}).status_code == 200
    assert client.get(url, {"jurisdiction_id": "otra.example.org"}).status_code == 404
    council.domain = "portal.villa.example.org"
    council.save()
    assert client.get(url, headers={"host": "portal.villa.example.org"}).status_code == 200
    assert other.pk


# -- POST -----------------------------------------------------------------------------------


@pytest.fixture
def key(council):
    return open311_services.issue_open311_key(council=council, name="FixMyStreet")


def post(client, fmt, **data):
    return client.post(f"/open311/v2/requests.{fmt}", data)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_creates_a_case_and_keeps_the_reporter_private(client, council, lighting, key, fmt):
    response = post(
        client,
        fmt,
        api_key=key,
        service_code="alumbrado",
        lat="40.4169",
        long="-3.7033",
        address_string="Calle Mayor 14, 28013 Madrid",
        email="ana.ruiz@example.org",
        first_name="Ana",
        last_name="Ruiz",
        phone="611 22 33 44",
        device_id="device-1",
        description="La farola de mi casa no va. Llamadme, soy Ana Ruiz.",
        media_url="https://example.org/farola.jpg",
    )
    assert response.status_code == 200
    if fmt == "json":
        [item] = json_of(response)
        assert list(item) == ["service_request_id", "service_notice", "account_id"]
        assert item["account_id"] is None
        reference = item["service_request_id"]
    else:
        root = xml(response)
        assert root.tag == "service_requests"
        reference = root.find("request").findtext("service_request_id")
        assert root.find("request").find("account_id").text is None
    case = Case.objects.get(reference=reference)
    assert case.category == lighting and case.latitude == 40.4169
    assert case.citizen.name == "Ana Ruiz"
    assert case.citizen.identities.get().urn == "tel:+34611223344"
    note = case.notes.get().text
    assert "ana.ruiz@example.org" in note and "device-1" in note and "farola.jpg" in note
    assert Open311Submission.objects.get(case=case).key.name == "FixMyStreet"
    record = record_of(case)
    assert "Ana" not in record.summary_draft and "Ruiz" not in record.summary_draft
    published = client.get(f"/open311/v2/requests/{reference}.{fmt}").content.decode()
    for secret in ("ana.ruiz", "611", "Ruiz", "device-1", "farola.jpg", "Mayor 14"):
        assert secret not in published


def test_post_without_a_phone_keeps_the_contact_in_a_note(client, council, lighting, key):
    response = post(
        client,
        "json",
        api_key=key,
        service_code="alumbrado",
        address_string="Plaza Mayor",
        email="pepe@example.org",
        first_name="Pepe",
        last_name="Gotera",
        description="Farola rota. Pepe Gotera",
    )
    reference = json_of(response)[0]["service_request_id"]
    case = Case.objects.get(reference=reference)
    assert case.citizen is None
    note = case.notes.get().text
    assert "Pepe Gotera" in note and "pepe@example.org" in note
    assert "Gotera" not in record_of(case).summary_draft


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_errors(client, council, lighting, key, fmt):
    make_private_category(council=council, code="policia")
    other_key = open311_services.issue_open311_key(council=make_council())
    good = {
        "jurisdiction_id": "villa.example.org",  # two councils now
        "api_key": key,
        "service_code": "alumbrado",
        "lat": "40.4",
        "long": "-3.7",
    }

    def status_and_codes(**changes):
        data = {k: v for k, v in {**good, **changes}.items() if v is not None}
        response = post(client, fmt, **data)
        return response.status_code, [code for code, _ in errors(response, fmt)]

    assert status_and_codes(api_key=None) == (403, [403])
    assert status_and_codes(api_key="o311_wrong") == (403, [403])
    assert status_and_codes(api_key=other_key) == (403, [403])
    assert status_and_codes(service_code=None) == (400, [400])
    assert status_and_codes(service_code="nada") == (404, [404])
    assert status_and_codes(service_code="policia") == (404, [404])
    assert status_and_codes(lat=None, long=None) == (400, [400])
    assert status_and_codes(long=None) == (400, [400])
    assert status_and_codes(lat="north") == (400, [400])
    assert status_and_codes(lat="95") == (400, [400])
    assert status_and_codes(description="x" * 4001) == (400, [400])
    assert status_and_codes(email="not-an-email", media_url="not a url") == (400, [400, 400])
    assert status_and_codes(jurisdiction_id="elsewhere.org") == (404, [404])
    assert not Case.objects.exists()
    open311_services.revoke_open311_keys(council=council)
    assert status_and_codes() == (403, [403])


def test_post_accepts_an_address_alone(client, council, lighting, key):
    response = post(
        client, "json", api_key=key, service_code="alumbrado", address_string="Calle Olmo"
    )
    assert response.status_code == 200
    assert Case.objects.get().address == "Calle Olmo"


# -- discovery, tokens and the rest ---------------------------------------------------------


def test_discovery_in_both_formats(client, council):
    response = client.get("/open311/discovery.json")
    assert response["Access-Control-Allow-Origin"] == "*"
    document = json_of(response)
    assert set(document) == {"changeset", "contact", "key_service", "endpoints"}
    [endpoint] = document["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["type"] == "production"
    root = xml(client.get("/open311/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints").find("endpoint").find("formats")] == [
        "text/xml",
        "application/json",
    ]
    assert "Villaverde" in root.findtext("contact")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_tokens_unknown_resources_and_methods(client, council, fmt):
    response = client.get(f"/open311/v2/tokens/123.{fmt}")
    assert response.status_code == 404 and errors(response, fmt)[0][0] == 404
    response = client.get(f"/open311/v2/servicerequestupdates.{fmt}")
    assert response.status_code == 404 and errors(response, fmt)[0][0] == 404
    response = client.delete(f"/open311/v2/services.{fmt}")
    assert response.status_code == 405 and errors(response, fmt)[0][0] == 405


def test_xml_carries_no_control_characters(client, council):
    make_public_category(council=council, code="ruido", description="Ruido\x0b nocturno\x1f")
    root = xml(client.get("/open311/v2/services.xml"))
    assert root.find("service").findtext("description") == "Ruido nocturno"


def test_summaries_lose_control_characters(council, lighting):
    case = open_case(category=lighting)
    record = services.update_public_summary(case=case, text="Farola\x0b apagada\x00")
    assert record.summary == "Farola apagada"
