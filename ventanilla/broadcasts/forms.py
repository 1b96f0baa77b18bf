"""The staff form to write a broadcast."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ventanilla.broadcasts.models import Topic
from ventanilla.channels.models import Channel
from ventanilla.core.models import Council


class BroadcastForm(forms.Form):
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.none())
    text_es = forms.CharField(label=_("Text in Spanish"), widget=forms.Textarea(attrs={"rows": 4}))
    text_ca = forms.CharField(
        label=_("Text in Catalan"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    text_en = forms.CharField(
        label=_("Text in English"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    channels = forms.ModelMultipleChoiceField(
        label=_("Channels"),
        queryset=Channel.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every channel the subscribers use."),
    )
    whatsapp_template = forms.CharField(
        label=_("WhatsApp template"),
        required=False,
        max_length=200,
        help_text=_(
            "An approved template, for WhatsApp subscribers who have not written in the "
            "last 24 hours; without one they are left out."
        ),
    )
    template_variables = forms.CharField(
        label=_("Template variables"),
        required=False,
        help_text=_("One per line, in the template's order."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    scheduled_for = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Empty: as soon as it is approved and sent."),
    )

    def __init__(self, *args: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.council = council
        topics = self.fields["topic"]
        channels = self.fields["channels"]
        assert isinstance(topics, forms.ModelChoiceField)
        assert isinstance(channels, forms.ModelMultipleChoiceField)
        topics.queryset = Topic.objects.filter(council=council, active=True)
        channels.queryset = Channel.objects.filter(council=council, active=True)
        for code in ("es", "ca", "en"):
            if code not in council.language_codes:
                del self.fields[f"text_{code}"]

    def texts(self) -> dict[str, str]:
        return {
            code: self.cleaned_data.get(f"text_{code}") or ""
            for code in ("es", "ca", "en")
            if f"text_{code}" in self.fields
        }

    def variables(self) -> list[str]:
        raw = self.cleaned_data.get("template_variables") or ""
        return [line.strip() for line in raw.splitlines() if line.strip()]
