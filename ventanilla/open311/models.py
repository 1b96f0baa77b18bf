"""Open311's own rows: the keys integrators use to create requests, and what they created.

The public data Open311 serves is :class:`ventanilla.portal.models.PublicRecord`.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import Council


class Open311KeyQuerySet(models.QuerySet["Open311Key"]):
    def active(self) -> Open311KeyQuerySet:
        return self.filter(revoked_at__isnull=True)


class Open311Key(models.Model):
    """A council's key for integrators to create requests through Open311; only its hash."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="open311_keys")
    name = models.CharField(_("name"), max_length=200, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = Open311KeyQuerySet.as_manager()

    class Meta:
        db_table = "portal_open311key"  # made by the portal app before Open311 had its own
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or self.council})"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "o311_" + secrets.token_urlsafe(32)


class Open311Submission(models.Model):
    """Which key created which case (the reporter's details are in the case, not here)."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="open311_submission"
    )
    key = models.ForeignKey(Open311Key, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        db_table = "portal_open311submission"
        verbose_name = _("Open311 submission")
        verbose_name_plural = _("Open311 submissions")

    def __str__(self) -> str:
        return f"{self.case_id} via {self.key_id}"
