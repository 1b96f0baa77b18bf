"""Attach, don't duplicate: messages about an open case go to that case."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ventanilla.cases.models import Case
from ventanilla.cases.services import change_status
from ventanilla.cases.workflow import Status
from ventanilla.conversations.models import Direction


def report_streetlight(resident) -> Case:
    resident.send("La farola de mi portal está apagada")
    resident.tap("Sí, es eso")
    return Case.objects.get(citizen=resident.citizen)


def test_a_follow_up_right_after_the_reference_is_added_to_the_case(known):
    case = report_streetlight(known)

    replies = known.send("Está justo delante del número 5")

    assert Case.objects.count() == 1
    assert known.message.case == case
    assert replies[0].text == f"Hemos añadido su mensaje a la incidencia {case.reference}."


def test_a_photo_or_a_place_alone_is_added_to_the_open_case(known, time_machine):
    case = report_streetlight(known)
    known.send("Hola")  # the menu comes in between
    time_machine.move_to(timezone.now() + dt.timedelta(days=2))

    known.send(photos=1)
    known.send(location=(40.0, -3.0))

    assert Case.objects.count() == 1
    assert case.messages.filter(direction=Direction.IN, attachments__isnull=False).count() == 1
    assert case.messages.filter(direction=Direction.IN, latitude=40.0).count() == 1


def test_more_about_the_same_kind_of_thing_is_added(known, time_machine):
    case = report_streetlight(known)
    known.send("Hola")
    time_machine.move_to(timezone.now() + dt.timedelta(days=1))

    known.send("La farola sigue sin luz")

    assert Case.objects.count() == 1
    assert known.message.case == case


def test_when_unclear_the_resident_is_asked_and_can_add_it(known):
    case = report_streetlight(known)
    known.send("Hola")

    replies = known.send("Y el contenedor de la esquina está roto")

    assert replies[0].text == (
        f"¿Su mensaje es sobre la incidencia {case.reference} (Alumbrado público) o es algo nuevo?"
    )
    question = known.message
    assert [c["label"] for c in replies[0].payload["choices"]] == [
        f"Sobre {case.reference}",
        "Algo nuevo",
    ]
    known.tap(f"Sobre {case.reference}")
    question.refresh_from_db()
    assert question.case == case
    assert Case.objects.count() == 1


def test_when_unclear_the_resident_can_start_something_new(known, town):
    report_streetlight(known)
    known.send("Hola")
    known.send("Y el contenedor de la esquina está roto")

    replies = known.tap("Algo nuevo")

    assert "Entendemos que se trata de: Recogida de residuos" in replies[0].text
    known.tap("Sí, es eso")
    new = Case.objects.get(category=town.residuos)
    assert new.description == "Y el contenedor de la esquina está roto"
    assert Case.objects.count() == 2


def test_a_case_waiting_for_the_resident_takes_the_answer(known):
    case = report_streetlight(known)
    change_status(case=case, status=Status.WAITING_RESIDENT, comment="¿Qué número de farola?")
    known.send("Hola")  # the menu comes in between

    known.send("Es la número 14, la del parque")

    assert known.message.case == case


def test_outside_the_window_a_new_case_is_opened(known, settings, time_machine):
    settings.ATTACH_WINDOW_DAYS = 7
    report_streetlight(known)
    time_machine.move_to(timezone.now() + dt.timedelta(days=8))

    known.send("La farola de mi portal sigue apagada")
    known.tap("Sí, es eso")

    assert Case.objects.count() == 2


def test_a_closed_case_takes_nothing(known):
    case = report_streetlight(known)
    change_status(case=case, status=Status.IN_PROGRESS)
    change_status(case=case, status=Status.RESOLVED)

    replies = known.send("La farola del parque también está apagada")

    assert "Entendemos que se trata de: Alumbrado público" in replies[0].text
