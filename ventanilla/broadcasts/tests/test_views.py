"""The staff pages of alerts: write, approve (someone else), send, follow, download the report."""

from __future__ import annotations

import pytest
from django.test import Client

from ventanilla.broadcasts import services
from ventanilla.broadcasts.models import Broadcast, Source, Status
from ventanilla.broadcasts.tests.factories import make_supervisors, make_traffic
from ventanilla.cases.models import Role
from ventanilla.cases.tests.factories import make_council, make_staff
from ventanilla.conversations.services import conversation_for
from ventanilla.conversations.tests.chat import make_channel
from ventanilla.core.tests.signin import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(monkeypatch):
    council = make_council()
    topic = make_traffic(council)
    sms = make_channel(council, "twilio")
    for n in range(4):
        conversation = conversation_for(channel=sms, urn=f"tel:+3460055{n:04d}")
        services.subscribe(topic=topic, conversation=conversation, source=Source.CHAT, notice="")
    monkeypatch.setattr(services, "start_dispatch", lambda **kwargs: None)
    ana, bernat = make_supervisors(council)
    return council, topic, sms, ana, bernat


def client(user):
    return sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), user)


def test_write_approve_send_follow_and_report(world):
    council, topic, sms, ana, bernat = world
    page = client(ana).post(
        "/alerts/new/",
        {"topic": topic.pk, "text_es": "Corte de agua mañana", "text_en": "Water cut tomorrow"},
    )
    row = Broadcast.objects.get()
    assert page.status_code == 302 and page["Location"] == f"/alerts/{row.pk}/"

    detail = client(ana).get(f"/alerts/{row.pk}/").content.decode()
    assert "4 recipients in all; cost 0.20 €." in detail  # 4 SMS of 1 segment at 0.05 €
    assert "1 SMS segment(s), GSM-7." in detail  # "ñ" is in the GSM alphabet
    assert ">Approve<" not in detail  # not to its author

    client(ana).post(f"/alerts/{row.pk}/approve/")
    client(ana).post(f"/alerts/{row.pk}/send/")
    row.refresh_from_db()
    assert row.status == Status.DRAFT

    assert ">Approve<" in client(bernat).get(f"/alerts/{row.pk}/").content.decode()
    client(bernat).post(f"/alerts/{row.pk}/approve/")
    client(ana).post(f"/alerts/{row.pk}/send/")
    row.refresh_from_db()
    assert (row.status, row.recipients) == (Status.SENDING, 4)

    progress = client(ana).get(f"/alerts/{row.pk}/progress/").content.decode()
    assert "0 of 4 messages handed to the providers" in progress
    assert 'hx-trigger="every 2s"' in progress

    report = client(ana).get(f"/alerts/{row.pk}/report.csv")
    lines = b"".join(report.streaming_content).decode().splitlines()
    assert lines[0].startswith("message,channel,template,status")
    assert len(lines) == 5 and all(",queued," in line for line in lines[1:])
    assert "+34" not in "".join(lines)  # no resident's number in the report


def test_agents_and_other_councils_see_nothing(world):
    council, topic, sms, ana, bernat = world
    row = services.create_broadcast(topic=topic, texts={"es": "Aviso"}, by=ana)
    agent = make_staff(council=council, role=Role.AGENT)
    assert client(agent).get("/alerts/").status_code == 403
    stranger = make_supervisors(make_council())[0]
    assert client(stranger).get(f"/alerts/{row.pk}/").status_code == 404
    assert Client().get("/alerts/").status_code == 302  # to sign in


def test_the_moderation_page_proposes_a_text_without_the_sender_and_relays_it(world):
    council, topic, sms, ana, bernat = world
    sender = conversation_for(channel=sms, urn="tel:+34600777888", name="Rosa Vidal")
    alert = services.submit_alert(
        conversation=sender, text="Bache enorme, soy Rosa Vidal 600777888"
    )

    page = client(ana).get("/alerts/relay/").content.decode()
    assert "Bache enorme" in page
    proposed = page.split('name="text"', 1)[1].split("</textarea>", 1)[0]
    assert "Rosa" not in proposed and "600777888" not in proposed

    client(ana).post(
        f"/alerts/relay/{alert.pk}/",
        {"decision": "relay", "text": "Bache enorme", "topic": topic.pk},
    )
    alert.refresh_from_db()
    assert (alert.status, alert.relayed_text, alert.broadcast.recipients) == (
        "relayed",
        "Bache enorme",
        4,
    )
    assert "No alert is waiting." in client(ana).get("/alerts/relay/").content.decode()


def test_supervisors_reach_the_alerts_from_the_inbox_menu_and_agents_do_not_see_it(world):
    council, topic, sms, ana, bernat = world
    agent = make_staff(council=council, role=Role.AGENT)

    supervisor_menu = client(ana).get("/inbox/").content.decode()
    agent_menu = client(agent).get("/inbox/").content.decode()

    assert 'href="/alerts/"' in supervisor_menu
    assert 'href="/alerts/"' not in agent_menu
    assert 'href="/appointments/"' in supervisor_menu and 'href="/appointments/"' in agent_menu
