"""`ventanilla add_department` and `add_category`: a council's organisation from the terminal."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from ventanilla.cases.models import Category, Department
from ventanilla.cases.services import open_case
from ventanilla.cases.tests.factories import make_council

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def council():
    return make_council(slug="villaverde", name="Villaverde")


def test_a_council_is_organised_from_the_terminal_and_takes_a_case(council):
    run("add_department", "Servicios Urbanos", "--name-ca=Serveis Urbans", "--name-en=Works")
    output = run(
        "add_category",
        "streetlight",
        "--department=servicios urbanos",
        "--name=Alumbrado público",
        "--name-en=Street lighting",
        "--resolution-days=5",
        "--keyword=farola",
        "--keyword=luz",
    )
    assert "Alumbrado público (streetlight) created for Works" in output  # in English
    category = Category.objects.get(council=council, code="streetlight")
    assert category.department == Department.objects.get(name_ca="Serveis Urbans")
    assert (category.resolution_days, category.keywords) == (5, "farola\nluz")
    assert category.public_by_default
    case = open_case(category=category, description="Farola apagada")
    assert case.department.name_en == "Works"


def test_a_second_department_with_the_same_name_is_refused_and_nothing_changes(council):
    run("add_department", "Policía Local")
    with pytest.raises(CommandError, match="already has a department"):
        run("add_department", "policía local")
    assert Department.objects.filter(council=council).count() == 1


def test_a_category_for_an_unknown_department_or_a_taken_code_is_refused(council):
    run("add_department", "Policía Local")
    with pytest.raises(CommandError, match="has no department 'Bomberos'"):
        run("add_category", "fire", "--department=Bomberos", "--name=Incendio")
    run("add_category", "noise", "--department=Policía Local", "--name=Ruido", "--private")
    with pytest.raises(CommandError, match="already has a category with code 'noise'"):
        run("add_category", "noise", "--department=Policía Local", "--name=Ruidos")
    assert list(Category.objects.values_list("code", "public_by_default")) == [("noise", False)]


def test_a_deadline_of_zero_is_refused(council):
    run("add_department", "Policía Local")
    with pytest.raises(CommandError, match="at least one working day"):
        run("add_category", "x", "--department=Policía Local", "--name=X", "--resolution-days=0")
    assert not Category.objects.exists()
