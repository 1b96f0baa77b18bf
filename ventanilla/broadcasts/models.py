"""Topics residents subscribe to, their subscriptions, and the broadcasts sent to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import Council


class Topic(models.Model):
    """What a council sends alerts about (traffic, water cuts, ...), optionally per district."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="topics")
    slug = models.SlugField(_("short name"), max_length=50)
    name_es = models.CharField(_("name (Spanish)"), max_length=100)
    name_ca = models.CharField(_("name (Catalan)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    keywords = models.TextField(
        _("chat keywords"),
        blank=True,
        help_text=_("One per line, in any language; the names always count."),
    )
    districts = models.ManyToManyField(
        "insights.District", blank=True, related_name="+", verbose_name=_("districts")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("alert topic")
        verbose_name_plural = _("alert topics")
        ordering = ["council", "name_es"]
        constraints = [
            models.UniqueConstraint(fields=["council", "slug"], name="topic_unique_slug")
        ]

    def __str__(self) -> str:
        return self.name_es

    def name(self, language: str) -> str:
        return str(getattr(self, f"name_{language}", "") or self.name_es)


class Source(models.TextChoices):
    CHAT = "chat", _("Chat keyword")
    MENU = "menu", _("Chat menu")
    PORTAL = "portal", _("Portal")
    IMPORT = "import", _("Imported list")


class Subscription(models.Model):
    """A resident's channel identity (its conversation) subscribed to a topic.

    Ending a subscription keeps the row (when, how and the notice shown stay on record).
    """

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="subscriptions")
    citizen = models.ForeignKey(
        "citizens.Citizen", on_delete=models.CASCADE, related_name="subscriptions"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="subscriptions"
    )
    district = models.ForeignKey(
        "insights.District", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("how"), max_length=10, choices=Source.choices)
    notice = models.TextField(_("notice shown"), blank=True)
    created_at = models.DateTimeField(_("subscribed at"), default=timezone.now)
    ended_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "conversation"], name="subscription_per_conversation"
            )
        ]
        indexes = [models.Index(fields=["topic", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.topic_id} ← {self.conversation_id}"

    @property
    def active(self) -> bool:
        return self.ended_at is None


class Status(models.TextChoices):
    DRAFT = "draft", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    PAUSED = "paused", _("Paused")
    DONE = "done", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class Kind(models.TextChoices):
    ALERT = "alert", _("Alert")
    RELAY = "relay", _("Relayed neighbourhood alert")
    WELCOME = "welcome", _("Welcome to imported subscribers")


class Broadcast(models.Model):
    """An alert to a topic's subscribers, written per language, approved by a second person.

    An import's welcome messages are a broadcast too (``Kind.WELCOME``, to the imported
    subscribers only, without approval), so that they go out at the channel's rate.
    """

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="broadcasts")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="broadcasts")
    #: the text in each language, {"es": ..., "ca": ..., "en": ...}; the council's first
    #: language is required and stands in for the others
    texts = models.JSONField(_("texts"), default=dict)
    channels = models.ManyToManyField(
        "channels.Channel",
        blank=True,
        related_name="+",
        verbose_name=_("channels"),
        help_text=_("None: every channel the subscribers use."),
    )
    template_name = models.CharField(
        _("WhatsApp template"),
        max_length=200,
        blank=True,
        help_text=_("Sent to WhatsApp subscribers who have not written in the last 24 hours."),
    )
    template_variables = models.JSONField(_("template variables"), default=list, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ALERT)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    scheduled_for = models.DateTimeField(_("send at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    skipped = models.PositiveIntegerField(
        _("subscribers left out"),
        default=0,
        help_text=_("WhatsApp subscribers outside the 24-hour window with no template chosen."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text_for("")[:60]

    def text_for(self, language: str) -> str:
        texts = self.texts or {}
        return str(texts.get(language) or texts.get(self.council.language_codes[0]) or "")


class Recipient(models.Model):
    """One message of a broadcast: the outbound Message row and what it was.

    A broadcast writes 100,000 of these at once, with the keys it has just created: the
    database does not check each key again (``db_constraint=False``, which on PostgreSQL
    halves the time to queue a broadcast); deleting a broadcast, a channel or a message
    still deletes its rows here (Django's cascade).
    """

    broadcast = models.ForeignKey(
        Broadcast,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the (broadcast, channel) index serves it
    )
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    message = models.OneToOneField(
        "conversations.Message", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    template = models.BooleanField(_("sent as a template"), default=False)

    class Meta:
        verbose_name = _("broadcast recipient")
        verbose_name_plural = _("broadcast recipients")
        indexes = [models.Index(fields=["broadcast", "channel"])]

    def __str__(self) -> str:
        return f"{self.broadcast_id}: {self.message_id}"


class AlertStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    RELAYED = "relayed", _("Relayed")
    REJECTED = "rejected", _("Rejected")


class Alert(models.Model):
    """A resident's "AVISO …" for the neighbourhood, relayed only once an operator approves it.

    The sender's conversation is kept to tell them the outcome; what is relayed is the
    operator's text, never the sender's number or name.
    """

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    message = models.ForeignKey(
        "conversations.Message", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("what the resident wrote"))
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    photos = models.PositiveSmallIntegerField(_("photos"), default=0)
    photo_relayed = models.BooleanField(
        _("photo relayed"),
        default=False,
        help_text=_("The operator kept the resident's photo: the alert links to a copy of it."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.PENDING
    )
    relayed_text = models.TextField(_("text relayed"), blank=True)
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    district = models.ForeignKey(
        "insights.District", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    broadcast = models.OneToOneField(
        Broadcast, on_delete=models.SET_NULL, null=True, blank=True, related_name="relay"
    )
    expires_at = models.DateTimeField(_("expires at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("neighbourhood alert")
        verbose_name_plural = _("neighbourhood alerts")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["council", "status", "expires_at"])]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()


class PriceCategory(models.TextChoices):
    TEMPLATE = "template", _("WhatsApp template (business-initiated)")
    SESSION = "session", _("Free-form inside the 24-hour window")
    SEGMENT = "segment", _("SMS segment")
    MESSAGE = "message", _("Message (other channels)")


class UnitPrice(models.Model):
    """What one message of a category costs on a provider from a date (providers revise them)."""

    provider = models.CharField(_("provider"), max_length=20)
    category = models.CharField(_("category"), max_length=10, choices=PriceCategory.choices)
    amount = models.DecimalField(_("price (€)"), max_digits=10, decimal_places=5)
    valid_from = models.DateField(_("valid from"))
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("unit price")
        verbose_name_plural = _("unit prices")
        ordering = ["provider", "category", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "category", "valid_from"], name="unit_price_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.category} {self.amount} ({self.valid_from})"


class CodePurpose(models.TextChoices):
    SUBSCRIBE = "subscribe", _("Subscribe")
    UNSUBSCRIBE = "unsubscribe", _("Unsubscribe")


class PortalCode(models.Model):
    """A one-time code the portal's alerts page sent to a phone number: 6 digits, 10 minutes,
    3 attempts. What is asked (the topics and their districts, or what to leave) waits here
    until the code comes back; the code is kept only as a keyed digest.
    """

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=12, choices=CodePurpose.choices)
    #: [{"topic": id, "district": id or None}, ...]; empty with ``everything`` (leave all)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    everything = models.BooleanField(_("every topic and message"), default=False)
    language = models.CharField(_("language"), max_length=8, blank=True)
    code_digest = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("code expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("portal code")
        verbose_name_plural = _("portal codes")

    def __str__(self) -> str:
        return f"code {self.pk} ({self.purpose})"
