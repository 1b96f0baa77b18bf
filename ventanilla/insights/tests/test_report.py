"""The command-line report: a PDF that opens and holds the figures."""

import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from ventanilla.insights.report import period_of
from ventanilla.insights.tests.conftest import NOW

pytestmark = pytest.mark.django_db


def text_of(path):
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_monthly_report_holds_the_figures(town, tmp_path):
    out = tmp_path / "march.pdf"
    with time_machine.travel(NOW, tick=False):
        call_command(
            "report",
            council="villaverde",
            period="2026-03",
            out=out,
            language="en",
            stdout=io.StringIO(),
        )
    text = text_of(out)
    assert "Service report from March 1, 2026 to March 31, 2026" in text
    assert "Cases received 5 2 3" in text
    assert "On time (%) 33.3 100.0 -66.7" in text
    assert "Resolution, 90th percentile (working days) 3.8 1.0 2.8" in text
    assert "Farolas reparadas en 3 días laborables" in text  # the charter
    assert "Worst-performing categories" in text
    assert town.cases.c3.reference in text  # oldest open, by reference
    assert "Tardaron mucho" in text and "12345678Z" not in text


def test_annual_report(town, tmp_path):
    out = tmp_path / "2026.pdf"
    with time_machine.travel(NOW, tick=False):
        call_command(
            "report",
            council="villaverde",
            period="2026",
            out=out,
            language="en",
            stdout=io.StringIO(),
        )
    text = text_of(out)
    assert "Jan. 1, 2026 to Dec. 31, 2026" in text
    assert "Cases received 7 0" in text


@pytest.mark.parametrize("period", ["2026-13", "26", "2026-3-1", "marzo"])
def test_a_wrong_period_is_refused(period):
    with pytest.raises(ValueError, match="A period is a month"):
        period_of(period)


def test_an_unknown_council_is_refused_and_nothing_is_written(db, tmp_path):
    out = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match="no council"):
        call_command("report", council="nowhere", period="2026-03", out=out)
    assert not out.exists()
