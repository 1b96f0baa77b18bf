"""SMS is billed per segment: every bot text sent by SMS fits in two."""

from __future__ import annotations

import pytest

from ventanilla.channels.segments import count_segments
from ventanilla.conversations.bot_templates import DEFAULTS, LANGUAGES, fill
from ventanilla.conversations.dialog.consent import notice_url
from ventanilla.conversations.models import BotTemplate
from ventanilla.conversations.tests.chat import Resident, make_channel

#: long but real values for every placeholder
SAMPLE = {
    "council": "Ayuntamiento de Villaverde del Río",
    "controller": "Ayuntamiento de Villaverde del Río, Plaza Mayor 1",
    "retention_months": 36,
    "policy_line": "",
    "notice_url": "https://villaverde-del-rio.example.org/privacy/",
    "url": "https://villaverde-del-rio.example.org/privacidad",
    "reference": "2026-000123",
    "old_reference": "2026-000122",
    "category": "Agua y alcantarillado",
    "department": "Atención Ciudadana",
    "due_date": "17 de septiembre de 2026",
    "status": "Pendiente de su respuesta",
    "note": "La brigada irá el jueves.",
    "date": "miércoles, 17 de septiembre de 2026",
    "time": "09:00",
    "opens": "09:00",
    "closes": "14:00",
    "count": 3,
    "comment": "Cambiada la bombilla.",
    "cases": "• 2026-000123 (Alumbrado público): En curso\n• 2026-000124 (Baches): Recibida",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_default_sms_text_fits_in_two_segments(language):
    too_long = {}
    for key, default in DEFAULTS.items():
        text = fill(default.sms_text(language) or default.text(language), SAMPLE)
        if count_segments(text).segments > 2:
            too_long[key] = count_segments(text)
    assert too_long == {}


def test_sms_residents_read_the_short_notice_with_a_link_to_the_portal(town):
    sms = Resident(make_channel(town.council, "twilio"))

    notice = sms.send("Hola")[0]

    assert notice_url(town.council) + "\n" in notice.text
    assert notice_url(town.council).endswith("/privacy/")
    assert "Tratamos sus datos" in notice.text
    assert "Responsable" not in notice.text  # the full notice stays on the portal
    assert count_segments(notice.text).segments <= 3  # the greeting goes with it


def test_other_channels_and_whatsapp_through_twilio_read_the_full_notice(town):
    telegram = Resident(make_channel(town.council, "telegram"))
    whatsapp_by_twilio = Resident(make_channel(town.council, "twilio"), urn="whatsapp:34600999888")

    for resident in (telegram, whatsapp_by_twilio):
        notice = resident.send("Hola")[0]
        assert "Responsable: Ayuntamiento de Villaverde" in notice.text


def test_sms_reference_is_short(town):
    sms = Resident(make_channel(town.council, "twilio"))
    sms.accept_notice()

    sms.send("Hay una farola apagada en la calle Mayor")
    created = sms.tap("Sí, es eso")[0]

    case = sms.citizen.cases.get()
    assert created.text.startswith(f"Registrada: {case.reference} (Alumbrado público)")


def test_an_edited_sms_text_is_what_sms_residents_read(town):
    sms = Resident(make_channel(town.council, "twilio"))
    sms.accept_notice()
    BotTemplate.objects.filter(council=town.council, key="help", language="es").update(
        sms_text="Escriba MENÚ."
    )

    assert sms.send("ayuda")[0].text == "Escriba MENÚ."


def test_the_portal_shows_the_full_notice(town, client):
    response = client.get("/privacy/")

    assert response.status_code == 200
    assert "Ayuntamiento de Villaverde" in response.content.decode()  # the controller


def test_admin_shows_the_sms_segments_of_each_text(town, admin_client):
    from ventanilla.conversations.bot_templates import ensure_default_templates

    ensure_default_templates(town.council)
    row = BotTemplate.objects.get(council=town.council, key="privacy.notice", language="es")

    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    listing = admin_client.get(
        "/admin/conversations/bottemplate/?q=privacy", **english
    ).content.decode()
    page = admin_client.get(
        f"/admin/conversations/bottemplate/{row.pk}/change/", **english
    ).content.decode()

    assert "SMS segments" in listing or "Segmentos SMS" in listing
    counted = count_segments(row.sms_text)
    assert f"{counted.segments} ({counted.units} characters, {counted.encoding})" in page
