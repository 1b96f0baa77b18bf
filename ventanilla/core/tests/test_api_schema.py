"""Property-based API testing: schemathesis explores /api/v1/ from its OpenAPI document."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

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


@pytest.fixture
def token():
    council = make_council()
    department = make_department(council=council)
    for text in ("Farola apagada", "Bache en la acera"):
        make_case(category=make_category(council=council, department=department), description=text)
    return issue_api_token(user=make_staff(council=council, departments=(department,)))


def operations():
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    return [result.ok() for result in schema.get_all_operations()]


def test_the_schema_lists_every_endpoint():
    labels = {op.label for op in operations()}
    assert "POST /api/v1/cases/{reference}/status" in labels
    assert len(labels) == 5


@pytest.mark.parametrize("operation", operations(), ids=lambda op: op.label)
def test_api_never_errors_and_keeps_its_schema(operation, token):
    @given(case=operation.as_strategy())
    @settings(
        max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def explore(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"})

    explore()
