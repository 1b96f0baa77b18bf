"""Test data of alerts: a topic with its names in three languages, staff to write and approve."""

from __future__ import annotations

from typing import Any

from ventanilla.broadcasts import services
from ventanilla.broadcasts.models import Topic
from ventanilla.cases.models import Role
from ventanilla.cases.tests.factories import make_staff
from ventanilla.core.models import Council


def make_traffic(council: Council) -> Topic:
    return services.create_topic(
        council=council,
        slug="trafico",
        name_es="Tráfico",
        name_ca="Trànsit",
        name_en="Traffic",
        keywords="cortes de calle",
    )


def make_supervisors(council: Council) -> tuple[Any, Any]:
    return (
        make_staff(council=council, role=Role.SUPERVISOR, username=f"ana-{council.slug}"),
        make_staff(council=council, role=Role.SUPERVISOR, username=f"bernat-{council.slug}"),
    )
