"""The history keeps ids; the words shown are today's."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from ventanilla.cases import services
from ventanilla.cases.history import history_lines
from ventanilla.cases.models import CaseEvent
from ventanilla.cases.tests.factories import (
    make_case,
    make_category,
    make_council,
    make_department,
)

pytestmark = pytest.mark.django_db

migration = importlib.import_module("ventanilla.cases.migrations.0004_department_history_ids")


def test_a_renamed_department_shows_its_new_name_in_the_history():
    council = make_council()
    case = make_case(category=make_category(council=council))
    roads = make_department(council=council, name="Vías Públicas")
    services.transfer_case(case=case, department=roads)
    roads.name_es = "Movilidad"
    roads.save()
    (line,) = history_lines(case.events.filter(kind=CaseEvent.Kind.DEPARTMENT))
    assert line.before == case.category.department.name and line.after == "Movilidad"


def test_the_migration_turns_department_names_into_ids_within_the_case_council():
    here, there = make_council(), make_council()
    old = make_department(council=here, name="Obras")
    new = make_department(council=here, name="Movilidad")
    make_department(council=there, name="Obras")  # same name in another council
    case = make_case(category=make_category(council=here, department=old))
    event = CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.DEPARTMENT, from_value="Obras", to_value="Movilidad"
    )
    gone = CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.DEPARTMENT, from_value="Movilidad", to_value="Cerrado"
    )
    migration.names_to_ids(apps, None)
    event.refresh_from_db()
    gone.refresh_from_db()
    assert (event.from_value, event.to_value) == (str(old.pk), str(new.pk))
    assert (gone.from_value, gone.to_value) == (str(new.pk), "Cerrado")  # no such department
    migration.ids_to_names(apps, None)
    event.refresh_from_db()
    assert (event.from_value, event.to_value) == ("Obras", "Movilidad")
