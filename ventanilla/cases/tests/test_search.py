import pytest

from ventanilla.cases import services
from ventanilla.cases.models import Case
from ventanilla.cases.search import case_search
from ventanilla.cases.tests.factories import make_case, make_category, make_council
from ventanilla.cases.workflow import Status
from ventanilla.citizens.services import add_identity

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases():
    council = make_council()
    category = make_category(council=council)
    lamp = make_case(category=category, description="Farola apagada", urn="whatsapp:34600111222")
    lamp.citizen.name = "Lucía Martín"
    lamp.citizen.save()
    services.change_status(case=lamp, status=Status.IN_PROGRESS)
    services.change_status(case=lamp, status=Status.RESOLVED)
    noise = make_case(
        category=category, description="Ruido", urn="tel:+34911222333", address="Calle Mayor 3"
    )
    other = make_case(category=make_category(council=make_council()), urn="whatsapp:34600111222")
    return council, lamp, noise, other


def found(council, text):
    return set(
        Case.objects.of(council)
        .filter(case_search(text, council=council))
        .values_list("pk", flat=True)
    )


@pytest.mark.parametrize(
    "phone", ["600111222", "600 11 12 22", "+34 600-111-222", "0034600111222", "(+34) 600.111.222"]
)
def test_a_phone_in_any_format_finds_the_residents_cases_of_any_status(cases, phone):
    council, lamp, noise, other = cases
    assert found(council, phone) == {lamp.pk}


def test_name_street_reference_and_words_find_cases(cases):
    council, lamp, noise, _other = cases
    assert found(council, "lucía mart") == {lamp.pk}
    assert found(council, "mayor") == {noise.pk}
    assert found(council, "911 22 23 33") == {noise.pk}
    assert found(council, lamp.reference) == {lamp.pk}
    assert found(council, "farola") == {lamp.pk}
    assert found(council, "nada de esto") == set()


def test_a_second_identity_of_the_resident_finds_them_too(cases):
    council, lamp, _noise, _other = cases
    add_identity(citizen=lamp.citizen, urn="tel:+34699000111")
    assert found(council, "699 000 111") == {lamp.pk}
