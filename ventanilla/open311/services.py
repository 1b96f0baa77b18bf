"""The write path of Open311: keys for integrators, and cases created through Open311."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.cases import services as case_services
from ventanilla.cases.models import Case, Category
from ventanilla.citizens.services import find_or_create_citizen
from ventanilla.citizens.urns import InvalidUrn, normalise_phone
from ventanilla.core.models import Council
from ventanilla.open311.models import Open311Key, Open311Submission
from ventanilla.portal.services import PublicationError, refresh_summary_draft


@transaction.atomic
def issue_open311_key(*, council: Council, name: str = "") -> str:
    """Create an Open311 key for ``council`` and return it; only its hash is kept."""
    key = Open311Key.new_key()
    Open311Key.objects.create(
        council=council, name=name[:200], prefix=key[:12], key_hash=Open311Key.hash(key)
    )
    return key


@transaction.atomic
def revoke_open311_keys(*, council: Council, prefix: str = "") -> int:
    """Revoke the council's keys (those starting with ``prefix`` when given)."""
    keys = Open311Key.objects.active().filter(council=council)
    if prefix:
        keys = keys.filter(prefix=prefix[:12])
    return keys.update(revoked_at=timezone.now())


def key_for(*, council: Council, key: str) -> Open311Key | None:
    """Return the council's active key matching ``key``, or None."""
    if not key:
        return None
    return (
        Open311Key.objects.active().filter(council=council, key_hash=Open311Key.hash(key)).first()
    )


@dataclass(frozen=True)
class Open311Report:
    """A POST Service Request, already validated."""

    category: Category
    description: str = ""
    latitude: float | None = None
    longitude: float | None = None
    address_string: str = ""
    address_id: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    device_id: str = ""
    account_id: str = ""
    media_url: str = ""

    @property
    def reporter_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@transaction.atomic
def submit_open311_request(*, key: Open311Key, report: Open311Report) -> Case:
    """Open a case from an Open311 request; the reporter's details stay private.

    A phone number makes the reporter a resident reachable by SMS (a ``tel:`` identity);
    every other detail (e-mail, device, account, media URL) goes into an internal note.
    """
    if report.category.council_id != key.council_id:
        raise PublicationError("category of another council")
    citizen = None
    phone = ""
    if report.phone:
        try:
            phone = normalise_phone(report.phone)
        except InvalidUrn:
            phone = ""
    if phone:
        citizen = find_or_create_citizen(
            council=key.council, urn=f"tel:{phone}", name=report.reporter_name
        )
    case = case_services.open_case(
        category=report.category,
        description=report.description,
        citizen=citizen,
        latitude=report.latitude,
        longitude=report.longitude,
        address=report.address_string[:300],
    )
    details = [
        (_("Name"), report.reporter_name if citizen is None else ""),
        (_("Phone"), report.phone if citizen is None else ""),
        (_("E-mail"), report.email),
        (_("Address id"), report.address_id),
        (_("Device id"), report.device_id),
        (_("Account id"), report.account_id),
        (_("Media URL"), report.media_url),
    ]
    lines = [f"{label}: {value}" for label, value in details if value]
    if lines:
        case_services.add_note(
            case=case,
            author=None,
            text="\n".join([_("Reported through Open311 (%(key)s).") % {"key": key}, *lines]),
        )
    Open311Submission.objects.create(case=case, key=key)
    Open311Key.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    if report.reporter_name:
        refresh_summary_draft(case=case, extra_names=(report.first_name, report.last_name))
    return case
