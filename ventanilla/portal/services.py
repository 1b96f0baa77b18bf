"""The write path of the public record: publication, summaries, photos, withdrawal, supports.

Staff-facing services for the inbox (each checks that ``by`` is staff of the case's council
and writes a :class:`PublicationLogEntry` and a case history entry in the same transaction):

- ``publish_case(case=, by=)``: publish a case of a public category, or publish again one
  that was withdrawn. Public cases are published automatically when opened.
- ``update_public_summary(case=, text=, by=)``: approve the public summary (it is redacted
  again, so staff cannot publish a phone number by mistake). ``PublicRecord.summary_draft``
  holds the proposal made from the resident's text; until staff approve a summary, the
  portal says that the summary is pending.
- ``approve_photo(attachment=, by=, alt_text=)`` / ``remove_photo(photo=, by=, reason=)``.
- ``withdraw_case(case=, reason=, by=)``: hide the record everywhere; the reason is logged.

For the dialog engine: ``support_from_chat(council=, citizen=, reference=)``.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.cases import services as case_services
from ventanilla.cases.access import staff_of
from ventanilla.cases.models import Case, CaseEvent, Category, Department
from ventanilla.cases.references import find_references
from ventanilla.cases.workflow import Status
from ventanilla.channels.models import Channel, Provider
from ventanilla.channels.policy import OutboundRefused
from ventanilla.citizens.models import Citizen
from ventanilla.citizens.services import find_or_create_citizen
from ventanilla.conversations import services as conversation_services
from ventanilla.conversations.models import Attachment
from ventanilla.core import batch_reads
from ventanilla.core.actors import Actor
from ventanilla.core.models import Council
from ventanilla.portal.models import (
    FormReport,
    PublicationLogEntry,
    PublicEvent,
    PublicPhoto,
    PublicRecord,
    Support,
)
from ventanilla.privacy.publication import (
    draft_summary,
    known_names,
    public_point,
    public_street,
    public_text,
)

SUMMARY_MAX_LENGTH = 1000
PHOTO_MAX_PIXELS = 1600


class PublicationError(Exception):
    """A publication change refused for a reason staff can understand."""


# -- helpers --------------------------------------------------------------------------------


def _check_staff(by: Actor, council_id: int) -> None:
    """Refuse a person who is not staff of the council (None means the system itself)."""
    if by is None:
        return
    staff = staff_of(by)
    if staff is None or staff.council_id != council_id:
        raise PublicationError(_("This person is not staff of the council."))


def _log(
    record: PublicRecord,
    action: str,
    by: Actor,
    reason: str = "",
    *,
    public: bool | None = None,
    summary: str | None = None,
) -> None:
    """Log a publication change; the case's own flags and history change with it."""
    PublicationLogEntry.objects.create(record=record, action=action, actor=by, reason=reason)
    if record.case is not None:
        # The staff history of the case shows publication changes too.
        case_services.set_publication(
            case=record.case, by=by, action=action, reason=reason, public=public, summary=summary
        )


def council_words(council_id: int) -> list[str]:
    """Return the council's department and category names: never taken for a person's name.

    Read once for a batch of cases (``batch_reads``).
    """

    def read() -> list[str]:
        words: set[str] = set()
        for model in (Department, Category):
            for names in model.objects.filter(council_id=council_id).values_list(
                "name_es", "name_ca", "name_en"
            ):
                words.update(str(name) for name in names if name)
        return sorted(words)

    return list(batch_reads.once(("council_words", council_id), read))


def _record_of(case: Case) -> PublicRecord:
    record = PublicRecord.objects.select_for_update().filter(case=case).first()
    if record is None:
        raise PublicationError(
            _("Case %(reference)s has not been published.") % {"reference": case.reference}
        )
    return record


def _copy_case(record: PublicRecord, case: Case, *, names: list[str] | None = None) -> None:
    """Copy to the record what may be public of the case as it is now (``names``: the
    resident's, when the caller has read them)."""
    if names is None:
        names = known_names(case)
    record.category_id = case.category_id
    record.department_id = case.department_id
    record.status = case.status
    record.street = public_street(case.address, names=names)
    point = public_point(case.latitude, case.longitude)
    record.latitude, record.longitude = point if point else (None, None)
    record.requested_at = case.created_at
    # Open311: "for requests with status=closed, this will be the date the request was closed".
    finished = None if case.is_open else (case.closed_at or case.resolved_at)
    record.updated_at = finished or case.updated_at
    record.expected_at = case.due_at
    record.resolved_at = case.resolved_at


def _history(record: PublicRecord, case: Case) -> list[PublicEvent]:
    """Return the public steps of the case's history so far: creation, status, department.

    Department steps name the department by id: a department renamed since shows its new name.
    """
    events: list[PublicEvent] = []
    found = list(
        case.events.filter(
            kind__in=[CaseEvent.Kind.CREATED, CaseEvent.Kind.STATUS, CaseEvent.Kind.DEPARTMENT]
        )
    )
    moved = any(event.kind == CaseEvent.Kind.DEPARTMENT for event in found)
    departments = (
        {
            str(pk): department
            for pk, department in Department.objects.filter(council_id=case.council_id)
            .in_bulk()
            .items()
        }
        if moved  # a new case has not moved: no query
        else {}
    )
    for event in found:
        if event.kind == CaseEvent.Kind.CREATED:
            events.append(
                PublicEvent(
                    record=record,
                    kind=PublicEvent.Kind.CREATED,
                    status=Status.NEW,
                    department_id=None,
                    created_at=event.created_at,
                )
            )
        elif event.kind == CaseEvent.Kind.STATUS and event.to_value in Status.values:
            events.append(
                PublicEvent(
                    record=record,
                    kind=PublicEvent.Kind.STATUS,
                    status=event.to_value,
                    created_at=event.created_at,
                )
            )
        elif event.kind == CaseEvent.Kind.DEPARTMENT and event.to_value in departments:
            events.append(
                PublicEvent(
                    record=record,
                    kind=PublicEvent.Kind.DEPARTMENT,
                    department=departments[event.to_value],
                    created_at=event.created_at,
                )
            )
    return events


# -- publication ----------------------------------------------------------------------------


@transaction.atomic
def publish_case(*, case: Case, by: Actor = None) -> PublicRecord:
    """Publish ``case`` (idempotent); publish it again if it was withdrawn.

    The summary is not published until staff approve one: a draft is proposed from the
    resident's text with their personal data removed.
    """
    _check_staff(by, case.council_id)
    case = Case.objects.select_related("category", "citizen").get(pk=case.pk)
    if not case.category.public_by_default:
        raise PublicationError(
            _("Cases of the category “%(name)s” are not public.") % {"name": case.category.name}
        )
    record = PublicRecord.objects.select_for_update().filter(case=case).first()
    if record is None:
        record = _first_record(case, by)
    elif record.withdrawn_at is not None:
        _copy_case(record, case)
        record.withdrawn_at = None
        record.withdrawn_reason = ""
        record.save()
        _log(record, PublicationLogEntry.Action.REPUBLISHED, by, public=True)
    elif not case.is_public:
        case_services.set_publication(case=case, by=by, public=True)
    return record


def _first_record(case: Case, by: Actor) -> PublicRecord:
    """Write the first public record of ``case`` (read with its category and resident)."""
    record = PublicRecord(council_id=case.council_id, case=case, reference=case.reference)
    names = known_names(case)
    _copy_case(record, case, names=names)
    record.summary_draft = draft_summary(
        case.description, names=names, keep=council_words(case.council_id)
    )
    record.save()
    PublicEvent.objects.bulk_create(_history(record, case))
    # A case opened public is public already: only its history learns of the record.
    _log(record, PublicationLogEntry.Action.PUBLISHED, by, public=None if case.is_public else True)
    return record


@transaction.atomic
def refresh_summary_draft(*, case: Case, extra_names: tuple[str, ...] = ()) -> PublicRecord | None:
    """Propose the draft summary again (after the resident's names became known)."""
    record = PublicRecord.objects.select_for_update().filter(case=case).first()
    if record is None:
        return None
    names = [*known_names(case), *(n for n in extra_names if n.strip())]
    record.summary_draft = draft_summary(
        case.description, names=names, keep=council_words(case.council_id)
    )
    record.save(update_fields=["summary_draft"])
    return record


@transaction.atomic
def update_public_summary(*, case: Case, text: str, by: Actor = None) -> PublicRecord:
    """Approve ``text`` as the public summary of ``case``, redacted once more."""
    _check_staff(by, case.council_id)
    record = _record_of(case)
    summary = public_text(text, names=known_names(case), keep=council_words(case.council_id))
    if len(summary) > SUMMARY_MAX_LENGTH:
        raise PublicationError(
            _("A public summary has at most %(count)d characters.") % {"count": SUMMARY_MAX_LENGTH}
        )
    record.summary = summary
    record.summary_approved_at = timezone.now() if summary else None
    record.save(update_fields=["summary", "summary_approved_at"])
    _log(record, PublicationLogEntry.Action.SUMMARY, by, summary=summary)
    return record


@transaction.atomic
def approve_summary_draft(*, case: Case, by: Actor = None) -> PublicRecord:
    """Approve the proposed summary of ``case`` as it is."""
    _check_staff(by, case.council_id)
    record = _record_of(case)
    if not record.summary_draft.strip():
        raise PublicationError(_("There is no proposed summary to approve; write one."))
    return update_public_summary(case=case, text=record.summary_draft, by=by)


@transaction.atomic
def keep_summary_private(*, case: Case, by: Actor = None) -> PublicRecord:
    """Publish no summary of ``case``: the portal says staff chose not to, not "pending"."""
    _check_staff(by, case.council_id)
    record = _record_of(case)
    record.summary = ""
    record.summary_approved_at = timezone.now()
    record.save(update_fields=["summary", "summary_approved_at"])
    _log(
        record,
        PublicationLogEntry.Action.SUMMARY,
        by,
        _("No public summary: kept private."),
        summary="",
    )
    return record


@transaction.atomic
def withdraw_case(*, case: Case, reason: str, by: Actor = None) -> PublicRecord:
    """Withdraw the record of ``case`` from every public output; the reason is logged."""
    _check_staff(by, case.council_id)
    reason = (reason or "").strip()
    if not reason:
        raise PublicationError(_("Say why the case is withdrawn from publication."))
    record = _record_of(case)
    if record.withdrawn_at is None:
        record.withdrawn_at = timezone.now()
        record.withdrawn_reason = reason
        record.save(update_fields=["withdrawn_at", "withdrawn_reason"])
        _log(record, PublicationLogEntry.Action.WITHDRAWN, by, reason, public=False)
    elif case.is_public:
        case_services.set_publication(case=case, by=by, public=False)
    return record


def _public_image(data: bytes) -> bytes:
    """Return the image re-encoded as JPEG: upright, at most PHOTO_MAX_PIXELS, no metadata.

    Phone photos carry the GPS position where they were taken; a copy without metadata
    is the only one ever served.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as original:
            image = ImageOps.exif_transpose(original)
            image = image.convert("RGB")
    except (UnidentifiedImageError, OSError) as exc:
        raise PublicationError(_("This file is not an image that can be published.")) from exc
    image.thumbnail((PHOTO_MAX_PIXELS, PHOTO_MAX_PIXELS))
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=85, optimize=True)
    return output.getvalue()


@transaction.atomic
def approve_photo(*, attachment: Attachment, by: Actor = None, alt_text: str = "") -> PublicPhoto:
    """Publish a copy of ``attachment`` (a resident's photo) on its case's public record."""
    attachment = Attachment.objects.select_related("message__case").get(pk=attachment.pk)
    case = attachment.message.case
    if case is None:
        raise PublicationError(_("This photo does not belong to a case."))
    _check_staff(by, case.council_id)
    record = _record_of(case)
    existing = PublicPhoto.objects.filter(attachment=attachment).first()
    if existing is not None:
        return existing
    if not attachment.file:
        raise PublicationError(_("This photo has not been downloaded yet."))
    with attachment.file.open("rb") as handle:
        data = _public_image(handle.read())
    photo = PublicPhoto(
        record=record,
        attachment=attachment,
        alt_text=public_text(alt_text, names=known_names(case))[:300],
        approved_by=by,
    )
    photo.image.save("photo.jpg", ContentFile(data), save=False)
    photo.save()
    conversation_services.set_attachment_publication(attachment=attachment, public=True)
    _log(record, PublicationLogEntry.Action.PHOTO_APPROVED, by)
    return photo


@transaction.atomic
def remove_photo(*, photo: PublicPhoto, by: Actor = None, reason: str = "") -> None:
    """Take a published photo down and delete its public copy."""
    record = photo.record
    _check_staff(by, record.council_id)
    if photo.attachment is not None:
        conversation_services.set_attachment_publication(attachment=photo.attachment, public=False)
    name = photo.image.name
    storage = photo.image.storage
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))
    _log(record, PublicationLogEntry.Action.PHOTO_REMOVED, by, reason)


# -- keeping the record in step with its case -------------------------------------------------


@transaction.atomic(savepoint=False)  # a reaction: already in a savepoint of its own
def case_opened(*, case: Case) -> PublicRecord | None:
    """Publish a case opened public in a public category.

    ``case`` is the one just opened, with its category and resident: it is not read again,
    and it has no record to look for yet.
    """
    if case.is_public and case.category.public_by_default:
        return _first_record(case, None)
    return None


_PUBLIC_KINDS = frozenset(
    {
        CaseEvent.Kind.STATUS,
        CaseEvent.Kind.DEPARTMENT,
        CaseEvent.Kind.CATEGORY,
        CaseEvent.Kind.LOCATION,  # the point snapped to the grid, the street without number
    }
)


@transaction.atomic
def case_changed(*, case: Case, kind: str) -> PublicRecord | None:
    """Bring the record of ``case`` up to date after a change of ``kind``."""
    if kind not in _PUBLIC_KINDS:
        return None
    case = Case.objects.select_related("category", "citizen").get(pk=case.pk)
    record = PublicRecord.objects.select_for_update().filter(case=case).first()
    if kind == CaseEvent.Kind.CATEGORY:
        # The category decides: into a public one the case is published, out of it hidden.
        if record is None:
            return publish_case(case=case) if case.category.public_by_default else None
        public = case.category.public_by_default and record.withdrawn_at is None
        if case.is_public != public:
            case_services.set_publication(case=case, by=None, public=public)
    if record is None:
        return None
    _copy_case(record, case)
    record.save()
    if kind == CaseEvent.Kind.STATUS:
        PublicEvent.objects.create(record=record, kind=PublicEvent.Kind.STATUS, status=case.status)
    elif kind == CaseEvent.Kind.DEPARTMENT:
        PublicEvent.objects.create(
            record=record, kind=PublicEvent.Kind.DEPARTMENT, department_id=case.department_id
        )
    return record


# -- supports -------------------------------------------------------------------------------


class SupportOutcome(StrEnum):
    ADDED = "added"
    ALREADY = "already"
    NOT_FOUND = "not_found"
    OWN_CASE = "own_case"


@dataclass(frozen=True)
class SupportResult:
    outcome: SupportOutcome
    record: PublicRecord | None = None

    @property
    def count(self) -> int:
        return self.record.support_count if self.record is not None else 0


def browser_hash(token: str) -> str:
    """Return what is stored of a browser's token: its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_browser_token() -> str:
    """Return a random token to keep in a browser's signed cookie."""
    return secrets.token_urlsafe(24)


def _add_support(record: PublicRecord, **fields: Any) -> SupportResult:
    try:
        with transaction.atomic():
            Support.objects.create(record=record, **fields)
    except IntegrityError:
        return SupportResult(SupportOutcome.ALREADY, record)
    PublicRecord.objects.filter(pk=record.pk).update(support_count=F("support_count") + 1)
    record.refresh_from_db(fields=["support_count"])
    return SupportResult(SupportOutcome.ADDED, record)


@transaction.atomic
def support_case(*, record: PublicRecord, browser_token: str) -> SupportResult:
    """Count one support from the browser holding ``browser_token`` (once per browser)."""
    if not PublicRecord.objects.visible().filter(pk=record.pk).exists():
        return SupportResult(SupportOutcome.NOT_FOUND)
    return _add_support(
        record,
        via=Support.Via.WEB,
        browser_hash=browser_hash(browser_token),
    )


@transaction.atomic
def support_from_chat(*, council: Council, citizen: Citizen, reference: str) -> SupportResult:
    """Count one support from a resident who wrote "apoyo 2026-000123" (once per resident).

    ``reference`` may be the whole message; the outcome tells the dialog what to answer:
    ADDED (with the new count), ALREADY, NOT_FOUND (no such public case), or OWN_CASE
    (residents do not support the cases they reported themselves).
    """
    references = find_references(reference)
    if not references or citizen.council_id != council.pk:
        return SupportResult(SupportOutcome.NOT_FOUND)
    record = PublicRecord.objects.of(council).visible().filter(reference=references[0]).first()
    if record is None:
        return SupportResult(SupportOutcome.NOT_FOUND)
    if record.case_id is not None and (
        Case.objects.filter(pk=record.case_id, citizen=citizen).exists()
    ):
        return SupportResult(SupportOutcome.OWN_CASE, record)
    return _add_support(record, via=Support.Via.CHAT, citizen=citizen)


# -- the report form --------------------------------------------------------------------------


@dataclass(frozen=True)
class FormSubmission:
    """A report sent with the portal's form, already validated (``forms.ReportForm``)."""

    category: Category
    description: str
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    photo: bytes | None = None
    email: str = ""
    phone: str = ""  # E.164
    language: str = ""


def sms_channel(council: Council) -> Channel | None:
    """Return the council's active SMS channel (Twilio), if it has one."""
    return Channel.objects.of(council).active().filter(provider=Provider.TWILIO).first()


def confirmation_text(*, reference: str, follow_url: str) -> str:
    return _(
        "Your report has been registered with the reference %(reference)s. Follow it at %(url)s"
    ) % {"reference": reference, "url": follow_url}


@transaction.atomic
def submit_form_report(*, submission: FormSubmission, record_url: Callable[[str], str]) -> Case:
    """Open a case from the portal's report form and confirm its reference to the resident.

    A phone number makes the resident reachable by SMS (a ``tel:`` identity): the
    confirmation is an outbound message on the council's SMS channel, if one is active, and
    later news of the case follow the same way. An e-mail address goes into the case's
    internal note and receives the confirmation by e-mail (Django's ``send_mail``), once the
    case is committed. The photo is kept for staff, re-encoded without its metadata.
    ``record_url`` gives the address of the public page of a case from its reference.
    """
    council = submission.category.council
    citizen = None
    if submission.phone:
        citizen = find_or_create_citizen(
            council=council, urn=f"tel:{submission.phone}", language=submission.language
        )
    case = case_services.open_case(
        category=submission.category,
        description=submission.description,
        citizen=citizen,
        latitude=submission.latitude,
        longitude=submission.longitude,
        address=submission.address[:300],
    )
    report = FormReport(council=council, case=case)
    if submission.photo:
        report.photo.save("photo.jpg", ContentFile(_public_image(submission.photo)), save=False)
    report.save()
    lines = [_("Reported with the portal's form.")]
    if submission.email:
        lines.append(_("E-mail: %(address)s") % {"address": submission.email})
    if submission.phone and citizen is None:
        lines.append(_("Phone: %(number)s") % {"number": submission.phone})
    case_services.add_note(case=case, author=None, text="\n".join(lines))
    text = confirmation_text(reference=case.reference, follow_url=record_url(case.reference))
    channel = sms_channel(council) if submission.phone else None
    if channel is not None:
        conversation = conversation_services.conversation_for(
            channel=channel, urn=f"tel:{submission.phone}", language=submission.language
        )
        try:
            conversation_services.queue_outbound(
                conversation=conversation, text=text, case=case, automatic=True
            )
        except OutboundRefused:
            pass  # SMS has no reply window; another provider's refusal leaves the page's number
    if submission.email:
        subject = _("Your report %(reference)s") % {"reference": case.reference}
        address = submission.email
        transaction.on_commit(
            lambda: send_mail(
                subject, text, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=True
            )
        )
    return case
