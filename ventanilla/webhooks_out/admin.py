from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ventanilla.core.admin import CouncilScopedAdmin, ReadOnlyMixin
from ventanilla.webhooks_out.models import Delivery, Event, Subscription
from ventanilla.webhooks_out.services import SubscriptionError, add_subscription


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Subscription
        fields = ("council", "url", "events", "active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["events"] = self.instance.event_list

    def clean_events(self) -> str:
        return ",".join(self.cleaned_data["events"])


@admin.register(Subscription)
class SubscriptionAdmin(CouncilScopedAdmin):
    """Back-office URLs that follow the council's cases; the secret is shown once, on adding."""

    form = SubscriptionForm
    list_display = ("url", "council", "events", "active", "created_at")
    list_filter = ("active", "council")

    def save_model(self, request: HttpRequest, obj: Subscription, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            created, secret = add_subscription(council=obj.council, url=obj.url, events=obj.events)
        except SubscriptionError as exc:
            messages.error(request, str(exc))
            return
        obj.pk = created.pk
        obj.secret_encrypted = created.secret_encrypted
        messages.warning(
            request,
            _("Signing secret (shown only now; give it to the receiver): %(secret)s")
            % {"secret": secret},
        )


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyMixin, CouncilScopedAdmin):
    council_field = "subscription__council"
    list_display = ("created_at", "event", "reference", "status", "attempts", "last_error")
    list_filter = ("status", "event")
    search_fields = ("reference",)
