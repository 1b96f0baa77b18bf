"""Slips a new user met in the chat (issue 10): each one a resident's sentence and its answer."""

from __future__ import annotations

import datetime as dt

from django.test import override_settings
from django.utils import timezone

from ventanilla.cases.models import Case, CaseEvent, Note
from ventanilla.cases.services import change_status
from ventanilla.cases.tests.factories import make_case
from ventanilla.cases.workflow import Status
from ventanilla.conversations.tests.chat import Resident, labels


def resolved_streetlight(resident, town) -> Case:
    case = make_case(
        category=town.alumbrado, urn=resident.conversation_urn, description="Farola apagada"
    )
    change_status(case=case, status=Status.IN_PROGRESS)
    change_status(case=case, status=Status.RESOLVED)
    case.refresh_from_db()
    return case


# -- the open question wins -----------------------------------------------------------


def test_a_typed_score_answers_the_survey_even_with_a_status_query_left_open(known, town):
    case = make_case(category=town.alumbrado, urn=known.conversation_urn)
    known.send("menú")
    known.tap("Consultar un caso")  # the status question is left open
    change_status(case=case, status=Status.IN_PROGRESS)
    change_status(case=case, status=Status.RESOLVED)  # the survey is asked after it

    replies = known.send("4")

    case.refresh_from_db()
    assert case.satisfaction == 4
    assert replies[0].text.startswith("Gracias. ¿Quiere añadir un comentario?")


# -- status queries -------------------------------------------------------------------


def test_a_reference_anywhere_in_a_sentence_is_a_status_query(known, town):
    case = make_case(category=town.alumbrado, urn=known.conversation_urn)

    replies = known.send(f"¿Cómo va lo de la farola? {case.reference}")

    assert replies[0].text.startswith(f"Caso {case.reference} (Alumbrado público)\nEstado:")
    assert known.message.case is None  # not added to the case as a new message


def test_a_reference_in_a_sentence_from_a_stranger_gets_the_not_found_answer(known, channel, town):
    case = make_case(category=town.alumbrado, urn=known.conversation_urn)
    stranger = Resident(channel)
    stranger.accept_notice()

    replies = stranger.send(f"¿Cómo va lo de la farola? {case.reference}")

    assert len(replies) == 1
    assert replies[0].case is None
    assert replies[0].text.startswith(f"No encontramos ningún caso con el número {case.reference}")
    assert not Case.objects.filter(citizen=stranger.citizen).exists()


def test_a_bare_status_word_lists_the_residents_open_cases(known, town):
    lamp = make_case(category=town.alumbrado, urn=known.conversation_urn)
    hole = make_case(category=town.baches, urn=known.conversation_urn, description="Bache")
    done = resolved_streetlight(known, town)

    for word in ("ESTADO", "estat", "Status"):
        replies = known.send(word)
        assert lamp.reference in replies[0].text, word
        assert hole.reference in replies[0].text, word
        assert done.reference not in replies[0].text, word
        assert set(labels(replies[0])) == {lamp.reference, hole.reference}

    replies = known.tap(hole.reference)
    assert replies[0].text.startswith(f"Caso {hole.reference} (Baches y aceras)")


def test_a_bare_status_word_without_open_cases_says_so(known):
    replies = known.send("estado")

    assert replies[0].text.startswith("No tiene ningún caso abierto")
    assert not Case.objects.exists()


def test_a_status_question_in_words_is_answered_not_attached(known, town):
    case = make_case(category=town.alumbrado, urn=known.conversation_urn)
    known.send("English please")

    replies = known.send("what is the status of my report?")

    assert replies[0].text.startswith(f"Case {case.reference} (Street lighting)\nStatus:")
    assert known.message.case is None
    assert Case.objects.count() == 1


def test_the_state_of_a_pavement_is_still_a_report(known, town):
    known.send("El estado de la acera de la calle Mayor es lamentable")

    assert "Baches y aceras" in known.last_replies[0].text


# -- still not fixed after resolution -------------------------------------------------


def test_still_not_fixed_after_resolution_offers_to_reopen_and_reopens(known, town):
    case = resolved_streetlight(known, town)

    replies = known.send("Pues la farola sigue apagada")

    assert replies[0].text == (
        f"Su incidencia {case.reference} (Alumbrado público) consta como resuelta. "
        "¿Quiere que la reabramos?"
    )
    assert labels(replies[0]) == ["Reabrir", "Es algo nuevo"]
    complaint = known.message

    replies = known.tap("Reabrir")

    case.refresh_from_db()
    assert case.status == Status.REOPENED
    complaint.refresh_from_db()
    assert complaint.case == case
    assert replies[0].text == (
        f"Novedades sobre su incidencia {case.reference}: ahora está «Reabierta»."
    )
    assert Case.objects.count() == 1


@override_settings(REOPEN_WINDOW_DAYS=30)
def test_after_the_window_a_new_case_linked_to_the_old_one_is_opened(known, town, time_machine):
    old = resolved_streetlight(known, town)
    time_machine.move_to(timezone.now() + dt.timedelta(days=31))

    known.send("La farola sigue apagada")
    replies = known.tap("Reabrir")

    old.refresh_from_db()
    assert old.status == Status.RESOLVED
    new = Case.objects.exclude(pk=old.pk).get()
    assert new.category == town.alumbrado
    assert new.citizen == known.citizen
    assert old.reference in Note.objects.get(case=new).text
    assert new.reference in Note.objects.get(case=old).text
    assert replies[0].text.startswith(
        f"Su incidencia ha quedado registrada con el número {new.reference}"
    )
    assert old.reference in replies[0].text


def test_the_resident_may_say_it_is_something_new(known, town):
    case = resolved_streetlight(known, town)
    known.send("La farola sigue apagada")

    known.tap("Es algo nuevo")

    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    assert not CaseEvent.objects.filter(case=case, to_value=Status.REOPENED).exists()
    assert known.state["step"].startswith("report.")
