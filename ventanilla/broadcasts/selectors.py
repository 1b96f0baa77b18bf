"""Reads of alerts: a broadcast's progress, a council's topics, a resident's subscriptions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from ventanilla.broadcasts.estimate import estimated_finish
from ventanilla.broadcasts.models import Broadcast, Recipient, Status, Subscription, Topic
from ventanilla.conversations.language import fold
from ventanilla.core.models import Council

STATUSES = ("queued", "sent", "delivered", "read", "failed")


@dataclass
class Progress:
    """Messages of a broadcast by status, in total and per channel (id → counts)."""

    totals: dict[str, int]
    per_channel: dict[int, dict[str, int]] = field(default_factory=dict)
    estimated_finish: dt.datetime | None = None

    @property
    def recipients(self) -> int:
        return sum(self.totals.values())

    @property
    def done(self) -> int:
        return self.recipients - self.totals["queued"]

    @property
    def done_share(self) -> float:
        total = self.recipients
        return (total - self.totals["queued"]) / total if total else 1.0


def progress(broadcast: Broadcast) -> Progress:
    rows = (
        Recipient.objects.filter(broadcast=broadcast)
        .values("channel_id", "message__status")
        .annotate(n=Count("pk"), templates=Count("pk", filter=Q(template=True)))
    )
    totals = dict.fromkeys(STATUSES, 0)
    per_channel: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    remaining: dict[int, tuple[int, int]] = {}
    for row in rows:
        status = row["message__status"]
        if status not in totals:
            continue
        totals[status] += row["n"]
        per_channel[row["channel_id"]][status] += row["n"]
        if status == "queued":
            remaining[row["channel_id"]] = (row["n"], row["templates"])
    finish = None
    if broadcast.status in (Status.SENDING, Status.PAUSED):
        finish = estimated_finish(broadcast, remaining)
    elif broadcast.status == Status.DONE:
        finish = broadcast.finished_at
    return Progress(totals, dict(per_channel), finish)


def topics_of(council: Council) -> list[Topic]:
    return list(Topic.objects.filter(council=council, active=True).order_by("name_es"))


def topic_named(council: Council, words: list[str]) -> Topic | None:
    """Return the topic the words name ("trafico", "proteccion civil", a keyword), if any."""
    said = " ".join(fold(w) for w in words)
    if not said:
        return None
    for topic in topics_of(council):
        labels = [topic.name_es, topic.name_ca, topic.name_en, topic.slug]
        labels += [line for line in topic.keywords.splitlines() if line.strip()]
        if any(fold(label) == said for label in labels if label):
            return topic
    return None


def active_subscriptions(council: Council) -> int:
    return Subscription.objects.filter(council=council, ended_at__isnull=True).count()
