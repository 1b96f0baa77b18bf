from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ventanilla.channels.adapters import provider_class
from ventanilla.channels.models import (
    Channel,
    ChannelThrottle,
    PendingStatus,
    Provider,
    WebhookEvent,
)
from ventanilla.citizens.urns import InvalidUrn, normalise_email
from ventanilla.core.admin import CouncilScopedAdmin, ReadOnlyMixin


class ChannelForm(forms.ModelForm):
    """Secrets are written here but never shown back (left blank, they are kept)."""

    api_base = forms.URLField(
        label=_("API base URL"),
        required=False,
        assume_scheme="https",
        help_text=_("Leave blank for the provider's real API."),
    )
    secrets_text = forms.CharField(
        label=_("Secrets"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line as name=value. Leave blank to keep the current ones."),
    )

    class Meta:
        model = Channel
        fields = ("council", "provider", "name", "api_base", "rate_per_second", "options", "active")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        text = data.get("secrets_text") or ""
        if text.strip():
            pairs = dict(line.split("=", 1) for line in text.strip().splitlines() if "=" in line)
            secrets = {k.strip(): v.strip() for k, v in pairs.items()}
            required = provider_class(str(data.get("provider"))).required_secrets
            missing = [k for k in required if not secrets.get(k)]
            if missing:
                raise forms.ValidationError(
                    _("Missing secrets: %(names)s") % {"names": ", ".join(missing)}
                )
            self.instance.secrets = secrets
        if data.get("provider") == Provider.EMAIL:
            options = dict(data.get("options") or {})
            try:
                options["address"] = normalise_email(str(options.get("address") or ""))
            except InvalidUrn:
                raise forms.ValidationError(
                    {"options": _('An e-mail channel needs its address: {"address": "..."}.')}
                ) from None
            data["options"] = options
        return data


@admin.register(Channel)
class ChannelAdmin(CouncilScopedAdmin):
    form = ChannelForm
    list_display = ("name", "provider", "council", "active", "rate_per_second", "webhook_path")
    list_filter = ("provider", "active")

    def webhook_path(self, obj: Channel) -> str:
        return obj.webhook_path if obj.pk else ""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ()


class ReadOnlyAdmin(ReadOnlyMixin, CouncilScopedAdmin):
    """Rows the system writes and staff only read."""

    council_field = "channel__council"


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "channel", "kind", "name", "urn")
    list_filter = ("kind", "channel__provider")
    search_fields = ("name", "urn", "provider_event_id")
    date_hierarchy = "created_at"


@admin.register(PendingStatus)
class PendingStatusAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "channel", "provider_message_id", "status", "error_code")
    list_filter = ("status",)
    search_fields = ("provider_message_id",)


@admin.register(ChannelThrottle)
class ChannelThrottleAdmin(ReadOnlyAdmin):
    list_display = ("channel", "tokens", "paused_until", "dispatchers", "dispatch_seen_at")
