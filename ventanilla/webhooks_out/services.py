"""The write path of outgoing webhooks: subscribe, queue a delivery, record an attempt."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.cases.models import Case
from ventanilla.channels.crypto import encrypt_json
from ventanilla.core import batch_reads
from ventanilla.core.actors import Actor
from ventanilla.core.models import Council
from ventanilla.webhooks_out.models import Delivery, Event, Subscription
from ventanilla.webhooks_out.payloads import case_payload

#: a delivery is tried this many times, then marked failed
MAX_ATTEMPTS = 8


class SubscriptionError(ValueError):
    """A subscription that cannot be made as asked; the message says why."""


def parse_events(raw: str | Sequence[str]) -> list[str]:
    """Return the events named in ``raw`` ("case.opened,case.changed"); raise if unknown."""
    names = raw.split(",") if isinstance(raw, str) else list(raw)
    events = [name.strip() for name in names if name.strip()]
    unknown = sorted(set(events) - set(Event.values))
    if unknown or not events:
        raise SubscriptionError(
            _("Unknown events: %(unknown)s. Known: %(known)s.")
            % {"unknown": ", ".join(unknown) or "-", "known": ", ".join(Event.values)}
        )
    return list(dict.fromkeys(events))


@transaction.atomic
def add_subscription(
    *, council: Council, url: str, events: str | Sequence[str], by: Actor = None
) -> tuple[Subscription, str]:
    """Subscribe ``url`` to ``council``'s case ``events``; return it and its new secret.

    The secret is returned once, to be given to the receiver; only its encryption is stored.
    """
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise SubscriptionError(_("Not an http(s) URL: %(url)s") % {"url": url}) from exc
    names = parse_events(events)
    secret = secrets.token_urlsafe(32)
    subscription = Subscription.objects.create(
        council=council,
        url=url,
        events=",".join(names),
        secret_encrypted=encrypt_json({"secret": secret}),
    )
    return subscription, secret


def queue_case_event(
    *, case: Case, event: str, change: tuple[str, str, str] | None = None
) -> list[Delivery]:
    """Write a delivery for each active subscription of the case's council to ``event``.

    Runs inside the case change's transaction (a reaction): the rows commit with it.
    """
    active = batch_reads.once(
        ("webhook_subscriptions", case.council_id),
        lambda: list(Subscription.objects.filter(council_id=case.council_id, active=True)),
    )
    subscriptions = [s for s in active if event in s.event_list]
    if not subscriptions:
        return []
    now = timezone.now()
    payload = case_payload(case=case, event=event, moment=now, change=change)
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(
                subscription=s,
                event=event,
                reference=case.reference,
                payload={**payload, "id": f"{payload['id']}-{s.pk}"},
                next_attempt_at=now,
            )
            for s in subscriptions
        ]
    )
    return deliveries


@transaction.atomic
def record_attempt(
    *, delivery: Delivery, ok: bool, error: str = "", retry_in: float | None = None
) -> Delivery:
    """Record one attempt: sent, or failed with ``error`` and retried in ``retry_in`` s.

    After ``MAX_ATTEMPTS`` (or with ``retry_in`` None) a failing delivery is marked failed.
    """
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    delivery.attempts += 1
    now = timezone.now()
    fields: list[str] = ["attempts", "status", "next_attempt_at", "last_error"]
    if ok:
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = now
        delivery.next_attempt_at = None
        delivery.last_error = ""
        fields.append("sent_at")
    elif retry_in is None or delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = Delivery.Status.FAILED
        delivery.next_attempt_at = None
        delivery.last_error = error[:300]
    else:
        delivery.next_attempt_at = now + dt.timedelta(seconds=retry_in)
        delivery.last_error = error[:300]
    delivery.save(update_fields=fields)
    return delivery
