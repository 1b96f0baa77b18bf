"""Council staff: a user account with a role (a group) and a Staff row in one council."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils.translation import gettext as _

from ventanilla.cases.models import Department, Role, Staff
from ventanilla.core.models import Council


class StaffError(ValueError):
    """A staff member who cannot be added as asked; the message says why."""


def find_department(*, council: Council, name: str) -> Department:
    """Return the council's department whose id or name (in any language) is ``name``."""
    departments = Department.objects.filter(council=council)
    if name.isdigit() and (found := departments.filter(pk=int(name)).first()):
        return found
    for field in ("name_es", "name_ca", "name_en"):
        if found := departments.filter(**{f"{field}__iexact": name.strip()}).first():
            return found
    known = ", ".join(departments.values_list("name_es", flat=True)) or _("none yet")
    raise StaffError(
        _("%(council)s has no department %(name)r (departments: %(known)s).")
        % {"council": council.slug, "name": name, "known": known}
    )


@transaction.atomic
def create_staff(
    *,
    council: Council,
    username: str,
    password: str,
    role: Role,
    departments: Sequence[Department] = (),
    email: str = "",
) -> Staff:
    """Create an active user in ``role``'s group with a Staff row for ``council``.

    An agent sees only their departments' cases, so they need at least one; the other roles
    see the whole council. Administrators may also use the admin site.
    """
    users = get_user_model().objects
    if users.filter(username=username).exists():
        raise StaffError(_("There is already a user called %(name)r.") % {"name": username})
    if role == Role.AGENT and not departments:
        raise StaffError(_("An agent sees only their departments' cases: give --department."))
    foreign = [d for d in departments if d.council_id != council.pk]
    if foreign:
        raise StaffError(
            _("%(department)s belongs to another council.") % {"department": foreign[0]}
        )
    user: User = users.create_user(
        username, email=email, password=password, is_staff=role == Role.ADMINISTRATOR
    )
    user.groups.add(Group.objects.get(name=role.value))
    staff = Staff.objects.create(user=user, council=council)
    staff.departments.set(departments)
    return staff


@transaction.atomic
def join_council(*, user: Any, council: Council) -> Staff:
    """Give an account that has no place yet a Staff row in ``council`` (no department)."""
    if Staff.objects.filter(user=user).exists():
        raise StaffError(_("%(name)s is already a member of a council's staff.") % {"name": user})
    return Staff.objects.create(user=user, council=council)
