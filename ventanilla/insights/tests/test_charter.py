"""The service charter on the public statistics page: committed against achieved, per month."""

import pytest
import time_machine
from django.test import Client

from ventanilla.cases.tests.factories import make_category
from ventanilla.insights.models import Commitment
from ventanilla.insights.tests.conftest import NOW

pytestmark = pytest.mark.django_db


def test_public_statistics_show_each_commitment_with_the_share_met(town):
    with time_machine.travel(NOW, tick=False):
        page = Client().get("/statistics/", {"start": "2026-02-01", "end": "2026-03-31"})
    html = page.content.decode()
    assert "Service charter: committed and achieved" in html
    assert "Farolas reparadas en 3 días laborables" in html
    # February: c0 and c6 met 3 working days; March: c1 met, c2 did not.
    row = html.split("Farolas reparadas en 3 días laborables")[1].split("</tr>")[0]
    assert "75" in row and "(3/4)" in row
    assert [cell.split("<")[0].strip() for cell in row.split("<td>")[3:]] == ["100 %", "50 %"]


def test_a_private_categorys_commitment_stays_off_the_portal(town):
    private = make_category(
        council=town.council, public_by_default=False, name_es="Servicios sociales"
    )
    Commitment.objects.create(category=private, working_days=2, statement="Citas en 2 días")
    with time_machine.travel(NOW, tick=False):
        html = Client().get("/statistics/").content.decode()
    assert "Citas en 2 días" not in html
