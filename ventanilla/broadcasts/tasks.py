"""The release of a broadcast: one task per channel lets its held messages go, in chunks.

A broadcast's messages are created held back (``conversations.services.queue_outbound_bulk``).
This task releases them a chunk at a time (a few seconds of the channel's rate), and the
channel's dispatcher (``conversations.delivery_tasks.dispatch_channel``) sends them as bulk
messages: after any reply to a resident, within the channel's rate. Releasing in chunks keeps
a pause quick to take effect and WhatsApp's messaging limit (templates to distinct residents
per 24 hours) counted, released templates included. The task runs at a low priority and
hands over to a fresh run of itself every few seconds until every message went out.
"""

from __future__ import annotations

import datetime as dt
import time

import structlog
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from ventanilla.broadcasts import services
from ventanilla.broadcasts.estimate import messaging_limit
from ventanilla.broadcasts.models import Broadcast, Recipient, Status
from ventanilla.channels.models import Channel
from ventanilla.conversations.models import DeliveryStatus
from ventanilla.conversations.services import release_bulk

log = structlog.get_logger(__name__)

#: a release run hands over to a new one after this long (other tasks get the worker)
RUN_BUDGET = 5.0
#: how often a run looks whether the released messages went out
POLL_SECONDS = 0.5
#: below every other task's priority (django-tasks' default is 0)
PRIORITY = -50
#: a chunk is this many seconds of the channel's rate (at least MIN_CHUNK messages)
CHUNK_SECONDS = 10
MIN_CHUNK = 50
#: a channel without a rate limit gets this many released at a time
UNLIMITED_CHUNK = 5000
WINDOW = dt.timedelta(hours=24)


@task(queue_name="send", priority=PRIORITY)
def dispatch(broadcast_id: int, channel_id: int) -> None:
    """Release the broadcast's held messages on one channel as they go out, for a few seconds."""
    channel = Channel.objects.filter(pk=channel_id).first()
    if channel is None:
        return
    mine = Recipient.objects.filter(
        broadcast_id=broadcast_id, channel_id=channel_id, message__status=DeliveryStatus.QUEUED
    )
    held = mine.filter(message__due_at__isnull=True)
    deadline = time.monotonic() + RUN_BUDGET
    while True:
        status = Broadcast.objects.filter(pk=broadcast_id).values_list("status", flat=True).first()
        if status != Status.SENDING:
            return
        room = _chunk(channel) - mine.filter(message__due_at__isnull=False).count()
        if room > 0:
            released = release_bulk(message_ids=_next_chunk(channel, held, room))
            if released:
                log.info("broadcast_released", broadcast=broadcast_id, count=released)
        if not mine.exists() or time.monotonic() >= deadline:
            break
        time.sleep(POLL_SECONDS)
    if services.finish_if_done(broadcast_id=broadcast_id):
        log.info("broadcast_done", broadcast=broadcast_id)
        return
    if not mine.exists():
        return
    run_after = timezone.now()
    limit = messaging_limit(channel)
    waiting_only_for_the_limit = (
        limit is not None
        and not mine.filter(message__due_at__isnull=False).exists()
        and not held.filter(template=False).exists()
        and _templates_counted(channel) >= limit
    )
    if waiting_only_for_the_limit:
        oldest = _oldest_template_in_window(channel)
        if oldest is not None:
            run_after = oldest + WINDOW  # the limit frees up as the oldest leaves the window
    _again(broadcast_id, channel_id, run_after, held=held.exists())


def _chunk(channel: Channel) -> int:
    """Return how many of a broadcast's messages may be released and unsent at once."""
    if channel.rate_per_second <= 0:
        return UNLIMITED_CHUNK
    return max(MIN_CHUNK, int(channel.rate_per_second * CHUNK_SECONDS))


def _next_chunk(channel: Channel, held: QuerySet[Recipient], room: int) -> list[int]:
    """Return the next held messages to release: free text first, templates within the limit."""
    free = list(
        held.filter(template=False).order_by("pk").values_list("message_id", flat=True)[:room]
    )
    room -= len(free)
    limit = messaging_limit(channel)
    if limit is not None:
        room = min(room, limit - _templates_counted(channel))
    if room <= 0:
        return free
    templates = held.filter(template=True).order_by("pk").values_list("message_id", flat=True)
    return free + list(templates[:room])


def _again(broadcast_id: int, channel_id: int, run_after: dt.datetime, *, held: bool) -> None:
    """Hand over to a new run; a queue that cannot defer (tests) runs it now if it is due
    and has messages left to release (retries it cannot wait for)."""
    if dispatch.get_backend().supports_defer:
        dispatch.using(run_after=run_after).enqueue(broadcast_id, channel_id)
    elif run_after <= timezone.now() and held:
        dispatch.enqueue(broadcast_id, channel_id)
    else:
        log.warning("broadcast_dispatch_waits", broadcast=broadcast_id, until=run_after)


def _templates_counted(channel: Channel) -> int:
    """Templates that count against the limit: sent in the window, or released and unsent."""
    since = timezone.now() - WINDOW
    sent = Recipient.objects.filter(channel=channel, template=True, message__sent_at__gte=since)
    released = Recipient.objects.filter(
        channel=channel,
        template=True,
        message__status=DeliveryStatus.QUEUED,
        message__due_at__isnull=False,
    )
    return sent.count() + released.count()


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


@task(queue_name="bulk")
def prune_portal_codes() -> int:
    """Delete the portal's one-time codes a day after they expired (a periodic job)."""
    return services.prune_portal_codes()
