"""Residents' requests about their data (RGPD arts. 15-17, 20), their audit, and retention.

A request is kept in a queue with its legal deadline (one month, art. 12.3). Once a
resident is erased, the address their requests named is replaced by a keyed hash, so the
queue keeps its history without keeping them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import Council


class RightsRequestQuerySet(models.QuerySet["RightsRequest"]):
    def of(self, council: Council) -> RightsRequestQuerySet:
        return self.filter(council=council)

    def pending(self) -> RightsRequestQuerySet:
        return self.filter(
            status__in=[RightsRequest.Status.RECEIVED, RightsRequest.Status.AWAITING]
        )


class RightsRequest(models.Model):
    """A resident's request to see, take away or erase their data."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Access and portability")
        ERASURE = "erasure", _("Erasure")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        AWAITING = "awaiting", _("Awaiting a second approval")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")

    class Via(models.TextChoices):
        CHAT = "chat", _("Chat")
        STAFF = "staff", _("Staff")
        COMMAND = "command", _("Command line")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    via = models.CharField(_("received via"), max_length=10, choices=Via.choices)
    # Blank once the resident is erased; ``subject_hash`` still tells requests apart.
    urn = models.CharField(_("resident's address"), max_length=255, blank=True)
    subject_hash = models.CharField(max_length=64, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)

    objects = RightsRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("data protection request")
        verbose_name_plural = _("data protection requests")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["council", "status", "due_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.status}"

    @property
    def is_pending(self) -> bool:
        return self.status in {self.Status.RECEIVED, self.Status.AWAITING}

    @property
    def is_overdue(self) -> bool:
        return self.is_pending and self.due_at < timezone.now()


class RightsAuditEntry(models.Model):
    """One step of a request: received, asked, approved, refused, exported, erased.

    Appended, never edited; holds counts and ids, never the resident's data.
    """

    class Action(models.TextChoices):
        RECEIVED = "received", _("Received")
        ERASURE_ASKED = "erasure_asked", _("Erasure asked for")
        SAME_PERSON = "same_person", _("Approval refused: same person")
        APPROVED = "approved", _("Approved")
        ERASED = "erased", _("Erased")
        EXPORTED = "exported", _("Exported")
        REFUSED = "refused", _("Refused")

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="audit")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("data protection audit entry")
        verbose_name_plural = _("data protection audit")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"


class DataType(models.TextChoices):
    """The kinds of personal data kept for a limited time."""

    MESSAGE_TEXT = "message_text", _("Message text and places")
    ATTACHMENTS = "attachments", _("Photos and files")
    PHONE_NUMBERS = "phone_numbers", _("Residents' phone numbers and addresses")
    CLOSED_CASES = "closed_cases", _("The resident's part of closed cases")
    #: per document type: a rule's category code is the type (``census_individual``, ...)
    ISSUED_DOCUMENTS = "issued_documents", _("Issued documents (PDF and verification code)")


class RetentionRule(models.Model):
    """How long one data type is kept, in one category (by its code) or in every category."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    data_type = models.CharField(
        _("data"),
        max_length=20,
        choices=DataType.choices,
    )
    # A code, not a foreign key: privacy sits below the cases app.
    category_code = models.SlugField(
        _("category code"), max_length=50, blank=True, help_text=_("Blank: every category.")
    )
    months = models.PositiveIntegerField(_("kept for (months)"))

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        constraints = [
            models.UniqueConstraint(
                fields=["council", "data_type", "category_code"], name="retention_rule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.data_type} {self.category_code or '*'}: {self.months}"


class RetentionRun(models.Model):
    """One real run of retention and how many rows of each data type it anonymised."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    ran_at = models.DateTimeField(_("ran at"), default=timezone.now)
    counts = models.JSONField(_("anonymised"), default=dict)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"{self.council_id} {self.ran_at:%Y-%m-%d}"
