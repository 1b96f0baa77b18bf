"""The council every domain row belongs to, its calendar, and staff API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import zoneinfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TranslatedName(models.Model):
    """A name kept in Spanish, Catalan and English; ``name`` picks the active language."""

    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    name_ca = models.CharField(_("name (Catalan)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_in(get_language() or "es")

    def name_in(self, language: str) -> str:
        code = (language or "es")[:2]
        return getattr(self, f"name_{code}", "") or self.name_es


class Council(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    languages = models.CharField(
        _("languages"), max_length=50, default="es,ca,en", help_text=_("Comma-separated codes.")
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Madrid")
    country = models.CharField(
        _("country"),
        max_length=2,
        default="ES",
        help_text=_("ISO 3166 code; phone numbers written without a prefix are read as its own."),
    )
    jurisdiction_id = models.CharField(
        _("Open311 jurisdiction id"), max_length=200, unique=True, help_text=_("e.g. a domain")
    )
    domain = models.CharField(
        _("domain"), max_length=200, blank=True, help_text=_("Host name of its public portal.")
    )
    office_opens = models.TimeField(_("office opens"), default=dt.time(9, 0))
    office_closes = models.TimeField(_("office closes"), default=dt.time(14, 0))
    primary_color = models.CharField(_("brand colour"), max_length=7, default="#1d4f91")
    logo = models.FileField(_("logo"), upload_to="councils/", blank=True)
    privacy_policy_url = models.URLField(_("privacy policy URL"), blank=True)
    privacy_notice_version = models.CharField(
        _("privacy notice version"), max_length=20, default="1"
    )
    data_controller = models.CharField(_("data controller"), max_length=300, blank=True)
    retention_months = models.PositiveIntegerField(_("retention (months)"), default=24)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("council")
        verbose_name_plural = _("councils")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def language_codes(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]

    def holiday_dates(self) -> frozenset[dt.date]:
        return frozenset(self.holidays.values_list("date", flat=True))


class Holiday(models.Model):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["council", "date"], name="holiday_unique_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    prefix = models.CharField(_("prefix"), max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "vt_" + secrets.token_urlsafe(32)


class LiveEvent(models.Model):
    """A change open staff pages should show without a reload (new message, case, assignment)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["council", "id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.data}"


class RateCount(models.Model):
    """How many actions one client made in one window of one rate limit (``core.throttle``).

    A table, not a cache: every web process counts in the same row, and the count goes up
    with one UPDATE, which the database applies one at a time.
    """

    key = models.CharField(max_length=100)
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="rate_count_per_window")
        ]

    def __str__(self) -> str:
        return f"{self.key}@{self.window}: {self.count}"
