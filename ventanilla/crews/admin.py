from __future__ import annotations

from django.contrib import admin

from ventanilla.core.admin import CouncilScopedAdmin
from ventanilla.crews.models import ClosureRule, Crew, StaffIdentity, WorkOrder


@admin.register(Crew)
class CrewAdmin(CouncilScopedAdmin):
    list_display = ("name", "department", "supervisor", "is_contractor", "active")
    list_filter = ("active", "is_contractor", "council")
    search_fields = ("name",)
    filter_horizontal = ("members",)


@admin.register(ClosureRule)
class ClosureRuleAdmin(CouncilScopedAdmin):
    """Per category: a crew's "done" resolves the case, or waits for a supervisor's check."""

    council_field = "category__council"
    list_display = ("category", "on_done")


@admin.register(StaffIdentity)
class StaffIdentityAdmin(CouncilScopedAdmin):
    """Linked phones are linked by their owners with a code; here they can only be removed."""

    list_display = ("urn", "channel", "user", "crew", "linked_at")
    readonly_fields = ("council", "channel", "urn", "user", "crew", "linked_at")

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(CouncilScopedAdmin):
    list_display = ("case", "crew", "state", "due_at", "created_at")
    list_filter = ("state",)
    readonly_fields = [f.name for f in WorkOrder._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
