"""Forms of the crews' staff pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ventanilla.cases.models import Department
from ventanilla.core.models import Council
from ventanilla.crews.models import Crew, NotificationPreference


class WorkOrderForm(forms.Form):
    crew = forms.ModelChoiceField(queryset=Crew.objects.none(), label=_("Crew"))
    note = forms.CharField(
        label=_("Note for the crew"), required=False, max_length=2000, widget=forms.Textarea
    )
    due_at = forms.DateTimeField(
        label=_("Deadline"),
        required=False,
        help_text=_("Empty: the case's own deadline."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["crew"].queryset = Crew.objects.filter(council=council, active=True)  # type: ignore[attr-defined]


class InternalMessageForm(forms.Form):
    department = forms.ModelChoiceField(
        queryset=Department.objects.none(), label=_("Department"), required=False
    )
    crew = forms.ModelChoiceField(queryset=Crew.objects.none(), label=_("Crew"), required=False)
    text = forms.CharField(label=_("Message"), max_length=2000, widget=forms.Textarea)

    def __init__(self, *args: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(  # type: ignore[attr-defined]
            council=council, active=True
        )
        self.fields["crew"].queryset = Crew.objects.filter(council=council, active=True)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("department")) == bool(data.get("crew")):
            raise forms.ValidationError(_("Choose a department or a crew, not both."))
        return data


class PreferenceForm(forms.Form):
    via = forms.ChoiceField(choices=NotificationPreference.Via.choices, label=_("Send by"))
    events = forms.MultipleChoiceField(
        choices=NotificationPreference.Event.choices,
        label=_("Tell me about"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    quiet_from = forms.TimeField(
        label=_("Quiet from"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    quiet_until = forms.TimeField(
        label=_("Quiet until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
