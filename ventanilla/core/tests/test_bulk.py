import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from ventanilla.core.bulk import db_value, insert_rows
from ventanilla.core.models import Council, Holiday

pytestmark = pytest.mark.django_db


@pytest.fixture
def council() -> Council:
    return Council.objects.create(name="Vilanova", slug="vilanova", jurisdiction_id="vilanova.cat")


def holiday_rows(council: Council, *days: int) -> list[tuple[object, ...]]:
    return [
        (council.pk, db_value(Holiday, "date", dt.date(2026, 12, day)), f"Fiesta {day}")
        for day in days
    ]


def test_rows_are_inserted_as_given(council: Council) -> None:
    assert insert_rows(Holiday, ("council", "date", "name"), holiday_rows(council, 6, 8)) == 2

    assert list(Holiday.objects.values_list("date", "name")) == [
        (dt.date(2026, 12, 6), "Fiesta 6"),
        (dt.date(2026, 12, 8), "Fiesta 8"),
    ]


def test_a_row_another_writer_inserted_first_is_djangos_integrity_error_and_undoes_all(
    council: Council,
) -> None:
    # Callers fall back to one-by-one on IntegrityError: on PostgreSQL's COPY too, the
    # driver's own error must reach them as Django's.
    Holiday.objects.create(council=council, date=dt.date(2026, 12, 8), name="Inmaculada")

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Holiday, ("council", "date", "name"), holiday_rows(council, 6, 8))

    assert list(Holiday.objects.values_list("name", flat=True)) == ["Inmaculada"]
