"""The write path of crews: linking staff phones, work orders and their answers, staff messages.

Staff identities are staff, never residents: what they send is claimed before the resident
dialog (``conversations.staff_traffic``, wired in ``ventanilla/wiring.py``) and stored here as
``StaffMessage`` rows. Every message to staff is a row first, sent by ``tasks.send_staff_message``
once the change that caused it commits. Every change of a case goes through
``cases.services``, so the resident hears of it through the existing notifications.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import structlog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ventanilla.cases import services as case_services
from ventanilla.cases.models import Case, Department
from ventanilla.cases.references import find_references
from ventanilla.cases.workflow import Status
from ventanilla.channels.adapters.base import InboundMessage, StatusUpdate
from ventanilla.channels.models import Channel
from ventanilla.citizens.urns import InvalidUrn, normalise_urn
from ventanilla.conversations.language import fold
from ventanilla.conversations.models import Attachment, Direction
from ventanilla.core.actors import Actor
from ventanilla.core.models import Council
from ventanilla.crews import timing
from ventanilla.crews.models import (
    ClosureEvidence,
    ClosureRule,
    Crew,
    InternalMessage,
    LinkCode,
    NotificationPreference,
    StaffIdentity,
    StaffMessage,
    WorkOrder,
)
from ventanilla.inbox.services import OUTBOUND_PREFIX, outbound_media_url
from ventanilla.privacy.redaction import redact

log = structlog.get_logger(__name__)

LINK_CODE_TTL = dt.timedelta(minutes=15)
LINK_WORDS = ("vincular", "vincula", "enllacar", "link")
LINK_PATTERN = re.compile(r"^\s*(\w+)\s+(\d{6})\s*$")
#: a crew's answers, folded (no accents, lower case), longest first
ON_THE_WAY = ("en camino", "de cami", "on the way", "on my way")
DONE = ("hecho", "fet", "done")
NOT_OURS = ("no es nuestro", "no es nostre", "not ours")


class CrewError(Exception):
    """A request refused for a reason the person who asked can understand."""


# -- staff identities ------------------------------------------------------------------


@transaction.atomic
def create_link_code(
    *, council: Council, user: Any = None, crew: Crew | None = None, by: Actor = None
) -> LinkCode:
    """Return a fresh one-time code that links the phone it is sent from to ``user`` or ``crew``."""
    if (user is None) == (crew is None):
        raise CrewError(_("A code links either a staff member or a crew."))
    now = timezone.now()
    LinkCode.objects.filter(council=council, used_at__isnull=True, expires_at__lt=now).update(
        used_at=now
    )
    for _attempt in range(20):
        code = f"{secrets.randbelow(1_000_000):06d}"
        try:
            with transaction.atomic():
                return LinkCode.objects.create(
                    council=council,
                    code=code,
                    user=user,
                    crew=crew,
                    created_by=by,
                    expires_at=now + LINK_CODE_TTL,
                )
        except IntegrityError:
            continue
    raise CrewError(_("No code is free right now; try again in a minute."))


def identities_for(*, channel: Channel, urns: Sequence[str]) -> dict[str, StaffIdentity]:
    """Return the staff identities among ``urns`` on ``channel`` (one query), by given URN."""
    canonical: dict[str, str] = {}
    for urn in urns:
        try:
            canonical[urn] = normalise_urn(urn)
        except InvalidUrn:
            continue
    if not canonical:
        return {}
    found = {
        identity.urn: identity
        for identity in StaffIdentity.objects.select_related("crew", "user").filter(
            channel=channel, urn__in=set(canonical.values())
        )
    }
    return {urn: found[value] for urn, value in canonical.items() if value in found}


def _link_code_in(text: str) -> str | None:
    match = LINK_PATTERN.match(fold(text))
    if match is None or match.group(1) not in LINK_WORDS:
        return None
    return match.group(2)


@transaction.atomic
def link_identity(*, channel: Channel, urn: str, code: str) -> StaffIdentity | None:
    """Link ``urn`` on ``channel`` with an unused, unexpired ``code``; None if it is not one."""
    now = timezone.now()
    link = (
        LinkCode.objects.select_for_update()
        .filter(council=channel.council, code=code, used_at__isnull=True, expires_at__gte=now)
        .first()
    )
    if link is None:
        return None
    canonical = normalise_urn(urn)
    LinkCode.objects.filter(pk=link.pk).update(used_at=now)
    identity, _created = StaffIdentity.objects.update_or_create(
        channel=channel,
        urn=canonical,
        defaults={
            "council": channel.council,
            "user": link.user,
            "crew": link.crew,
            "linked_at": now,
        },
    )
    with translation.override(language_of(identity)):
        owner = link.crew.name if link.crew else link.user.get_username() if link.user else ""
        queue_staff_message(
            identity=identity,
            text=_(
                "This phone is now linked to %(owner)s. Work orders and staff notices will "
                "arrive here."
            )
            % {"owner": owner},
        )
    return identity


@transaction.atomic
def unlink_identity(*, identity: StaffIdentity) -> None:
    StaffIdentity.objects.filter(pk=identity.pk).delete()


def claim_inbounds(channel: Channel, inbounds: Sequence[InboundMessage]) -> set[int]:
    """Take the messages from staff identities (or with a link code); return their positions.

    Called by ``conversations.inbound.receive`` (through ``staff_traffic``) before messages
    become a resident's: one look-up for the whole batch.
    """
    identities = identities_for(channel=channel, urns=[inbound.urn for inbound in inbounds])
    taken: set[int] = set()
    for index, inbound in enumerate(inbounds):
        identity = identities.get(inbound.urn)
        if identity is not None:
            record_staff_inbound(identity=identity, inbound=inbound)
            taken.add(index)
            continue
        code = _link_code_in(inbound.text) if inbound.text else None
        if code is None:
            continue
        try:
            if link_identity(channel=channel, urn=inbound.urn, code=code) is not None:
                taken.add(index)
        except InvalidUrn:
            continue
    return taken


@transaction.atomic
def record_staff_inbound(
    *, identity: StaffIdentity, inbound: InboundMessage
) -> StaffMessage | None:
    """Store a staff identity's message once and, after commit, queue its handling."""
    from ventanilla.crews import tasks  # noqa: PLC0415 - tasks import these services

    photo = next((a for a in inbound.attachments if a.kind == "image"), None)
    payload: dict[str, Any] = {}
    if photo is not None:
        payload["photo"] = {"media_ref": photo.media_ref, "content_type": photo.content_type}
    if photo is not None and photo.caption and not inbound.text:
        text = photo.caption
    else:
        text = inbound.text
    try:
        with transaction.atomic():
            message = StaffMessage.objects.create(
                council=identity.council,
                identity=identity,
                channel=identity.channel,
                direction=StaffMessage.Direction.IN,
                text=text,
                payload=payload,
                provider_message_id=inbound.provider_message_id,
                status=StaffMessage.Status.RECEIVED,
            )
    except IntegrityError:
        return None  # a re-delivery
    transaction.on_commit(partial(tasks.handle_staff_message.enqueue, message.pk))
    return message


def claim_statuses(channel: Channel, updates: Sequence[StatusUpdate]) -> set[int]:
    """Apply the statuses of messages sent to staff; return their positions (one look-up)."""
    wanted = {update.provider_message_id for update in updates if update.provider_message_id}
    if not wanted:
        return set()
    messages = {
        message.provider_message_id: message
        for message in StaffMessage.objects.filter(
            channel=channel,
            direction=StaffMessage.Direction.OUT,
            provider_message_id__in=wanted,
        ).only("pk", "status", "provider_message_id")
    }
    taken: set[int] = set()
    for index, update in enumerate(updates):
        message = messages.get(update.provider_message_id)
        if message is not None:
            apply_staff_status(message=message, status=str(update.status), at=update.at)
            taken.add(index)
    return taken


_RANK = {"queued": 0, "held": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}


@transaction.atomic
def apply_staff_status(*, message: StaffMessage, status: str, at: dt.datetime | None) -> None:
    """Move a staff message's status forward (never back) and fill its timestamp."""
    current = StaffMessage.objects.select_for_update().get(pk=message.pk)
    if _RANK.get(status, -1) <= _RANK.get(current.status, -1):
        return
    fields: dict[str, Any] = {"status": status}
    when = at or timezone.now()
    if status == "delivered":
        fields["delivered_at"] = when
    elif status == "read":
        fields["read_at"] = when
        if current.delivered_at is None:
            fields["delivered_at"] = when
    StaffMessage.objects.filter(pk=current.pk).update(**fields)


def language_of(identity: StaffIdentity) -> str:
    staff = getattr(identity.user, "staff", None) if identity.user_id else None
    return staff.language if staff is not None else identity.council.language_codes[0]


@transaction.atomic
def queue_staff_message(
    *,
    identity: StaffIdentity,
    text: str,
    attachment: dict[str, str] | None = None,
    location: dict[str, Any] | None = None,
    work_order: WorkOrder | None = None,
    internal: InternalMessage | None = None,
    send_after: dt.datetime | None = None,
) -> StaffMessage:
    """Write a message to a staff identity and, once committed, the task that sends it."""
    from ventanilla.crews import tasks  # noqa: PLC0415 - tasks import these services

    payload: dict[str, Any] = {}
    if attachment:
        payload["attachment"] = attachment
    if location:
        payload["location"] = location
    held = send_after is not None and send_after > timezone.now()
    message = StaffMessage.objects.create(
        council=identity.council,
        identity=identity,
        channel=identity.channel,
        direction=StaffMessage.Direction.OUT,
        text=text,
        payload=payload,
        status=StaffMessage.Status.HELD if held else StaffMessage.Status.QUEUED,
        work_order=work_order,
        internal=internal,
        send_after=send_after if held else None,
    )
    if held:
        assert send_after is not None
        transaction.on_commit(
            partial(tasks.later, tasks.send_staff_message, send_after, message.pk)
        )
    else:
        transaction.on_commit(partial(tasks.send_staff_message.enqueue, message.pk))
    return message


def identities_of_crew(crew: Crew) -> list[StaffIdentity]:
    """Return where a crew is reached: its contacts' phones and its members' phones."""
    return list(
        StaffIdentity.objects.select_related("channel", "user__staff", "council")
        .filter(Q(crew=crew) | Q(user__in=crew.members.all()))
        .filter(channel__active=True)
        .distinct()
        .order_by("pk")
    )


def identities_of_user(user: Any) -> list[StaffIdentity]:
    return list(
        StaffIdentity.objects.select_related("channel", "user__staff", "council")
        .filter(user=user, channel__active=True)
        .order_by("pk")
    )


# -- work orders -----------------------------------------------------------------------


def case_link(case: Case) -> str:
    return settings.PUBLIC_URL + reverse("inbox:case", args=[case.reference])


def _case_photos(case: Case) -> list[Attachment]:
    return list(
        Attachment.objects.filter(message__case=case, message__direction=Direction.IN, kind="image")
        .exclude(file="")
        .order_by("created_at", "pk")[:3]
    )


def _shareable(attachment: Attachment) -> dict[str, str]:
    """Copy a resident's photo where providers may fetch it; return the outbound extras."""
    name = f"{OUTBOUND_PREFIX}crews/{uuid.uuid4().hex}-{attachment.file.name.rsplit('/', 1)[-1]}"
    with attachment.file.open("rb") as source:
        stored = default_storage.save(name, ContentFile(source.read()))
    return {
        "url": outbound_media_url(stored),
        "content_type": attachment.content_type or "image/jpeg",
        "filename": stored.rsplit("/", 1)[-1],
    }


def work_order_text(work_order: WorkOrder) -> str:
    """Return the work order as the crew reads it (in the active language)."""
    case = work_order.case
    council = case.council
    lines = [
        _("Work order %(reference)s: %(category)s")
        % {"reference": case.reference, "category": case.category.name},
    ]
    if case.address:
        lines.append(_("Where: %(address)s") % {"address": case.address})
    if case.description:
        lines.append(_("Reported: %(text)s") % {"text": redact(case.description)})
    if work_order.note:
        lines.append(_("Note: %(note)s") % {"note": work_order.note})
    due = timezone.localtime(work_order.due_at, council.tz)
    lines.append(_("Deadline: %(due)s") % {"due": date_format(due, "SHORT_DATETIME_FORMAT")})
    lines.append(_("Case for staff: %(link)s") % {"link": case_link(case)})
    lines.append(
        _(
            "Answer “en camino” when you set off, “hecho” with a photo of the result when "
            "it is done, or “no es nuestro” and the reason."
        )
    )
    return "\n".join(lines)


@transaction.atomic
def send_work_order(
    *,
    case: Case,
    crew: Crew,
    by: Actor,
    note: str = "",
    due_at: dt.datetime | None = None,
) -> WorkOrder:
    """Send ``case`` to ``crew`` as a work order: text, photos and place to each of its phones."""
    from ventanilla.crews import tasks  # noqa: PLC0415 - tasks import these services

    case_services.check_may_act(case=case, by=by)
    if crew.council_id != case.council_id or not crew.active:
        raise CrewError(_("This crew does not work for the council."))
    if not case.is_open:
        raise CrewError(_("Only an open case can be sent to a crew."))
    identities = identities_of_crew(crew)
    if not identities:
        raise CrewError(_("Nobody in this crew has linked a phone yet."))
    work_order = WorkOrder.objects.create(
        council=case.council,
        case=case,
        crew=crew,
        note=note.strip(),
        due_at=due_at or case.due_at,
        created_by=by,
    )
    photos = [_shareable(photo) for photo in _case_photos(case)]
    location = None
    if case.latitude is not None and case.longitude is not None:
        location = {
            "latitude": case.latitude,
            "longitude": case.longitude,
            "name": case.category.name,
            "address": case.address,
        }
    for identity in identities:
        with translation.override(language_of(identity)):
            queue_staff_message(
                identity=identity,
                text=work_order_text(work_order),
                attachment=photos[0] if photos else None,
                location=location,
                work_order=work_order,
            )
            for photo in photos[1:]:
                queue_staff_message(
                    identity=identity, text="", attachment=photo, work_order=work_order
                )
    case_services.add_note(
        case=case,
        author=by,
        text=_("Work order sent to %(crew)s.") % {"crew": crew.name}
        + (f" {work_order.note}" if work_order.note else ""),
    )
    council = case.council
    holidays = council.holiday_dates()
    opens, closes = council.office_opens, council.office_closes
    remind = timing.reminder_at(
        work_order.due_at, holidays=holidays, tz=council.tz, opens=opens, closes=closes
    )
    escalate = timing.escalation_at(
        work_order.due_at, holidays=holidays, tz=council.tz, opens=opens, closes=closes
    )
    if remind > timezone.now():
        transaction.on_commit(partial(tasks.later, tasks.remind_crew, remind, work_order.pk))
    transaction.on_commit(partial(tasks.later, tasks.escalate_work_order, escalate, work_order.pk))
    return work_order


def open_work_order_for(identity: StaffIdentity, text: str) -> WorkOrder | None:
    """Return the open work order a crew's message answers: the one it names, else the latest."""
    orders = WorkOrder.objects.select_related("case", "crew", "council").filter(
        council=identity.council, state__in=(WorkOrder.State.SENT, WorkOrder.State.ON_THE_WAY)
    )
    if identity.crew_id is not None:
        orders = orders.filter(crew_id=identity.crew_id)
    else:
        orders = orders.filter(crew__members=identity.user_id)
    named = find_references(text)
    if named:
        return orders.filter(case__reference__in=named).order_by("-created_at").first()
    return orders.order_by("-created_at", "-pk").first()


@dataclass(frozen=True)
class Answer:
    kind: str  # "on_the_way", "done", "not_ours", ""
    rest: str  # what follows the words (the note or the reason)


def read_answer(text: str) -> Answer:
    """Return what a crew's message says: on the way, done, not ours, or nothing we know."""
    words = fold(re.sub(r"\b\d{4}-\d{1,6}\b", " ", text)).strip(" .,:;!-")
    for kind, phrases in (("not_ours", NOT_OURS), ("on_the_way", ON_THE_WAY), ("done", DONE)):
        for phrase in phrases:
            if re.match(re.escape(phrase) + r"(?=$|[\s,.:;!-])", words):
                # the crew's own words after the phrase, accents and case as written
                return Answer(kind, _after_phrase(text.strip(), phrase))
    return Answer("", text.strip())


def _after_phrase(text: str, phrase: str) -> str:
    count = len(phrase.split())
    parts = re.sub(r"\b\d{4}-\d{1,6}\b", " ", text).split(None, count)
    return parts[count].strip(" .,:;-") if len(parts) > count else ""


@transaction.atomic
def mark_on_the_way(*, work_order: WorkOrder, identity: StaffIdentity) -> WorkOrder:
    if work_order.state == WorkOrder.State.SENT:
        WorkOrder.objects.filter(pk=work_order.pk).update(state=WorkOrder.State.ON_THE_WAY)
        work_order.state = WorkOrder.State.ON_THE_WAY
        case = work_order.case
        if case.status in (Status.NEW, Status.ASSIGNED, Status.REOPENED):
            case_services.change_status(
                case=case,
                status=Status.IN_PROGRESS,
                by=None,
                comment=_("%(crew)s is on the way.") % {"crew": work_order.crew.name},
            )
    return work_order


@transaction.atomic
def complete_work_order(
    *,
    work_order: WorkOrder,
    identity: StaffIdentity,
    photo: bytes,
    content_type: str,
    media_ref: str = "",
    note: str = "",
) -> ClosureEvidence:
    """Record the crew's "after" photo as closure evidence and resolve (or hold) the case.

    By default the case is resolved and its resident told (``conversations.notifications``);
    a category whose ``ClosureRule`` says "check" waits in progress for a supervisor.
    """
    work_order = (
        WorkOrder.objects.select_for_update().select_related("case", "crew").get(pk=work_order.pk)
    )
    if not work_order.is_open:
        raise CrewError(_("This work order is already answered."))
    extension = {"image/png": "png", "image/webp": "webp"}.get(content_type, "jpg")
    evidence = ClosureEvidence(
        council=work_order.council,
        case=work_order.case,
        work_order=work_order,
        content_type=content_type,
        media_ref=media_ref[:500],
        note=note,
    )
    evidence.file.save(
        f"{work_order.case.reference}-after.{extension}", ContentFile(photo), save=False
    )
    evidence.save()
    now = timezone.now()
    WorkOrder.objects.filter(pk=work_order.pk).update(
        state=WorkOrder.State.DONE, answer=note, answered_at=now
    )
    case = work_order.case
    crew = work_order.crew.name
    comment = _("Done by %(crew)s, with a photo.") % {"crew": crew}
    if note:
        comment += " " + note
    if case.status in (Status.NEW, Status.ASSIGNED, Status.REOPENED):
        case = case_services.change_status(case=case, status=Status.IN_PROGRESS, by=None)
    rule = ClosureRule.objects.filter(category_id=case.category_id).first()
    if rule is not None and rule.on_done == ClosureRule.OnDone.CHECK:
        case_services.add_note(
            case=case,
            author=None,
            text=comment + " " + _("Waiting for a supervisor's check before it is resolved."),
        )
        _tell_supervisor(
            work_order,
            _("%(crew)s says case %(reference)s is done: please check it. %(link)s")
            % {"crew": crew, "reference": case.reference, "link": case_link(case)},
        )
    elif case.status in (Status.IN_PROGRESS, Status.WAITING_RESIDENT):
        case_services.change_status(case=case, status=Status.RESOLVED, by=None, comment=comment)
    return evidence


@transaction.atomic
def refuse_work_order(*, work_order: WorkOrder, identity: StaffIdentity, reason: str) -> WorkOrder:
    """The crew says the case is not theirs: back to the queue, with their reason."""
    work_order = (
        WorkOrder.objects.select_for_update().select_related("case", "crew").get(pk=work_order.pk)
    )
    if not work_order.is_open:
        raise CrewError(_("This work order is already answered."))
    WorkOrder.objects.filter(pk=work_order.pk).update(
        state=WorkOrder.State.NOT_OURS, answer=reason, answered_at=timezone.now()
    )
    case = work_order.case
    text = _("%(crew)s says it is not theirs: %(reason)s") % {
        "crew": work_order.crew.name,
        "reason": reason or _("no reason given"),
    }
    case_services.add_note(case=case, author=None, text=text)
    case_services.assign_case(case=case, agent=None, by=None, comment=text)
    return work_order


def _tell_supervisor(work_order: WorkOrder, text: str) -> int:
    """Tell the crew's supervisor (else the case's assignee) on their own channel."""
    from ventanilla.crews import notifications  # noqa: PLC0415 - notifications import services

    person = work_order.crew.supervisor or work_order.case.assignee
    if person is None:
        return 0
    return notifications.notify_user(user=person, text=text, event="overdue", urgent=True)


@transaction.atomic
def remind_crew(*, work_order: WorkOrder) -> int:
    """Remind the crew of an open work order (once); return how many phones were told."""
    current = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
    if not current.is_open or current.reminded_at is not None:
        return 0
    WorkOrder.objects.filter(pk=current.pk).update(reminded_at=timezone.now())
    told = 0
    for identity in identities_of_crew(work_order.crew):
        with translation.override(language_of(identity)):
            due = timezone.localtime(current.due_at, current.council.tz)
            queue_staff_message(
                identity=identity,
                text=_("Reminder: work order %(reference)s is due at %(due)s.")
                % {
                    "reference": work_order.case.reference,
                    "due": date_format(due, "SHORT_DATETIME_FORMAT"),
                },
                work_order=current,
            )
        told += 1
    return told


@transaction.atomic
def escalate_work_order(*, work_order: WorkOrder) -> int:
    """Tell the supervisor that a work order is past its deadline (once)."""
    current = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
    if not current.is_open or current.escalated_at is not None:
        return 0
    if current.due_at > timezone.now():
        return 0
    WorkOrder.objects.filter(pk=current.pk).update(escalated_at=timezone.now())
    case = work_order.case
    case_services.add_note(
        case=case,
        author=None,
        text=_("The work order to %(crew)s is past its deadline; the supervisor was told.")
        % {"crew": work_order.crew.name},
    )
    return _tell_supervisor(
        work_order,
        _("Work order %(reference)s to %(crew)s is past its deadline. %(link)s")
        % {"reference": case.reference, "crew": work_order.crew.name, "link": case_link(case)},
    )


# -- internal messages -----------------------------------------------------------------


@transaction.atomic
def send_internal_message(
    *,
    council: Council,
    author: Actor,
    text: str,
    department: Department | None = None,
    crew: Crew | None = None,
) -> InternalMessage:
    """Send ``text`` to every linked phone of a department's staff or of a crew."""
    text = text.strip()
    if not text:
        raise CrewError(_("A message cannot be empty."))
    if (department is None) == (crew is None):
        raise CrewError(_("Choose a department or a crew."))
    message = InternalMessage.objects.create(
        council=council, author=author, department=department, crew=crew, text=text
    )
    if crew is not None:
        identities = identities_of_crew(crew)
    else:
        users = get_user_model().objects.filter(
            staff__departments=department, staff__council=council, is_active=True
        )
        identities = list(
            StaffIdentity.objects.select_related("channel", "council", "user__staff")
            .filter(user__in=users, channel__active=True)
            .order_by("pk")
        )
    sender = author.get_full_name() or author.get_username() if author is not None else ""
    for identity in identities:
        with translation.override(language_of(identity)):
            queue_staff_message(
                identity=identity,
                text=_("Message from %(author)s: %(text)s") % {"author": sender, "text": text}
                if sender
                else text,
                internal=message,
            )
    return message


@transaction.atomic
def set_preference(
    *,
    user: Any,
    via: str,
    events: list[str],
    quiet_from: dt.time | None = None,
    quiet_until: dt.time | None = None,
) -> NotificationPreference:
    known = set(NotificationPreference.Event.values)
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user,
        defaults={
            "via": via,
            "events": [e for e in events if e in known],
            "quiet_from": quiet_from,
            "quiet_until": quiet_until,
        },
    )
    return preference


@transaction.atomic
def set_closure_rule(*, category: Any, on_done: str) -> ClosureRule:
    rule, _created = ClosureRule.objects.update_or_create(
        category=category, defaults={"on_done": on_done}
    )
    return rule


@transaction.atomic
def set_evidence_publication(*, evidence: ClosureEvidence, public: bool) -> None:
    ClosureEvidence.objects.filter(pk=evidence.pk).update(public_approved=public)
