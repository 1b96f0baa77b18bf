"""Finding cases: by reference, words of the description or address, resident's name or phone.

One function for the inbox and the API. On PostgreSQL the substring matches use the trigram
indexes of ``cases/migrations/0006`` and ``citizens/migrations/0002``; SQLite scans with LIKE.
"""

from __future__ import annotations

from django.db.models import Q

from ventanilla.cases.references import is_reference_prefix
from ventanilla.citizens.models import Citizen, Identity
from ventanilla.citizens.urns import phone_urns
from ventanilla.core.models import Council

#: residents matched by name beyond this many are not searched by name (too vague a word)
CITIZEN_LIMIT = 500
#: the shortest text searched inside words (trigrams need three letters)
MIN_SUBSTRING = 3


def matching_citizen_ids(*, council: Council, text: str) -> list[int]:
    """Return the residents of ``council`` whose phone is ``text`` (any format) or whose
    name or channel display name contains it."""
    ids: set[int] = set()
    urns = phone_urns(text, council.country)
    if urns:
        ids.update(
            Identity.objects.filter(council=council, urn__in=urns).values_list(
                "citizen_id", flat=True
            )
        )
    if len(text) >= MIN_SUBSTRING and not urns:
        ids.update(
            Citizen.objects.filter(council=council, name__icontains=text).values_list(
                "pk", flat=True
            )[:CITIZEN_LIMIT]
        )
        ids.update(
            Identity.objects.filter(council=council, display__icontains=text).values_list(
                "citizen_id", flat=True
            )[:CITIZEN_LIMIT]
        )
    return sorted(ids)


def case_search(text: str, *, council: Council) -> Q:
    """Return the filter of cases matching ``text``, whatever their status.

    A reference (or its start) matches by prefix; a phone number in any format matches the
    resident's channel identities; other text matches the reference, description, address
    (street) and the resident's name.
    """
    text = " ".join((text or "").split())
    if not text:
        return Q()
    if is_reference_prefix(text):
        return Q(reference__startswith=text)
    found = Q(reference__icontains=text) | Q(description__icontains=text)
    found |= Q(address__icontains=text)
    citizens = matching_citizen_ids(council=council, text=text)
    if citizens:
        found |= Q(citizen_id__in=citizens)
    return found
