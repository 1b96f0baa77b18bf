import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from ventanilla.cases import services
from ventanilla.cases.models import CaseAccess
from ventanilla.cases.tests.factories import make_case
from ventanilla.channels.models import Provider
from ventanilla.conversations.models import DeliveryStatus, Direction
from ventanilla.inbox.tests.factories import (
    make_attachment,
    make_canned_reply,
    make_channel,
    make_conversation,
    make_message,
    signed_in,
)

pytestmark = pytest.mark.django_db

URN = "whatsapp:34600111222"


@pytest.fixture
def reported(town):
    """A case reported on WhatsApp, continued on Telegram, with an answer and a note."""
    whatsapp = make_channel(council=town.council, provider=Provider.WHATSAPP)
    case = make_case(category=town.category_a, description="Farola apagada", urn=URN)
    chat = make_conversation(channel=whatsapp, urn=URN)
    first = make_message(case=case, conversation=chat, text="La farola no funciona")
    photo = make_attachment(message=first, caption="La farola", filename="farola.jpg")
    photo.file.save("farola.jpg", ContentFile(b"\xff\xd8\xff fake jpeg"), save=True)
    make_message(
        case=case,
        conversation=chat,
        text="",
        latitude=40.4169,
        longitude=-3.7033,
        address="Calle Mayor",
    )
    make_message(
        case=case,
        conversation=chat,
        direction=Direction.OUT,
        text="Gracias, lo revisamos",
        status=DeliveryStatus.READ,
        author=town.agent_a,
    )
    make_message(
        case=case,
        conversation=chat,
        direction=Direction.OUT,
        text="¿Sigue apagada?",
        status=DeliveryStatus.FAILED,
        error_reason="Message undeliverable",
    )
    services.add_note(case=case, author=town.agent_a, text="Avisar a la brigada de noche")
    return case


def test_case_page_shows_the_thread_across_channels(town, reported):
    telegram = make_channel(council=town.council, provider=Provider.TELEGRAM)
    other_chat = make_conversation(channel=telegram)
    make_message(case=reported, conversation=other_chat, text="También os escribo por Telegram")
    response = signed_in(town.agent_a).get(f"/inbox/cases/{reported.reference}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "La farola no funciona" in html and "También os escribo por Telegram" in html
    assert "WhatsApp" in html and "Telegram" in html
    assert 'class="note"' in html and "Internal note: not sent to the resident" in html
    assert "Avisar a la brigada de noche" in html
    assert "ticks-read" in html and "ticks-failed" in html
    assert "Message undeliverable" in html  # the failure's reason
    photo = reported.messages.get(text="La farola no funciona").attachments.get()
    assert f'<img src="/inbox/attachments/{photo.pk}/"' in html
    assert "openstreetmap.org/?mlat=40.416900&amp;mlon=-3.703300" in html
    assert "Calle Mayor" in html


def test_case_page_shows_history_and_the_residents_other_visible_cases(town, reported):
    services.assign_case(case=reported, agent=town.agent_a, by=town.agent_a)
    earlier = make_case(category=town.category_a, description="Otro aviso", urn=URN)
    hidden = make_case(category=town.category_b, description="Ruido", urn=URN)
    response = signed_in(town.agent_a).get(f"/inbox/cases/{reported.reference}/")
    html = response.content.decode()
    assert earlier.reference in html
    assert hidden.reference not in html  # another department's case of the same resident
    assert [c.reference for c in response.context["other_cases"]] == [earlier.reference]
    assert "Assigned to" in html and "ana" in html


def test_opening_a_case_is_logged_but_live_refreshes_are_not(town, reported):
    client = signed_in(town.agent_a)
    client.get(f"/inbox/cases/{reported.reference}/")
    client.get(f"/inbox/cases/{reported.reference}/", {"live": "1"}, HTTP_HX_REQUEST="true")
    entries = CaseAccess.objects.filter(case=reported)
    assert [(e.user, e.via) for e in entries] == [(town.agent_a, "inbox")]


def test_another_departments_case_is_404_and_not_logged(town, reported):
    response = signed_in(town.agent_b).get(f"/inbox/cases/{reported.reference}/")
    assert response.status_code == 404
    assert not CaseAccess.objects.exists()


def test_case_of_another_council_is_404_even_for_its_supervisor(town, reported):
    from ventanilla.cases.models import Role
    from ventanilla.cases.tests.factories import make_council, make_staff

    outsider = make_staff(council=make_council(), role=Role.SUPERVISOR)
    assert signed_in(outsider).get(f"/inbox/cases/{reported.reference}/").status_code == 404


def test_whatsapp_window_open_offers_free_text(town, reported):
    html = signed_in(town.agent_a).get(f"/inbox/cases/{reported.reference}/").content.decode()
    assert "WhatsApp window open" in html
    assert 'name="reply-text"' in html


def test_whatsapp_window_closed_offers_only_templates(town, reported):
    chat = reported.messages.first().conversation
    chat.__class__.objects.filter(pk=chat.pk).update(
        last_inbound_at=timezone.now() - dt.timedelta(hours=25)
    )
    make_canned_reply(council=town.council, title="Seguimos", whatsapp_template_name="seguimos")
    html = signed_in(town.agent_a).get(f"/inbox/cases/{reported.reference}/").content.decode()
    assert "WhatsApp window closed" in html
    assert 'name="reply-text"' not in html
    assert 'name="reply-template"' in html and "Seguimos" in html


def test_canned_replies_are_offered_in_the_residents_language_first(town, reported):
    make_canned_reply(council=town.council, title="Thanks", language="en", text="Thanks")
    make_canned_reply(
        council=town.council, title="Gracias", language="es", text="Gracias, caso {{1}}"
    )
    response = signed_in(town.agent_a).get(f"/inbox/cases/{reported.reference}/")
    groups = response.context["canned_groups"]
    assert [name for name, _ in groups] == ["Spanish", "English"]
    assert groups[0][1][0][2] == f"Gracias, caso {reported.reference}"


def test_auditor_reads_but_has_no_actions(town, reported):
    response = signed_in(town.auditor).get(f"/inbox/cases/{reported.reference}/")
    assert response.status_code == 200
    assert 'id="case-actions"' not in response.content.decode()
    post = signed_in(town.auditor).post(
        f"/inbox/cases/{reported.reference}/note/", {"note-text": "hola"}
    )
    assert post.status_code == 403


def test_case_page_walks_the_queue_with_previous_and_next(town):
    first, second, third = (make_case(category=town.category_a) for _ in range(3))
    response = signed_in(town.agent_a).get(
        f"/inbox/cases/{second.reference}/", {"queue": "department"}
    )
    assert response.context["previous_reference"] == first.reference
    assert response.context["next_reference"] == third.reference
    assert "queue=department" in response.context["queue_query"]


def test_the_history_names_a_renamed_department_by_its_new_name(town):
    case = make_case(category=town.category_b)
    services.transfer_case(case=case, department=town.dept_a, comment="es alumbrado")
    town.dept_b.name_es = "Seguridad Ciudadana"
    town.dept_b.save()
    html = signed_in(town.agent_a).get(f"/inbox/cases/{case.reference}/").content.decode()
    history = html[html.index('id="history"') :]
    assert "Seguridad Ciudadana → Servicios Urbanos" in history
    assert "Policía Local" not in history


def test_an_agent_acting_on_a_case_of_another_department_is_not_found(town):
    case = make_case(category=town.category_b)
    post = signed_in(town.agent_a).post(f"/inbox/cases/{case.reference}/note/", {"note-text": "x"})
    assert post.status_code == 404 and not case.notes.exists()


def test_a_report_made_in_the_chat_is_shown_once_and_a_different_description_is_kept(town):
    whatsapp = make_channel(council=town.council, provider=Provider.WHATSAPP)
    chat = make_conversation(channel=whatsapp, urn=URN)
    told = "La farola de la calle Mayor 12\nno funciona desde ayer"
    case = make_case(category=town.category_a, description=told, urn=URN)
    for line in told.splitlines():
        make_message(case=case, conversation=chat, text=line)
    make_message(case=case, conversation=chat, text="Sí")
    client = signed_in(town.agent_a)

    html = client.get(f"/inbox/cases/{case.reference}/").content.decode()
    assert html.count("La farola de la calle Mayor 12") == 1
    assert "msg-description" not in html

    case.description = "Farola apagada en la calle Mayor 12 (revisado por el equipo)"
    case.save(update_fields=["description"])
    html = client.get(f"/inbox/cases/{case.reference}/").content.decode()
    assert "msg-description" in html and "revisado por el equipo" in html
    assert "no funciona desde ayer" in html  # the resident's own words stay in the thread
