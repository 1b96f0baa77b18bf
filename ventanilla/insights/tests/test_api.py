"""GET /api/v1/statistics gives the hand-worked figures, scoped to the token's user."""

import pytest
import time_machine
from django.test import Client

from ventanilla.core.tokens import issue_api_token
from ventanilla.insights.tests.conftest import EXPECTED, NOW

pytestmark = pytest.mark.django_db


def get(user, **params):
    token = issue_api_token(user=user)
    with time_machine.travel(NOW, tick=False):
        return Client().get("/api/v1/statistics", params, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_march_figures(town):
    response = get(town.supervisor, **{"from": "2026-03-01", "to": "2026-03-31"})
    assert response.status_code == 200, response.content
    data = response.json()
    total = data["total"]
    assert data["period"] == {"from": "2026-03-01", "to": "2026-03-31"}
    assert data["previous_period"] == {"from": "2026-02-01", "to": "2026-02-28"}
    assert (total["received"], total["resolved"]) == (EXPECTED["received"], EXPECTED["resolved"])
    assert total["first_response_working_hours"] == {
        "count": 4,
        "median": EXPECTED["first_response_median_hours"],
        "p90": EXPECTED["first_response_p90_hours"],
    }
    assert total["resolution_working_days"] == {
        "count": 2,
        "median": EXPECTED["resolution_median_days"],
        "p90": EXPECTED["resolution_p90_days"],
    }
    assert (total["deadline_counted"], total["on_time"]) == (3, 1)
    assert total["reopen_rate"] == 0.5
    assert total["satisfaction"] == {str(k): v for k, v in EXPECTED["satisfaction"].items()}
    assert data["backlog"]["ages"] == EXPECTED["backlog_ages"]
    assert data["previous"]["received"] == EXPECTED["previous_received"]
    groups = {g["name"]: g["figures"]["received"] for g in data["groups"]}
    assert groups == {"Servicios Urbanos": 2, "Limpieza": 3}


def test_by_channel(town):
    data = get(
        town.supervisor, **{"from": "2026-03-01", "to": "2026-03-31", "by": "channel"}
    ).json()
    assert {g["key"]: g["figures"]["received"] for g in data["groups"]} == {
        "whatsapp": 1,
        "telegram": 1,
        "": 3,
    }


def test_an_agent_gets_their_departments(town):
    data = get(town.agent_cleaning, **{"from": "2026-03-01", "to": "2026-03-31"}).json()
    assert data["total"]["received"] == 3
    assert [g["name"] for g in data["groups"]] == ["Limpieza"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-03-31", "to": "2026-03-01"}, "before its start"),
        ({"from": "2020-01-01", "to": "2026-03-01"}, "at most two years"),
        ({"from": "2026-02-30"}, "from"),
        ({"by": "salary"}, "by"),
        ({"to": "0001-01-01"}, "Dates run from"),  # its default start was a 500
        ({"from": "9999-12-30", "to": "9999-12-31"}, "Dates run from"),
    ],
)
def test_bad_input_is_a_clear_400(town, params, message):
    response = get(town.supervisor, **params)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_without_a_token_it_is_401(town):
    assert Client().get("/api/v1/statistics").status_code == 401
