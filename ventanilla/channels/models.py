"""Configured channels: one row per provider account a council receives messages on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.channels.adapters import provider_class
from ventanilla.channels.adapters.base import ChannelConfig
from ventanilla.channels.crypto import decrypt_json, encrypt_json
from ventanilla.core.models import Council


class Provider(models.TextChoices):
    """The providers a channel may use, for the field's choices and their labels.

    Their facts live on the provider classes (``channels.adapters.PROVIDERS``); a test
    keeps these values and that registry the same.
    """

    WHATSAPP = "whatsapp", "WhatsApp"
    TELEGRAM = "telegram", "Telegram"
    LINE = "line", "LINE"
    TWILIO = "twilio", _("SMS (Twilio)")
    WEBCHAT = "webchat", _("Web chat")
    EMAIL = "email", _("E-mail")
    MESSENGER = "messenger", "Facebook Messenger"
    INSTAGRAM = "instagram", "Instagram"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"


class ChannelQuerySet(models.QuerySet["Channel"]):
    def of(self, council: Council) -> ChannelQuerySet:
        return self.filter(council=council)

    def active(self) -> ChannelQuerySet:
        return self.filter(active=True)

    def provider_names(self) -> list[str]:
        """Return the providers' names, once each (for the privacy notice's processors)."""
        return sorted(
            {str(Provider(code).label) for code in self.values_list("provider", flat=True)}
        )


class Channel(models.Model):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="channels")
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    name = models.CharField(_("name"), max_length=200)
    secrets_encrypted = models.TextField(_("secrets (encrypted)"), blank=True, editable=False)
    api_base = models.URLField(_("API base URL"), blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    public_address = models.CharField(
        _("public address"),
        max_length=200,
        blank=True,
        help_text=_(
            "How residents find this channel, shown on the portal: the phone number "
            "(WhatsApp, SMS), the bot's username (Telegram), the LINE ID (LINE) or the "
            "e-mail address."
        ),
    )
    rate_per_second = models.FloatField(_("sending rate (messages per second)"), default=10)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ChannelQuerySet.as_manager()

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["council", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_provider_display()})"

    @property
    def secrets(self) -> dict[str, str]:
        return decrypt_json(self.secrets_encrypted)

    @secrets.setter
    def secrets(self, value: dict[str, str]) -> None:
        self.secrets_encrypted = encrypt_json(value)

    @property
    def webhook_path(self) -> str:
        return f"/hooks/{self.provider}/{self.pk}/"

    @property
    def webhook_url(self) -> str:
        return settings.PUBLIC_URL + self.webhook_path

    def config(self) -> ChannelConfig:
        default = provider_class(self.provider).default_api_base
        return ChannelConfig(
            channel_id=self.pk,
            api_base=(self.api_base or default).rstrip("/"),
            secrets=self.secrets,
            status_callback_url=self.webhook_url,
            options=self.options or {},
        )


class EventKind(models.TextChoices):
    FOLLOW = "follow", _("Followed the account")
    UNFOLLOW = "unfollow", _("Blocked or unfollowed the account")
    STOP = "stop", _("Asked to stop messages")
    UNSUPPORTED = "unsupported", _("Not handled")


class WebhookEvent(models.Model):
    """Something a provider told us that is not a message or a status, kept for staff to see.

    Follows, unfollows and stops change the resident's opt-out; events we do not handle are
    named here (``name`` is the provider's own event type) so that nobody has to read logs to
    learn that a provider started sending something new.
    """

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    name = models.CharField(_("provider's event type"), max_length=100, blank=True)
    urn = models.CharField(_("URN"), max_length=255, blank=True)
    provider_event_id = models.CharField(_("provider event id"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("channel event")
        verbose_name_plural = _("channel events")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "kind", "provider_event_id"],
                condition=~models.Q(provider_event_id=""),
                name="webhook_event_unique",
            )
        ]
        indexes = [models.Index(fields=["channel", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.name}".strip()


class PendingStatus(models.Model):
    """A delivery status that arrived before the send call that it refers to had returned.

    The send task applies it as soon as it stores the provider's message id.
    """

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    provider_message_id = models.CharField(_("provider message id"), max_length=200)
    status = models.CharField(_("status"), max_length=10)
    error_code = models.CharField(_("error code"), max_length=50, blank=True)
    error_title = models.TextField(_("error"), blank=True)
    at = models.DateTimeField(_("reported at"), null=True, blank=True)
    created_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("early delivery status")
        verbose_name_plural = _("early delivery statuses")
        indexes = [
            models.Index(fields=["channel", "provider_message_id"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.provider_message_id} {self.status}"


class ChannelThrottle(models.Model):
    """A channel's sending rate and dispatchers, shared by every worker process (row-locked).

    The rate is a token bucket: ``tokens`` refill at the channel's rate since
    ``refilled_at``, up to a small burst; a send takes one. A provider that answers "too many
    requests" or keeps failing pauses the whole channel until ``paused_until``.
    ``dispatchers`` counts the dispatcher runs of the channel queued or running, seen alive
    at ``dispatch_seen_at``, so that a burst of messages wakes one, not thousands.
    """

    channel = models.OneToOneField(
        Channel, on_delete=models.CASCADE, primary_key=True, related_name="throttle"
    )
    tokens = models.FloatField(_("sending tokens left"), default=0)
    refilled_at = models.DateTimeField(_("tokens counted at"), default=timezone.now)
    paused_until = models.DateTimeField(_("sending paused until"), null=True, blank=True)
    failures = models.PositiveSmallIntegerField(_("failed rounds in a row"), default=0)
    dispatchers = models.PositiveSmallIntegerField(_("dispatchers running"), default=0)
    dispatch_seen_at = models.DateTimeField(_("dispatcher last seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("sending throttle")
        verbose_name_plural = _("sending throttles")

    def __str__(self) -> str:
        return f"{self.channel_id} {self.tokens:.1f}"
