"""Who sees what: every staff read starts here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from ventanilla.cases.models import Role

if TYPE_CHECKING:
    from ventanilla.cases.models import Case

#: roles that see every case of their council
COUNCIL_WIDE_ROLES = frozenset({Role.ADMINISTRATOR, Role.SUPERVISOR, Role.AUDITOR})
NOTHING = Q(pk__in=[])


def roles_of(user: Any) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_ventanilla_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._ventanilla_roles = cached
    return cached


def staff_of(user: Any) -> Any:
    """Return the user's Staff row, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.staff
    except Exception:  # RelatedObjectDoesNotExist
        return None


def sees_whole_council(user: Any) -> bool:
    return bool(roles_of(user) & COUNCIL_WIDE_ROLES)


def can_act(user: Any) -> bool:
    """Auditors read; everyone else with a role may act on the cases they see."""
    roles = roles_of(user)
    return bool(roles - {Role.AUDITOR})


def may_act_on(user: Any, case: Case) -> bool:
    """Whether ``user`` may change ``case``: a role that acts, and the case in their scope."""
    if not can_act(user):
        return False
    staff = staff_of(user)
    if staff is None or staff.council_id != case.council_id:
        return False
    if sees_whole_council(user):
        return True
    return staff.departments.filter(pk=case.department_id).exists()


def case_scope(user: Any, prefix: str = "") -> Q:
    """Return the filter of cases ``user`` may see (``prefix`` for related lookups)."""
    staff = staff_of(user)
    if staff is None:
        return NOTHING
    scope = Q(**{f"{prefix}council_id": staff.council_id})
    if sees_whole_council(user):
        return scope
    department_ids = list(staff.departments.values_list("id", flat=True))
    return scope & Q(**{f"{prefix}department_id__in": department_ids})
