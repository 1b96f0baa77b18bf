from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ventanilla.core.admin import CouncilScopedAdmin
from ventanilla.privacy.models import RetentionRule, RetentionRun, RightsAuditEntry, RightsRequest


class RightsAuditInline(admin.TabularInline):
    model = RightsAuditEntry
    extra = 0
    can_delete = False
    fields = ("created_at", "action", "actor", "detail")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RightsRequest)
class RightsRequestAdmin(CouncilScopedAdmin):
    """Read-only: requests are handled from the inbox or the command line, with four eyes."""

    list_display = ("pk", "kind", "status", "via", "received_at", "due_at", "done_at")
    list_filter = ("kind", "status", "via")
    readonly_fields = [f.name for f in RightsRequest._meta.fields]
    inlines = [RightsAuditInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RetentionRule)
class RetentionRuleAdmin(CouncilScopedAdmin):
    list_display = ("data_type", "category_code", "months")
    list_filter = ("data_type",)


@admin.register(RetentionRun)
class RetentionRunAdmin(CouncilScopedAdmin):
    list_display = ("ran_at", "counts")
    readonly_fields = ("council", "ran_at", "counts")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
