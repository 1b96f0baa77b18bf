"""Admin for the public record: read-only (changes go through the services, with a log),
scoped to the staff member's council."""

from __future__ import annotations

from django.contrib import admin

from ventanilla.core.admin import CouncilScopedAdmin, ReadOnlyMixin
from ventanilla.portal.models import PublicationLogEntry, PublicRecord


class PublicationLogInline(ReadOnlyMixin, admin.TabularInline):
    model = PublicationLogEntry
    extra = 0
    fields = ("created_at", "action", "actor", "reason")
    readonly_fields = fields


@admin.register(PublicRecord)
class PublicRecordAdmin(ReadOnlyMixin, CouncilScopedAdmin):
    list_display = (
        "reference",
        "category",
        "department",
        "status",
        "support_count",
        "withdrawn_at",
    )
    list_filter = ("status", "department", "category")
    search_fields = ("reference",)
    exclude = ("case",)
    inlines = [PublicationLogInline]
