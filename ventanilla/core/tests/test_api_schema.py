"""Property-based API testing: schemathesis explores /api/v1/ from its OpenAPI document."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, assume, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from ventanilla.cases.tests.factories import (
    make_case,
    make_category,
    make_council,
    make_department,
    make_staff,
)
from ventanilla.core.tokens import issue_api_token
from ventanilla.wsgi import application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Do what Django's test client does: a request must not close the test's transaction.

    schemathesis calls the WSGI app directly, so Django's request signals would close the
    connection (its autocommit differs inside the test's atomic block) on PostgreSQL.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token():
    council = make_council()
    department = make_department(council=council)
    for text in ("Farola apagada", "Bache en la acera"):
        make_case(category=make_category(council=council, department=department), description=text)
    return issue_api_token(user=make_staff(council=council, departments=(department,)))


#: a period whose end is before its start, or longer than two years, is a clear 400 that
#: no OpenAPI schema can express: schemathesis would call it "valid data rejected"
RULES_THE_SCHEMA_CANNOT_SAY = {"GET /api/v1/statistics": [positive_data_acceptance]}


def has_nul(case) -> bool:
    values = [*(case.path_parameters or {}).values(), *(case.query or {}).values()]
    flat = [v for value in values for v in (value if isinstance(value, list) else [value])]
    return any("\x00" in str(value) for value in flat)


def operations():
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    return [result.ok() for result in schema.get_all_operations()]


def test_the_schema_lists_every_endpoint():
    labels = {op.label for op in operations()}
    assert "POST /api/v1/cases/{reference}/status" in labels
    # a case's place and public record (issue 10)
    assert {
        "POST /api/v1/cases/{reference}/location",
        "GET /api/v1/cases/{reference}/publication",
        "POST /api/v1/cases/{reference}/publication",
    } <= labels
    assert {
        "POST /api/v1/cases/{reference}/replies",
        "POST /api/v1/cases/{reference}/assign",
        "POST /api/v1/cases/{reference}/transfer",
        "GET /api/v1/conversations",
        "POST /api/v1/conversations/{conversation_id}/replies",
        "POST /api/v1/conversations/{conversation_id}/case",
        "POST /api/v1/conversations/{conversation_id}/close",
    } <= labels
    assert "GET /api/v1/statistics" in labels
    # alerts (issue 12)
    assert {
        "GET /api/v1/topics",
        "POST /api/v1/broadcasts",
        "GET /api/v1/broadcasts/{broadcast_id}",
        "POST /api/v1/broadcasts/{broadcast_id}/approve",
        "POST /api/v1/broadcasts/{broadcast_id}/send",
        "POST /api/v1/broadcasts/{broadcast_id}/pause",
        "POST /api/v1/broadcasts/{broadcast_id}/resume",
        "POST /api/v1/broadcasts/{broadcast_id}/cancel",
    } <= labels
    # crews and work orders (issue 18)
    assert {"GET /api/v1/crews", "POST /api/v1/cases/{reference}/work-orders"} <= labels
    assert len(labels) == 30


@pytest.mark.parametrize("operation", operations(), ids=lambda op: op.label)
def test_api_never_errors_and_keeps_its_schema(operation, token):
    @given(case=operation.as_strategy())
    @settings(
        max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def explore(case):
        # A NUL anywhere in the address is refused before any view (core.middleware, tested
        # in tests/test_bad_input.py); no schema can say so.
        assume(not has_nul(case))
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"},
            excluded_checks=RULES_THE_SCHEMA_CANNOT_SAY.get(operation.label, []),
        )

    explore()
