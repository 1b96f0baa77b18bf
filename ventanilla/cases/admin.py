"""Admin for the case domain, scoped to the staff member's council and departments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ventanilla.cases.access import staff_of
from ventanilla.cases.history import history_lines
from ventanilla.cases.models import (
    Case,
    CaseAccess,
    CaseEvent,
    Category,
    Department,
    Note,
    Role,
    Staff,
)
from ventanilla.cases.staff import join_council
from ventanilla.core.admin import CouncilScopedAdmin, NotFoundAdmin, ReadOnlyMixin
from ventanilla.core.councils import council_id_of


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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Whose place this is never changes: moving a Staff row to another account would
        # hand that account the council (a superuser's, say, to a council administrator).
        return ("user",) if obj is not None else ()


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


@admin.register(Note)
class NoteAdmin(ReadOnlyMixin, NotFoundAdmin):
    """Internal notes are written in the inbox; here, read within the cases one may see."""

    list_display = ("created_at", "case", "author")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Note]:
        queryset = super().get_queryset(request).select_related("case", "author")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(case__in=Case.objects.visible_to(request.user))


admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(get_user_model())
class CouncilUserAdmin(NotFoundAdmin, UserAdmin):
    """Accounts: superusers manage all; a council's administrator only their council's staff.

    A council administrator cannot make anyone a superuser, give permissions one by one or
    groups other than the staff roles, nor see or edit an account outside their council (or
    any superuser's): those fields are not on their form, so a forged POST changes nothing.
    An account they add joins their council.
    """

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(staff__council_id=council_id_of(request.user), is_superuser=False)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        installation_wide = {"is_superuser", "user_permissions"}
        return [
            (
                name,
                {**options, "fields": [f for f in options["fields"] if f not in installation_wide]},
            )
            for name, options in fieldsets
        ]

    def get_list_filter(self, request: HttpRequest) -> Any:
        return super().get_list_filter(request) if request.user.is_superuser else ("is_active",)

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField | None:
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=Role.values)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        staff = staff_of(request.user)
        if not change and not request.user.is_superuser and staff is not None:
            join_council(user=obj, council=staff.council)


@admin.register(Group)
class RoleGroupAdmin(GroupAdmin):
    """Groups are the installation's roles, shared by every council: superusers only."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)
