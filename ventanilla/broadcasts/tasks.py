"""The dispatcher of a broadcast: one task per channel sends its queued messages.

It takes a sending slot only when the channel is idle (``take_idle_send_slot``), so replies
to residents, which book the next slot, always go first; it sends through the ordinary
send path (``conversations.delivery_tasks.send_message``), keeps WhatsApp's messaging
limit (templates to distinct residents per 24 hours) and runs at a low priority, handing
over to a fresh run of itself every few seconds.
"""

from __future__ import annotations

import datetime as dt
import time

import structlog
from django.utils import timezone
from django_tasks import task

from ventanilla.broadcasts import services
from ventanilla.broadcasts.estimate import messaging_limit
from ventanilla.broadcasts.models import Broadcast, Recipient, Status
from ventanilla.channels.models import Channel
from ventanilla.channels.services import next_free_slot, take_idle_send_slot
from ventanilla.conversations.delivery_tasks import send_message
from ventanilla.conversations.models import DeliveryStatus

log = structlog.get_logger(__name__)

#: a dispatcher run hands over to a new one after this long (other tasks get the worker)
RUN_BUDGET = 5.0
#: below every other task's priority (django-tasks' default is 0)
PRIORITY = -50
BATCH = 200
WINDOW = dt.timedelta(hours=24)


@task(queue_name="send", priority=PRIORITY)
def dispatch(broadcast_id: int, channel_id: int) -> None:
    """Send the broadcast's queued messages on one channel, for a few seconds at most."""
    channel = Channel.objects.filter(pk=channel_id).first()
    if channel is None:
        return
    deadline = time.monotonic() + RUN_BUDGET
    while time.monotonic() < deadline:
        status = Broadcast.objects.filter(pk=broadcast_id).values_list("status", flat=True).first()
        if status != Status.SENDING:
            return
        pending = Recipient.objects.filter(
            broadcast_id=broadcast_id, channel_id=channel_id, message__status=DeliveryStatus.QUEUED
        )
        limit = messaging_limit(channel)
        if limit is not None and _templates_in_window(channel) >= limit:
            pending = pending.filter(template=False)
        batch = list(pending.order_by("pk").values_list("message_id", flat=True)[:BATCH])
        if not batch:
            break
        for message_id in batch:
            slot = take_idle_send_slot(channel=channel)
            while slot is None:
                wait = (next_free_slot(channel=channel) - timezone.now()).total_seconds()
                time.sleep(min(max(wait, 0.001), 0.5))
                slot = take_idle_send_slot(channel=channel)
            send_message.call(message_id, slot=slot.isoformat())
            if time.monotonic() >= deadline:
                break
    if services.finish_if_done(broadcast_id=broadcast_id):
        log.info("broadcast_done", broadcast=broadcast_id)
        return
    remaining = Recipient.objects.filter(
        broadcast_id=broadcast_id, channel_id=channel_id, message__status=DeliveryStatus.QUEUED
    )
    if not remaining.exists():
        return
    run_after = timezone.now()
    limit = messaging_limit(channel)
    if limit is not None and not remaining.filter(template=False).exists():
        oldest = _oldest_template_in_window(channel)
        if oldest is not None and _templates_in_window(channel) >= limit:
            run_after = oldest + WINDOW  # the limit frees up as the oldest leaves the window
    _again(broadcast_id, channel_id, run_after)


def _again(broadcast_id: int, channel_id: int, run_after: dt.datetime) -> None:
    """Hand over to a new run; a queue that cannot defer (tests) runs it now if it is due."""
    if dispatch.get_backend().supports_defer:
        dispatch.using(run_after=run_after).enqueue(broadcast_id, channel_id)
    elif run_after <= timezone.now():
        dispatch.enqueue(broadcast_id, channel_id)
    else:
        log.warning("broadcast_dispatch_waits", broadcast=broadcast_id, until=run_after)


def _templates_in_window(channel: Channel) -> int:
    since = timezone.now() - WINDOW
    return Recipient.objects.filter(
        channel=channel, template=True, message__sent_at__gte=since
    ).count()


def _oldest_template_in_window(channel: Channel) -> dt.datetime | None:
    since = timezone.now() - WINDOW
    return (
        Recipient.objects.filter(channel=channel, template=True, message__sent_at__gte=since)
        .order_by("message__sent_at")
        .values_list("message__sent_at", flat=True)
        .first()
    )


@task(queue_name="default")
def start_scheduled(broadcast_id: int) -> None:
    """Fan out a scheduled broadcast at its time."""
    services.start_scheduled(broadcast_id=broadcast_id)
