"""The admin's ground floor: base classes every app's admin builds on, and the council rows."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from ventanilla.core.councils import council_id_of
from ventanilla.core.models import ApiToken, Council, Holiday


class ReadOnlyMixin:
    """Rows the system writes (history, evidence, logs): staff only read them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NotFoundAdmin(admin.ModelAdmin):
    """Answer 404 for an object outside the user's scope, as the API and the inbox do."""

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().change_view(request, object_id, form_url, extra_context)


class CouncilScopedAdmin(NotFoundAdmin):
    """Staff see and edit only their council's rows; installation superusers see all."""

    council_field = "council"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        council_id = council_id_of(request.user)
        if council_id is None:
            return queryset.none()
        return queryset.filter(**{f"{self.council_field}_id": council_id})


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "jurisdiction_id", "time_zone", "languages")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [HolidayInline]
    search_fields = ("name", "slug")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
    list_filter = ("revoked_at",)
