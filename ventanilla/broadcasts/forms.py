"""The staff form to write a broadcast; the portal's forms to subscribe and leave."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ventanilla.broadcasts.models import Topic
from ventanilla.channels.models import Channel
from ventanilla.citizens.urns import InvalidUrn, normalise_phone
from ventanilla.core.models import Council
from ventanilla.insights.models import District


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


# -- the portal's subscription forms ----------------------------------------------------------

LANGUAGE_NAMES = {"es": _("Spanish"), "ca": _("Catalan"), "en": _("English")}
EVERYTHING = "all"


class ChannelChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        if obj.provider == "whatsapp":
            return str(_("WhatsApp"))
        return str(_("SMS (text message)"))


class TopicChoices(forms.ModelMultipleChoiceField):
    """Topics by their name in the visitor's language."""

    language = ""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name(self.language))


class PhoneFormMixin(forms.Form):
    """The channel, the phone number and the language the code and the alerts go in."""

    channel = ChannelChoice(
        label=_("Where to get them"),
        queryset=Channel.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=30,
        help_text=_("We send a 6-digit code to this number to check it is yours."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    language = forms.ChoiceField(label=_("Language"))

    def setup(self, council: Council, channels: list[Channel], language: str) -> None:
        self.council = council
        self.reading = language
        channel = self.fields["channel"]
        assert isinstance(channel, forms.ModelChoiceField)
        channel.queryset = Channel.objects.filter(pk__in=[c.pk for c in channels])
        if len(channels) == 1:
            channel.initial = channels[0].pk
        chosen = self.fields["language"]
        assert isinstance(chosen, forms.ChoiceField)
        chosen.choices = [(c, LANGUAGE_NAMES.get(c, c)) for c in council.language_codes]
        chosen.initial = language if language in council.language_codes else None

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data["phone"]).strip()
        try:
            normalise_phone(phone)
        except InvalidUrn:
            raise forms.ValidationError(
                _("That is not a phone number. Write it with its prefix if it is not Spanish.")
            ) from None
        return phone


class PortalSubscribeForm(PhoneFormMixin):
    topics = TopicChoices(
        label=_("Alerts about"),
        queryset=Topic.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    district = forms.ModelChoiceField(
        label=_("Your district"),
        queryset=District.objects.none(),
        required=False,
        help_text=_("Needed for the topics sent by district."),
    )
    field_order = ["topics", "district", "channel", "phone", "language"]

    def __init__(
        self, *args: Any, council: Council, channels: list[Channel], language: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.setup(council, channels, language)
        topics = self.fields["topics"]
        district = self.fields["district"]
        assert isinstance(topics, forms.ModelMultipleChoiceField)
        assert isinstance(district, forms.ModelChoiceField)
        topics.queryset = Topic.objects.filter(council=council, active=True).prefetch_related(
            "districts"
        )
        if isinstance(topics, TopicChoices):
            topics.language = language
        limited = Topic.districts.through.objects.filter(topic__council=council, topic__active=True)
        district.queryset = District.objects.filter(
            council=council, pk__in=limited.values("district_id")
        )
        if not district.queryset.exists():
            del self.fields["district"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        district = data.get("district")
        for topic in data.get("topics") or ():
            limited = list(topic.districts.all())
            if limited and district not in limited:
                names = ", ".join(d.name for d in limited)
                self.add_error(
                    "district" if "district" in self.fields else None,
                    _("“%(topic)s” is sent only in: %(districts)s. Choose one of them.")
                    % {"topic": topic.name(self.reading), "districts": names},
                )
        return data

    def choices(self) -> list[tuple[Topic, District | None]]:
        district = self.cleaned_data.get("district")
        return [
            (topic, district if topic.districts.exists() else None)
            for topic in self.cleaned_data["topics"]
        ]


class PortalUnsubscribeForm(PhoneFormMixin):
    topic = forms.ChoiceField(label=_("Stop"))
    field_order = ["topic", "channel", "phone", "language"]

    def __init__(
        self, *args: Any, council: Council, channels: list[Channel], language: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.setup(council, channels, language)
        topic = self.fields["topic"]
        assert isinstance(topic, forms.ChoiceField)
        topic.choices = [
            (EVERYTHING, _("Every alert and automatic message from the council")),
            *[
                (str(t.pk), t.name(language))
                for t in Topic.objects.filter(council=council, active=True)
            ],
        ]

    def chosen(self) -> Topic | None:
        """The topic to leave, or None for everything (the global opt-out)."""
        value = self.cleaned_data["topic"]
        if value == EVERYTHING:
            return None
        return Topic.objects.get(council=self.council, pk=int(value))


class PortalCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=12,
        help_text=_("The 6 digits we sent you."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )
