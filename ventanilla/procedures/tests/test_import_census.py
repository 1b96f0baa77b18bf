"""`ventanilla import_census`: validation, bad-row report, all or nothing, re-import."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from ventanilla.cases.tests.factories import make_council
from ventanilla.procedures.census import BadIdentityNumber, normalise_identity_number
from ventanilla.procedures.models import AuditEvent, AuditKind, CensusRecord


@pytest.fixture(autouse=True)
def _in_english():
    """Commands and services answer in the active language; these tests read English."""
    with translation.override("en"):
        yield


HEADER = (
    "dni,given_name,surname1,surname2,birth_date,address,district,phone,email,household,"
    "registered_since"
)
LUCIA = "12345678Z,Lucía,García,Puig,1980-03-12,Calle Mayor 3,Centro,600 11 12 22,,H1,2010-01-01"
PERE = "X2482300W,Pere,Martí,,05/11/2001,Calle Mayor 3,Centro,,pere@example.org,H1,"


def write(tmp_path: Path, *lines: str, name: str = "census.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_census", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("typed", "number"),
    [("12.345.678-z", "12345678Z"), ("x-2482300-w", "X2482300W"), ("ES 54362315K", "54362315K")],
)
def test_identity_numbers_are_normalised_as_people_type_them(typed, number):
    assert normalise_identity_number(typed) == number


def test_a_wrong_check_letter_is_told_apart_from_garbage():
    with pytest.raises(BadIdentityNumber) as wrong:
        normalise_identity_number("12345678A")
    assert wrong.value.wrong_letter
    with pytest.raises(BadIdentityNumber) as garbage:
        normalise_identity_number("hola")
    assert not garbage.value.wrong_letter


def test_import_reads_both_date_forms_and_normalises_phones(db, tmp_path):
    council = make_council()
    out, _ = run(write(tmp_path, HEADER, LUCIA, PERE))

    assert "2 new" in out
    lucia = CensusRecord.objects.get(council=council, dni="12345678Z")
    assert lucia.phone == "+34600111222"
    assert lucia.birth_date == dt.date(1980, 3, 12)
    pere = CensusRecord.objects.get(dni="X2482300W")
    assert pere.birth_date == dt.date(2001, 11, 5)
    assert pere.email == "pere@example.org"
    assert AuditEvent.objects.filter(kind=AuditKind.CENSUS_IMPORTED).count() == 1


def test_bad_rows_are_reported_and_nothing_is_imported(db, tmp_path):
    make_council()
    run(write(tmp_path, HEADER, LUCIA))
    bad = write(
        tmp_path,
        HEADER,
        LUCIA.replace("Calle Mayor 3", "Calle Nueva 1"),
        "12345678A,Ana,Ruiz,,1990-01-01,Calle 1,,,,,",
        "X2482300W,Pere,Martí,,31/02/2001,Calle 2,,12,,,",
        name="bad.csv",
    )
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_census", str(bad), stdout=StringIO(), stderr=err)

    report = err.getvalue()
    assert "line 3: dni: The letter of this DNI/NIE does not match its number." in report
    assert "line 4: birth_date: This date does not exist: 31/02/2001" in report
    assert "phone: Not a valid phone number: 12" in report
    assert CensusRecord.objects.get().address == "Calle Mayor 3"  # the good row waited too


def test_columns_are_renamed_with_map(db, tmp_path):
    make_council()
    header = HEADER.replace("dni,", "nif,").replace("birth_date", "nacimiento")
    out, _ = run(
        write(tmp_path, header, LUCIA), "--map", "nif=dni", "--map", "nacimiento=birth_date"
    )
    assert "1 new" in out
    with pytest.raises(CommandError, match="no column dni"):
        run(write(tmp_path, header, LUCIA, name="unmapped.csv"))


def test_a_reimport_updates_and_whoever_left_is_no_longer_certifiable(db, tmp_path):
    make_council()
    run(write(tmp_path, HEADER, LUCIA, PERE))

    out, _ = run(write(tmp_path, HEADER, LUCIA.replace("H1", "H2"), name="2.csv"))

    assert "0 new, 1 changed, 0 unchanged, 1 no longer in the register" in out
    assert CensusRecord.objects.get(dni="12345678Z").household == "H2"
    assert not CensusRecord.objects.get(dni="X2482300W").active

    out, _ = run(write(tmp_path, HEADER, LUCIA.replace("H1", "H2"), PERE, name="3.csv"))
    assert "0 new, 1 changed, 1 unchanged, 0 no longer" in out
    assert CensusRecord.objects.get(dni="X2482300W").active
