"""The street directory in the admin: read only, it is replaced by ``import_streets``."""

from __future__ import annotations

from django.contrib import admin

from ventanilla.core.admin import CouncilScopedAdmin, ReadOnlyMixin
from ventanilla.streets.models import Street


@admin.register(Street)
class StreetAdmin(ReadOnlyMixin, CouncilScopedAdmin):
    list_display = ("name", "number_from", "number_to", "district", "latitude", "longitude")
    list_filter = ("district",)
    search_fields = ("name",)
    exclude = ("folded",)
