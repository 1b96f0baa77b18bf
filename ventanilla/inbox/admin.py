"""Admin for canned replies, scoped to the staff member's council."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ventanilla.cases.access import staff_of
from ventanilla.core.admin import CouncilScopedAdmin
from ventanilla.core.councils import council_id_of
from ventanilla.core.models import Council
from ventanilla.inbox.models import CannedReply


@admin.register(CannedReply)
class CannedReplyAdmin(CouncilScopedAdmin):
    list_display = ("title", "language", "whatsapp_template_name", "active", "council")
    list_filter = ("language", "active", "council")
    search_fields = ("title", "text", "whatsapp_template_name")

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        staff = staff_of(request.user)
        if staff is not None:
            initial.setdefault("council", staff.council_id)
        return initial

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "council" and not request.user.is_superuser:
            kwargs["queryset"] = Council.objects.filter(pk=council_id_of(request.user) or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
