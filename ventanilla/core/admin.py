from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from ventanilla.core.models import ApiToken, Council, Holiday


class VentanillaAdminSite(admin.AdminSite):
    """The admin behind the same door as the inbox: password and, when required, TOTP."""

    def has_permission(self, request: HttpRequest) -> bool:
        verified = not settings.OTP_REQUIRED or request.user.is_verified()  # type: ignore[union-attr]
        return super().has_permission(request) and verified

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        return redirect_to_login(
            request.GET.get("next") or reverse("admin:index"), reverse("inbox:login")
        )


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
