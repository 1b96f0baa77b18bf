"""The write path of channels: configuration, channel events, early statuses, the throttle.

Channels owns the transport's own rows (``Channel``, ``WebhookEvent``, ``PendingStatus``,
``ChannelThrottle``). What a webhook carries for a conversation (messages, their statuses)
is stored by ``conversations.inbound`` and ``conversations.delivery``, which call these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import structlog
from django.db import IntegrityError, transaction
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


def keep_pending_status(*, channel: Channel, update: StatusUpdate) -> PendingStatus:
    """Keep a status whose message has no provider id yet; drop the ones kept too long."""
    with transaction.atomic():
        row = PendingStatus.objects.create(
            channel=channel,
            provider_message_id=update.provider_message_id,
            status=update.status,
            error_code=update.error_code[:50],
            error_title=update.error_title,
            at=update.at,
        )
        PendingStatus.objects.filter(
            channel=channel, created_at__lt=timezone.now() - PENDING_STATUS_TTL
        ).delete()
    return row


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


# -- sending rate ----------------------------------------------------------------------


def take_send_slot(*, channel: Channel) -> dt.datetime:
    """Reserve the channel's next sending slot and return its time.

    Slots are ``1 / rate_per_second`` apart and live in one row per channel, taken under a
    row lock (PostgreSQL) or the write lock (SQLite), so the rate holds across every worker
    process together.
    """
    now = timezone.now()
    if channel.rate_per_second <= 0:
        return now
    interval = dt.timedelta(seconds=1 / channel.rate_per_second)
    with transaction.atomic():
        throttle = ChannelThrottle.objects.select_for_update().filter(channel=channel).first()
        if throttle is None:
            try:
                with transaction.atomic():
                    ChannelThrottle.objects.create(channel=channel, next_slot_at=now + interval)
                return now
            except IntegrityError:  # another worker created it at the same moment
                throttle = ChannelThrottle.objects.select_for_update().get(channel=channel)
        slot = max(timezone.now(), throttle.next_slot_at)
        throttle.next_slot_at = slot + interval
        throttle.save(update_fields=["next_slot_at"])
    return slot


def take_idle_send_slot(*, channel: Channel) -> dt.datetime | None:
    """Reserve the channel's next sending slot only if it is free now; else return None.

    Bulk sending (broadcasts) uses this instead of ``take_send_slot``: it never books slots
    ahead, so a reply to a resident, which books the next slot, waits at most one slot
    behind a broadcast however large it is.
    """
    now = timezone.now()
    if channel.rate_per_second <= 0:
        return now
    interval = dt.timedelta(seconds=1 / channel.rate_per_second)
    with transaction.atomic():
        throttle = ChannelThrottle.objects.select_for_update().filter(channel=channel).first()
        if throttle is None:
            try:
                with transaction.atomic():
                    ChannelThrottle.objects.create(channel=channel, next_slot_at=now + interval)
                return now
            except IntegrityError:
                return None
        if throttle.next_slot_at > now:
            return None
        throttle.next_slot_at = now + interval
        throttle.save(update_fields=["next_slot_at"])
    return now


def next_free_slot(*, channel: Channel) -> dt.datetime:
    """Return when the channel's next sending slot is free (now if it is)."""
    slot = ChannelThrottle.objects.filter(channel=channel).values_list("next_slot_at", flat=True)
    return max([timezone.now(), *slot])
