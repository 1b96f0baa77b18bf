import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from ventanilla.cases.tests.factories import make_council
from ventanilla.streets.matching import match_address
from ventanilla.streets.models import Street

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """Commands and services answer in the active language; these tests read English."""
    with translation.override("en"):
        yield


GOOD = """street,numbers,lat,lon,district
Calle Mayor,1-49,40.4169,-3.7070,Centro
Calle Mayor,50-120,40.4160,-3.7100,Centro
Plaza 2 de Mayo,,40.4268,-3.7040,Malasaña
Avenida de la Constitución,1-99,40.4100,-3.7000,
"""


def write(tmp_path, text, name="streets.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_streets_loads_the_directory_and_typed_addresses_match_it(tmp_path, capsys):
    council = make_council()
    call_command("import_streets", write(tmp_path, GOOD), council=council.slug)
    assert "4 streets imported" in capsys.readouterr().out
    found = match_address(council=council, text="C/ Mayor 72, 3º B")
    assert found is not None and found.street.number_from == 50
    assert found.address == "Calle Mayor 72, Centro"
    found = match_address(council=council, text="plaza dos de mayo")
    assert found is None  # spelled differently: no guess
    found = match_address(council=council, text="Plaza 2 de Mayo 5")
    assert found is not None and found.street.district == "Malasaña"
    found = match_address(council=council, text="avda constitucion 12")
    assert found is not None and found.number == 12
    assert match_address(council=council, text="Calle Inventada 3") is None


def test_a_file_with_bad_rows_imports_nothing_and_names_each_bad_row(tmp_path, capsys):
    council = make_council()
    call_command("import_streets", write(tmp_path, GOOD), council=council.slug)
    bad = GOOD + "Calle Sin Sitio,,north,-3.7,\nCalle Rara,99-1,40.1,-3.1,\n,,40,-3,\n"
    with pytest.raises(CommandError, match="3 rows are wrong; nothing was imported"):
        call_command("import_streets", write(tmp_path, bad), council=council.slug)
    errors = capsys.readouterr().err
    assert "line 6: the latitude" in errors
    assert "line 7: the range of numbers goes backwards" in errors
    assert "line 8: the street has no name" in errors
    assert Street.objects.of(council).count() == 4  # the old directory is untouched


def test_semicolons_and_spanish_headers_are_read(tmp_path):
    council = make_council()
    text = "calle;numeros;latitud;longitud;distrito\nCarrer Major;1-10;41,38;2,17;Centre\n"
    call_command("import_streets", write(tmp_path, text), council=council.slug)
    street = Street.objects.of(council).get()
    assert (street.latitude, street.longitude, street.district) == (41.38, 2.17, "Centre")


def test_a_file_without_the_needed_columns_is_refused(tmp_path):
    council = make_council()
    with pytest.raises(CommandError, match="missing: latitude, longitude"):
        call_command(
            "import_streets", write(tmp_path, "street\nCalle Mayor\n"), council=council.slug
        )
