"""The public record of cases, and what the public does with it.

The portal and Open311 read only these tables. A :class:`PublicRecord` is a snapshot of a
case made of what may be public: category, department, status history, a street without
its number, a point snapped to a grid, a summary approved by staff and photos approved one
by one. Nothing here is copied from a resident's message without going through
``ventanilla.privacy``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.cases.workflow import OPEN_STATUSES, Status
from ventanilla.core.models import Council


class PublicRecordQuerySet(models.QuerySet["PublicRecord"]):
    def of(self, council: Council) -> PublicRecordQuerySet:
        return self.filter(council=council)

    def visible(self) -> PublicRecordQuerySet:
        """Return the records anyone may see.

        A record is hidden when staff withdrew it, when its category is not public (its
        case was moved to one), or when its case was made private by other means.
        """
        return self.filter(
            Q(case__isnull=True) | Q(case__is_public=True),
            withdrawn_at__isnull=True,
            category__public_by_default=True,
        )

    def open(self) -> PublicRecordQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def closed(self) -> PublicRecordQuerySet:
        return self.exclude(status__in=OPEN_STATUSES)


class PublicRecord(models.Model):
    """What the public may know about one case."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="public_records")
    # The record outlives its case (erasure deletes the case, the anonymous record stays).
    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="public_record",
    )
    reference = models.CharField(_("reference"), max_length=11)
    category = models.ForeignKey(
        "cases.Category",
        on_delete=models.PROTECT,
        related_name="public_records",
        verbose_name=_("category"),
    )
    department = models.ForeignKey(
        "cases.Department",
        on_delete=models.PROTECT,
        related_name="public_records",
        verbose_name=_("department"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    summary = models.TextField(
        _("public summary"), blank=True, help_text=_("Approved by staff; shown to everyone.")
    )
    summary_draft = models.TextField(
        _("proposed summary"),
        blank=True,
        help_text=_("Proposed automatically with personal data removed; shown only to staff."),
    )
    summary_approved_at = models.DateTimeField(_("summary approved at"), null=True, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    latitude = models.FloatField(_("approximate latitude"), null=True, blank=True)
    longitude = models.FloatField(_("approximate longitude"), null=True, blank=True)
    requested_at = models.DateTimeField(_("reported at"))
    updated_at = models.DateTimeField(_("updated at"))
    expected_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    support_count = models.PositiveIntegerField(_("supports"), default=0)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)

    objects = PublicRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("public record")
        verbose_name_plural = _("public records")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "reference"], name="public_record_reference_unique"
            )
        ]
        indexes = [
            models.Index(fields=["council", "requested_at"]),
            models.Index(fields=["council", "status", "support_count"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class PublicEvent(models.Model):
    """One dated step of a record's public history. Appended, never edited; no comments."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Reported")
        STATUS = "status", _("Status")
        DEPARTMENT = "department", _("Department")

    record = models.ForeignKey(PublicRecord, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, blank=True)
    department = models.ForeignKey(
        "cases.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("public history entry")
        verbose_name_plural = _("public history")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.record_id} {self.kind} {self.status}"


def public_photo_path(instance: PublicPhoto, filename: str) -> str:
    # A random name: the resident's file name may hold their name.
    return f"public/{instance.record.council_id}/{uuid.uuid4().hex}.jpg"


class PublicPhoto(models.Model):
    """A copy of a resident's photo that staff approved, re-encoded without its metadata."""

    record = models.ForeignKey(PublicRecord, on_delete=models.CASCADE, related_name="photos")
    attachment = models.OneToOneField(
        "conversations.Attachment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="public_photo",
    )
    image = models.FileField(_("image"), upload_to=public_photo_path)
    alt_text = models.CharField(_("description of the image"), max_length=300, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), default=timezone.now)

    class Meta:
        verbose_name = _("public photo")
        verbose_name_plural = _("public photos")
        ordering = ["approved_at", "id"]

    def __str__(self) -> str:
        return f"{self.record_id} #{self.pk}"


class PublicationLogEntry(models.Model):
    """Who published, changed or withdrew what, and why. Appended, never edited."""

    class Action(models.TextChoices):
        PUBLISHED = "published", _("Published")
        SUMMARY = "summary", _("Summary approved")
        PHOTO_APPROVED = "photo_approved", _("Photo approved")
        PHOTO_REMOVED = "photo_removed", _("Photo removed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REPUBLISHED = "republished", _("Published again")

    record = models.ForeignKey(PublicRecord, on_delete=models.CASCADE, related_name="log")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("publication log entry")
        verbose_name_plural = _("publication log")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.record_id} {self.action}"


class Support(models.Model):
    """One "me too" for a public record: from a browser or from a resident in the chat."""

    class Via(models.TextChoices):
        WEB = "web", _("Web")
        CHAT = "chat", _("Chat")

    record = models.ForeignKey(PublicRecord, on_delete=models.CASCADE, related_name="supports")
    via = models.CharField(_("via"), max_length=10, choices=Via.choices)
    # The SHA-256 of the random token in the browser's signed cookie; nothing else about it.
    browser_hash = models.CharField(max_length=64, blank=True)
    citizen = models.ForeignKey(
        "citizens.Citizen", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(
                fields=["record", "browser_hash"],
                condition=~Q(browser_hash=""),
                name="support_once_per_browser",
            ),
            models.UniqueConstraint(
                fields=["record", "citizen"],
                condition=Q(citizen__isnull=False),
                name="support_once_per_resident",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.via}"


def form_photo_path(instance: FormReport, filename: str) -> str:
    # A random name: the resident's file name may hold their name.
    return f"form/{instance.council_id}/{uuid.uuid4().hex}.jpg"


class FormReport(models.Model):
    """A case that a resident opened with the portal's report form (its web-form origin).

    The photo is kept here, re-encoded without its metadata, for staff only: it is published
    only if staff approve it. The contact the resident left is on the case (a ``tel:``
    identity) or in its internal note (an e-mail address), never here.
    """

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="form_report")
    photo = models.FileField(_("photo"), upload_to=form_photo_path, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("report sent with the portal's form")
        verbose_name_plural = _("reports sent with the portal's form")

    def __str__(self) -> str:
        return str(self.case_id)
