"""Admin for the service charter and the districts, scoped to the staff member's council."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import ForeignKey
from django.http import HttpRequest

from ventanilla.cases.models import Category
from ventanilla.core.admin import CouncilScopedAdmin
from ventanilla.core.councils import council_id_of
from ventanilla.insights.models import Commitment, District


@admin.register(Commitment)
class CommitmentAdmin(CouncilScopedAdmin):
    council_field = "category__council"
    list_display = ("statement", "category", "working_days", "target_percent")
    search_fields = ("statement", "category__name_es")

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "category" and not request.user.is_superuser:
            council_id = council_id_of(request.user)
            kwargs["queryset"] = (
                Category.objects.none()
                if council_id is None
                else Category.objects.filter(council_id=council_id)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(District)
class DistrictAdmin(CouncilScopedAdmin):
    list_display = ("name", "council", "south", "north", "west", "east")
    search_fields = ("name",)
