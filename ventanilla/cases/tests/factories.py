"""Keyword-only factories: each test states only what it needs."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from ventanilla.cases import services
from ventanilla.cases.models import Case, Category, Department, Role, Staff
from ventanilla.citizens.services import find_or_create_citizen
from ventanilla.core.models import Council

_seq = itertools.count(1)


def make_council(*, slug: str | None = None, **fields: Any) -> Council:
    n = next(_seq)
    slug = slug or f"council-{n}"
    return Council.objects.create(
        slug=slug,
        name=fields.pop("name", f"Council {n}"),
        jurisdiction_id=f"{slug}.example.org",
        **fields,
    )


def make_department(*, council: Council, name: str | None = None) -> Department:
    return Department.objects.create(council=council, name_es=name or f"Departamento {next(_seq)}")


def make_category(
    *,
    council: Council,
    department: Department | None = None,
    code: str | None = None,
    **fields: Any,
) -> Category:
    department = department or make_department(council=council)
    n = next(_seq)
    return Category.objects.create(
        council=council,
        department=department,
        code=code or f"cat-{n}",
        name_es=fields.pop("name_es", f"Categoría {n}"),
        **fields,
    )


def make_staff(
    *,
    council: Council,
    role: Role = Role.AGENT,
    departments: tuple[Department, ...] = (),
    username: str | None = None,
    password: str = "a-long-test-password",
) -> Any:
    user = get_user_model().objects.create_user(username or f"user{next(_seq)}", password=password)
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    staff = Staff.objects.create(user=user, council=council)
    staff.departments.set(departments)
    return user


def make_case(
    *, category: Category, description: str = "Farola apagada", urn: str | None = None, **kw: Any
) -> Case:
    citizen = None
    if urn:
        citizen = find_or_create_citizen(council=category.council, urn=urn)
    return services.open_case(category=category, description=description, citizen=citizen, **kw)
