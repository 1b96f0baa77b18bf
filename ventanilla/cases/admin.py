"""Admin for the case domain, scoped to the staff member's council and departments."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ventanilla.cases.access import staff_of
from ventanilla.cases.history import history_lines
from ventanilla.cases.models import Case, CaseAccess, CaseEvent, Category, Department, Note, Staff
from ventanilla.core.admin import CouncilScopedAdmin, NotFoundAdmin, ReadOnlyMixin


@admin.register(Department)
class DepartmentAdmin(CouncilScopedAdmin):
    list_display = ("name_es", "name_ca", "name_en", "council", "active")
    list_filter = ("active", "council")
    search_fields = ("name_es", "name_ca", "name_en")


@admin.register(Category)
class CategoryAdmin(CouncilScopedAdmin):
    list_display = (
        "name_es",
        "code",
        "department",
        "resolution_days",
        "first_response_hours",
        "public_by_default",
        "active",
    )
    list_filter = ("active", "public_by_default", "department", "council")
    search_fields = ("name_es", "name_ca", "name_en", "code", "keywords")


@admin.register(Staff)
class StaffAdmin(CouncilScopedAdmin):
    list_display = ("user", "council", "language")
    filter_horizontal = ("departments",)


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("kind", "before", "after", "comment", "actor", "created_at")

    @admin.display(description=_("from"))
    def before(self, event: CaseEvent) -> str:
        return history_lines([event])[0].before

    @admin.display(description=_("to"))
    def after(self, event: CaseEvent) -> str:
        return history_lines([event])[0].after

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyMixin, NotFoundAdmin):
    """Read-only in the admin: cases change through the inbox and the API (with history)."""

    list_display = ("reference", "category", "department", "status", "assignee", "due_at")
    list_filter = ("status", "department", "category")
    search_fields = ("reference",)
    inlines = [CaseEventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return Case.objects.visible_to(request.user).filter(pk__in=queryset.values("pk"))


@admin.register(CaseAccess)
class CaseAccessAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "user", "case", "via")
    list_filter = ("via",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CaseAccess]:
        queryset = super().get_queryset(request).select_related("case", "user")
        if request.user.is_superuser:
            return queryset
        staff = staff_of(request.user)
        return queryset.filter(case__council_id=staff.council_id) if staff else queryset.none()


admin.site.register(Note)
