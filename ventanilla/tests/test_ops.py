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


def test_metrics_counts_cases_of_public_categories_by_status(settings):
    from ventanilla.cases.tests.factories import make_case, make_category, make_council

    settings.METRICS_TOKEN = "s3cret-metrics"
    council = make_council()
    make_case(category=make_category(council=council))
    make_case(category=make_category(council=council, public_by_default=False))
    response = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics")
    assert response.status_code == 200
    assert 'ventanilla_cases{status="new"} 1' in response.content.decode()


def test_metrics_are_off_without_a_token_and_closed_without_the_bearer(settings):
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics").status_code == 404
    settings.METRICS_TOKEN = "s3cret-metrics"
    assert Client().get("/metrics").status_code == 401
    wrong = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer guess")
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"].startswith("Bearer")
