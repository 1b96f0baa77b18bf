"""Admin for procedures: read-only, scoped to the staff member's council.

The census register is shown only one person at a time, found by their exact DNI/NIE, and
every search and every record opened is audited (``AuditKind.CENSUS_VIEWED``). No role gets
these permissions by default: an administrator grants them to whoever needs them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from ventanilla.core.actors import actor_of
from ventanilla.core.admin import CouncilScopedAdmin, ReadOnlyMixin
from ventanilla.procedures import services
from ventanilla.procedures.census import BadIdentityNumber, normalise_identity_number
from ventanilla.procedures.models import (
    AuditEvent,
    CensusRecord,
    DeadlineLetter,
    IssuedDocument,
)


@admin.register(CensusRecord)
class CensusRecordAdmin(ReadOnlyMixin, CouncilScopedAdmin):
    list_display = ("dni", "full_name", "household", "active", "imported_at")
    search_fields = ("dni",)
    show_full_result_count = False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        """Find one person by their exact DNI/NIE (no browsing), and audit the search."""
        try:
            dni = normalise_identity_number(search_term)
        except BadIdentityNumber:
            return queryset.none(), False
        found = queryset.filter(dni=dni)
        record = found.first()
        council = record.council if record is not None else None
        if council is not None:
            services.view_census_record(council=council, dni=dni, by=actor_of(request.user))
        return found, False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if not request.GET.get("q") and request.resolver_match is not None:
            if (request.resolver_match.url_name or "").endswith("changelist"):
                return queryset.none()  # nothing to browse: search an exact DNI/NIE
        return queryset

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        record = self.get_queryset(request).filter(pk=object_id).first()
        if record is not None:
            services.view_census_record(
                council=record.council, dni=record.dni, by=actor_of(request.user)
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyMixin, CouncilScopedAdmin):
    """The staff list of issued documents (the PDFs stay out of the admin)."""

    list_display = ("issued_at", "kind", "subject", "keep_until")
    list_filter = ("kind",)
    date_hierarchy = "issued_at"
    exclude = ("pdf", "csv")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyMixin, CouncilScopedAdmin):
    list_display = ("at", "kind", "who", "user", "identity_check", "document")
    list_filter = ("kind",)
    date_hierarchy = "at"
    search_fields = ("who",)


@admin.register(DeadlineLetter)
class DeadlineLetterAdmin(CouncilScopedAdmin):
    """The letter per category with a legal term: its term, silence and editable texts."""

    list_display = ("category", "term_months", "silence")
