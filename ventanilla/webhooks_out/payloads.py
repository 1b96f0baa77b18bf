"""What a delivery carries, and how it is signed.

The payload names the case and what happened, never who reported it or what they wrote:
``{"id", "event", "occurred_at", "case": {"reference", "status", "category", "department",
"priority", "created_at", "due_at", "updated_at"}, "change": {"kind", "from", "to"}}``.
``category`` is the Open311 service code and ``department`` the department's id, as the
REST API gives them; ``change`` is absent for ``case.opened``; its ``from``/``to`` are given
for status, category, department and priority changes and left empty for assignments (a
staff member). The back office reads the rest (description, place, photos) through the
authenticated REST API, with its own permissions.

Signature: header ``Ventanilla-Signature: t=<unix time>,v1=<hex>`` where ``<hex>`` is
HMAC-SHA256 with the subscription's secret over ``"<unix time>." + body``. A receiver
recomputes it, compares in constant time and refuses a time too far from its clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import uuid
from typing import Any

from ventanilla.cases.models import Case, CaseEvent

SIGNATURE_HEADER = "Ventanilla-Signature"
#: changes whose before/after values say nothing about a person
SHOWN_CHANGES = frozenset(
    {
        CaseEvent.Kind.STATUS,
        CaseEvent.Kind.CATEGORY,
        CaseEvent.Kind.DEPARTMENT,
        CaseEvent.Kind.PRIORITY,
    }
)


def case_payload(
    *, case: Case, event: str, moment: dt.datetime, change: tuple[str, str, str] | None = None
) -> dict[str, Any]:
    """Return the JSON a subscriber receives about ``case``."""
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "event": event,
        "occurred_at": moment.isoformat(),
        "case": {
            "reference": case.reference,
            "status": case.status,
            "category": case.category.code,
            "department": case.department_id,
            "priority": case.priority,
            "created_at": case.created_at.isoformat(),
            "due_at": case.due_at.isoformat(),
            "updated_at": case.updated_at.isoformat(),
        },
    }
    if change is not None:
        kind, before, after = change
        shown = kind in SHOWN_CHANGES
        body["change"] = {
            "kind": kind,
            "from": before if shown else "",
            "to": after if shown else "",
        }
    return body


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Return the signature header's value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify(secret: str, header: str, body: bytes) -> bool:
    """Return whether ``header`` signs ``body`` with ``secret`` (what a receiver does)."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if not fields.get("t", "").isdigit() or "v1" not in fields:
        return False
    expected = sign(secret, int(fields["t"]), body)
    return hmac.compare_digest(expected, header)
