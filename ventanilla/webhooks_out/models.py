"""A council's back office follows its cases: subscribed URLs, and each delivery as a row.

A ``Subscription`` says where to POST which case events; its secret signs every delivery
(HMAC-SHA256) and is kept encrypted. A ``Delivery`` is written in the transaction of the case
change that causes it (an outbox), then sent by ``tasks.deliver``, retried with backoff.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.channels.crypto import decrypt_json
from ventanilla.core.models import Council


class Event(models.TextChoices):
    CASE_OPENED = "case.opened", _("A case was opened")
    CASE_CHANGED = "case.changed", _("A case changed (status, department, assignee, ...)")


class Subscription(models.Model):
    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    url = models.URLField(_("URL"), max_length=500)
    #: comma-separated ``Event`` values
    events = models.CharField(_("events"), max_length=200)
    secret_encrypted = models.TextField(editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["council", "url"]

    def __str__(self) -> str:
        return self.url

    @property
    def event_list(self) -> list[str]:
        return [e for e in self.events.split(",") if e]

    @property
    def secret(self) -> str:
        return decrypt_json(self.secret_encrypted).get("secret", "")


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    reference = models.CharField(_("case reference"), max_length=11)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} {self.reference} → {self.subscription_id}"
