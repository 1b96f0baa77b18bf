"""Keep the public record in step with its case: the cases app sends, the portal listens.

The signals arrive inside the case service's transaction. A failure to publish must not
undo the case (the resident's report matters more than its public copy), so it is logged
and left for staff to publish by hand.
"""

from __future__ import annotations

from typing import Any

import structlog
from django.db import transaction

from ventanilla.portal import services

log = structlog.get_logger(__name__)


def on_case_opened(sender: Any, case: Any, **kwargs: Any) -> None:
    try:
        with transaction.atomic():
            services.case_opened(case=case)
    except Exception:  # noqa: BLE001 - see the module docstring
        log.exception("portal.publish_failed", reference=case.reference)


def on_case_changed(sender: Any, case: Any, kind: str, **kwargs: Any) -> None:
    try:
        with transaction.atomic():
            services.case_changed(case=case, kind=kind)
    except Exception:  # noqa: BLE001 - see the module docstring
        log.exception("portal.sync_failed", reference=case.reference, kind=kind)
