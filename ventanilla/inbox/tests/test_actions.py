import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from ventanilla.cases import services
from ventanilla.cases.models import Case, CaseEvent, Note
from ventanilla.cases.tests.factories import make_case, make_category
from ventanilla.cases.workflow import Status
from ventanilla.channels.models import Provider
from ventanilla.conversations.models import Conversation, Direction, Message
from ventanilla.inbox.tests.factories import (
    make_canned_reply,
    make_channel,
    make_conversation,
    make_message,
    signed_in,
)

pytestmark = pytest.mark.django_db

URN = "whatsapp:34600999888"


@pytest.fixture
def case(town):
    whatsapp = make_channel(council=town.council, provider=Provider.WHATSAPP)
    case = make_case(category=town.category_a, description="Farola apagada", urn=URN)
    make_message(case=case, conversation=make_conversation(channel=whatsapp, urn=URN))
    return case


@pytest.fixture
def agent(town):
    return signed_in(town.agent_a)


def post(client: Client, case: Case, action: str, data: dict, htmx: bool = False, **extra):
    url = f"/inbox/cases/{case.reference}/{action}/?queue=department"
    if htmx:
        extra["HTTP_HX_REQUEST"] = "true"
    return client.post(url, data, **extra)


def test_assign_to_me_without_javascript_redirects_back_to_the_case(town, case, agent):
    response = post(agent, case, "assign", {"assign-to_me": "on"})
    assert response.status_code == 303
    assert response["Location"] == f"/inbox/cases/{case.reference}/?queue=department"
    case.refresh_from_db()
    assert case.assignee == town.agent_a and case.status == Status.ASSIGNED


def test_assign_with_htmx_answers_the_changed_parts(town, case, agent):
    response = post(agent, case, "assign", {"assign-agent": town.agent_a.pk}, htmx=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="case-facts"' in html and 'hx-swap-oob="true"' in html
    assert "Assignment saved." in html
    assert Case.objects.get(pk=case.pk).assignee == town.agent_a


def test_cannot_assign_to_an_agent_of_another_department(town, case, agent):
    response = post(agent, case, "assign", {"assign-agent": town.agent_b.pk})
    assert response.status_code == 422
    assert Case.objects.get(pk=case.pk).assignee is None


def test_transfer_moves_the_case_out_of_the_agents_reach(town, case, agent):
    response = post(
        agent, case, "transfer", {"transfer-department": town.dept_b.pk, "transfer-comment": "x"}
    )
    assert response.status_code == 303
    assert response["Location"] == "/inbox/?queue=department"  # the case left their reach
    assert Case.objects.get(pk=case.pk).department == town.dept_b
    assert agent.get(f"/inbox/cases/{case.reference}/").status_code == 404


def test_transfer_with_htmx_sends_the_browser_back_to_the_queue(town, case, agent):
    response = post(agent, case, "transfer", {"transfer-department": town.dept_b.pk}, htmx=True)
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/inbox/?queue=department"


def test_change_category_recomputes_deadlines(town, case, agent):
    slow = make_category(council=town.council, department=town.dept_a, resolution_days=30)
    before = case.due_at
    response = post(agent, case, "category", {"category-category": slow.pk})
    assert response.status_code == 303
    case.refresh_from_db()
    assert case.category == slow and case.due_at > before


def test_change_status_with_a_comment_goes_to_the_history(town, case, agent):
    response = post(
        agent, case, "status", {"status-status": "in_progress", "status-comment": "En ello"}
    )
    assert response.status_code == 303
    event = CaseEvent.objects.filter(case=case, kind="status").get()
    assert (event.to_value, event.comment, event.actor) == ("in_progress", "En ello", town.agent_a)


def test_an_illegal_status_change_is_refused_with_the_reason(town, case, agent):
    services.change_status(case=case, status=Status.IN_PROGRESS)
    services.change_status(case=case, status=Status.RESOLVED)
    response = post(agent, case, "status", {"status-status": "in_progress"}, htmx=True)
    assert response.status_code == 422
    assert Case.objects.get(pk=case.pk).status == Status.RESOLVED
    assert "errorlist" in response.content.decode()


def test_rejecting_needs_a_reason(town, case, agent):
    response = post(agent, case, "status", {"status-status": "rejected"})
    assert response.status_code == 422
    assert "Say why the case is rejected." in response.content.decode()


def test_set_priority(town, case, agent):
    assert post(agent, case, "priority", {"priority-priority": 4}).status_code == 303
    assert Case.objects.get(pk=case.pk).priority == 4


def test_merge_as_duplicate_of_a_visible_case(town, case, agent):
    original = make_case(category=town.category_a)
    response = post(agent, case, "duplicate", {"duplicate-original": original.reference})
    assert response.status_code == 303
    case.refresh_from_db()
    assert case.status == Status.DUPLICATE and case.duplicate_of == original


def test_merge_into_an_invisible_case_looks_like_no_case_at_all(town, case, agent):
    hidden = make_case(category=town.category_b)
    response = post(agent, case, "duplicate", {"duplicate-original": hidden.reference})
    assert response.status_code == 422
    assert "No case with that reference." in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == Status.NEW


def test_add_a_note(town, case, agent):
    response = post(agent, case, "note", {"note-text": "Llamar mañana"}, htmx=True)
    assert response.status_code == 200
    assert Note.objects.get(case=case).text == "Llamar mañana"
    assert "Llamar mañana" in response.content.decode()


def test_reply_queues_an_outbound_message_on_the_residents_conversation(town, case, agent):
    response = post(agent, case, "reply", {"reply-text": "Vamos para allá"})
    assert response.status_code == 303
    reply = Message.objects.get(case=case, direction=Direction.OUT)
    assert (reply.text, reply.status, reply.author) == ("Vamos para allá", "queued", town.agent_a)
    assert reply.conversation.urn == URN


def test_reply_with_a_canned_reply_and_no_text_sends_the_canned_text(town, case, agent):
    canned = make_canned_reply(council=town.council, text="Gracias. Su caso es {{1}}.")
    assert post(agent, case, "reply", {"reply-canned": canned.pk}).status_code == 303
    reply = Message.objects.get(case=case, direction=Direction.OUT)
    assert reply.text == f"Gracias. Su caso es {case.reference}."


def test_reply_with_an_attachment_stores_it_and_gives_the_provider_a_signed_url(town, case, agent):
    upload = SimpleUploadedFile("plano.pdf", b"%PDF-1.4 fake", content_type="application/pdf")
    response = post(
        agent, case, "reply", {"reply-text": "Le envío el plano", "reply-attachment": upload}
    )
    assert response.status_code == 303
    reply = Message.objects.get(case=case, direction=Direction.OUT)
    attachment = reply.attachments.get()
    assert attachment.filename == "plano.pdf" and attachment.kind == "document"
    url = reply.payload["attachment"]["url"]
    assert url.startswith("http") and "/inbox/media/" in url
    fetched = Client().get(url[url.index("/inbox/") :])  # the provider: no session at all
    assert fetched.status_code == 200
    assert b"".join(fetched.streaming_content) == b"%PDF-1.4 fake"
    assert Client().get("/inbox/media/forged:token/").status_code == 404


def test_reply_outside_the_whatsapp_window_is_refused(town, case, agent):
    Conversation.objects.update(last_inbound_at=timezone.now() - dt.timedelta(hours=25))
    response = post(agent, case, "reply", {"reply-text": "¿Hola?"}, htmx=True)
    assert response.status_code == 422
    assert "24 hours" in response.content.decode()
    assert not Message.objects.filter(direction=Direction.OUT).exists()


def test_template_reply_is_allowed_outside_the_whatsapp_window(town, case, agent):
    Conversation.objects.update(last_inbound_at=timezone.now() - dt.timedelta(hours=25))
    template = make_canned_reply(
        council=town.council,
        title="Seguimiento",
        text="Sobre su caso {{1}}: ¿sigue el problema?",
        whatsapp_template_name="seguimiento_caso",
    )
    assert post(agent, case, "reply", {"reply-template": template.pk}).status_code == 303
    reply = Message.objects.get(direction=Direction.OUT)
    assert reply.payload["template"] == {
        "name": "seguimiento_caso",
        "language": "es",
        "parameters": [case.reference],
    }
    assert reply.text == f"Sobre su caso {case.reference}: ¿sigue el problema?"


def test_an_empty_reply_is_refused(town, case, agent):
    assert post(agent, case, "reply", {"reply-text": ""}).status_code == 422


def test_actions_on_another_departments_case_are_404(town, case):
    other = signed_in(town.agent_b)
    for action, data in [
        ("assign", {"assign-to_me": "on"}),
        ("status", {"status-status": "in_progress"}),
        ("note", {"note-text": "x"}),
        ("reply", {"reply-text": "x"}),
    ]:
        assert post(other, case, action, data).status_code == 404
    assert Case.objects.get(pk=case.pk).status == Status.NEW


def test_actions_need_a_csrf_token(town, case):
    client = signed_in(town.agent_a, Client(enforce_csrf_checks=True))
    assert post(client, case, "note", {"note-text": "sin token"}).status_code == 403
    assert not Note.objects.exists()
    page = client.get(f"/inbox/cases/{case.reference}/")
    token = page.cookies["csrftoken"].value
    response = post(client, case, "note", {"note-text": "con token", "csrfmiddlewaretoken": token})
    assert response.status_code == 303
    assert Note.objects.get().text == "con token"


def test_actions_answer_get_with_405(town, case, agent):
    assert agent.get(f"/inbox/cases/{case.reference}/status/").status_code == 405
