"""Case events become deliveries, written with the change and sent once it commits."""

from __future__ import annotations

from functools import partial

from django.db import transaction

from ventanilla.cases.reactions import CaseChanged, CaseOpened
from ventanilla.webhooks_out import services, tasks
from ventanilla.webhooks_out.models import Delivery, Event


def case_opened(event: CaseOpened) -> None:
    _send_on_commit(services.queue_case_event(case=event.case, event=Event.CASE_OPENED))


def case_changed(event: CaseChanged) -> None:
    change = (str(event.kind), event.before, event.after)
    _send_on_commit(
        services.queue_case_event(case=event.case, event=Event.CASE_CHANGED, change=change)
    )


def _send_on_commit(deliveries: list[Delivery]) -> None:
    for delivery in deliveries:
        transaction.on_commit(partial(tasks.deliver.enqueue, delivery.pk))
