"""Conversations that are not a case, the resident's profile, unread marks, the resident's reply."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from ventanilla.cases.models import Case, CaseEvent, Role
from ventanilla.cases.services import change_status
from ventanilla.cases.tests.factories import make_case, make_council, make_staff
from ventanilla.cases.workflow import Status
from ventanilla.citizens.services import set_opt_out
from ventanilla.conversations.models import Conversation, Direction, Message
from ventanilla.conversations.tests.chat import Resident, make_channel, make_town
from ventanilla.core.tokens import issue_api_token
from ventanilla.inbox.tests.factories import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    town = make_town()
    channel = make_channel(town.council, "telegram")
    return SimpleNamespace(
        town=town,
        channel=channel,
        agent=make_staff(council=town.council, departments=(town.urbanos,), username="ana"),
        other_agent=make_staff(
            council=town.council, departments=(town.ambiente,), username="bruno"
        ),
        auditor=make_staff(council=town.council, role=Role.AUDITOR, username="audi"),
    )


def asks_for_a_person(desk) -> Resident:
    resident = Resident(desk.channel, name="Pere")
    resident.accept_notice()
    resident.send("Quiero hablar con una persona")
    assert resident.send("Es sobre una multa que me pusieron") == []  # the bot keeps quiet
    return resident


def staff_outbox(resident: Resident) -> list[Message]:
    return [m for m in resident.outbox() if not m.is_automatic]


def test_a_hand_off_request_heads_the_queue_with_the_residents_next_message(desk):
    chatter = Resident(desk.channel, name="Marta")
    chatter.send("hola")  # first contact: only the privacy notice so far
    resident = asks_for_a_person(desk)

    page = signed_in(desk.agent).get("/inbox/conversations/")

    assert page.status_code == 200
    handoffs = page.context["queue"].handoffs
    assert [row.conversation.pk for row in handoffs] == [resident.conversation.pk]
    assert handoffs[0].last_text == "Es sobre una multa que me pusieron"
    assert [row.conversation.pk for row in page.context["queue"].others] == [
        chatter.conversation.pk
    ]
    html = page.content.decode()
    assert "Es sobre una multa que me pusieron" in html
    assert html.index("Pere") < html.index("Marta")


def test_an_agents_answer_goes_to_the_resident_and_the_bot_stays_quiet(desk):
    resident = asks_for_a_person(desk)
    client = signed_in(desk.agent)

    response = client.post(
        f"/inbox/conversations/{resident.conversation.pk}/reply/",
        {"text": "Hola Pere, soy Ana. ¿Qué multa es?"},
    )

    assert response.status_code == 303
    [answer] = staff_outbox(resident)
    assert answer.text == "Hola Pere, soy Ana. ¿Qué multa es?"
    assert answer.author == desk.agent and answer.case is None
    assert resident.send("La del día 3") == []  # still talking to a person


def test_opening_a_case_attaches_the_messages_tells_the_reference_and_releases(desk):
    resident = asks_for_a_person(desk)
    client = signed_in(desk.agent)

    response = client.post(
        f"/inbox/conversations/{resident.conversation.pk}/case/",
        {"category": desk.town.alumbrado.pk, "department": "", "description": ""},
    )

    case = Case.objects.get()
    assert response.status_code == 303 and response.url == f"/inbox/cases/{case.reference}/"
    assert case.citizen == resident.citizen and case.department == desk.town.urbanos
    assert "Es sobre una multa que me pusieron" in case.description
    loose = Message.objects.filter(conversation=resident.conversation, direction=Direction.IN)
    assert loose.filter(text="Es sobre una multa que me pusieron").get().case == case
    [told] = staff_outbox(resident)
    assert case.reference in told.text and told.case == case
    conversation = resident.conversation
    assert conversation.handoff_at is None and "handoff" not in conversation.state
    queue = client.get("/inbox/conversations/").context["queue"]
    assert queue.count == 0


def test_closing_releases_the_hand_off_and_a_new_message_brings_it_back(desk):
    resident = asks_for_a_person(desk)
    client = signed_in(desk.agent)

    response = client.post(f"/inbox/conversations/{resident.conversation.pk}/close/")

    assert response.status_code == 303
    assert client.get("/inbox/conversations/").context["queue"].count == 0
    assert resident.send("Hola otra vez") != []  # the bot answers again
    queue = client.get("/inbox/conversations/").context["queue"]
    assert [row.conversation.pk for row in queue.others] == [resident.conversation.pk]


def test_an_auditor_reads_the_queue_but_may_not_answer(desk):
    resident = asks_for_a_person(desk)
    client = signed_in(desk.auditor)
    assert client.get(f"/inbox/conversations/{resident.conversation.pk}/").status_code == 200
    response = client.post(
        f"/inbox/conversations/{resident.conversation.pk}/reply/", {"text": "Hola"}
    )
    assert response.status_code == 403
    assert staff_outbox(resident) == []


def test_staff_of_another_council_never_see_the_conversation_or_the_resident(desk):
    resident = asks_for_a_person(desk)
    outsider = make_staff(council=make_council(), role=Role.SUPERVISOR)
    client = signed_in(outsider)
    assert client.get("/inbox/conversations/").context["queue"].count == 0
    assert client.get(f"/inbox/conversations/{resident.conversation.pk}/").status_code == 404
    assert client.get(f"/inbox/residents/{resident.citizen.pk}/").status_code == 404
    response = client.post(f"/inbox/conversations/{resident.conversation.pk}/close/")
    assert response.status_code == 404
    assert resident.conversation.handoff_at is not None


# -- the resident's profile -----------------------------------------------------------------


def test_the_profile_shows_identities_consent_and_only_the_cases_one_may_see(desk):
    resident = Resident(desk.channel, name="Lucía", urn="telegram:4242")
    resident.accept_notice()
    mine = make_case(category=desk.town.alumbrado, urn="telegram:4242")
    theirs = make_case(category=desk.town.residuos, urn="telegram:4242", description="Basura")
    set_opt_out(citizen=resident.citizen, opted_out=True)

    page = signed_in(desk.agent).get(f"/inbox/residents/{resident.citizen.pk}/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "telegram:4242" in html and "Accepted on" in html
    assert "Opted out of automatic messages" in html
    assert mine.reference in html and theirs.reference not in html
    case_page = signed_in(desk.agent).get(f"/inbox/cases/{mine.reference}/").content.decode()
    assert f'href="/inbox/residents/{resident.citizen.pk}/"' in case_page
    assert "Opted out of automatic messages" in case_page


def test_the_profile_writes_phone_numbers_for_people(desk):
    whatsapp = make_channel(desk.town.council, "whatsapp")
    resident = Resident(whatsapp, urn="whatsapp:34600111222")
    resident.send("hola")
    page = signed_in(desk.agent).get(f"/inbox/residents/{resident.citizen.pk}/")
    assert "+34 600 11 12 22" in page.content.decode()


# -- unread marks and the resident's reply ----------------------------------------------------


def test_a_case_with_a_residents_new_message_is_unread_until_the_agent_opens_it(desk):
    resident = Resident(desk.channel, name="Lucía")
    resident.accept_notice()
    resident.send("La farola de la calle Mayor está apagada")
    resident.tap("Sí, es eso")
    case = Case.objects.get()
    ana, bruno_view = (
        signed_in(desk.agent),
        signed_in(make_staff(council=desk.town.council, departments=(desk.town.urbanos,))),
    )
    ana.get(f"/inbox/cases/{case.reference}/")
    assert case.pk not in ana.get("/inbox/?queue=department").context["unread"]

    resident.send("Además hay otra apagada en el número 5")  # attached to the open case

    queue = ana.get("/inbox/?queue=department")
    assert case.pk in queue.context["unread"]
    assert "New reply" in queue.content.decode()
    assert case.pk in bruno_view.get("/inbox/?queue=department").context["unread"]
    ana.get(f"/inbox/cases/{case.reference}/")
    assert case.pk not in ana.get("/inbox/?queue=department").context["unread"]
    assert case.pk in bruno_view.get("/inbox/?queue=department").context["unread"]  # per member


def test_an_unread_conversation_is_marked_until_opened(desk):
    resident = asks_for_a_person(desk)
    client = signed_in(desk.agent)
    assert client.get("/inbox/conversations/").context["queue"].handoffs[0].unread
    client.get(f"/inbox/conversations/{resident.conversation.pk}/")
    assert not client.get("/inbox/conversations/").context["queue"].handoffs[0].unread
    resident.send("¿Hay alguien?")
    assert client.get("/inbox/conversations/").context["queue"].handoffs[0].unread


def test_a_reply_to_a_case_waiting_for_the_resident_moves_it_back_to_in_progress(desk):
    resident = Resident(desk.channel, name="Lucía")
    resident.accept_notice()
    resident.send("La farola de la calle Mayor está apagada")
    resident.tap("Sí, es eso")
    case = Case.objects.get()
    change_status(
        case=case,
        status=Status.WAITING_RESIDENT,
        by=desk.agent,
        resident_message="¿En qué número exactamente?",
    )
    before = len(resident.outbox())

    resident.send("En el 14, frente a la farmacia")

    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    row = case.events.filter(kind=CaseEvent.Kind.STATUS).latest("created_at", "id")
    assert (row.from_value, row.to_value, row.actor) == (
        Status.WAITING_RESIDENT,
        Status.IN_PROGRESS,
        None,
    )
    told = [m.text for m in resident.outbox()[before:]]
    assert not any("en curso" in text.lower() for text in told)  # no "in progress" news
    assert case.pk in [
        c.pk
        for c in signed_in(desk.agent)
        .get("/inbox/?queue=department&sort=updated")
        .context["page"]
        .cases[:1]
    ]


# -- two fields when the status changes -------------------------------------------------------


def test_an_internal_note_never_reaches_the_resident(desk):
    resident = Resident(desk.channel, name="Lucía")
    resident.accept_notice()
    resident.send("La farola de la calle Mayor está apagada")
    resident.tap("Sí, es eso")
    case = Case.objects.get()
    before = len(resident.outbox())

    response = signed_in(desk.agent).post(
        f"/inbox/cases/{case.reference}/status/",
        {
            "status-status": Status.IN_PROGRESS,
            "status-comment": "El vecino es muy pesado",
            "status-resident_message": "",
        },
    )

    assert response.status_code == 303
    sent = resident.outbox()[before:]
    assert sent and all("pesado" not in m.text for m in sent)
    event = case.events.filter(kind=CaseEvent.Kind.STATUS).latest("created_at", "id")
    assert event.comment == "El vecino es muy pesado"
    # Asking the bot for the status does not read the note out either.
    answer = resident.send(f"ESTADO {case.reference}")
    assert answer and all("pesado" not in m.text for m in answer)


def test_the_message_to_the_resident_is_sent_with_the_status_and_the_note_is_not(desk):
    resident = Resident(desk.channel, name="Lucía")
    resident.accept_notice()
    resident.send("La farola de la calle Mayor está apagada")
    resident.tap("Sí, es eso")
    case = Case.objects.get()
    before = len(resident.outbox())

    response = signed_in(desk.agent).post(
        f"/inbox/cases/{case.reference}/status/",
        {
            "status-status": Status.WAITING_RESIDENT,
            "status-comment": "Lámpara pedida, avisar a mantenimiento",
            "status-resident_message": "Hemos pedido la lámpara.",
        },
    )

    assert response.status_code == 303
    sent = resident.outbox()[before:]
    update = next(m for m in sent if "Hemos pedido la lámpara." in m.text)
    assert update.author == desk.agent and not update.is_automatic
    assert all("mantenimiento" not in m.text for m in sent)


def test_the_status_form_labels_which_field_is_sent(desk):
    case = make_case(category=desk.town.alumbrado)
    html = signed_in(desk.agent).get(f"/inbox/cases/{case.reference}/").content.decode()
    assert "Message to the resident (sent)" in html
    assert "Internal note (not sent)" in html


# -- the same through the API -----------------------------------------------------------------


def api(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_api_token(user=user)}")


def test_the_api_lists_answers_opens_a_case_and_closes_conversations(desk):
    resident = asks_for_a_person(desk)
    client = api(desk.agent)

    queue = client.get("/api/v1/conversations").json()
    [row] = queue["handoffs"]
    assert row["id"] == resident.conversation.pk and row["last_text"].startswith("Es sobre")
    answered = client.post(
        f"/api/v1/conversations/{row['id']}/replies",
        {"text": "Hola, soy Ana."},
        content_type="application/json",
    )
    assert answered.status_code == 201
    assert [m.text for m in staff_outbox(resident)] == ["Hola, soy Ana."]
    opened = client.post(
        f"/api/v1/conversations/{row['id']}/case",
        {"category": "alumbrado"},
        content_type="application/json",
    )
    assert opened.status_code == 201 and opened.json()["resident_told"] is True
    reference = opened.json()["reference"]
    assert reference in staff_outbox(resident)[-1].text
    assert client.get("/api/v1/conversations").json() == {"handoffs": [], "others": []}
    assert client.post(f"/api/v1/conversations/{row['id']}/close").status_code == 204
    assert api(desk.auditor).post(f"/api/v1/conversations/{row['id']}/close").status_code == 403
    outsider = make_staff(council=make_council(), role=Role.SUPERVISOR)
    assert api(outsider).post(f"/api/v1/conversations/{row['id']}/close").status_code == 404


def test_the_api_replies_assigns_transfers_and_changes_status_with_two_fields(desk):
    resident = Resident(desk.channel, name="Lucía")
    resident.accept_notice()
    resident.send("La farola de la calle Mayor está apagada")
    resident.tap("Sí, es eso")
    case = Case.objects.get()
    client = api(desk.agent)
    url = f"/api/v1/cases/{case.reference}"

    reply = client.post(
        f"{url}/replies", {"text": "Vamos mañana."}, content_type="application/json"
    )
    assert reply.status_code == 201 and reply.json()["text"] == "Vamos mañana."
    assert staff_outbox(resident)[-1].text == "Vamos mañana."

    assigned = client.post(f"{url}/assign", {"username": "ana"}, content_type="application/json")
    assert assigned.status_code == 200 and assigned.json()["assignee"] == "ana"
    unknown = client.post(f"{url}/assign", {"username": "nadie"}, content_type="application/json")
    assert unknown.status_code == 400

    before = len(resident.outbox())
    changed = client.post(
        f"{url}/status",
        {"status": "in_progress", "note": "Nota interna secreta", "resident_message": "En marcha."},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["status"] == "in_progress"
    sent = resident.outbox()[before:]
    assert any("En marcha." in m.text for m in sent)
    assert all("secreta" not in m.text for m in sent)
    illegal = client.post(f"{url}/status", {"status": "new"}, content_type="application/json")
    assert illegal.status_code == 409

    moved = client.post(
        f"{url}/transfer",
        {"department": desk.town.ambiente.pk, "note": "No es nuestro"},
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["department"] == "Medio Ambiente"
    # Out of Ana's departments now: she may not act on it any more.
    again = client.post(f"{url}/replies", {"text": "Hola"}, content_type="application/json")
    assert again.status_code == 404
    audited = api(desk.auditor).post(
        f"{url}/replies", {"text": "Hola"}, content_type="application/json"
    )
    assert audited.status_code == 403
    assert Conversation.objects.count() == 1
