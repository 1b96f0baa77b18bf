"""Keep personal data only as long as needed: per data type and category, then anonymise.

Each app adds, from ``ventanilla.wiring``, the function that anonymises its own rows of one
data type older than the cutoffs (a :class:`Retainer`); residents not heard from since the
cutoff of ``phone_numbers`` are found by a :class:`StaleResidents` function and erased like
a resident who asked (their cases stay, anonymised). The period is the council's
``retention_months`` unless a :class:`~ventanilla.privacy.models.RetentionRule` says
otherwise for a data type, or for a data type in one category.

A dry run counts what would change and changes nothing. The public record and the
statistics survive: cases are never deleted, only their resident's part.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import structlog
from django.db import models, transaction
from django.utils import timezone

from ventanilla.privacy import subjects
from ventanilla.privacy.models import DataType, RetentionRule, RetentionRun
from ventanilla.privacy.services import add_months
from ventanilla.privacy.subjects import Hooks

if TYPE_CHECKING:
    from ventanilla.core.models import Council

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Cutoffs:
    """Rows older than these moments are anonymised: by category code, else ``default``."""

    default: dt.datetime
    by_category: Mapping[str, dt.datetime] = field(default_factory=dict)

    def q(self, moment: str, category_code: str) -> models.Q:
        """Return a filter for rows whose ``moment`` is before the cutoff of their category."""
        codes = list(self.by_category)
        query = models.Q(**{f"{moment}__lt": self.default}) & ~models.Q(
            **{f"{category_code}__in": codes}
        )
        for code, cutoff in self.by_category.items():
            query |= models.Q(**{category_code: code, f"{moment}__lt": cutoff})
        return query


class Retainer(Protocol):
    """Anonymise (or with ``dry_run`` only count) the app's rows older than ``cutoffs``."""

    def __call__(self, *, council: Council, cutoffs: Cutoffs, dry_run: bool) -> int: ...


class StaleResidents(Protocol):
    """Return the addresses of residents not heard from since ``cutoff`` (one per resident)."""

    def __call__(self, *, council: Council, cutoff: dt.datetime) -> list[str]: ...


retainers: dict[str, Hooks[Retainer]] = {
    kind: Hooks(kind)
    for kind in (
        DataType.MESSAGE_TEXT,
        DataType.ATTACHMENTS,
        DataType.CLOSED_CASES,
        DataType.ISSUED_DOCUMENTS,
    )
}
stale_residents: Hooks[StaleResidents] = Hooks("stale_residents")
#: residents last: erasing them anonymises their cases too, which would hide those counts
ORDER = (
    DataType.MESSAGE_TEXT,
    DataType.ATTACHMENTS,
    DataType.CLOSED_CASES,
    DataType.ISSUED_DOCUMENTS,
    DataType.PHONE_NUMBERS,
)


def cutoffs_for(council: Council, data_type: str, now: dt.datetime) -> Cutoffs:
    """Return the cutoffs of ``data_type`` in ``council`` from its rules (see module)."""
    months = council.retention_months
    by_category: dict[str, dt.datetime] = {}
    for rule in RetentionRule.objects.filter(council=council, data_type=data_type):
        if rule.category_code:
            by_category[rule.category_code] = _months_before(now, rule.months)
        else:
            months = rule.months
    return Cutoffs(default=_months_before(now, months), by_category=by_category)


def _months_before(now: dt.datetime, months: int) -> dt.datetime:
    return add_months(now, -months)


@dataclass(frozen=True)
class Outcome:
    data_type: str
    count: int
    cutoffs: Cutoffs

    @property
    def label(self) -> str:
        return str(DataType(self.data_type).label)


def apply_retention(
    *, council: Council, dry_run: bool, now: dt.datetime | None = None
) -> list[Outcome]:
    """Anonymise what ``council`` keeps past its periods (or count it); return the counts."""
    now = now or timezone.now()
    outcomes = []
    with transaction.atomic():
        for data_type in ORDER:
            cutoffs = cutoffs_for(council, data_type, now)
            if data_type == DataType.PHONE_NUMBERS:
                count = _forget_stale_residents(council, cutoffs.default, dry_run=dry_run)
            else:
                count = sum(
                    retain(council=council, cutoffs=cutoffs, dry_run=dry_run)
                    for retain in retainers[data_type]
                )
            outcomes.append(Outcome(data_type, count, cutoffs))
        if not dry_run:
            RetentionRun.objects.create(
                council=council, ran_at=now, counts={o.data_type: o.count for o in outcomes}
            )
    log.info(
        "retention_applied",
        council=council.pk,
        dry_run=dry_run,
        **{o.data_type: o.count for o in outcomes},
    )
    return outcomes


def _forget_stale_residents(council: Council, cutoff: dt.datetime, *, dry_run: bool) -> int:
    urns = [urn for find in stale_residents for urn in find(council=council, cutoff=cutoff)]
    if dry_run:
        return len(urns)
    for urn in urns:
        subject = subjects.find(council=council, urn=urn)
        if subject is not None:
            subjects.erase(subject)
    return len(urns)
