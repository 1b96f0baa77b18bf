"""The dashboard, its CSV tables, the workbook and the PDF show the hand-worked figures."""

import csv
import io

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from ventanilla.inbox.tests.factories import signed_in
from ventanilla.insights.tests.conftest import EXPECTED, NOW

pytestmark = pytest.mark.django_db
MARCH = {"start": "2026-03-01", "end": "2026-03-31"}

#: the summary rows as every export shows them: (label, this period, previous period)
SUMMARY = [
    ("Cases received", EXPECTED["received"], EXPECTED["previous_received"]),
    ("Cases resolved", EXPECTED["resolved"], EXPECTED["previous_resolved"]),
    ("First response, median (working hours)", EXPECTED["first_response_median_hours"], 2.5),
    ("First response, 90th percentile (working hours)", EXPECTED["first_response_p90_hours"], 3.7),
    ("Resolution, median (working days)", EXPECTED["resolution_median_days"], 1.0),
    ("Resolution, 90th percentile (working days)", EXPECTED["resolution_p90_days"], 1.0),
    ("On time (%)", 33.3, 100.0),
    ("Reopened (%)", 50.0, 0.0),
    ("Satisfaction (1-5)", EXPECTED["satisfaction_average"], None),
    ("Ratings", 2, 0),
]


def get(user, name, **kw):
    client = signed_in(user)
    with time_machine.travel(NOW, tick=False):
        return client.get(reverse(f"insights:{name}", kwargs=kw), MARCH)


def test_dashboard_shows_the_figures_and_their_tables(town):
    response = get(town.supervisor, "dashboard")
    assert response.status_code == 200
    page = response.content.decode()
    summary = response.context["sections"][0].table
    assert [(r[0], r[1], r[2]) for r in summary.rows] == SUMMARY
    assert '<th scope="row">On time (%)</th><td>33.3</td><td>100.0</td>' in page
    assert 'role="img"' in page  # charts are images with a title
    assert town.cases.c3.reference in page  # the oldest open case
    assert "Tardaron mucho" in page
    assert "12345678Z" not in page
    assert "Farolas reparadas en 3 días laborables" in page


def test_summary_csv_has_the_same_figures(town):
    response = get(town.supervisor, "table_csv", table="summary")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Figure", "This period", "Previous period", "Change"]
    got = [(r[0], r[1], r[2]) for r in rows[1:]]
    assert got == [
        (label, str(now), "" if before is None else str(before)) for label, now, before in SUMMARY
    ]


def test_every_table_downloads_as_csv_and_an_unknown_one_is_404(town):
    for key in (
        "volumes",
        "backlog",
        "oldest",
        "satisfaction",
        "department",
        "category",
        "channel",
        "district",
        "agent",
        "charter",
    ):
        assert get(town.supervisor, "table_csv", table=key).status_code == 200
    assert get(town.supervisor, "table_csv", table="salaries").status_code == 404


def test_workbook_has_a_sheet_per_table_with_the_figures(town):
    response = get(town.supervisor, "xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert {"summary", "volumes", "backlog", "department", "agent"} <= set(book.sheetnames)
    rows = list(book["summary"].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1], r[2]) for r in rows] == SUMMARY


def test_pdf_report_contains_the_figures(town):
    response = get(town.supervisor, "pdf")
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for label, now, _before in SUMMARY:
        assert f"{label} {now if now is not None else '—'}" in " ".join(text.split()), label
    assert town.cases.c3.reference in text
    assert "Tardaron mucho" in text
    assert "12345678Z" not in text
    assert "Ana" not in text  # no staff names in the report


def test_an_agent_sees_their_departments_only(town):
    response = get(town.agent_cleaning, "dashboard")
    summary = response.context["sections"][0].table
    assert summary.rows[0][1] == 3
    page = response.content.decode()
    assert "Only the cases of your departments are counted." in page
    assert "Tardaron mucho" not in page


def test_auditor_reads_the_dashboard(town):
    assert get(town.auditor, "dashboard").status_code == 200


def test_anonymous_is_sent_to_sign_in(town):
    response = Client().get(reverse("insights:dashboard"))
    assert response.status_code == 302
    assert "/inbox/login/" in response["Location"]


def test_a_period_ending_before_it_starts_is_refused_clearly(town):
    client = signed_in(town.supervisor)
    with time_machine.travel(NOW, tick=False):
        response = client.get(
            reverse("insights:dashboard"), {"start": "2026-03-31", "end": "2026-03-01"}
        )
    assert response.status_code == 200
    assert "The end of the period is before its start." in response.content.decode()


@pytest.mark.parametrize("period", [{"end": "0001-01-01"}, {"start": "0001-01-01"}])
def test_a_period_past_what_a_date_holds_shows_the_last_30_days(town, period):
    client = signed_in(town.supervisor)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("insights:dashboard"), period)

    assert response.status_code == 200  # a 500 before
    assert "Cases received" in response.content.decode()
