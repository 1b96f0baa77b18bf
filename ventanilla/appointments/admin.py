"""Admin for appointments: offices with their opening hours, slots, and the bookings (read)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ventanilla.appointments import services
from ventanilla.appointments.models import Appointment, Office, OpeningHours, Slot
from ventanilla.core.admin import CouncilScopedAdmin, ReadOnlyMixin

#: days of slots the admin action opens
OPEN_DAYS = 28


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 1


@admin.register(Office)
class OfficeAdmin(CouncilScopedAdmin):
    list_display = ("name", "address", "slot_minutes", "desks", "active")
    list_filter = ("active",)
    inlines = [OpeningHoursInline]
    actions = ["open_four_weeks"]

    @admin.action(description=_("Open slots for the next four weeks"))
    def open_four_weeks(self, request: HttpRequest, queryset: QuerySet[Office]) -> None:
        made = sum(
            services.open_slots(office=office, start=timezone.localdate(), days=OPEN_DAYS)
            for office in queryset
        )
        self.message_user(
            request,
            ngettext("%(count)d slot opened.", "%(count)d slots opened.", made) % {"count": made},
            messages.SUCCESS,
        )


@admin.register(Slot)
class SlotAdmin(CouncilScopedAdmin):
    council_field = "office__council"
    list_display = ("starts_at", "office", "capacity", "booked")
    list_filter = ("office",)
    date_hierarchy = "starts_at"
    readonly_fields = ("booked",)


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyMixin, CouncilScopedAdmin):
    list_display = ("slot", "citizen", "status", "booked_at", "reminded_at")
    list_filter = ("status", "slot__office")
    date_hierarchy = "booked_at"
