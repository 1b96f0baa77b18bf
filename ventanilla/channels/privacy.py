"""The channels' part of erasure: the provider events that name a resident's address."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from ventanilla.channels.models import WebhookEvent
from ventanilla.privacy.subjects import Subject


@transaction.atomic
def erase(subject: Subject) -> Mapping[str, int]:
    """Blank the resident's address in provider events (kept: they stop re-deliveries)."""
    changed = WebhookEvent.objects.filter(
        channel__council_id=subject.council_id, urn__in=subject.urns
    ).update(urn="")
    return {"provider_events": changed}
