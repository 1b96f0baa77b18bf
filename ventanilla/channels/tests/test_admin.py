"""Staff read channel events in the admin: their council's only, and never edit them."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from ventanilla.cases.models import Role
from ventanilla.cases.tests.factories import make_council, make_staff
from ventanilla.channels.models import EventKind, WebhookEvent
from ventanilla.channels.services import create_channel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings):  # type: ignore[no-untyped-def]
    settings.OTP_REQUIRED = False


def channel_of(council):  # type: ignore[no-untyped-def]
    secrets = {"channel_secret": "s", "access_token": "t"}
    return create_channel(council=council, provider="line", name="LINE", secrets=secrets)


def test_supervisors_see_their_councils_channel_events_read_only() -> None:
    ours, theirs = make_council(), make_council()
    WebhookEvent.objects.create(
        channel=channel_of(ours), kind=EventKind.UNSUPPORTED, name="beacon-ours"
    )
    other = WebhookEvent.objects.create(
        channel=channel_of(theirs), kind=EventKind.UNSUPPORTED, name="beacon-theirs"
    )
    user = make_staff(council=ours, role=Role.SUPERVISOR)
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)

    listing = client.get("/admin/channels/webhookevent/")

    assert listing.status_code == 200
    assert "beacon-ours" in listing.content.decode()
    assert "beacon-theirs" not in listing.content.decode()
    assert client.get(f"/admin/channels/webhookevent/{other.pk}/change/").status_code == 404
    assert client.get("/admin/channels/webhookevent/add/").status_code == 403
    for page in ("pendingstatus", "channelthrottle"):
        assert client.get(f"/admin/channels/{page}/").status_code == 200


@pytest.mark.parametrize(
    ("options", "valid"),
    [({}, False), ({"address": "buzon"}, False), ({"address": "Buzon@Ayto.example"}, True)],
)
def test_an_email_channel_in_the_admin_needs_its_address(options: dict, valid: bool) -> None:  # type: ignore[type-arg]
    from ventanilla.channels.admin import ChannelForm

    council = make_council()
    form = ChannelForm(
        data={
            "council": council.pk,
            "provider": "email",
            "name": "Buzón",
            "rate_per_second": 10,
            "options": json.dumps(options),
            "active": True,
        }
    )
    assert form.is_valid() is valid, form.errors
    if valid:
        assert form.cleaned_data["options"]["address"] == "buzon@ayto.example"
