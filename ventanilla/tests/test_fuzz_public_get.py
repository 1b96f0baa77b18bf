"""Fuzz every public GET endpoint with mutated real queries: no input gives a 500.

Bounded and reproducible: a fixed seed, ``REQUESTS`` requests per run (the suite runs on
SQLite and on PostgreSQL, so about twice that in all). Each request takes a real query of
its endpoint and replaces, adds or drops parameters with hostile values: NUL characters,
huge and non-finite numbers, impossible and far-away dates, right-to-left and other
unicode, very long strings. The Django test client re-raises a view's exception, so a 500
fails the test with its traceback; a NUL anywhere in the address must be a 400.
"""

from __future__ import annotations

import random
from urllib.parse import quote, urlencode

import pytest
from django.test import Client

from ventanilla.cases.tests.factories import make_council, make_department, make_staff
from ventanilla.cases.workflow import Status
from ventanilla.core.tokens import issue_api_token
from ventanilla.portal.tests.factories import make_public_category, open_case

pytestmark = pytest.mark.django_db

SEED = 17
REQUESTS = 1200

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "0",
    "-1",
    "2147483648",
    "9" * 40,
    "-9" * 20,
    "1e309",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "0x10",
    "1.5",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "2026-13-01",
    "1900-01-01T00:00:00Z",
    "2026-06-15T10:00:00+25:00",
    "9999-12-31T23:59:59Z",
    "2026-06-15T10:00:00",
    "'; DROP TABLE cases; --",
    "%",
    "%%",
    "\\",
    "<script>alert(1)</script>",
    "\u202eevil",
    "مرحبا",
    "日本語",
    "😀" * 10,
    "e\u0301" * 50,
    "\ud7ff\ue000",
    "x" * 5000,
    "a," * 500,
    "-180,-90,180,90",
    "1,2,3",
    "nan,nan,nan,nan",
    "1e309,0,0,1",
    "recent",
    "supports",
    "open",
    "closed",
]


def endpoints(reference: str, code: str, jurisdiction: str) -> list[tuple[str, dict[str, str]]]:
    """Each public GET endpoint with a real query it is used with."""
    period = {"start": "2026-01-01", "end": "2026-12-31"}
    filters = {
        "q": "farola",
        "category": code,
        "department": "1",
        "status": "open",
        "start": "2026-01-01",
        "end": "2026-12-31",
        "area": "Mayor",
        "bbox": "-3.8,40.3,-3.6,40.5",
        "order": "recent",
        "page": "1",
    }
    open311 = {
        "jurisdiction_id": jurisdiction,
        "service_code": code,
        "status": "open",
        "start_date": "2026-01-01T00:00:00Z",
        "end_date": "2026-12-31T00:00:00Z",
        "service_request_id": reference,
    }
    return [
        ("/", {}),
        ("/cases/", filters),
        ("/cases/ranking/", {"page": "1"}),
        (f"/cases/{reference}/", {}),
        (f"/cases/{reference}/photos/1/", {}),
        ("/map/", filters),
        ("/map/cases.geojson", filters),
        ("/statistics/", period),
        ("/open-data/", {}),
        ("/report/", {}),
        ("/report/nearby.json", {"category": code, "lat": "40.4169", "lon": "-3.7033"}),
        ("/report/sent/", {"r": "abc"}),
        ("/open-data/cases.csv", filters),
        ("/open-data/cases.json", filters),
        ("/open-data/statistics.csv", period),
        ("/open-data/statistics.json", period),
        ("/open311/discovery.json", {}),
        ("/open311/discovery.xml", {}),
        ("/open311/v2/services.json", {"jurisdiction_id": jurisdiction}),
        ("/open311/v2/services.xml", {"jurisdiction_id": jurisdiction}),
        (f"/open311/v2/services/{code}.json", {"jurisdiction_id": jurisdiction}),
        ("/open311/v2/requests.json", open311),
        ("/open311/v2/requests.xml", open311),
        (f"/open311/v2/requests/{reference}.json", {"jurisdiction_id": jurisdiction}),
        ("/open311/v2/tokens/abc.json", {"jurisdiction_id": jurisdiction}),
        ("/healthz", {}),
        ("/api/v1/cases", {"status": "new", "category": code, "q": "farola", "limit": "10"}),
        (f"/api/v1/cases/{reference}", {}),
        (f"/api/v1/cases/{reference}/messages", {}),
        ("/api/v1/openapi.json", {}),
    ]


def mutate(rng: random.Random, path: str, query: dict[str, str]) -> str:
    """Return ``path?query`` with some values replaced, parameters added or dropped."""
    query = dict(query)
    for name in list(query):
        roll = rng.random()
        if roll < 0.4:
            query[name] = rng.choice(HOSTILE)
        elif roll < 0.5:
            del query[name]
    if rng.random() < 0.3:
        query[rng.choice(["x", "page", "format", "limit", "offset", "lang"])] = rng.choice(HOSTILE)
    if rng.random() < 0.15:
        # a hostile path segment where the endpoint takes an identifier
        segments = path.split("/")
        for i, segment in enumerate(segments):
            if segment[:4].isdigit() or segment in ("1", "abc"):
                segments[i] = quote(rng.choice(HOSTILE)[:200], safe="") or "x"
                break
        path = "/".join(segments)
    text = urlencode(query)
    return f"{path}?{text}" if text else path


@pytest.fixture
def town(db):
    council = make_council(name="Villaverde")
    department = make_department(council=council)
    category = make_public_category(council=council, department=department, code="alumbrado")
    case = open_case(
        category=category,
        status=Status.IN_PROGRESS,
        latitude=40.4169,
        longitude=-3.7033,
        address="Calle Mayor",
    )
    open_case(category=category, description="Bache en la plaza")
    agent = make_staff(council=council, departments=(department,))
    return {
        "reference": case.reference,
        "code": category.code,
        "jurisdiction": council.jurisdiction_id,
        "token": issue_api_token(user=agent),
    }


def test_no_public_get_endpoint_answers_500(town):
    rng = random.Random(SEED)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {town['token']}")
    routes = endpoints(town["reference"], town["code"], town["jurisdiction"])
    statuses: dict[int, int] = {}
    for n in range(REQUESTS):
        path, query = routes[n % len(routes)]
        url = mutate(rng, path, query)
        response = client.get(url)
        assert response.status_code < 500, url
        if "%00" in url:
            assert response.status_code == 400, url
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    # the fuzz reached the views, not only the guards in front of them
    assert statuses.get(200, 0) > REQUESTS // 4, statuses
