"""Staff notifications on the channel each staff member chose, with quiet hours.

Reactions to case changes (wired in ``ventanilla/wiring.py``) find who wants to hear of the
change and call ``notify_user``, which writes a message to their linked phone (held until
their quiet hours end) or queues an e-mail. Everything runs in the change's transaction.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ventanilla.cases.models import Case, CaseEvent
from ventanilla.cases.reactions import CaseChanged, CaseOpened
from ventanilla.cases.workflow import Status
from ventanilla.conversations.reactions import HandoffRequested
from ventanilla.core import batch_reads
from ventanilla.crews import services, timing
from ventanilla.crews.models import DeadlineNotice, NotificationPreference

Event = NotificationPreference.Event


def notify_user(*, user: Any, text: str, event: str, urgent: bool = False) -> int:
    """Tell ``user`` ``text`` where they chose; return how many messages were written.

    ``urgent`` (an escalation) reaches a staff member with no preference on their linked
    phone; quiet hours still hold it back until they end.
    """
    from ventanilla.crews import tasks  # noqa: PLC0415 - tasks import services

    preference = NotificationPreference.objects.filter(user=user).first()
    if preference is None:
        if not urgent:
            return 0
        via = NotificationPreference.Via.MESSAGING
    else:
        if not urgent and event not in preference.events:
            return 0
        via = NotificationPreference.Via(preference.via)
    if via == NotificationPreference.Via.NONE:
        return 0
    if via == NotificationPreference.Via.EMAIL:
        if not user.email:
            return 0
        transaction.on_commit(partial(tasks.send_staff_email.enqueue, user.email, text))
        return 1
    identities = services.identities_of_user(user)
    if not identities:
        return 0
    identity = identities[0]
    send_after = None
    if preference is not None:
        send_after = timing.quiet_until(
            timezone.now(),
            tz=identity.council.tz,
            start=preference.quiet_from,
            end=preference.quiet_until,
        )
    services.queue_staff_message(identity=identity, text=text, send_after=send_after)
    return 1


def _language(user: Any) -> str:
    staff = getattr(user, "staff", None)
    return staff.language if staff is not None else "es"


def case_opened(event: CaseOpened) -> None:
    """A new case in a department: tell its staff who asked for it."""
    case = event.case
    for user in _users_wanting(case, Event.NEW_IN_DEPARTMENT):
        with translation.override(_language(user)):
            notify_user(
                user=user,
                event=Event.NEW_IN_DEPARTMENT,
                text=_("New case %(reference)s in %(department)s: %(category)s. %(link)s")
                % {
                    "reference": case.reference,
                    "department": case.department.name,
                    "category": case.category.name,
                    "link": services.case_link(case),
                },
            )


def _users_wanting(case: Any, event: str) -> list[Any]:
    """Return the department's active staff whose preference asks for ``event`` (read once
    for a batch of cases)."""

    def read() -> list[Any]:
        users = (
            get_user_model()
            .objects.filter(
                staff__departments=case.department_id,
                staff__council=case.council_id,
                is_active=True,
                notification_preference__isnull=False,
            )
            .select_related("notification_preference", "staff")
        )
        return [u for u in users if event in u.notification_preference.events]

    key = ("staff_wanting", case.council_id, case.department_id, event)
    return list(batch_reads.once(key, read))


def case_changed(event: CaseChanged) -> None:
    """Assigned to me; a resident answered my case: tell the assignee who asked for it."""
    case = event.case
    if event.kind == CaseEvent.Kind.ASSIGNEE and case.assignee_id and event.by != case.assignee:
        user, kind = case.assignee, Event.ASSIGNED
    elif (
        event.kind == CaseEvent.Kind.STATUS
        and event.by is None
        and event.before == Status.WAITING_RESIDENT
        and event.after == Status.IN_PROGRESS
        and case.assignee_id
    ):
        user, kind = case.assignee, Event.RESIDENT_ANSWERED
    else:
        return
    with translation.override(_language(user)):
        if kind == Event.ASSIGNED:
            text = _("Case %(reference)s is assigned to you: %(category)s. %(link)s")
        else:
            text = _("The resident answered on case %(reference)s (%(category)s). %(link)s")
        notify_user(
            user=user,
            event=kind,
            text=text
            % {
                "reference": case.reference,
                "category": case.category.name,
                "link": services.case_link(case),
            },
        )


def handoff_requested(event: HandoffRequested) -> None:
    """A resident asks for a person: tell the council's staff who asked for it.

    Staff of the department of the resident's latest open case, or, without one, every
    staff member of the council who wants to hear of hand-offs.
    """
    conversation = event.conversation
    case = (
        Case.objects.filter(citizen_id=conversation.citizen_id, council_id=conversation.council_id)
        .open()
        .order_by("-created_at")
        .first()
    )
    users = get_user_model().objects.filter(
        staff__council=conversation.council_id,
        is_active=True,
        notification_preference__isnull=False,
    )
    if case is not None:
        users = users.filter(staff__departments=case.department_id)
    for user in users.select_related("notification_preference", "staff").distinct():
        if Event.HANDOFF not in user.notification_preference.events:
            continue
        with translation.override(_language(user)):
            link = settings.PUBLIC_URL + reverse("inbox:conversation", args=[conversation.pk])
            notify_user(
                user=user,
                event=Event.HANDOFF,
                text=_("A resident asks to talk to a person. %(link)s") % {"link": link},
            )


def notify_deadlines(*, now: dt.datetime | None = None) -> int:
    """Tell each open case's assignee (else its department's staff who asked) of a deadline.

    "At risk" within ``AT_RISK_MARGIN_HOURS`` of the deadline, "overdue" past it; each once
    per case and deadline (a new deadline is news again). Return how many cases were told.
    """
    now = now or timezone.now()
    margin = dt.timedelta(hours=settings.AT_RISK_MARGIN_HOURS)
    told = 0
    cases = (
        Case.objects.open()
        .filter(due_at__lt=now + margin)
        .select_related("category", "department", "assignee__staff")
        .order_by("due_at", "pk")
    )
    for case in cases:
        kind = DeadlineNotice.Kind.OVERDUE if case.due_at <= now else DeadlineNotice.Kind.AT_RISK
        with transaction.atomic():
            _notice, created = DeadlineNotice.objects.get_or_create(
                case=case, kind=kind, due_at=case.due_at
            )
            if not created:
                continue
            people = [case.assignee] if case.assignee else _users_wanting(case, kind)
            for user in people:
                with translation.override(_language(user)):
                    if kind == DeadlineNotice.Kind.OVERDUE:
                        text = _("Case %(reference)s is overdue (%(category)s). %(link)s")
                    else:
                        text = _("Case %(reference)s is due soon (%(category)s). %(link)s")
                    notify_user(
                        user=user,
                        event=kind,
                        text=text
                        % {
                            "reference": case.reference,
                            "category": case.category.name,
                            "link": services.case_link(case),
                        },
                    )
            told += 1
    return told
