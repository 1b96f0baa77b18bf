"""Status queries: the owner sees their case; anyone else hears "not found"."""

from __future__ import annotations

from ventanilla.cases.services import change_status
from ventanilla.cases.tests.factories import make_case
from ventanilla.cases.workflow import Status
from ventanilla.conversations.tests.chat import Resident


def test_owner_gets_status_department_and_expected_date_never_an_internal_note(known, town):
    case = make_case(category=town.alumbrado, urn=known.conversation_urn)
    change_status(case=case, status=Status.IN_PROGRESS, comment="Vecino conflictivo, ojo.")

    replies = known.send(f"estado {case.reference}")

    assert replies[0].text == (
        f"Caso {case.reference} (Alumbrado público)\n"
        "Estado: En curso\n"
        "Departamento: Servicios Urbanos\n"
        "Fecha prevista: 17 de marzo de 2026"
    )
    assert replies[0].case == case


def test_stranger_gets_exactly_the_not_found_answer(known, channel, town):
    case = make_case(category=town.alumbrado, urn=known.conversation_urn)
    stranger = Resident(channel)
    stranger.accept_notice()

    about_someone_elses = stranger.send(f"estado {case.reference}")[0]
    about_nothing = stranger.send("estado 2026-999999")[0]

    assert about_someone_elses.case is None
    assert about_someone_elses.text.replace(case.reference, "N") == about_nothing.text.replace(
        "2026-999999", "N"
    )
    assert about_nothing.text.startswith("No encontramos ningún caso con el número 2026-999999")


def test_status_words_and_short_numbers(known, town):
    case = make_case(category=town.alumbrado, urn=known.conversation_urn)
    number = int(case.reference.split("-")[1])

    for text in (f"Estat {case.reference}", f"STATUS 2026-{number}", case.reference):
        replies = known.send(text)
        assert replies[0].text.startswith(f"Caso {case.reference}"), text


def test_status_from_the_menu_offers_own_recent_cases(known, town):
    case = make_case(category=town.baches, urn=known.conversation_urn)
    known.send("menú")

    replies = known.tap("Consultar un caso")
    assert [c["label"] for c in replies[0].payload["choices"]] == [case.reference]

    replies = known.tap(case.reference)
    assert "Estado: Recibida" in replies[0].text


def test_status_from_the_menu_with_a_typed_number(known, town):
    case = make_case(category=town.baches, urn=known.conversation_urn)
    known.send("menú")
    known.tap("Consultar un caso")

    replies = known.send(f"Es el {case.reference}")

    assert "Estado: Recibida" in replies[0].text


def test_a_resolved_case_shows_no_expected_date(known, town):
    case = make_case(category=town.alumbrado, urn=known.conversation_urn)
    change_status(case=case, status=Status.IN_PROGRESS)
    change_status(case=case, status=Status.RESOLVED)

    replies = known.send(f"estado {case.reference}")

    assert "Estado: Resuelta" in replies[0].text
    assert "Fecha prevista" not in replies[0].text


def test_no_number_in_the_answer(known):
    known.send("menú")
    known.tap("Consultar un caso")

    replies = known.send("no me acuerdo")

    assert "No reconocemos el número" in replies[0].text
    assert known.state["step"] == "idle"
