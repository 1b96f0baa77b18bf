"""Forms of the staff inbox: sign-in, queue filters and the actions on a case."""

from __future__ import annotations

import re
from typing import Any

import django_otp
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _

from ventanilla.cases.access import staff_of
from ventanilla.cases.models import Case, Category, Department, Priority
from ventanilla.cases.workflow import ALLOWED_TRANSITIONS, Status
from ventanilla.core.forms import PeriodDateField, choice_field, model_choice_field
from ventanilla.core.models import EncryptedTOTPDevice
from ventanilla.inbox import selectors
from ventanilla.inbox.models import CannedReply

#: the largest file an agent may attach to a reply
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
REFERENCE = re.compile(r"^\d{4}-\d{6}$")


class StaffLoginForm(AuthenticationForm):
    """Username, password and, for staff with a TOTP device, the six-digit code."""

    otp_token = forms.CharField(
        label=_("Verification code"),
        required=False,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]*",
            }
        ),
        help_text=_("The six digits your authenticator app shows."),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "otp_invalid": _("The verification code is not valid. Try the current code."),
        "otp_missing": _(
            "Your account has no second factor yet. Ask an administrator to set one up."
        ),
        "not_staff": _("This account is not a member of any council's staff."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if staff_of(user) is None:
            raise forms.ValidationError(self.error_messages["not_staff"], code="not_staff")
        devices = EncryptedTOTPDevice.objects.devices_for_user(user, confirmed=True)
        if not devices.exists():
            if settings.OTP_REQUIRED:
                raise forms.ValidationError(self.error_messages["otp_missing"], code="otp_missing")
            return
        device = django_otp.match_token(user, self.cleaned_data.get("otp_token") or "")
        if device is None:
            # A right password with a wrong code is still a failed sign-in: tell django-axes,
            # or the second factor could be guessed without ever locking the account.
            user_login_failed.send(
                sender=type(self),
                credentials={"username": self.cleaned_data.get("username")},
                request=self.request,
            )
            raise forms.ValidationError(self.error_messages["otp_invalid"], code="otp_invalid")
        self.otp_device = device


class QueueFilterForm(forms.Form):
    """The filters of a queue page; every field optional, unknown values ignored."""

    queue = forms.CharField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Reference, text, address or name")}
        ),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int)
    department = forms.TypedChoiceField(label=_("Department"), required=False, coerce=int)
    channel = forms.TypedChoiceField(label=_("Channel"), required=False, coerce=int)
    date_from = PeriodDateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = PeriodDateField(
        label=_("Created until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("due", _("Deadline, soonest first")),
            ("newest", _("Newest first")),
            ("updated", _("Recent activity first")),
        ],
    )
    after = forms.CharField(required=False, widget=forms.HiddenInput)
    before = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, scope: selectors.Scope, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        any_ = [("", _("Any"))]
        choice_field(self, "status").choices = any_ + list(Status.choices)
        choice_field(self, "category").choices = any_ + [
            (c.pk, c.name) for c in selectors.categories_of(scope)
        ]
        choice_field(self, "department").choices = any_ + [
            (d.pk, d.name) for d in selectors.departments_for_filter(scope)
        ]
        choice_field(self, "channel").choices = any_ + [
            (c.pk, str(c)) for c in selectors.channels_of(scope)
        ]

    def filters(self) -> selectors.QueueFilters:
        """Return the valid filters; a field with a bad value is simply left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return selectors.QueueFilters(
            q=(data.get("q") or "").strip(),
            status=data.get("status") or "",
            category=data.get("category") or None,
            department=data.get("department") or None,
            channel=data.get("channel") or None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            sort=data.get("sort") or "due",
        )


class CaseActionForm(forms.Form):
    """A form acting on one case; ``case`` and ``scope`` give it its choices."""

    def __init__(self, *args: Any, case: Case, scope: selectors.Scope, **kwargs: Any) -> None:
        self.case = case
        self.scope = scope
        kwargs.setdefault("prefix", self.prefix_name)
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    prefix_name = ""


class ReplyForm(CaseActionForm):
    prefix_name = "reply"

    text = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=4096,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    canned = forms.ModelChoiceField(
        label=_("Canned reply"),
        required=False,
        queryset=CannedReply.objects.none(),
        empty_label=_("Choose a canned reply…"),
    )
    template = forms.ModelChoiceField(
        label=_("WhatsApp template"),
        required=False,
        queryset=CannedReply.objects.none(),
        empty_label=_("Choose a template…"),
    )
    attachment = forms.FileField(label=_("Attach a file"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        replies = CannedReply.objects.of(self.scope.council)
        model_choice_field(self, "canned").queryset = replies
        model_choice_field(self, "template").queryset = replies.templates()

    def clean_attachment(self) -> Any:
        upload = self.cleaned_data.get("attachment")
        if upload is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("text") and data.get("canned") is not None:
            # Without JavaScript the canned reply is not copied into the text box: send it.
            data["text"] = data["canned"].text.replace("{{1}}", self.case.reference)
        if not (data.get("text") or data.get("attachment") or data.get("template")):
            raise forms.ValidationError(_("Write a reply, attach a file or choose a template."))
        return data


class StaffChoiceField(forms.ModelChoiceField[Any]):
    """Staff by their full name, or their username when they have none."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class AssignForm(CaseActionForm):
    prefix_name = "assign"

    agent = StaffChoiceField(
        label=_("Assign to"),
        required=False,
        queryset=None,
        empty_label=_("Nobody (unassign)"),
    )
    to_me = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "agent").queryset = selectors.assignable_staff(self.case)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("to_me"):
            data["agent"] = self.scope.user
        return data


class TransferForm(CaseActionForm):
    prefix_name = "transfer"

    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        label=_("Transfer to department"), queryset=None
    )
    comment = forms.CharField(label=_("Why"), required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "department").queryset = Department.objects.filter(
            council_id=self.case.council_id, active=True
        ).exclude(pk=self.case.department_id)


class CategoryForm(CaseActionForm):
    prefix_name = "category"

    category: forms.ModelChoiceField[Category] = forms.ModelChoiceField(
        label=_("Change category to"), queryset=None
    )
    comment = forms.CharField(label=_("Why"), required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "category").queryset = (
            Category.objects.filter(council_id=self.case.council_id)
            .active()
            .exclude(pk=self.case.category_id)
        )


class StatusForm(CaseActionForm):
    prefix_name = "status"

    status = forms.ChoiceField(label=_("New status"))
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the case history."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = ALLOWED_TRANSITIONS[Status(self.case.status)] - {Status.DUPLICATE}
        choice_field(self, "status").choices = [(s.value, s.label) for s in Status if s in allowed]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("status") == Status.REJECTED and not data.get("comment"):
            self.add_error("comment", _("Say why the case is rejected."))
        return data


class PriorityForm(CaseActionForm):
    prefix_name = "priority"

    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)


class DuplicateForm(CaseActionForm):
    prefix_name = "duplicate"

    original = forms.CharField(
        label=_("Duplicate of case"),
        max_length=11,
        widget=forms.TextInput(attrs={"placeholder": "2026-000123", "autocomplete": "off"}),
        help_text=_("The reference of the case to keep."),
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)

    def clean_original(self) -> Case:
        reference = self.cleaned_data["original"].strip()
        original = None
        if REFERENCE.match(reference):
            # Only a case this agent may see: the reference of another department's case
            # must give the same answer as one that does not exist.
            original = self.scope.cases.filter(reference=reference).first()
        if original is None:
            raise forms.ValidationError(_("No case with that reference."))
        if original.pk == self.case.pk:
            raise forms.ValidationError(_("A case cannot duplicate itself."))
        return original


class NoteForm(CaseActionForm):
    prefix_name = "note"

    text = forms.CharField(
        label=_("Note"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only staff see notes. The resident never does."),
    )


class AccessLogFilterForm(forms.Form):
    reference = forms.CharField(label=_("Case reference"), required=False, max_length=11)
    username = forms.CharField(label=_("Staff member"), required=False, max_length=150)
    before = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
