"""The alerts API: create, approve by another user, send, follow, cancel; topics."""

from __future__ import annotations

import pytest
from django.test import Client

from ventanilla.broadcasts import services
from ventanilla.broadcasts.models import Source
from ventanilla.broadcasts.tests.factories import make_supervisors, make_traffic
from ventanilla.cases.models import Role
from ventanilla.cases.tests.factories import make_council, make_staff
from ventanilla.conversations.models import Message
from ventanilla.conversations.services import conversation_for
from ventanilla.conversations.tests.chat import make_channel
from ventanilla.core.tokens import issue_api_token

pytestmark = pytest.mark.django_db


def api(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_api_token(user=user)}")


@pytest.fixture
def world(immediate_tasks):
    council = make_council()
    topic = make_traffic(council)
    channel = make_channel(council, "telegram")
    for n in range(3):
        conversation = conversation_for(channel=channel, urn=f"telegram:{900 + n}")
        services.subscribe(topic=topic, conversation=conversation, source=Source.CHAT, notice="")
    ana, bernat = make_supervisors(council)
    return council, channel, ana, bernat


def test_create_approve_send_and_follow(world, monkeypatch):
    council, channel, ana, bernat = world
    monkeypatch.setattr(services, "start_dispatch", lambda **kwargs: None)
    created = api(ana).post(
        "/api/v1/broadcasts",
        {"topic": "trafico", "text": "Calle cortada", "channels": [channel.pk]},
        content_type="application/json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]

    assert api(ana).post(f"/api/v1/broadcasts/{pk}/send").status_code == 409  # not approved
    assert api(ana).post(f"/api/v1/broadcasts/{pk}/approve").status_code == 403  # the author
    assert Message.objects.filter(direction="out").count() == 0
    assert api(bernat).post(f"/api/v1/broadcasts/{pk}/approve").status_code == 200
    assert api(bernat).post(f"/api/v1/broadcasts/{pk}/approve").status_code == 409  # twice

    sent = api(ana).post(f"/api/v1/broadcasts/{pk}/send")
    assert sent.status_code == 200
    figures = api(ana).get(f"/api/v1/broadcasts/{pk}").json()
    assert {k: figures[k] for k in ("status", "recipients", "queued", "sent", "failed")} == {
        "status": "sending",
        "recipients": 3,
        "queued": 3,
        "sent": 0,
        "failed": 0,
    }
    assert figures["estimated_finish"] is not None

    cancelled = api(ana).post(f"/api/v1/broadcasts/{pk}/cancel").json()
    assert (cancelled["status"], cancelled["queued"], cancelled["failed"]) == ("cancelled", 0, 3)


def test_topics_and_who_may_broadcast(world):
    council, channel, ana, bernat = world
    assert api(ana).get("/api/v1/topics").json() == [
        {
            "slug": "trafico",
            "name_es": "Tráfico",
            "name_ca": "Trànsit",
            "name_en": "Traffic",
            "subscribers": 3,
        }
    ]
    agent = make_staff(council=council, role=Role.AGENT)
    assert api(agent).get("/api/v1/topics").status_code == 403
    assert (
        api(agent)
        .post(
            "/api/v1/broadcasts", {"topic": "trafico", "text": "x"}, content_type="application/json"
        )
        .status_code
        == 403
    )
    other = make_supervisors(make_council())[0]
    assert api(other).get("/api/v1/broadcasts/1").status_code == 404
    unknown = api(ana).post(
        "/api/v1/broadcasts", {"topic": "nope", "text": "x"}, content_type="application/json"
    )
    assert unknown.status_code == 400
