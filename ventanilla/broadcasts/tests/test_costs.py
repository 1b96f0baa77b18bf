"""The cost report against a hand-computed example with fixed, dated prices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from ventanilla.broadcasts.costs import cost_report
from ventanilla.broadcasts.models import UnitPrice
from ventanilla.broadcasts.tests.factories import make_supervisors
from ventanilla.cases.tests.factories import make_council
from ventanilla.conversations.models import Message
from ventanilla.conversations.services import conversation_for
from ventanilla.conversations.tests.chat import make_channel
from ventanilla.core.tests.signin import sign_in
from ventanilla.crews.models import StaffMessage
from ventanilla.crews.tests.factories import make_crew, make_identity

pytestmark = pytest.mark.django_db
User = get_user_model()

GSM_200 = "a" * 200  # GSM-7: 2 segments (153 + 47)
UCS_71 = "ó" * 71  # UCS-2: 2 segments (67 + 4)
SHORT = "Hola"  # 1 segment


def sent(channel, urn, text, *, template=False, status="delivered"):
    conversation = conversation_for(channel=channel, urn=urn)
    return Message.objects.create(
        council=channel.council,
        conversation=conversation,
        channel=channel,
        direction="out",
        text=text,
        payload={"template": {"name": "aviso"}} if template else {},
        status=status,
    )


@pytest.fixture
def prices():
    for provider, category, amount, since in [
        ("twilio", "segment", "0.05", dt.date(2026, 1, 1)),
        ("twilio", "segment", "0.06", dt.date(2026, 3, 15)),  # a new price mid-March
        ("whatsapp", "template", "0.02", dt.date(2026, 1, 1)),
        ("whatsapp", "session", "0", dt.date(2026, 1, 1)),
        ("telegram", "message", "0", dt.date(2026, 1, 1)),
    ]:
        UnitPrice.objects.create(
            provider=provider, category=category, amount=Decimal(amount), valid_from=since
        )


def test_costs_per_channel_and_month_against_sms(prices):
    council = make_council()
    sms = make_channel(council, "twilio")
    whatsapp = make_channel(council, "whatsapp")
    telegram = make_channel(council, "telegram")
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False):
        sent(sms, "tel:+34600000001", GSM_200)  # 2 segments × 0.05 = 0.10
        sent(sms, "tel:+34600000002", SHORT, status="failed")  # not charged
        sent(whatsapp, "whatsapp:34600000003", UCS_71, template=True)  # 0.02; as SMS 2 × 0.05
        sent(whatsapp, "whatsapp:34600000004", SHORT)  # free; as SMS 0.05
        sent(telegram, "telegram:5", GSM_200)  # free; as SMS 2 × 0.05
    with time_machine.travel(dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC), tick=False):
        sent(sms, "tel:+34600000001", UCS_71)  # 2 segments × 0.06 = 0.12
    with time_machine.travel(dt.datetime(2026, 4, 2, 12, tzinfo=dt.UTC), tick=False):
        sent(telegram, "telegram:5", SHORT)  # free; as SMS 0.06

    rows = cost_report(council, dt.date(2026, 3, 1), dt.date(2026, 4, 30))

    table = [
        (r.month, r.channel.provider, r.messages, r.units, r.cost, r.sms_segments, r.as_sms)
        for r in rows
    ]
    assert table == [
        ("2026-03", "telegram", 1, 1, Decimal("0"), 2, Decimal("0.10")),
        ("2026-03", "twilio", 2, 4, Decimal("0.22"), 4, Decimal("0.22")),
        ("2026-03", "whatsapp", 2, 2, Decimal("0.02"), 3, Decimal("0.15")),
        ("2026-04", "telegram", 1, 1, Decimal("0"), 1, Decimal("0.06")),
    ]
    assert sum(r.saving for r in rows) == Decimal("0.29")  # 0.53 as SMS − 0.24


def test_the_cost_page_and_csv(prices):
    council = make_council()
    sms = make_channel(council, "twilio")
    sent(sms, "tel:+34600000001", SHORT)
    ana, _ = make_supervisors(council)
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), ana)
    page = client.get("/alerts/costs/").content.decode()
    assert "Cost: 0.06 €. As SMS: 0.06 €. Saved: 0.00 €." in page  # the March price
    csv = client.get("/alerts/costs.csv").content.decode().splitlines()
    assert csv[0] == (
        "month,audience,channel,provider,messages,units,cost,sms_segments,as_sms,saving"
    )
    assert csv[1].endswith(",twilio,1,1,0.06,1,0.06,0.00")
    assert ",residents," in csv[1]


def to_staff(identity, text, *, status="delivered"):  # type: ignore[no-untyped-def]
    return StaffMessage.objects.create(
        council=identity.council,
        identity=identity,
        channel=identity.channel,
        direction="out",
        text=text,
        status=status,
    )


def test_messages_to_staff_and_crews_are_counted_against_sms_in_rows_of_their_own(prices):
    council = make_council()
    telegram = make_channel(council, "telegram")
    whatsapp = make_channel(council, "whatsapp")
    crew = make_crew(council=council)
    on_telegram = make_identity(channel=telegram, crew=crew)
    on_whatsapp = make_identity(channel=whatsapp, crew=crew, urn="whatsapp:34600999001")
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False):
        sent(telegram, "telegram:5", SHORT)  # a resident: free; as SMS 0.05
        to_staff(on_telegram, GSM_200)  # a work order: free; as SMS 2 × 0.05
        to_staff(on_telegram, SHORT, status="failed")  # not charged
        to_staff(on_whatsapp, UCS_71)  # inside the window: free; as SMS 2 × 0.05
    with time_machine.travel(dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC), tick=False):
        to_staff(on_telegram, SHORT)  # free; as SMS 0.06 (the new price)

    rows = cost_report(council, dt.date(2026, 3, 1), dt.date(2026, 3, 31))

    table = [(r.audience, r.channel.provider, r.messages, r.cost, r.as_sms) for r in rows]
    assert table == [
        ("residents", "telegram", 1, Decimal("0"), Decimal("0.05")),
        ("staff", "telegram", 2, Decimal("0"), Decimal("0.16")),
        ("staff", "whatsapp", 1, Decimal("0"), Decimal("0.10")),
    ]
    internal = [r for r in rows if r.audience == "staff"]
    assert sum(r.saving for r in internal) == Decimal("0.26")  # what SMS between phones cost


def test_the_cost_page_shows_internal_messages_apart(prices):
    council = make_council()
    telegram = make_channel(council, "telegram")
    to_staff(make_identity(channel=telegram, crew=make_crew(council=council)), SHORT)
    ana, _ = make_supervisors(council)
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), ana)

    page = client.get("/alerts/costs/").content.decode()

    assert "Staff (internal)" in page
    assert "Cost: 0.00 €. As SMS: 0.06 €. Saved: 0.06 €." in page


def test_the_installation_operator_sees_every_council_and_staff_only_their_own(prices):
    north, south = make_council(name="Norte"), make_council(name="Sur")
    sent(make_channel(north, "twilio"), "tel:+34600000001", SHORT)
    sent(make_channel(south, "twilio"), "tel:+34600000002", GSM_200)
    operator = User.objects.create_superuser("operadora", "op@example.org", "x")
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), operator)

    page = client.get("/alerts/costs/").content.decode()
    assert "Norte" in page and "Sur" in page and "Cost per council" in page
    assert "Cost: 0.18 €. As SMS: 0.18 €. Saved: 0.00 €." in page  # 1 + 2 segments at 0.06
    csv = client.get("/alerts/costs.csv").content.decode().splitlines()
    assert csv[0].startswith("council,month,")
    assert sorted(line.split(",")[0] for line in csv[1:]) == [north.slug, south.slug]

    ana, _ = make_supervisors(north)
    staff = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), ana)
    mine = staff.get("/alerts/costs/").content.decode()
    assert "Cost: 0.06 €." in mine and "Sur" not in mine
    assert len(staff.get("/alerts/costs.csv").content.decode().splitlines()) == 2


def test_the_cost_report_command_prints_every_council(prices):
    north, south = make_council(name="Norte"), make_council(name="Sur")
    sent(make_channel(north, "twilio"), "tel:+34600000001", SHORT)
    sent(make_channel(south, "twilio"), "tel:+34600000002", SHORT)
    out = StringIO()
    call_command("cost_report", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("council,month,") and len(lines) == 3
    out = StringIO()
    call_command("cost_report", "--council", south.slug, stdout=out)
    assert [line.split(",")[0] for line in out.getvalue().splitlines()[1:]] == [south.slug]
