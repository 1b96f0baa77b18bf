"""Incident reports: through the menu, from free text, with photos and a place."""

from __future__ import annotations

from ventanilla.cases.models import Case
from ventanilla.conversations.models import Attachment, Direction, Message
from ventanilla.conversations.tests.chat import Resident, labels, texts


def test_full_report_with_photo_and_location(known, town):
    known.send("menú")
    assert "Cuéntenos en un mensaje" in known.tap("Comunicar incidencia")[0].text

    replies = known.send("La farola de la esquina lleva tres noches apagada")
    assert "Si tiene fotos del problema, envíelas ahora" in replies[0].text
    assert labels(replies[0]) == ["Continuar"]

    replies = known.send(photos=1)
    assert "Foto recibida (1)" in replies[0].text

    replies = known.tap("Continuar")
    assert "¿Dónde está?" in replies[0].text
    assert labels(replies[0]) == ["Sin ubicación"]

    replies = known.send(location=(40.4168, -3.7038), address="Calle Mayor 3")
    assert "Entendemos que se trata de: Alumbrado público. ¿Es correcto?" in replies[0].text
    assert labels(replies[0]) == ["Sí, es eso", "Otra categoría"]

    replies = known.tap("Sí, es eso")

    case = Case.objects.get()
    assert case.category == town.alumbrado
    assert case.department == town.urbanos
    assert case.citizen == known.citizen
    assert case.channel == known.channel
    assert (case.latitude, case.longitude, case.address) == (40.4168, -3.7038, "Calle Mayor 3")
    assert case.description == "La farola de la esquina lleva tres noches apagada"
    assert len(replies) == 1
    reply = replies[0]
    assert reply.case == case
    assert reply.text.startswith(
        f"Su incidencia ha quedado registrada con el número {case.reference} (Alumbrado público)."
    )
    assert "La gestiona Servicios Urbanos" in reply.text
    assert f"ESTADO {case.reference}" in reply.text
    # every message of the report is on the case, the photo with it
    linked = Message.objects.filter(case=case, direction=Direction.IN)
    assert linked.count() == 6  # menu tap, description, photo, continue, place, yes
    assert Attachment.objects.get().message.case == case
    assert known.state.get("step") == "idle"
    assert "report" not in known.state


def test_a_burst_of_photos_is_acknowledged_once(known):
    known.send("menú")
    known.tap("Comunicar incidencia")
    known.send("Contenedor roto en la plaza")

    first = known.send(photos=1)
    second = known.send(photos=1)

    assert len(first) == 1
    assert second == []
    assert known.state["report"]["photos"] == 2


def test_typed_address_is_the_case_address(known, town):
    known.send("menú")
    known.tap("Comunicar incidencia")
    known.send("Hay un bache enorme")
    known.tap("Continuar")

    known.send("Calle del Sol 12")
    known.tap("Sí, es eso")

    case = Case.objects.get()
    assert case.address == "Calle del Sol 12"
    assert case.description == "Hay un bache enorme"
    assert case.category == town.baches


def test_free_text_alone_becomes_a_case_with_one_question(known, town):
    replies = known.send("Hay una farola apagada en la calle Mayor 3")

    assert len(replies) == 1
    assert "Entendemos que se trata de: Alumbrado público" in replies[0].text

    replies = known.tap("Sí, es eso")

    case = Case.objects.get()
    assert case.category == town.alumbrado
    assert case.description == "Hay una farola apagada en la calle Mayor 3"
    assert f"número {case.reference}" in replies[0].text
    assert "Si tiene una foto o la ubicación exacta, envíela" in replies[0].text


def test_free_text_with_a_photo_and_caption_needs_no_photo_question(known, town):
    replies = known.send("Contenedor de basura desbordado", photos=1)

    assert "Recogida de residuos" in replies[0].text
    known.tap("Sí, es eso")
    case = Case.objects.get()
    assert case.department == town.ambiente
    assert "Si tiene una foto" not in known.last_replies[0].text


def test_a_photo_alone_asks_for_a_description(known, town):
    replies = known.send(photos=1)
    assert "Ahora describa brevemente el problema" in replies[0].text

    replies = known.send("Pintadas en la fachada del colegio")
    # no keyword fits: the whole list, in pages
    assert "Elija el tipo que mejor lo describa" in replies[0].text
    assert labels(replies[0]) == [
        "Alumbrado público",
        "Baches y aceras",
        "Otros",
        "Recogida de residuos",
    ]
    known.tap("Otros")
    case = Case.objects.get()
    assert case.category == town.otros
    assert case.messages.filter(attachments__isnull=False).exists()


def test_mixed_words_offer_the_candidates_and_other(known, town):
    replies = known.send("La farola ha caído sobre el contenedor")

    assert "¿De qué tipo es el problema?" in replies[0].text
    assert labels(replies[0]) == ["Alumbrado público", "Recogida de residuos", "Otra categoría"]
    known.tap("Recogida de residuos")
    assert Case.objects.get().category == town.residuos


def test_other_category_shows_the_list(known, town):
    known.send("Farola fundida")
    replies = known.tap("Otra categoría")

    assert "Elija el tipo" in replies[0].text
    known.tap("Baches y aceras")
    assert Case.objects.get().category == town.baches


def test_the_category_list_has_pages(known, town):
    from ventanilla.cases.tests.factories import make_category

    for n in range(8):
        make_category(council=town.council, department=town.atencion, name_es=f"Zona {n}")
    replies = known.send("Algo raro pasa aquí en el pueblo")
    assert len(labels(replies[0])) == 9
    assert labels(replies[0])[-1] == "Más opciones…"

    replies = known.tap("Más opciones…")

    assert labels(replies[0]) == ["Zona 4", "Zona 5", "Zona 6", "Zona 7"]


def test_sms_resident_types_the_numbers(sms, town):
    resident = Resident(sms)
    resident.send("Hola")
    resident.send("1")  # Acepto
    assert resident.citizen.consent_at is not None

    resident.send("1")  # Comunicar incidencia
    resident.send("Hay un bache en la acera de la calle Luna")
    resident.send("1")  # Continuar
    resident.send("1")  # Sin ubicación
    replies = resident.send("1")  # Sí, es eso

    case = Case.objects.get()
    assert case.category == town.baches
    assert case.description == "Hay un bache en la acera de la calle Luna"
    assert case.reference in replies[0].text


def test_typed_yes_confirms_the_suggestion(known, town):
    known.send("farola apagada")

    known.send("Sí")

    assert Case.objects.get().category == town.alumbrado


def test_cancelar_drops_an_unfinished_report_without_opting_out(known):
    known.send("menú")
    known.tap("Comunicar incidencia")
    known.send("Un bache en mi calle")

    replies = known.send("Cancelar")

    assert "hemos descartado el aviso" in replies[0].text
    assert known.citizen.opted_out_at is None
    assert "report" not in known.state
    assert not Case.objects.exists()


def test_an_unfinished_report_expires(known, time_machine):
    import datetime as dt

    from django.utils import timezone

    known.send("menú")
    known.tap("Comunicar incidencia")
    time_machine.move_to(timezone.now() + dt.timedelta(days=2))

    replies = known.send("Hola")

    assert "¿En qué podemos ayudarle?" in texts(replies)
    assert "report" not in known.state


def test_coordinates_typed_on_sms_are_the_place(sms, town):
    resident = Resident(sms)
    resident.accept_notice()
    resident.send("1")  # Comunicar incidencia
    resident.send("Bache en la carretera")
    resident.send("1")  # Continuar

    resident.send("40.4168,-3.7038")
    resident.send("1")  # Sí, es eso

    case = Case.objects.get()
    assert (case.latitude, case.longitude, case.address) == (40.4168, -3.7038, "")


def test_a_second_tap_on_an_old_button_opens_nothing(known):
    known.send("Farola apagada")
    known.tap("Sí, es eso")
    old = [m for m in known.outbox() if m.payload.get("choices")][-1].payload["choices"][0]

    replies = known.send(old["label"], choice=old["id"])

    assert replies[0].text.startswith("Esa opción ya no está disponible.")
    assert Case.objects.count() == 1
