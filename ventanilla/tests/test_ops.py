from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_is_200_when_the_database_answers():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_does_not():
    with mock.patch("ventanilla.ops.connection.cursor", side_effect=DatabaseError("down")):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_metrics_counts_cases_by_status():
    from ventanilla.cases.tests.factories import make_case, make_category, make_council

    make_case(category=make_category(council=make_council()))
    body = Client().get("/metrics").content.decode()
    assert 'ventanilla_cases{status="new"} 1' in body
