"""Delivery ticks reach open staff pages: every status change is a live event."""

import pytest

from ventanilla.cases.tests.factories import make_council
from ventanilla.channels.adapters.base import SendError, StatusUpdate
from ventanilla.conversations.delivery import apply_status, record_send_failure, record_sent
from ventanilla.conversations.services import conversation_for, queue_outbound
from ventanilla.conversations.tests.chat import make_channel
from ventanilla.core.models import LiveEvent

pytestmark = pytest.mark.django_db(transaction=True)


def message_events(message):
    return LiveEvent.objects.filter(kind="message", data__message=message.pk).count()


def outbound(channel, text):
    conversation = conversation_for(channel=channel, urn="telegram:4242")
    return queue_outbound(conversation=conversation, text=text)


def test_sent_delivered_read_and_failed_each_refresh_staff_pages(settings):
    # Keep the queued send tasks unrun: this test plays the provider's answers itself.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": ["default", "send", "bulk"],
        }
    }
    channel = make_channel(make_council())
    message = outbound(channel, "Su incidencia está en curso")
    queued = message_events(message)

    record_sent(message=message, provider_message_id="4242:7")
    apply_status(channel=channel, update=StatusUpdate("4242:7", "delivered"))
    apply_status(channel=channel, update=StatusUpdate("4242:7", "read"))
    apply_status(channel=channel, update=StatusUpdate("4242:7", "delivered"))  # late: no change
    assert message_events(message) == queued + 3

    failing = outbound(channel, "Otro mensaje")
    before = message_events(failing)
    record_send_failure(message=failing, error=SendError("blocked", retryable=False))
    assert message_events(failing) == before + 1
