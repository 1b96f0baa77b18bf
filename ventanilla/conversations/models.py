"""Messages in and out, grouped into a resident's conversation on one channel."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.conversations.bot_templates import DEFAULTS, unknown_placeholders
from ventanilla.core.models import Council


class Conversation(models.Model):
    """A resident's thread on one channel; ``state`` is the dialog's memory (survives restarts)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="conversations")
    citizen = models.ForeignKey(
        "citizens.Citizen", on_delete=models.CASCADE, related_name="conversations"
    )
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.CASCADE, related_name="conversations"
    )
    urn = models.CharField(_("URN"), max_length=255)
    state = models.JSONField(_("dialog state"), default=dict, blank=True)
    last_inbound_at = models.DateTimeField(_("last message from resident"), null=True, blank=True)
    handoff_at = models.DateTimeField(
        _("asked for a person at"),
        null=True,
        blank=True,
        help_text=_("Set while the resident waits for a person (the dialog keeps it)."),
    )
    closed_at = models.DateTimeField(
        _("closed by staff at"),
        null=True,
        blank=True,
        help_text=_("Staff closed the conversation; a new message from the resident reopens it."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.UniqueConstraint(fields=["channel", "urn"], name="conversation_per_urn")
        ]
        indexes = [
            # The inbox's conversations queue: hand-off requests first, then recent chats.
            models.Index(fields=["council", "handoff_at"], name="conversation_handoff"),
            models.Index(fields=["council", "last_inbound_at"], name="conversation_last_inbound"),
        ]

    def __str__(self) -> str:
        return f"{self.urn} @ {self.channel_id}"


#: what staff read (inbox, exports) in place of a one-time code sent to a resident; the code
#: itself travels encrypted in the message's payload until it is sent, then is forgotten
SECRET_MASK = "••••••"  # noqa: S105 (a mask, not a password)


class Direction(models.TextChoices):
    IN = "in", _("From resident")
    OUT = "out", _("To resident")


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")


#: a status may only move forward (a late "delivered" never undoes a "read")
STATUS_RANK = {
    DeliveryStatus.QUEUED: 0,
    DeliveryStatus.SENT: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.READ: 3,
    DeliveryStatus.FAILED: 4,
}


class Message(models.Model):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    # (conversation, created_at) and (case, created_at) below serve every look-up by
    # conversation or case: an index of their own would only cost time at each insert.
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    channel = models.ForeignKey("channels.Channel", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        db_index=False,
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    text = models.TextField(_("text"), blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    payload = models.JSONField(
        _("outbound extras"),
        default=dict,
        blank=True,
        help_text=_("choices, template, reply token"),
    )
    provider_message_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices)
    error_code = models.CharField(_("error code"), max_length=50, blank=True)
    error_reason = models.TextField(_("error"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_automatic = models.BooleanField(_("sent by the bot"), default=False)
    attempts = models.PositiveSmallIntegerField(_("send attempts"), default=0)
    #: an outbound message is sent from this time on (a retry waits); none: held back by
    #: its broadcast until released
    due_at = models.DateTimeField(_("to be sent from"), null=True, blank=True)
    #: bulk messages (broadcasts, welcomes) go after replies to residents
    bulk = models.BooleanField(_("sent in bulk"), default=False)
    #: a worker is sending it until then; past it, the worker is taken to have died
    claimed_until = models.DateTimeField(_("being sent until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="message_provider_id_unique",
            )
        ]
        indexes = [
            models.Index(fields=["case", "created_at"]),
            models.Index(fields=["conversation", "created_at"]),
            # the dispatcher's claim: a channel's queued messages, replies first, oldest first
            models.Index(
                fields=["channel", "bulk", "due_at", "id"],
                name="message_due",
                condition=Q(status="queued"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.text[:40]}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.message.council_id}/{timezone.now():%Y/%m}/{filename}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=20)
    file = models.FileField(_("file"), upload_to=attachment_path, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    media_ref = models.CharField(_("provider media reference"), max_length=500, blank=True)
    caption = models.TextField(_("caption"), blank=True)
    public_approved = models.BooleanField(_("approved for publication"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename or self.kind

    @property
    def downloaded(self) -> bool:
        return bool(self.file)


class BotTemplate(models.Model):
    """One text the bot sends, for one council and language; defaults in ``bot_templates``."""

    class Language(models.TextChoices):
        ES = "es", _("Spanish")
        CA = "ca", _("Catalan")
        EN = "en", _("English")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="bot_templates")
    key = models.CharField(_("key"), max_length=60)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    text = models.TextField(_("text"))
    sms_text = models.TextField(
        _("SMS text"),
        blank=True,
        help_text=_(
            "Shorter wording sent by SMS, where each 160 characters (70 with accents such as "
            "á, í, ó, ú) cost one message: keep it to 2 segments. Empty: the text above."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("bot message")
        verbose_name_plural = _("bot messages")
        ordering = ["key", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "key", "language"], name="bot_template_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} [{self.language}]"

    @property
    def purpose(self) -> str:
        default = DEFAULTS.get(self.key)
        return default.purpose if default else ""

    def clean(self) -> None:
        if self.key not in DEFAULTS:
            raise ValidationError({"key": _("The bot never sends a message with this key.")})
        for field in ("text", "sms_text"):
            unknown = unknown_placeholders(self.key, getattr(self, field))
            if not unknown:
                continue
            allowed = ", ".join(f"{{{p}}}" for p in DEFAULTS[self.key].params) or _("none")
            raise ValidationError(
                {
                    field: _("Unknown placeholders: %(unknown)s. Available: %(allowed)s.")
                    % {
                        "unknown": ", ".join(sorted(f"{{{p}}}" for p in unknown)),
                        "allowed": allowed,
                    }
                }
            )


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("waiting to be processed")
    DONE = "done", _("processed")
    FAILED = "failed", _("failed: needs a look")


class WebhookDeliveryQuerySet(models.QuerySet["WebhookDelivery"]):
    def due(self, now: dt.datetime | None = None) -> WebhookDeliveryQuerySet:
        return self.filter(state=DeliveryState.PENDING, not_before__lte=now or timezone.now())


class WebhookDelivery(models.Model):
    """One verified provider webhook, stored as it came before anything else is done with it.

    The webhook view verifies the signature, checks that the body parses, stores this row and
    answers the provider; workers then process the stored deliveries in batches
    (``conversations.ingest``). A delivery is never dropped: one that keeps failing is marked
    failed and kept for staff to look at and retry. The same body delivered twice to the same
    channel is stored once.
    """

    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.CASCADE, related_name="deliveries"
    )
    digest = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now)
    request = models.JSONField(default=dict)  # method, url, headers, query, form
    body = models.BinaryField()
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    not_before = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["channel", "digest"], name="delivery_once_per_channel")
        ]
        indexes = [
            # In the order workers take them: a burst stored in one moment (equal not_before)
            # is read 100 rows at a time from the index, not sorted whole for each batch.
            models.Index(
                fields=["not_before", "id"],
                name="delivery_pending",
                condition=Q(state="pending"),
            ),
            models.Index(fields=["state", "received_at"], name="delivery_state_age"),
        ]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.received_at:%Y-%m-%d %H:%M:%S} {self.state}"
