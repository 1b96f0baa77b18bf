from django.contrib import admin

from ventanilla.conversations.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Messages are evidence: read-only for everyone, council-scoped."""

    list_display = ("created_at", "direction", "channel", "status", "case")
    list_filter = ("direction", "status")

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        from ventanilla.cases.access import case_scope

        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(case_scope(request.user, prefix="case__"))

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
