"""The write path of channels: configuration, channel events, early statuses, the throttle.

Channels owns the transport's own rows (``Channel``, ``WebhookEvent``, ``PendingStatus``,
``ChannelThrottle``). What a webhook carries for a conversation (messages, their statuses)
is stored by ``conversations.inbound`` and ``conversations.delivery``, which call these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.channels.adapters import provider_class
from ventanilla.channels.adapters.base import ChannelEvent, StatusUpdate
from ventanilla.channels.models import (
    Channel,
    ChannelThrottle,
    EventKind,
    PendingStatus,
    Provider,
    WebhookEvent,
)
from ventanilla.citizens.urns import InvalidUrn, normalise_email
from ventanilla.core.models import Council

log = structlog.get_logger(__name__)

#: a status for a message we never learn about (sent by another system) is dropped after this
PENDING_STATUS_TTL = dt.timedelta(days=1)
#: the resident asked not to be written to (or blocked us) with these channel events
OPT_OUT_EVENTS = frozenset({EventKind.STOP, EventKind.UNFOLLOW})


# -- configuration ---------------------------------------------------------------------


class ChannelConfigError(ValueError):
    """The channel cannot be created as asked; the text says what is missing."""


@transaction.atomic
def create_channel(
    *,
    council: Council,
    provider: str,
    name: str,
    secrets: dict[str, str],
    api_base: str = "",
    rate_per_second: float | None = None,
    options: dict[str, Any] | None = None,
    public_address: str = "",
) -> Channel:
    """Create a channel; raise ChannelConfigError when a secret the provider needs is missing.

    ``public_address`` is what the portal shows residents to reach it (a number, a username).
    """
    try:
        kind = Provider(provider)
    except ValueError:
        raise ChannelConfigError(_("Unknown provider: %(name)s") % {"name": provider}) from None
    missing = [key for key in provider_class(kind).required_secrets if not secrets.get(key)]
    if missing:
        raise ChannelConfigError(_("Missing secrets: %(names)s") % {"names": ", ".join(missing)})
    if rate_per_second is not None and rate_per_second <= 0:
        raise ChannelConfigError(_("The sending rate must be above zero."))
    options = dict(options or {})
    if kind == Provider.EMAIL:
        options["address"] = _mailbox_address(str(options.get("address") or ""))
        options.setdefault("display_name", name)
    channel = Channel(
        council=council,
        provider=kind,
        name=name,
        api_base=api_base.rstrip("/"),
        options=options,
        public_address=public_address.strip()[:200],
    )
    if rate_per_second is not None:
        channel.rate_per_second = rate_per_second
    channel.secrets = {key: value for key, value in secrets.items() if value}
    channel.save()
    return channel


def _mailbox_address(address: str) -> str:
    """Return an e-mail channel's address, checked and free; raise ChannelConfigError."""
    try:
        address = normalise_email(address)
    except InvalidUrn:
        raise ChannelConfigError(_("An e-mail channel needs a valid address.")) from None
    taken = Channel.objects.filter(
        provider=Provider.EMAIL, active=True, options__address=address
    ).exists()
    if taken:
        raise ChannelConfigError(
            _("Another e-mail channel receives at %(address)s.") % {"address": address}
        )
    return address


def email_channel_for(address: str) -> Channel | None:
    """Return the active e-mail channel that receives mail at ``address``, if any."""
    try:
        address = normalise_email(address)
    except InvalidUrn:
        return None
    return (
        Channel.objects.select_related("council")
        .filter(provider=Provider.EMAIL, active=True, options__address=address)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def remember_cursor(*, channel: Channel, cursor: str) -> None:
    """Keep where the next poll of a polled channel (Mastodon, Bluesky) starts."""
    locked = Channel.objects.select_for_update().get(pk=channel.pk)
    options = dict(locked.options or {})
    if options.get("poll_cursor") == cursor:
        return
    options["poll_cursor"] = cursor
    Channel.objects.filter(pk=channel.pk).update(options=options)
    channel.options = options


# -- channel events --------------------------------------------------------------------


def record_event(*, channel: Channel, event: ChannelEvent) -> WebhookEvent | None:
    """Record a channel event once; return None when the provider delivered it before.

    The caller decides what the event means for the resident (an opt-out), in the same
    transaction when it opens one around this call.
    """
    try:
        with transaction.atomic():
            row = WebhookEvent.objects.create(
                channel=channel,
                kind=event.kind,
                name=event.name[:100],
                urn=event.urn[:255],
                provider_event_id=event.provider_event_id[:200],
            )
    except IntegrityError:
        return None
    if event.kind == EventKind.UNSUPPORTED:
        log.info(
            "webhook_event_unsupported",
            channel=channel.pk,
            provider=channel.provider,
            name=event.name,
        )
    return row


# -- statuses that arrive before their message is sent ---------------------------------


def keep_pending_statuses(*, channel: Channel, updates: Sequence[StatusUpdate]) -> None:
    """Keep many early statuses in one insert; drop the ones kept too long."""
    with transaction.atomic():
        PendingStatus.objects.bulk_create(
            PendingStatus(
                channel=channel,
                provider_message_id=update.provider_message_id,
                status=update.status,
                error_code=update.error_code[:50],
                error_title=update.error_title,
                at=update.at,
            )
            for update in updates
        )
        PendingStatus.objects.filter(
            channel=channel, created_at__lt=timezone.now() - PENDING_STATUS_TTL
        ).delete()


def has_pending_statuses(*, channel_id: int, provider_message_id: str) -> bool:
    """Return whether statuses wait for the message the provider knows as this id."""
    return bool(provider_message_id) and (
        PendingStatus.objects.filter(
            channel_id=channel_id, provider_message_id=provider_message_id
        ).exists()
    )


def claim_pending_statuses(*, channel_id: int, provider_message_id: str) -> list[StatusUpdate]:
    """Remove the statuses kept for this provider message id and return them, oldest first.

    Call it inside the transaction that applies them, so that they are removed only if
    they are applied.
    """
    rows = list(
        PendingStatus.objects.filter(
            channel_id=channel_id, provider_message_id=provider_message_id
        ).order_by("pk")
    )
    PendingStatus.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return [
        StatusUpdate(
            provider_message_id=row.provider_message_id,
            status=row.status,  # type: ignore[arg-type]
            at=row.at,
            error_code=row.error_code,
            error_title=row.error_title,
        )
        for row in rows
    ]


# -- sending rate and dispatchers -------------------------------------------------------

#: a channel's bucket holds at most this many seconds of its rate (a short burst after idling)
BURST_SECONDS = 0.5
#: an empty bucket is waited on until this many seconds of the rate have refilled
REFILL_STEP = 0.1
#: a dispatcher not seen for this long is taken to have died with its worker
DISPATCHER_STALE = dt.timedelta(seconds=20)


@dataclass(frozen=True)
class Grant:
    """What a dispatcher may send now: ``count`` messages; else wait ``wait`` seconds.

    ``failures`` counts the rounds in a row that sent nothing because the provider failed:
    while it is not zero the channel sends one message at a time, to probe.
    """

    count: int
    wait: float = 0.0
    failures: int = 0


def bucket_capacity(rate_per_second: float) -> float:
    """Return how many tokens a channel's bucket holds at most (at least one)."""
    return max(1.0, rate_per_second * BURST_SECONDS)


def refill(*, tokens: float, since: dt.datetime, now: dt.datetime, rate: float) -> float:
    """Return the tokens a bucket holds at ``now``: refilled at ``rate`` per second, capped."""
    elapsed = max(0.0, (now - since).total_seconds())
    return min(bucket_capacity(rate), tokens + elapsed * rate)


def _throttle_for_update(channel: Channel, now: dt.datetime) -> ChannelThrottle:
    """Return the channel's throttle row locked for this transaction, created if missing."""
    throttle = ChannelThrottle.objects.select_for_update().filter(channel=channel).first()
    if throttle is not None:
        return throttle
    try:
        with transaction.atomic():
            ChannelThrottle.objects.create(
                channel=channel,
                tokens=bucket_capacity(channel.rate_per_second),
                refilled_at=now,
            )
    except IntegrityError:  # another worker created it at the same moment
        pass
    return ChannelThrottle.objects.select_for_update().get(channel=channel)


def take_send_tokens(*, channel: Channel, wanted: int, now: dt.datetime | None = None) -> Grant:
    """Take up to ``wanted`` sends from the channel's bucket; say how many, or how long to wait.

    The bucket is one row per channel, taken under a row lock (PostgreSQL) or the write lock
    (SQLite), so the rate holds across every worker process together; a rate of 0 or less
    is unlimited. Call it in the transaction that claims the messages, and give back with
    :func:`give_back_send_tokens` what it could not use. It also marks the caller, a
    dispatcher, as alive.
    """
    now = now or timezone.now()
    with transaction.atomic():
        throttle = _throttle_for_update(channel, now)
        throttle.dispatch_seen_at = now
        fields = ["dispatch_seen_at"]
        rate = channel.rate_per_second
        if throttle.paused_until is not None and throttle.paused_until > now:
            wait = (throttle.paused_until - now).total_seconds()
            throttle.save(update_fields=fields)
            return Grant(0, wait, throttle.failures)
        wanted = min(wanted, 1) if throttle.failures else wanted
        if rate <= 0:
            throttle.save(update_fields=fields)
            return Grant(max(0, wanted), 0.0, throttle.failures)
        # The clock was read before the lock: a worker that waited for it must not move the
        # bucket's clock back, or the next one would be refilled for the same time twice.
        stamp = max(now, throttle.refilled_at)
        tokens = refill(tokens=throttle.tokens, since=throttle.refilled_at, now=stamp, rate=rate)
        granted = max(0, min(wanted, int(tokens)))
        throttle.tokens = tokens - granted
        throttle.refilled_at = stamp
        throttle.save(update_fields=[*fields, "tokens", "refilled_at"])
    # An empty bucket: wait for a tenth of a second's worth, not for each single token.
    need = min(float(wanted), max(1.0, rate * REFILL_STEP))
    wait = 0.0 if granted else max(0.0, need - throttle.tokens) / rate
    return Grant(granted, wait, throttle.failures)


def give_back_send_tokens(*, channel: Channel, count: int) -> None:
    """Return ``count`` unused tokens to the channel's bucket (never above its capacity)."""
    if count <= 0 or channel.rate_per_second <= 0:
        return
    capacity = bucket_capacity(channel.rate_per_second)
    ChannelThrottle.objects.filter(channel=channel).update(
        tokens=Least(F("tokens") + count, Value(capacity))
    )


def pause_sending(*, channel: Channel, seconds: float, failed: bool) -> None:
    """Send nothing on the channel for ``seconds`` (a 429's Retry-After, or a provider down).

    ``failed``: a round sent nothing because the provider failed; until a send succeeds
    (:func:`sending_recovered`), the channel probes one message at a time.
    """
    until = timezone.now() + dt.timedelta(seconds=max(0.0, seconds))
    with transaction.atomic():
        throttle = _throttle_for_update(channel, timezone.now())
        if throttle.paused_until is None or throttle.paused_until < until:
            throttle.paused_until = until
        throttle.tokens = 0
        throttle.refilled_at = max(until, timezone.now())
        if failed:
            throttle.failures = min(throttle.failures + 1, 1000)
        throttle.save(update_fields=["paused_until", "tokens", "refilled_at", "failures"])
    log.info("channel_paused", channel=channel.pk, seconds=round(seconds, 3), failed=failed)


def sending_recovered(*, channel: Channel) -> None:
    """Forget the provider's failures: a send went through."""
    ChannelThrottle.objects.filter(channel=channel, failures__gt=0).update(failures=0)


def want_dispatcher(*, channel_id: int, most: int) -> bool:
    """Count one more dispatcher run for the channel if fewer than ``most`` run; return whether.

    The caller enqueues the run when this returns True. One conditional UPDATE: a thousand
    messages queued at once wake one dispatcher. Runs not seen for ``DISPATCHER_STALE`` (a
    killed worker's) are forgotten.
    """
    now = timezone.now()
    stale = Q(dispatch_seen_at__isnull=True) | Q(dispatch_seen_at__lt=now - DISPATCHER_STALE)
    for _attempt in range(2):
        woken = (
            ChannelThrottle.objects.filter(channel_id=channel_id)
            .filter(Q(dispatchers__lt=most) | stale)
            .update(
                dispatchers=Case(When(stale, then=Value(1)), default=F("dispatchers") + 1),
                dispatch_seen_at=now,
            )
        )
        if woken:
            return True
        if ChannelThrottle.objects.filter(channel_id=channel_id).exists():
            return False
        channel = Channel.objects.filter(pk=channel_id).first()
        if channel is None:
            return False
        with transaction.atomic():
            _throttle_for_update(channel, now)
    return False


def dispatcher_done(*, channel_id: int) -> None:
    """Count one dispatcher run of the channel less (it found nothing to send)."""
    ChannelThrottle.objects.filter(channel_id=channel_id).update(
        dispatchers=Case(When(dispatchers__gt=0, then=F("dispatchers") - 1), default=Value(0))
    )


def dispatcher_alive(*, channel_id: int, until: dt.datetime | None = None) -> None:
    """Mark the channel's dispatchers alive (until ``until``: a run that waits to go on)."""
    ChannelThrottle.objects.filter(channel_id=channel_id).update(
        dispatch_seen_at=until or timezone.now()
    )


def with_pending_statuses(*, channel_id: int, provider_message_ids: list[str]) -> set[str]:
    """Return which of these provider message ids have statuses waiting for them."""
    ids = [i for i in provider_message_ids if i]
    if not ids:
        return set()
    return set(
        PendingStatus.objects.filter(channel_id=channel_id, provider_message_id__in=ids)
        .values_list("provider_message_id", flat=True)
        .distinct()
    )
