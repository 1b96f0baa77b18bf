"""Spanish, Catalan and English: chosen from the hint and the text, switchable."""

from __future__ import annotations

from ventanilla.cases.models import Case
from ventanilla.cases.services import change_status
from ventanilla.cases.workflow import Status
from ventanilla.conversations.tests.chat import Resident, labels


def test_provider_hint_picks_catalan(channel):
    resident = Resident(channel, language_hint="ca")

    notice = resident.send("Hola")[0]

    assert notice.text.startswith("Hola! Us atén Ayuntamiento de Villaverde")
    assert "Abans de començar, sobre les vostres dades" in notice.text
    assert labels(notice) == ["Accepto", "No accepto"]
    assert resident.citizen.language == "ca"


def test_the_text_picks_english_over_a_spanish_hint(channel):
    resident = Resident(channel, language_hint="es")

    notice = resident.send("Hello, the streetlight in front of my house is broken")[0]

    assert "Before we start, about your data" in notice.text
    assert resident.citizen.language == "en"


def test_a_whole_report_in_english(channel, town):
    resident = Resident(channel, language_hint="en")
    resident.send("Hi")
    resident.tap("I accept")

    replies = resident.send("There is rubbish all over the street next to the bin")
    assert "We understand this is about: Waste collection. Is that right?" in replies[0].text
    replies = resident.tap("Yes")

    case = Case.objects.get()
    assert replies[0].text.startswith(
        f"Your report has been registered with number {case.reference} (Waste collection)."
    )
    assert "expected answer by March 24, 2026" in replies[0].text
    change_status(case=case, status=Status.IN_PROGRESS)
    assert (
        resident.outbox()[-1].text
        == f"News about your case {case.reference}: it is now “In progress”."
    )


def test_catalan_report_and_status(channel, town):
    resident = Resident(channel, language_hint="ca")
    resident.send("Bon dia")
    resident.tap("Accepto")

    replies = resident.send("Hi ha un sot molt gran a la vorera del carrer Major")
    assert "Entenem que es tracta de: Sots i voreres" in replies[0].text
    resident.tap("Sí, és això")
    case = Case.objects.get()

    replies = resident.send(f"estat {case.reference}")
    assert replies[0].text.startswith(f"Cas {case.reference} (Sots i voreres)\nEstat: Rebuda")
    assert "Departament: Serveis Urbans" in replies[0].text


def test_english_please_switches_and_repeats_the_question(known):
    known.send("menú")
    known.tap("Comunicar incidencia")

    replies = known.send("English please")

    assert known.citizen.language == "en"
    assert replies[0].text.startswith("OK, from now on we will write to you in English.")
    assert "Tell us in one message what is happening" in replies[0].text
    assert known.state["step"] == "report.describe"


def test_en_catala_and_en_espanol(known):
    known.send("en català")
    assert known.citizen.language == "ca"

    replies = known.send("en español")
    assert known.citizen.language == "es"
    assert "le escribiremos en español" in replies[0].text


def test_language_from_the_menu(known):
    known.send("menú")
    replies = known.tap("Idioma / Language")
    assert labels(replies[0]) == ["Español", "Català", "English"]

    replies = known.tap("Català")

    assert known.citizen.language == "ca"
    assert "En què us podem ajudar?" in replies[0].text


def test_language_switch_before_consent_shows_the_notice_again(resident):
    resident.send("Hola")

    replies = resident.send("English please")

    assert resident.citizen.consent_at is None
    assert "Before we start, about your data" in replies[-1].text


def test_a_long_message_in_another_language_is_answered_in_it(known):
    replies = known.send("The streetlight on my corner has been off for three nights")

    assert known.citizen.language == "en"
    assert "We understand this is about: Street lighting" in replies[0].text


def test_languages_the_council_does_not_use_are_not_offered(channel, town):
    town.council.languages = "es,ca"
    town.council.save()
    resident = Resident(channel, language_hint="en")
    resident.accept_notice()

    resident.send("menú")

    replies = resident.tap("Idioma / Language")

    assert labels(replies[0]) == ["Español", "Català"]
