"""Who may write, approve and send broadcasts: supervisors and administrators of a council."""

from __future__ import annotations

from typing import Any

from ventanilla.cases.access import roles_of, staff_of
from ventanilla.cases.models import Role
from ventanilla.core.models import Council

BROADCAST_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def broadcasting_council(user: Any) -> Council | None:
    """Return the council ``user`` may broadcast for, or None."""
    staff = staff_of(user)
    if staff is None or not roles_of(user) & BROADCAST_ROLES:
        return None
    return staff.council
