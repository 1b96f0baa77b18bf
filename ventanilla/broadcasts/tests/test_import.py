"""Importing an SMS list: invalid and repeated numbers reported, welcomes queued, all or nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ventanilla.broadcasts import services
from ventanilla.broadcasts.models import Broadcast, Kind, Subscription
from ventanilla.broadcasts.tests.factories import make_traffic
from ventanilla.cases.tests.factories import make_council
from ventanilla.citizens.models import Citizen
from ventanilla.conversations.models import Message
from ventanilla.conversations.tests.chat import make_channel

pytestmark = pytest.mark.django_db

CSV = """phone,language
600111001,es
+34 600 111 002,ca
0034600111003,
not a number,es
600111001,en
"""


@pytest.fixture
def setup(tmp_path, monkeypatch):
    council = make_council()
    topic = make_traffic(council)
    sms = make_channel(council, "twilio")
    path = tmp_path / "list.csv"
    path.write_text(CSV)
    monkeypatch.setattr(services, "start_dispatch", lambda **kwargs: None)
    return council, topic, sms, path


def test_import_reports_bad_lines_and_welcomes_each_new_subscriber(setup):
    council, topic, sms, path = setup
    out, err = StringIO(), StringIO()

    call_command(
        "import_subscribers", str(path), topic="trafico", channel=sms.pk, stdout=out, stderr=err
    )

    assert "3 subscribed, 0 already were, 1 invalid, 1 repeated; 3 welcome" in out.getvalue()
    assert "line 5: not a number: not a phone number" in err.getvalue()
    assert "line 6: 600111001: repeated" in err.getvalue()
    assert "[##############################] 5/5" in err.getvalue()
    urns = set(Subscription.objects.values_list("conversation__urn", flat=True))
    assert urns == {"tel:+34600111001", "tel:+34600111002", "tel:+34600111003"}
    assert Subscription.objects.get(conversation__urn="tel:+34600111002").citizen.language == "ca"
    welcomes = {m.conversation.urn: m.text for m in Message.objects.all()}
    assert "BAJA TRÁFICO" in welcomes["tel:+34600111001"]
    assert "BAIXA TRÀNSIT" in welcomes["tel:+34600111002"]
    assert Broadcast.objects.get().kind == Kind.WELCOME

    # again: nobody new, nobody welcomed twice
    out = StringIO()
    call_command(
        "import_subscribers", str(path), topic="trafico", channel=sms.pk, stdout=out, stderr=err
    )
    assert "0 subscribed, 3 already were" in out.getvalue()
    assert Message.objects.count() == 3


def test_an_error_imports_nothing(setup, monkeypatch):
    council, topic, sms, path = setup

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "queue_outbound_bulk", broken)
    with pytest.raises(RuntimeError):
        call_command("import_subscribers", str(path), topic="trafico", channel=sms.pk)

    assert (Citizen.objects.count(), Subscription.objects.count(), Message.objects.count()) == (
        0,
        0,
        0,
    )


def test_only_phone_channels_take_a_list(setup):
    council, topic, sms, path = setup
    telegram = make_channel(council, "telegram")
    with pytest.raises(CommandError, match="SMS or WhatsApp"):
        call_command("import_subscribers", str(path), topic="trafico", channel=telegram.pk)
