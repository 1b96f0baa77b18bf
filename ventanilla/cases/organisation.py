"""A council's organisation: its departments and the categories residents report under."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from ventanilla.cases.models import Category, Department
from ventanilla.core.models import Council


class OrganisationError(ValueError):
    """A department or category that cannot be created as asked; the message says why."""


@transaction.atomic
def create_department(
    *, council: Council, name_es: str, name_ca: str = "", name_en: str = "", email: str = ""
) -> Department:
    """Create one of ``council``'s departments; its Spanish name is unique in the council."""
    name_es = name_es.strip()
    if not name_es:
        raise OrganisationError(_("A department needs a name in Spanish."))
    if Department.objects.filter(council=council, name_es__iexact=name_es).exists():
        raise OrganisationError(
            _("%(council)s already has a department called %(name)r.")
            % {"council": council.slug, "name": name_es}
        )
    return Department.objects.create(
        council=council,
        name_es=name_es,
        name_ca=name_ca.strip(),
        name_en=name_en.strip(),
        email=email.strip(),
    )


@transaction.atomic
def create_category(
    *,
    council: Council,
    department: Department,
    code: str,
    name_es: str,
    name_ca: str = "",
    name_en: str = "",
    resolution_days: int = 10,
    first_response_hours: int = 8,
    public_by_default: bool = True,
    keywords: list[str] | None = None,
) -> Category:
    """Create a category of ``council`` handled by ``department``; ``code`` is its Open311 code."""
    if department.council_id != council.pk:
        raise OrganisationError(
            _("%(department)s belongs to another council.") % {"department": department}
        )
    if not name_es.strip():
        raise OrganisationError(_("A category needs a name in Spanish."))
    if resolution_days < 1 or first_response_hours < 1:
        raise OrganisationError(_("Deadlines must be at least one working day and one hour."))
    if Category.objects.filter(council=council, code=code).exists():
        raise OrganisationError(
            _("%(council)s already has a category with code %(code)r.")
            % {"council": council.slug, "code": code}
        )
    return Category.objects.create(
        council=council,
        department=department,
        code=code,
        name_es=name_es.strip(),
        name_ca=name_ca.strip(),
        name_en=name_en.strip(),
        resolution_days=resolution_days,
        first_response_hours=first_response_hours,
        public_by_default=public_by_default,
        keywords="\n".join(word.strip() for word in keywords or [] if word.strip()),
    )
