"""First contact: greeting, the privacy notice, consent, the menu."""

from __future__ import annotations

import pytest

from ventanilla.cases.models import Case
from ventanilla.conversations.tests.chat import Resident, labels, texts


def test_first_message_gets_greeting_and_privacy_notice(resident, town):
    replies = resident.send("Hola")

    assert len(replies) == 1
    notice = replies[0].text
    assert notice.startswith("¡Hola! Le atiende Ayuntamiento de Villaverde")
    assert "Responsable: Ayuntamiento de Villaverde, Plaza Mayor 1." in notice
    assert "Conservación: 36 meses" in notice
    assert "https://villaverde.example.org/privacidad" in notice
    assert "acceder, rectificar, suprimir" in notice
    assert "BAJA" in notice
    assert labels(replies[0]) == ["Acepto", "No acepto"]
    assert resident.citizen.consent_at is None


def test_accepting_records_consent_with_version_and_shows_the_menu(resident, town):
    town.council.privacy_notice_version = "2026-03"
    town.council.save()
    resident.send("Hola")

    replies = resident.tap("Acepto")

    citizen = resident.citizen
    assert citizen.consent_at is not None
    assert citizen.consent_version == "2026-03"
    assert len(replies) == 1
    assert "¿En qué podemos ayudarle?" in replies[0].text
    assert labels(replies[0]) == [
        "Comunicar incidencia",
        "Consultar un caso",
        "Pedir un certificado",
        "Recibir avisos",
        "Hablar con persona",
        "Idioma / Language",
    ]


def test_notice_falls_back_to_the_installation_policy_url(channel, town, settings):
    settings.PRIVACY_POLICY_URL = "https://ventanilla.example/privacy"
    town.council.privacy_policy_url = ""
    town.council.save()

    notice = Resident(channel).send("Hola")[0].text

    assert "Política completa: https://ventanilla.example/privacy" in notice


def test_notice_without_any_policy_url_leaves_no_empty_line(channel, town, settings):
    settings.PRIVACY_POLICY_URL = ""
    town.council.privacy_policy_url = ""
    town.council.save()

    notice = Resident(channel).send("Hola")[0].text

    assert "Política completa" not in notice
    assert "\n\n\n" not in notice


def test_first_report_is_kept_through_the_notice(resident, town):
    resident.send("La farola de la calle Mayor 3 está apagada")

    replies = resident.tap("Acepto")

    assert len(replies) == 1
    assert "Entendemos que se trata de: Alumbrado público" in replies[0].text
    resident.tap("Sí, es eso")
    case = Case.objects.get()
    assert case.description == "La farola de la calle Mayor 3 está apagada"
    assert case.department == town.urbanos


def test_writing_after_the_notice_is_consent_and_is_answered(resident, town):
    resident.send("Buenos días")

    replies = resident.send("Hay basura tirada junto al contenedor de la plaza")

    assert resident.citizen.consent_at is not None
    assert "Recogida de residuos" in texts(replies)


def test_declining_records_nothing_and_the_notice_comes_back(resident):
    resident.send("Hola")

    declined = resident.tap("No acepto")
    again = resident.send("Bueno, vale")

    assert resident.citizen.consent_at is None
    assert "Sin su conformidad no podemos atenderle" in declined[0].text
    assert "Antes de empezar, sobre sus datos" in again[0].text


def test_a_new_notice_version_is_shown_again(known, town):
    town.council.privacy_notice_version = "2"
    town.council.save()

    replies = known.send("estado 2026-000001")

    assert replies[0].text.startswith("Hemos actualizado nuestro aviso de privacidad.")
    known.tap("Acepto")
    assert known.citizen.consent_version == "2"
    assert "No encontramos ningún caso con el número 2026-000001" in known.last_replies[0].text


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("Pedir un certificado", "Escriba su DNI o NIE"),  # procedures.chat.CENSUS
        ("Recibir avisos", "Muy pronto podrá suscribirse"),
        ("Consultar un caso", "Escriba el número del caso"),
        ("Comunicar incidencia", "Cuéntenos en un mensaje qué ocurre y dónde"),
    ],
)
def test_menu_options(known, option, expected):
    known.send("menú")

    replies = known.tap(option)

    assert expected in replies[0].text


def test_help_lists_the_commands(known):
    replies = known.send("ayuda")

    assert "ESTADO 2026-000123" in replies[0].text
    assert "BAJA" in replies[0].text


def test_thanks_gets_a_short_answer_not_a_case(known):
    replies = known.send("Muchas gracias!")

    assert replies[0].text.startswith("A usted.")
    assert not Case.objects.exists()


def test_sms_first_report_survives_the_typed_acceptance(sms, town):
    resident = Resident(sms)
    resident.send("Farola apagada en la calle Mayor 3")

    resident.send("1")  # Acepto
    resident.send("1")  # Sí, es eso

    case = Case.objects.get()
    assert case.description == "Farola apagada en la calle Mayor 3"
    assert case.category == town.alumbrado


def test_a_first_photo_is_kept_and_the_description_asked_for(resident, town):
    resident.send(photos=1)

    replies = resident.tap("Acepto")

    assert "Ahora describa brevemente el problema" in replies[0].text
    resident.send("Farola apagada")
    resident.tap("Sí, es eso")
    assert Case.objects.get().messages.filter(attachments__isnull=False).exists()
