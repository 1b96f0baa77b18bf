from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from ventanilla.cases.access import case_scope, staff_of
from ventanilla.cases.models import Role
from ventanilla.channels.segments import count_segments
from ventanilla.conversations import ingest
from ventanilla.conversations.bot_templates import DEFAULTS, ensure_default_templates
from ventanilla.conversations.models import BotTemplate, DeliveryState, Message, WebhookDelivery
from ventanilla.core.admin import CouncilScopedAdmin, ReadOnlyMixin
from ventanilla.core.models import Council


@admin.register(Message)
class MessageAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Messages are evidence: read-only for everyone, council-scoped."""

    list_display = ("created_at", "direction", "channel", "status", "case")
    list_filter = ("direction", "status")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(case_scope(request.user, prefix="case__"))


@admin.register(BotTemplate)
class BotTemplateAdmin(CouncilScopedAdmin):
    """The bot's words per council and language. Rows appear from the defaults on first use."""

    list_display = ("key", "language", "short_text", "sms_segments", "council", "updated_at")
    list_filter = ("language", "council")
    search_fields = ("key", "text", "sms_text")
    readonly_fields = ("council", "key", "language", "purpose", "placeholders", "sms_segments")
    fields = (
        "council",
        "key",
        "language",
        "purpose",
        "placeholders",
        "text",
        "sms_text",
        "sms_segments",
    )
    actions = ["reset_to_default"]

    @admin.display(description=_("text"))
    def short_text(self, obj: BotTemplate) -> str:
        return obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"

    @admin.display(description=_("SMS segments"))
    def sms_segments(self, obj: BotTemplate) -> str:
        """Say what the text costs by SMS (placeholders counted as written)."""
        counted = count_segments(obj.sms_text or obj.text)
        return _("%(segments)s (%(units)s characters, %(encoding)s)") % {
            "segments": counted.segments,
            "units": counted.units,
            "encoding": counted.encoding,
        }

    @admin.display(description=_("what it is for"))
    def purpose(self, obj: BotTemplate) -> str:
        return obj.purpose

    @admin.display(description=_("placeholders you may use"))
    def placeholders(self, obj: BotTemplate) -> str:
        default = DEFAULTS.get(obj.key)
        return ", ".join(f"{{{name}}}" for name in default.params) if default else ""

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # Load the defaults on demand, so there is something to edit before the first chat.
        staff = staff_of(request.user)
        if request.user.is_superuser:
            councils = list(Council.objects.all())
        else:
            councils = [staff.council] if staff is not None else []
        for council in councils:
            ensure_default_templates(council)
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Reset the selected texts to the default wording"))
    def reset_to_default(self, request: HttpRequest, queryset: QuerySet[BotTemplate]) -> None:
        for template in queryset:
            default = DEFAULTS.get(template.key)
            if default is not None:
                template.text = default.text(template.language)
                template.sms_text = default.sms_text(template.language)
                template.save(update_fields=["text", "sms_text", "updated_at"])

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyMixin, CouncilScopedAdmin):
    """Webhooks stored for the workers: what is waiting, and what failed and why.

    The body is never shown (it holds residents' messages); the error text only to the
    installation's operators, since a database error may quote a value.
    """

    council_field = "channel__council"
    list_display = ("received_at", "channel", "state", "attempts", "processed_at")
    list_filter = ("state",)
    actions = ["retry"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = ["channel", "received_at", "state", "attempts", "not_before", "processed_at"]
        return [*fields, "last_error"] if request.user.is_superuser else fields

    def has_retry_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_superuser or user.groups.filter(name=Role.ADMINISTRATOR.value).exists()

    @admin.action(
        description=_("Process the selected failed deliveries again"), permissions=["retry"]
    )
    def retry(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        failed = list(queryset.filter(state=DeliveryState.FAILED))
        for delivery in failed:
            ingest.retry(delivery=delivery)
        self.message_user(request, _("%(count)s deliveries queued again.") % {"count": len(failed)})
