"""Retention of issued documents: past its ``keep_until`` a document loses its PDF, its
verification code and the name it was issued to; the row stays, so the audit trail still
says that a document of that type was issued on that date (and its code no longer verifies).

The period of each type is ``services.RETENTION_DAYS`` (``PROCEDURES_RETENTION_DAYS``
overrides it), fixed in ``keep_until`` when the document is issued. A council may set its own
with a retention rule for "issued documents": the document type as the rule's category code
(``census_individual``, ``census_household``, ``registry_receipt``), or blank for every type.
``ventanilla.wiring`` adds ``retain_issued_documents`` to the retention registry.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from ventanilla.core.models import Council
from ventanilla.privacy.models import DataType, RetentionRule
from ventanilla.privacy.retention import Cutoffs
from ventanilla.procedures import services
from ventanilla.procedures.models import IssuedDocument


def retain_issued_documents(*, council: Council, cutoffs: Cutoffs, dry_run: bool) -> int:
    """Purge (or count) ``council``'s documents past their period; return how many."""
    expired = Q(keep_until__lt=timezone.now())
    general = RetentionRule.objects.filter(
        council=council, data_type=DataType.ISSUED_DOCUMENTS, category_code=""
    ).exists()
    if general:  # the council's period for every type, unless a type has its own
        expired = cutoffs.q("issued_at", "kind")
    else:
        for kind, cutoff in cutoffs.by_category.items():
            expired = (expired & ~Q(kind=kind)) | Q(kind=kind, issued_at__lt=cutoff)
    due = IssuedDocument.objects.filter(expired, council=council, purged_at__isnull=True)
    if dry_run:
        return due.count()
    return services.purge_documents(documents=due)
