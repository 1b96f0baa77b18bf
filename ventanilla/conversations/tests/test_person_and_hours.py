"""Talk to a person, and what a resident hears outside office hours."""

from __future__ import annotations

import time_machine

from ventanilla.cases.models import Case
from ventanilla.conversations.dialog import release_handoff
from ventanilla.conversations.tests.chat import local
from ventanilla.core.models import Holiday


def test_talk_to_a_person_marks_the_conversation_and_the_bot_steps_back(known):
    replies = known.send("Quiero hablar con una persona")

    assert replies[0].text.startswith("De acuerdo. Una persona del ayuntamiento leerá")
    assert "oficina está cerrada" not in replies[0].text
    assert "handoff" in known.state
    assert known.send("Es sobre una multa que me pusieron") == []
    assert not Case.objects.exists()


def test_the_menu_brings_the_bot_back(known):
    known.send("menú")
    known.tap("Hablar con persona")

    replies = known.send("menú")

    assert "¿En qué podemos ayudarle?" in replies[0].text
    assert "handoff" not in known.state


def test_staff_release_the_conversation_to_the_bot(known):
    known.send("persona")

    release_handoff(conversation=known.conversation)

    assert "handoff" not in known.state
    assert known.send("Farola apagada en la plaza") != []


def test_a_case_opened_on_saturday_says_when_staff_will_answer(known, town):
    with time_machine.travel(local(2026, 3, 14, 18, 30), tick=True):  # Saturday evening
        known.send("Farola apagada en la plaza")
        replies = known.tap("Sí, es eso")

    assert replies[0].text.endswith(
        "Ahora la oficina está cerrada (abre los días laborables de 09:00 a 14:00). El personal "
        "le responderá a partir del lunes, 16 de marzo de 2026 a las 09:00."
    )


def test_a_person_asked_for_on_a_holiday_eve_in_catalan(known, town):
    Holiday.objects.create(council=town.council, date=local(2026, 3, 11, 0).date(), name="Festa")
    known.send("en català")
    with time_machine.travel(local(2026, 3, 10, 15, 0), tick=True):  # Tuesday afternoon
        replies = known.send("Parlar amb una persona")

    assert (
        "L'oficina és tancada" in replies[0].text or "Ara l'oficina és tancada" in replies[0].text
    )
    assert "a partir del dijous, 12 de març del 2026 a les 09:00" in replies[0].text
