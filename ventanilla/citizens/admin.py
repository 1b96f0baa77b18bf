from django.contrib import admin

from ventanilla.citizens.models import Citizen, Identity
from ventanilla.core.admin import CouncilScopedAdmin


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 0
    fields = ("urn", "scheme", "display")
    readonly_fields = ("scheme",)


@admin.register(Citizen)
class CitizenAdmin(CouncilScopedAdmin):
    list_display = ("__str__", "language", "consent_at", "opted_out_at", "created_at")
    list_filter = ("language",)
    inlines = [IdentityInline]
