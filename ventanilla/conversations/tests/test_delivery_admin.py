"""A council's administrator sees its failed webhook deliveries and can send them again."""

from __future__ import annotations

import pytest
from django.utils import translation

from ventanilla.cases.models import Role
from ventanilla.cases.roles import ensure_roles
from ventanilla.cases.tests.factories import make_council, make_staff
from ventanilla.conversations.models import DeliveryState, WebhookDelivery
from ventanilla.inbox.tests.factories import make_channel, signed_in

pytestmark = pytest.mark.django_db

URL = "/admin/conversations/webhookdelivery/"


def failed_delivery(channel, digest: str) -> WebhookDelivery:  # type: ignore[no-untyped-def]
    return WebhookDelivery.objects.create(
        channel=channel,
        digest=digest,
        body='{"message": "Soy Lucía, mi DNI es 12345678Z"}'.encode(),
        state=DeliveryState.FAILED,
        attempts=8,
        last_error="IntegrityError: Key (urn)=(telegram:123456789) already exists",
    )


def admin_user(council, role: Role):  # type: ignore[no-untyped-def]
    user = make_staff(council=council, role=role)
    user.is_staff = True
    user.save()
    return signed_in(user)


@pytest.fixture
def town():  # type: ignore[no-untyped-def]
    ensure_roles()
    council = make_council()
    return council, make_channel(council=council)


def test_the_administrator_lists_their_councils_failed_deliveries_without_their_content(town):
    council, channel = town
    ours = failed_delivery(channel, "a" * 64)
    other = make_council()
    failed_delivery(make_channel(council=other), "b" * 64)
    client = admin_user(council, Role.ADMINISTRATOR)

    with translation.override("en"):
        listing = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
        page = client.get(f"{URL}{ours.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")

    assert listing.status_code == 200
    assert "1 webhook delivery" in listing.content.decode()
    text = page.content.decode()
    assert page.status_code == 200
    assert "12345678Z" not in text and "123456789" not in text


def test_the_administrator_sends_failed_deliveries_again_and_an_auditor_cannot(town):
    council, channel = town
    delivery = failed_delivery(channel, "c" * 64)
    auditor = admin_user(council, Role.AUDITOR)
    administrator = admin_user(council, Role.ADMINISTRATOR)
    form = {"action": "retry", "_selected_action": [delivery.pk]}

    auditor.post(URL, form)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED

    administrator.post(URL, form)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == (
        DeliveryState.PENDING,
        0,
        "",
    )
