"""The write path of residents and their identities."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import structlog
from django.db import IntegrityError, transaction
from django.utils import timezone

from ventanilla.citizens.models import Citizen, Identity
from ventanilla.citizens.urns import InvalidUrn, normalise_urn
from ventanilla.core.bulk import db_value, insert_rows, reserve_ids
from ventanilla.core.models import Council

log = structlog.get_logger(__name__)


@transaction.atomic(savepoint=False)  # callers that recover from its errors have their own
def find_or_create_citizen(
    *, council: Council, urn: str, name: str = "", language: str = ""
) -> Citizen:
    """Return the resident reached at ``urn`` in ``council``, creating them on first contact."""
    urn = normalise_urn(urn)
    identity = Identity.objects.select_related("citizen").filter(council=council, urn=urn).first()
    if identity is not None:
        return identity.citizen
    citizen = Citizen.objects.create(
        council=council, name=name[:200], language=language or council.language_codes[0]
    )
    try:
        with transaction.atomic():
            Identity.objects.create(
                council=council,
                citizen=citizen,
                urn=urn,
                scheme=urn.split(":", 1)[0],
                display=name[:200],
            )
    except IntegrityError:
        # Another process created this resident at the same moment: use theirs.
        citizen.delete()
        return Identity.objects.select_related("citizen").get(council=council, urn=urn).citizen
    return citizen


@transaction.atomic
def add_identity(*, citizen: Citizen, urn: str, display: str = "") -> Identity:
    """Attach another URN to a resident (e.g. a WhatsApp username id next to the phone)."""
    urn = normalise_urn(urn)
    identity, _ = Identity.objects.get_or_create(
        council=citizen.council,
        urn=urn,
        defaults={"citizen": citizen, "scheme": urn.split(":", 1)[0], "display": display[:200]},
    )
    return identity


def record_consent(*, citizen: Citizen, version: str) -> Citizen:
    citizen.consent_at = timezone.now()
    citizen.consent_version = version
    citizen.save(update_fields=["consent_at", "consent_version"])
    return citizen


def set_opt_out(*, citizen: Citizen, opted_out: bool) -> Citizen:
    citizen.opted_out_at = timezone.now() if opted_out else None
    citizen.save(update_fields=["opted_out_at"])
    return citizen


@transaction.atomic
def opt_out_resident(*, council: Council, urn: str) -> bool:
    """Mark the resident reached at ``urn`` as opted out; return whether it changed.

    A provider tells us so (an SMS saying STOP, a blocked account, a send refused because
    the resident unsubscribed); an address we do not know, or cannot read, changes nothing.
    """
    try:
        urn = normalise_urn(urn)
    except InvalidUrn:
        return False
    identity = Identity.objects.select_related("citizen").filter(council=council, urn=urn).first()
    if identity is None or identity.citizen.opted_out:
        return False
    set_opt_out(citizen=identity.citizen, opted_out=True)
    log.info("resident_opted_out", council=council.pk, citizen=identity.citizen_id)
    return True


@transaction.atomic
def set_language(*, citizen: Citizen, language: str) -> Citizen:
    citizen.language = language
    citizen.save(update_fields=["language"])
    return citizen


@transaction.atomic
def move_identity(*, council: Council, urn: str, citizen: Citizen) -> Identity:
    """Make ``urn`` one of ``citizen``'s identities, taking it from whoever had it.

    For a resident who proved, with a code sent to a channel they already used, that this
    other channel is theirs too (``conversations.link``). Their former record keeps its other
    identities and its cases.
    """
    if citizen.council_id != council.pk:
        raise ValueError("resident of another council")
    urn = normalise_urn(urn)
    identity = Identity.objects.select_for_update().filter(council=council, urn=urn).first()
    if identity is None:
        return add_identity(citizen=citizen, urn=urn)
    if identity.citizen_id != citizen.pk:
        identity.citizen = citizen
        identity.save(update_fields=["citizen"])
        log.info("identity_moved", council=council.pk, citizen=citizen.pk)
    return identity


#: URNs looked up (or rows written) per query in bulk work
BULK_CHUNK = 2000


@transaction.atomic
def bulk_find_or_create_citizens(
    *,
    council: Council,
    urns: Sequence[str],
    languages: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Return {urn: resident id} for normalised ``urns``, creating the residents not known.

    For imports (an SMS list moving over) and a batch of webhooks: a few queries per
    thousand numbers instead of several per number. ``languages`` and ``names`` give a new
    resident's language and name (the identity's display name too) by URN.
    """
    languages = languages or {}
    names = names or {}
    found: dict[str, int] = {}
    for start in range(0, len(urns), BULK_CHUNK):
        chunk = urns[start : start + BULK_CHUNK]
        found.update(
            Identity.objects.filter(council=council, urn__in=chunk).values_list("urn", "citizen_id")
        )
    new = [urn for urn in dict.fromkeys(urns) if urn not in found]
    default = council.language_codes[0]
    now = db_value(Citizen, "created_at", timezone.now())
    ids = reserve_ids(Citizen, len(new))
    insert_rows(
        Citizen,
        ("id", "council", "name", "language", "consent_version", "created_at"),
        (
            (pk, council.pk, names.get(urn, "")[:200], languages.get(urn) or default, "", now)
            for pk, urn in zip(ids, new, strict=True)
        ),
    )
    insert_rows(
        Identity,
        ("council", "citizen", "urn", "scheme", "display", "created_at"),
        (
            (council.pk, pk, urn, urn.split(":", 1)[0], names.get(urn, "")[:200], now)
            for pk, urn in zip(ids, new, strict=True)
        ),
    )
    found.update(zip(new, ids, strict=True))
    return found
