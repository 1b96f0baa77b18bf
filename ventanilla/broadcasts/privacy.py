"""Alerts' part of data-subject rights: a resident's subscriptions and the alerts they sent.

Erasure needs nothing of its own: subscriptions and alerts go with the resident and their
conversations (``on_delete=CASCADE``); relayed texts never held their identity.
"""

from __future__ import annotations

from collections.abc import Mapping

from ventanilla.broadcasts.models import Alert, Subscription
from ventanilla.privacy.subjects import Rows, Subject


def export(subject: Subject) -> Mapping[str, Rows]:
    subscriptions = Subscription.objects.filter(citizen_id=subject.citizen_id).select_related(
        "topic", "conversation"
    )
    alerts = Alert.objects.filter(conversation__citizen_id=subject.citizen_id)
    return {
        "alert_subscriptions": [
            {
                "topic": s.topic.name_es,
                "address": s.conversation.urn,
                "subscribed_at": s.created_at,
                "how": s.source,
                "notice_shown": s.notice,
                "unsubscribed_at": s.ended_at,
            }
            for s in subscriptions.order_by("pk")
        ],
        "neighbourhood_alerts_sent": [
            {"at": a.created_at, "text": a.text, "status": a.status, "relayed_as": a.relayed_text}
            for a in alerts.order_by("pk")
        ],
    }
