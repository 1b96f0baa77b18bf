from django.contrib import admin

from ventanilla.core.models import ApiToken, Council, Holiday


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
