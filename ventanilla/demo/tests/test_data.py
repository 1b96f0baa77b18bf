import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from ventanilla.cases.models import Case, Category, Department, Staff
from ventanilla.core.models import Council

pytestmark = pytest.mark.django_db(transaction=True)


def counts():
    return [m.objects.count() for m in (Council, Department, Category, Staff, Case)]


def test_demo_data_loads_twice_without_failing_or_duplicating(capsys):
    call_command("demo", no_serve=True)
    first = counts()
    assert first[2] == 12 and first[4] >= 5
    call_command("demo", no_serve=True)
    assert counts() == first
    printed = capsys.readouterr().out
    assert "agente.urbanos" in printed and "demo-urbanos-2026" in printed
    assert authenticate(username="agente.urbanos", password="demo-urbanos-2026") is not None
