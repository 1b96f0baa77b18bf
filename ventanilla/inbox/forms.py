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
from ventanilla.portal.review import case_photos
from ventanilla.streets.matching import match_address, suggest_streets

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
            attrs={"type": "search", "placeholder": _("Reference, text, street, name or phone")}
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
    resident_message = forms.CharField(
        label=_("Message to the resident (sent)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Sent to the resident with the news of the new status."),
    )
    comment = forms.CharField(
        label=_("Internal note (not sent)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the case history for staff only. The resident never sees it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = ALLOWED_TRANSITIONS[Status(self.case.status)] - {Status.DUPLICATE}
        choice_field(self, "status").choices = [(s.value, s.label) for s in Status if s in allowed]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("status") == Status.REJECTED and not (
            data.get("comment") or data.get("resident_message")
        ):
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


# -- the public record and the place of a case ---------------------------------------------


class SummaryForm(CaseActionForm):
    """Approve the proposed public summary, approve an edited one, or publish none."""

    prefix_name = "summary"
    DRAFT, EDITED, PRIVATE = "draft", "edited", "private"

    text = forms.CharField(
        label=_("Public summary"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Shown to everyone on the portal and in Open311. Personal data is removed again "
            "when you approve it."
        ),
    )
    decision = forms.ChoiceField(
        choices=[(DRAFT, DRAFT), (EDITED, EDITED), (PRIVATE, PRIVATE)],
        widget=forms.HiddenInput,
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == self.EDITED and not (data.get("text") or "").strip():
            self.add_error("text", _("Write the summary to approve, or keep it private."))
        return data


class PhotoForm(CaseActionForm):
    """Publish one of the resident's photos on the public record, or take it down."""

    prefix_name = "photo"
    PUBLISH, REMOVE = "publish", "remove"

    attachment = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[(PUBLISH, PUBLISH), (REMOVE, REMOVE)], widget=forms.HiddenInput
    )
    alt_text = forms.CharField(
        label=_("What the photo shows (for people who cannot see it)"),
        required=False,
        max_length=300,
    )

    def clean_attachment(self) -> Any:
        photo = case_photos(self.case).filter(pk=self.cleaned_data["attachment"]).first()
        if photo is None:
            raise forms.ValidationError(_("That photo is not one of this case's photos."))
        return photo


class WithdrawForm(CaseActionForm):
    prefix_name = "withdraw"

    reason = forms.CharField(
        label=_("Why it is withdrawn"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the publication log; never shown to the public."),
    )


class RepublishForm(CaseActionForm):
    prefix_name = "republish"


class LocationForm(CaseActionForm):
    """The place of a case: a point picked on the map, or an address from the directory."""

    prefix_name = "location"

    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180
    )
    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=300,
        help_text=_(
            "Pick the place on the map, or type the street and number: it is looked up "
            "in the council's street directory."
        ),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        latitude, longitude = data.get("latitude"), data.get("longitude")
        address = (data.get("address") or "").strip()
        if self.errors:
            return data
        if (latitude is None) != (longitude is None):
            raise forms.ValidationError(_("Give both the latitude and the longitude."))
        if latitude is not None:
            data["source"] = "map"
            return data
        if not address:
            raise forms.ValidationError(_("Pick the place on the map or type an address."))
        found = match_address(council=self.scope.council, text=address)
        if found is None:
            suggestions = suggest_streets(council=self.scope.council, text=address)
            if suggestions:
                self.add_error(
                    "address",
                    _("No street of the directory matches. Did you mean: %(names)s?")
                    % {"names": ", ".join(suggestions)},
                )
            else:
                self.add_error("address", _("No street of the directory matches."))
            return data
        data["latitude"], data["longitude"] = found.street.latitude, found.street.longitude
        data["address"] = found.address
        data["source"] = "directory"
        return data


class BulkApproveForm(forms.Form):
    """Approve the proposed summaries of several cases of the pending publication queue."""

    references = forms.MultipleChoiceField(label=_("Cases"), choices=())

    def __init__(self, *args: Any, references: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "references").choices = [(r, r) for r in references]


# -- conversations that are not a case ------------------------------------------------------


class ConversationReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Answer to the resident"),
        max_length=4096,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the resident on this conversation's channel."),
    )


class OpenCaseForm(forms.Form):
    """Open a case from a conversation: what kind, which department, in what words."""

    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), empty_label=None
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("The category's department"),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Left empty, the resident's messages describe the case."),
    )

    def __init__(self, *args: Any, scope: selectors.Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "category").queryset = Category.objects.of(scope.council).active()
        model_choice_field(self, "department").queryset = Department.objects.filter(
            council=scope.council, active=True
        )
