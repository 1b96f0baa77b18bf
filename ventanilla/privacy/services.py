"""The write path of residents' rights: receive a request, export, ask for and approve erasure.

Export and erasure are done by the functions each app adds to :mod:`ventanilla.privacy.subjects`;
these services keep the queue, check who may act, insist on four eyes for erasure (asked
for by one staff member, approved by another) and audit every step.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import hmac
from typing import Any

import structlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.core.actors import Actor
from ventanilla.core.models import Council
from ventanilla.privacy import subjects
from ventanilla.privacy.models import RightsAuditEntry, RightsRequest
from ventanilla.privacy.subjects import Subject

log = structlog.get_logger(__name__)

#: the staff roles that handle residents' requests (Django group names, see cases.models.Role)
HANDLING_ROLES = frozenset({"supervisor", "administrator"})


class RightsError(ValueError):
    """A request that cannot be received or acted on; the message says why, for a person."""


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """Return ``moment`` plus ``months`` calendar months (31 January + 1 = 28/29 February)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def subject_hash(council: Council, urn: str) -> str:
    """Return a keyed hash of ``urn``: it tells requests apart without keeping the address."""
    key = f"{settings.SECRET_KEY}:rights:{council.pk}".encode()
    return hmac.new(key, urn.encode(), hashlib.sha256).hexdigest()


def may_handle(user: Actor, council: Council) -> bool:
    """Return whether ``user`` handles data protection requests of ``council``."""
    if user is None or not user.is_active:
        return False
    if user.is_superuser:
        return True
    staff = getattr(user, "staff", None)
    if staff is None or staff.council_id != council.pk:
        return False
    return bool(set(user.groups.values_list("name", flat=True)) & HANDLING_ROLES)


def _check(by: Actor, council: Council) -> None:
    if not may_handle(by, council):
        raise RightsError(_("Only supervisors and administrators handle data protection requests."))


def _audit(request: RightsRequest, action: str, by: Actor, **detail: Any) -> RightsAuditEntry:
    entry = RightsAuditEntry.objects.create(request=request, action=action, actor=by, detail=detail)
    log.info("rights_request_step", request=request.pk, action=action, actor=by and by.pk)
    return entry


def find_subject(*, council: Council, urn: str) -> Subject:
    subject = subjects.find(council=council, urn=urn.strip())
    if subject is None:
        raise RightsError(_("No resident is reached at that address."))
    return subject


def pending_request(*, council: Council, urn: str, kind: str) -> RightsRequest | None:
    """Return the pending request of ``kind`` about the resident at ``urn``, if any."""
    subject = find_subject(council=council, urn=urn)
    return (
        RightsRequest.objects.of(council)
        .pending()
        .filter(kind=kind, subject_hash=subject_hash(council, subject.urn))
        .first()
    )


@transaction.atomic
def receive_request(
    *, council: Council, urn: str, kind: str, via: str, by: Actor = None
) -> tuple[RightsRequest, bool]:
    """Queue a request about the resident at ``urn``; return it and whether it is new.

    A resident asking again while a request of the same kind is pending gets that one
    back (it keeps its deadline). Staff (``via`` staff or command) must be allowed to handle
    requests; a resident asking in the chat needs no one's permission.
    """
    if kind not in RightsRequest.Kind.values or via not in RightsRequest.Via.values:
        raise RightsError(_("Unknown kind of request."))
    if via != RightsRequest.Via.CHAT:
        _check(by, council)
    subject = find_subject(council=council, urn=urn)
    digest = subject_hash(council, subject.urn)
    existing = (
        RightsRequest.objects.of(council)
        .pending()
        .filter(kind=kind, subject_hash=digest)
        .select_for_update()
        .first()
    )
    if existing is not None:
        return existing, False
    now = timezone.now()
    request = RightsRequest.objects.create(
        council=council,
        kind=kind,
        via=via,
        urn=subject.urn,
        subject_hash=digest,
        requested_by=by if via != RightsRequest.Via.CHAT else None,
        received_at=now,
        due_at=add_months(now, 1),
    )
    _audit(request, RightsAuditEntry.Action.RECEIVED, by, via=via, kind=kind)
    return request, True


@transaction.atomic
def export_data(*, request: RightsRequest, by: Actor) -> dict[str, Any]:
    """Return everything held about the request's resident; mark an export request done."""
    _check(by, request.council)
    if request.kind != RightsRequest.Kind.EXPORT:
        raise RightsError(_("This is not a request for the resident's data."))
    if request.status == RightsRequest.Status.REFUSED:
        raise RightsError(_("This request was refused."))
    subject = find_subject(council=request.council, urn=request.urn)
    sections = subjects.export(subject)
    data = {
        "council": request.council.name,
        "data_controller": request.council.data_controller,
        "request": request.pk,
        "produced_at": timezone.now().isoformat(),
        "sections": sections,
    }
    _audit(
        request,
        RightsAuditEntry.Action.EXPORTED,
        by,
        rows={name: len(rows) for name, rows in sections.items()},
    )
    if request.is_pending:
        request.status = RightsRequest.Status.DONE
        request.done_at = timezone.now()
        request.save(update_fields=["status", "done_at"])
    return data


@transaction.atomic
def ask_erasure(*, request: RightsRequest, by: Actor) -> RightsRequest:
    """Put a received erasure request up for a second person's approval, asked by ``by``."""
    _check(by, request.council)
    request = RightsRequest.objects.select_for_update().get(pk=request.pk)
    if (
        request.kind != RightsRequest.Kind.ERASURE
        or request.status != RightsRequest.Status.RECEIVED
    ):
        raise RightsError(_("This request is not waiting to be asked for."))
    request.status = RightsRequest.Status.AWAITING
    request.requested_by = by
    request.save(update_fields=["status", "requested_by"])
    _audit(request, RightsAuditEntry.Action.ERASURE_ASKED, by)
    return request


def approve_erasure(*, request: RightsRequest, by: Actor) -> dict[str, int]:
    """Approve an erasure asked for by someone else, and erase; return what was erased.

    The approver must be another person than the one who asked (four eyes); a refused
    attempt is audited too.
    """
    _check(by, request.council)
    with transaction.atomic():
        request = RightsRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RightsRequest.Status.AWAITING:
            raise RightsError(_("This erasure is not waiting for approval."))
        same = by is not None and request.requested_by_id == by.pk
        if same:
            _audit(request, RightsAuditEntry.Action.SAME_PERSON, by)
    if same:
        raise RightsError(_("Another person must approve an erasure you asked for."))
    with transaction.atomic():
        request = RightsRequest.objects.select_for_update().get(pk=request.pk)
        subject = find_subject(council=request.council, urn=request.urn)
        request.approved_by = by
        request.save(update_fields=["approved_by"])
        _audit(request, RightsAuditEntry.Action.APPROVED, by)
        counts = subjects.erase(subject)
        _forget_address(request, subject)
        request.status = RightsRequest.Status.DONE
        request.done_at = timezone.now()
        request.save(update_fields=["status", "done_at", "approved_by"])
        _audit(request, RightsAuditEntry.Action.ERASED, by, counts=counts)
    return counts


def _forget_address(request: RightsRequest, subject: Subject) -> None:
    """Blank the resident's addresses in every request about them (the hashes stay)."""
    hashes = [subject_hash(request.council, urn) for urn in subject.urns]
    RightsRequest.objects.of(request.council).filter(subject_hash__in=hashes).update(urn="")


@transaction.atomic
def refuse(*, request: RightsRequest, by: Actor, reason: str) -> RightsRequest:
    """Refuse a pending request, saying why (the resident is told by staff)."""
    _check(by, request.council)
    reason = reason.strip()
    if not reason:
        raise RightsError(_("Say why the request is refused."))
    request = RightsRequest.objects.select_for_update().get(pk=request.pk)
    if not request.is_pending:
        raise RightsError(_("This request is no longer pending."))
    request.status = RightsRequest.Status.REFUSED
    request.refusal_reason = reason
    request.done_at = timezone.now()
    request.save(update_fields=["status", "refusal_reason", "done_at"])
    _audit(request, RightsAuditEntry.Action.REFUSED, by)
    return request
