"""Updates: staff change a case, the resident is told; on resolution, the survey."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ventanilla.cases.services import assign_case, change_status, transfer_case
from ventanilla.cases.tests.factories import make_case, make_staff
from ventanilla.cases.workflow import Status
from ventanilla.conversations.models import Message
from ventanilla.conversations.tests.chat import Resident, labels, make_channel


def reported(resident, town):
    resident.send("Farola apagada en la plaza")
    resident.tap("Sí, es eso")
    case = resident.citizen.cases.get()
    return case, resident.outbox()[-1].pk


def test_status_change_tells_the_resident_with_the_reference(known, town):
    case, last = reported(known, town)
    agent = make_staff(council=town.council, departments=(town.urbanos,))

    change_status(
        case=case,
        status=Status.IN_PROGRESS,
        by=agent,
        comment="Nota interna: el vecino ya llamó dos veces",
        resident_message="Revisamos la farola",
    )

    update = known.outbox(after=last)
    assert len(update) == 1
    assert update[0].text == (
        f"Novedades sobre su incidencia {case.reference}: ahora está «En curso».\n"
        "Comentario del ayuntamiento: Revisamos la farola"
    )
    assert update[0].case == case
    assert update[0].author == agent and not update[0].is_automatic  # staff's own words


def test_a_status_comment_is_an_internal_note_never_sent(known, town):
    case, last = reported(known, town)
    agent = make_staff(council=town.council, departments=(town.urbanos,))

    change_status(case=case, status=Status.IN_PROGRESS, by=agent, comment="Vecino conflictivo")

    [update] = known.outbox(after=last)
    assert update.text == f"Novedades sobre su incidencia {case.reference}: ahora está «En curso»."
    assert update.is_automatic


def test_internal_changes_are_not_told(known, town):
    case, last = reported(known, town)
    agent = make_staff(council=town.council, departments=(town.urbanos,))

    assign_case(case=case, agent=agent, by=agent)
    transfer_case(case=case, department=town.atencion, by=agent)

    assert known.outbox(after=last) == []


def test_resolution_tells_and_asks_for_satisfaction_which_is_stored(known, town):
    case, last = reported(known, town)
    change_status(case=case, status=Status.IN_PROGRESS)
    last = known.outbox()[-1].pk

    change_status(case=case, status=Status.RESOLVED, resident_message="Cambiada la bombilla.")

    resolved, survey = known.outbox(after=last)
    assert resolved.text == (
        f"Su incidencia {case.reference} ha quedado resuelta. Gracias por avisarnos.\n"
        "Comentario del ayuntamiento: Cambiada la bombilla."
    )
    assert survey.text.startswith(f"¿Cómo valora la gestión de la incidencia {case.reference}?")
    assert labels(survey) == ["1", "2", "3", "4", "5"]

    replies = known.tap("4")
    assert "¿Quiere añadir un comentario?" in replies[0].text
    case.refresh_from_db()
    assert case.satisfaction == 4

    replies = known.send("Muy rápidos, gracias")
    assert replies[0].text.startswith("Gracias por su valoración")
    case.refresh_from_db()
    assert (case.satisfaction, case.satisfaction_comment) == (4, "Muy rápidos, gracias")
    assert "survey" not in known.state


def test_survey_comment_is_optional(known, town):
    case, _ = reported(known, town)
    change_status(case=case, status=Status.IN_PROGRESS)
    change_status(case=case, status=Status.RESOLVED)
    known.tap("5")

    replies = known.tap("No, gracias")

    case.refresh_from_db()
    assert (case.satisfaction, case.satisfaction_comment) == (5, "")
    assert replies[0].text.startswith("Gracias por su valoración")


def test_sms_resident_rates_by_typing_the_number(sms, town):
    resident = Resident(sms)
    resident.send("Hola")
    resident.send("1")
    case, _ = reported(resident, town)
    change_status(case=case, status=Status.IN_PROGRESS)
    change_status(case=case, status=Status.RESOLVED)

    resident.send("2")
    resident.send("No vinieron hasta el viernes")

    case.refresh_from_db()
    assert (case.satisfaction, case.satisfaction_comment) == (2, "No vinieron hasta el viernes")


def test_survey_buttons_work_in_the_middle_of_another_report(known, town):
    case, _ = reported(known, town)
    change_status(case=case, status=Status.IN_PROGRESS)
    known.send("menú")
    known.tap("Comunicar incidencia")
    change_status(case=case, status=Status.RESOLVED)

    known.tap("3")

    case.refresh_from_db()
    assert case.satisfaction == 3


def test_a_message_that_is_not_a_score_goes_on_as_usual(known, town):
    case, _ = reported(known, town)
    change_status(case=case, status=Status.IN_PROGRESS)
    change_status(case=case, status=Status.RESOLVED)

    replies = known.send("Ahora hay un bache en la calle Luna")

    assert "Baches y aceras" in replies[0].text
    case.refresh_from_db()
    assert case.satisfaction is None


def test_update_goes_to_the_case_channel_in_the_resident_language(channel, town):
    resident = Resident(channel, language_hint="ca")
    resident.send("Bon dia")
    resident.tap("Accepto")
    resident.send("El fanal del meu carrer no s'encén")
    resident.tap("Sí, és això")
    case = resident.citizen.cases.get()
    other = make_channel(town.council, "line")
    Resident(other, urn="line:U" + "a" * 32).send("Hola")  # an unrelated conversation

    change_status(case=case, status=Status.IN_PROGRESS)

    update = resident.outbox()[-1]
    assert (
        update.text == f"Novetats sobre la vostra incidència {case.reference}: ara està «En curs»."
    )


def test_a_case_without_a_resident_or_conversation_tells_nobody(town):
    case = make_case(category=town.alumbrado)
    orphan = make_case(category=town.alumbrado, urn="telegram:99")  # never wrote to us

    change_status(case=case, status=Status.IN_PROGRESS)
    change_status(case=orphan, status=Status.IN_PROGRESS)

    assert not Message.objects.exists()


def test_whatsapp_after_24_hours_needs_a_template(town, time_machine):
    whatsapp = make_channel(town.council, "whatsapp")
    resident = Resident(whatsapp)
    resident.accept_notice()
    case, last = reported(resident, town)
    time_machine.move_to(timezone.now() + dt.timedelta(hours=25))

    change_status(case=case, status=Status.IN_PROGRESS)  # the staff's change is not undone

    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert resident.outbox(after=last) == []

    whatsapp.options = {"case_update_template": "case_update"}
    whatsapp.save()
    change_status(case=case, status=Status.RESOLVED)

    update = resident.outbox(after=last)
    assert len(update) == 1  # the template; the survey needs an open window
    assert update[0].payload["template"] == {
        "name": "case_update",
        "language": "es",
        "parameters": [case.reference, "Resuelta"],
    }
