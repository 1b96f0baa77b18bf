"""The residents' part of data-subject rights: find them, export and erase their profile.

Added to :mod:`ventanilla.privacy.subjects` from ``ventanilla.wiring``; ``erase`` runs last,
after the apps that find their rows through the resident.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from ventanilla.citizens.models import Citizen, Identity
from ventanilla.citizens.urns import InvalidUrn, normalise_urn
from ventanilla.core.models import Council
from ventanilla.privacy.subjects import Rows, Subject


def find(*, council: Council, urn: str) -> Subject | None:
    """Return the resident reached at ``urn`` in ``council`` as a data subject."""
    try:
        urn = normalise_urn(urn)
    except InvalidUrn:
        return None
    identity = Identity.objects.select_related("citizen").filter(council=council, urn=urn).first()
    if identity is None:
        return None
    citizen = identity.citizen
    identities = list(citizen.identities.order_by("pk"))
    names = {citizen.name.strip()} | {i.display.strip() for i in identities}
    return Subject(
        council_id=council.pk,
        citizen_id=citizen.pk,
        urn=urn,
        urns=tuple(i.urn for i in identities),
        names=tuple(sorted(n for n in names if n)),
    )


def export(subject: Subject) -> Mapping[str, Rows]:
    citizen = Citizen.objects.get(pk=subject.citizen_id)
    consent: Rows = []
    if citizen.consent_at is not None:
        consent.append(
            {"privacy_notice_version": citizen.consent_version, "given_at": citizen.consent_at}
        )
    return {
        "resident": [
            {
                "name": citizen.name,
                "language": citizen.language,
                "first_contact": citizen.created_at,
                "opted_out_of_automatic_messages_at": citizen.opted_out_at,
            }
        ],
        "identities": [
            {
                "address": i.urn,
                "channel": i.scheme,
                "display_name": i.display,
                "since": i.created_at,
            }
            for i in citizen.identities.order_by("pk")
        ],
        "consent": consent,
    }


@transaction.atomic
def erase(subject: Subject) -> Mapping[str, int]:
    """Delete the resident and every address they were known by."""
    identities, _ = Identity.objects.filter(citizen_id=subject.citizen_id).delete()
    residents, _ = Citizen.objects.filter(pk=subject.citizen_id).delete()
    return {"identities": identities, "residents": residents}
