"""The write path of cases: every change of a case goes through one of these functions."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.cases import deadlines
from ventanilla.cases.access import may_act_on
from ventanilla.cases.models import (
    Case,
    CaseAccess,
    CaseEvent,
    Category,
    Department,
    LocationSource,
    Note,
    Priority,
)
from ventanilla.cases.reactions import CaseChanged, CaseOpened, case_changed, case_opened
from ventanilla.cases.references import allocate_reference
from ventanilla.cases.workflow import Status, check_transition
from ventanilla.core.actors import Actor
from ventanilla.core.events import publish_on_commit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from ventanilla.channels.models import Channel
    from ventanilla.citizens.models import Citizen


class CaseError(Exception):
    """A change refused for a reason the person who asked can understand."""


class NotAllowed(PermissionDenied):
    """The actor may not change this case (their role reads only, or it is out of their scope)."""


def check_may_act(*, case: Case, by: Actor) -> None:
    """Refuse ``by`` unless they may change ``case``; ``None`` (the system) always may."""
    if by is not None and not may_act_on(by, case):
        raise NotAllowed(_("You may not change this case."))


def compute_due_dates(*, category: Category, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Return (first_response_due_at, due_at) for a case of ``category`` opened at ``start``."""
    council = category.council
    holidays = council.holiday_dates()
    first = deadlines.add_working_hours(
        start,
        category.first_response_hours,
        holidays=holidays,
        tz=council.tz,
        opens=council.office_opens,
        closes=council.office_closes,
    )
    due = deadlines.add_working_days(
        start, category.resolution_days, holidays=holidays, tz=council.tz
    )
    return first, due


def _record(
    case: Case,
    kind: CaseEvent.Kind,
    from_value: object,
    to_value: object,
    by: Actor,
    comment: str = "",
    resident_message: str = "",
) -> CaseEvent:
    """Append the history row of a change and run the reactions to it, in its transaction."""
    before = "" if from_value is None else str(from_value)
    after = "" if to_value is None else str(to_value)
    event = CaseEvent.objects.create(
        case=case, kind=kind, from_value=before, to_value=after, actor=by, comment=comment
    )
    case_changed.run(
        CaseChanged(
            case=case,
            kind=kind,
            before=before,
            after=after,
            by=by,
            comment=comment,
            resident_message=resident_message,
        )
    )
    publish_on_commit(
        council_id=case.council_id,
        kind="case",
        data={"reference": case.reference, "change": kind, "department": case.department_id},
    )
    return event


def _touch(case: Case, *fields: str) -> None:
    case.updated_at = timezone.now()
    case.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def open_case(
    *,
    category: Category,
    description: str,
    citizen: Citizen | None = None,
    channel: Channel | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    address: str = "",
    priority: int = Priority.NORMAL,
    by: Actor = None,
    opened_at: dt.datetime | None = None,
) -> Case:
    """Open a case, route it to the category's department and give it its reference number.

    ``opened_at`` (default now) is for cases brought from elsewhere that were opened earlier
    (the demo's late cases, an import): deadlines run from it.
    """
    if not category.active:
        raise CaseError(_("The category “%(name)s” is not active.") % {"name": category.name})
    council = category.council
    if citizen is not None and citizen.council_id != council.pk:
        raise CaseError("resident of another council")
    now = opened_at or timezone.now()
    first_due, due = compute_due_dates(category=category, start=now)
    case = Case.objects.create(
        council=council,
        reference=allocate_reference(council=council, moment=now),
        category=category,
        department=category.department,
        priority=priority,
        channel=channel,
        citizen=citizen,
        description=description,
        latitude=latitude,
        longitude=longitude,
        address=address,
        is_public=category.public_by_default,
        created_at=now,
        updated_at=now,
        first_response_due_at=first_due,
        due_at=due,
    )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.CREATED,
        to_value=Status.NEW,
        actor=by,
        created_at=now,
    )
    if latitude is not None and longitude is not None:
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.LOCATION,
            to_value=location_value(latitude, longitude, LocationSource.REPORT),
            comment=address,
            actor=by,
        )
    case_opened.run(CaseOpened(case=case, by=by))
    publish_on_commit(
        council_id=council.pk,
        kind="case",
        data={"reference": case.reference, "change": "created", "department": case.department_id},
    )
    return case


@transaction.atomic
def change_status(
    *,
    case: Case,
    status: str,
    by: Actor = None,
    comment: str = "",
    resident_message: str = "",
) -> Case:
    """Move a case to ``status`` if the workflow allows it; record who, when and why.

    ``comment`` is the internal note: kept in the history, never sent. ``resident_message``
    is sent to the resident with the news of the new status (``conversations.notifications``);
    the history keeps only that a message went, the thread keeps the message itself.
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    check_may_act(case=case, by=by)
    previous = case.status
    check_transition(previous, status)
    case.status = status
    now = timezone.now()
    fields = ["status"]
    if status == Status.RESOLVED:
        case.resolved_at = now
        fields.append("resolved_at")
    elif status == Status.CLOSED:
        case.closed_at = now
        fields.append("closed_at")
    elif status == Status.REOPENED:
        case.resolved_at = None
        case.closed_at = None
        fields += ["resolved_at", "closed_at"]
    if status != Status.NEW and case.first_responded_at is None:
        case.first_responded_at = now
        fields.append("first_responded_at")
    _touch(case, *fields)
    _record(
        case,
        CaseEvent.Kind.STATUS,
        previous,
        status,
        by,
        comment.strip(),
        resident_message=resident_message.strip(),
    )
    return case


@transaction.atomic
def resume_on_reply(*, case: Case) -> Case:
    """Move a case "waiting for the resident" back to "in progress": the resident answered.

    Done by the system (no actor), with its history row; any other status is left alone.
    """
    if case.status != Status.WAITING_RESIDENT:
        return case
    current = Case.objects.filter(pk=case.pk).values_list("status", flat=True).first()
    if current != Status.WAITING_RESIDENT:
        return case
    return change_status(case=case, status=Status.IN_PROGRESS, by=None)


@transaction.atomic
def assign_case(*, case: Case, agent: User | None, by: Actor = None, comment: str = "") -> Case:
    """Assign ``case`` to ``agent`` (None to unassign); a new case becomes "assigned"."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    check_may_act(case=case, by=by)
    if agent is not None:
        staff = getattr(agent, "staff", None)
        if staff is None or staff.council_id != case.council_id:
            raise CaseError(_("This person is not staff of the council."))
    previous = case.assignee
    if previous == agent:
        return case
    case.assignee = agent
    _touch(case, "assignee")
    _record(
        case,
        CaseEvent.Kind.ASSIGNEE,
        previous.get_username() if previous else "",
        agent.get_username() if agent else "",
        by,
        comment,
    )
    if agent is not None and case.status in (Status.NEW, Status.REOPENED):
        case = change_status(case=case, status=Status.ASSIGNED, by=by)
    return case


@transaction.atomic
def transfer_case(
    *, case: Case, department: Department, by: Actor = None, comment: str = ""
) -> Case:
    """Send ``case`` to another department of the same council; it loses its assignee.

    The history keeps the departments' ids, so a renamed department keeps its history.
    """
    if department.council_id != case.council_id:
        raise CaseError(_("That department belongs to another council."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    check_may_act(case=case, by=by)
    previous = case.department
    if previous == department:
        return case
    case.department = department
    case.assignee = None
    _touch(case, "department", "assignee")
    _record(case, CaseEvent.Kind.DEPARTMENT, previous.pk, department.pk, by, comment)
    # The old department's open pages must drop the case too.
    publish_on_commit(
        council_id=case.council_id,
        kind="case",
        data={"reference": case.reference, "change": "left", "department": previous.pk},
    )
    return case


@transaction.atomic
def change_category(*, case: Case, category: Category, by: Actor = None, comment: str = "") -> Case:
    """Recategorise ``case``: deadlines are recomputed from its creation; department follows."""
    if category.council_id != case.council_id:
        raise CaseError(_("That category belongs to another council."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    check_may_act(case=case, by=by)
    previous = case.category
    if previous == category:
        return case
    case.category = category
    case.first_response_due_at, case.due_at = compute_due_dates(
        category=category, start=case.created_at
    )
    _touch(case, "category", "first_response_due_at", "due_at")
    _record(case, CaseEvent.Kind.CATEGORY, previous.code, category.code, by, comment)
    if category.department_id != case.department_id:
        case = transfer_case(case=case, department=category.department, by=by)
    return case


@transaction.atomic
def set_priority(*, case: Case, priority: int, by: Actor = None, comment: str = "") -> Case:
    """Set how urgent ``case`` is."""
    if priority not in Priority.values:
        raise CaseError(_("Unknown priority."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    check_may_act(case=case, by=by)
    previous = case.priority
    if previous == priority:
        return case
    case.priority = priority
    _touch(case, "priority")
    _record(case, CaseEvent.Kind.PRIORITY, previous, priority, by, comment)
    return case


@transaction.atomic
def mark_duplicate(*, case: Case, of: Case, by: Actor = None, comment: str = "") -> Case:
    """Close ``case`` as a duplicate of ``of`` (same council, not itself, not a chain).

    The history gets the status change and the original's reference (never reused).
    """
    check_may_act(case=case, by=by)
    if of.council_id != case.council_id or of.pk == case.pk:
        raise CaseError(_("A case can only duplicate another case of the same council."))
    if of.status == Status.DUPLICATE:
        raise CaseError(
            _("Case %(reference)s is itself a duplicate.") % {"reference": of.reference}
        )
    case = change_status(case=case, status=Status.DUPLICATE, by=by, comment=comment)
    previous = case.duplicate_of
    case.duplicate_of = of
    _touch(case, "duplicate_of")
    _record(
        case,
        CaseEvent.Kind.DUPLICATE_OF,
        previous.reference if previous else "",
        of.reference,
        by,
    )
    return case


@transaction.atomic
def add_note(*, case: Case, author: Actor, text: str) -> Note:
    """Add an internal note (never sent to the resident); ``author`` None is the system."""
    check_may_act(case=case, by=author)
    text = text.strip()
    if not text:
        raise CaseError(_("A note cannot be empty."))
    note = Note.objects.create(case=case, author=author, text=text)
    publish_on_commit(
        council_id=case.council_id,
        kind="note",
        data={"reference": case.reference, "department": case.department_id},
    )
    return note


@transaction.atomic
def record_first_response(*, case: Case, by: Actor = None) -> None:
    """Mark the first answer to the resident, if there was none yet, in the history too."""
    now = timezone.now()
    answered = Case.objects.filter(pk=case.pk, first_responded_at__isnull=True).update(
        first_responded_at=now
    )
    if answered:
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.FIRST_RESPONSE, actor=by)


@transaction.atomic
def record_satisfaction(*, case: Case, score: int, comment: str = "") -> Case:
    """Store the resident's rating of how ``case`` was handled (1 to 5) and their comment."""
    if not 1 <= score <= 5:
        raise CaseError(_("A rating goes from 1 to 5."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    previous = case.satisfaction
    case.satisfaction = score
    case.satisfaction_comment = comment.strip()
    _touch(case, "satisfaction", "satisfaction_comment")
    _record(case, CaseEvent.Kind.SATISFACTION, previous, score, None)
    return case


@transaction.atomic(savepoint=False)  # the portal's publication step it records holds one
def set_publication(
    *,
    case: Case,
    by: Actor,
    action: str = "",
    public: bool | None = None,
    summary: str | None = None,
    reason: str = "",
) -> None:
    """Record what the portal did with ``case``'s public copy.

    ``public`` and ``summary`` update the case's own flags when given; ``action`` (one of
    the portal's publication actions) appends a history row. The portal, which owns the
    public record, checks that ``by`` is staff of the council before it calls this.
    """
    fields: dict[str, object] = {}
    if public is not None:
        fields["is_public"] = public
    if summary is not None:
        fields["public_summary"] = summary
    if fields:
        Case.objects.filter(pk=case.pk).update(**fields)
    if action:
        CaseEvent.objects.create(
            case_id=case.pk,
            kind=CaseEvent.Kind.PUBLICATION,
            to_value=action,
            comment=reason,
            actor=by,
        )


#: the longest address a case keeps
ADDRESS_MAX_LENGTH = 300


def location_value(latitude: float, longitude: float, source: str) -> str:
    """Return how the history stores a point and where it came from: ``lat,lon;source``."""
    return f"{latitude:.6f},{longitude:.6f};{source}"


def check_point(latitude: float, longitude: float) -> None:
    """Refuse a point that is not a place on Earth (NaN, infinite, out of range)."""
    if not (
        isinstance(latitude, int | float)
        and isinstance(longitude, int | float)
        and math.isfinite(latitude)
        and math.isfinite(longitude)
        and -90 <= latitude <= 90
        and -180 <= longitude <= 180
    ):
        raise CaseError(
            _("That is not a place on the map: latitude −90 to 90, longitude −180 to 180.")
        )


@transaction.atomic
def set_location(
    *,
    case: Case,
    latitude: float,
    longitude: float,
    address: str = "",
    by: Actor = None,
    source: LocationSource = LocationSource.MAP,
) -> Case:
    """Give ``case`` its point and address; the history keeps the old point and the source.

    The public record follows (``portal.sync`` reacts to the change and snaps the point to
    the public grid). The same point and address again change nothing.
    """
    check_point(latitude, longitude)
    address = " ".join((address or "").split())
    if len(address) > ADDRESS_MAX_LENGTH:
        raise CaseError(
            _("An address has at most %(count)d characters.") % {"count": ADDRESS_MAX_LENGTH}
        )
    case = Case.objects.select_for_update().get(pk=case.pk)
    check_may_act(case=case, by=by)
    latitude, longitude = float(latitude), float(longitude)
    if (case.latitude, case.longitude, case.address) == (latitude, longitude, address):
        return case
    before = (
        f"{case.latitude:.6f},{case.longitude:.6f}"
        if case.latitude is not None and case.longitude is not None
        else ""
    )
    case.latitude, case.longitude, case.address = latitude, longitude, address
    _touch(case, "latitude", "longitude", "address")
    _record(
        case,
        CaseEvent.Kind.LOCATION,
        before,
        location_value(latitude, longitude, source),
        by,
        address,
    )
    return case


@transaction.atomic
def record_access(*, case: Case, user: User, via: str = "inbox") -> CaseAccess:
    """Write that ``user`` opened ``case`` (auditors read the log)."""
    return CaseAccess.objects.create(case=case, user=user, via=via)
