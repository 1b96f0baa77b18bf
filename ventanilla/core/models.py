"""The council every domain row belongs to, its calendar, staff API tokens and TOTP devices."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
import zoneinfo
from base64 import b32encode
from binascii import unhexlify
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import random_hex

from ventanilla.core import batch_reads
from ventanilla.core.crypto import decrypt_text, encrypt_text


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
        """Return the council's holidays (once per batch inside ``batch_reads.read_once``).

        A new case reads them for its deadline, its statistics and the dialog's "the office
        is closed" note.
        """
        return batch_reads.once(
            ("holidays", self.pk),
            lambda: frozenset(self.holidays.values_list("date", flat=True)),
        )


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


def new_totp_key() -> str:
    """Return a new random TOTP seed: 20 bytes, hex-encoded (as django-otp makes them)."""
    return random_hex(20)


class EncryptedTOTPDevice(TimestampMixin, ThrottlingMixin, Device):
    """A staff member's TOTP authenticator whose seed is encrypted at rest.

    A django-otp device plugin, the way django-otp documents them: a ``Device`` subclass
    with ``verify_token``, found by ``django_otp.devices_for_user`` and ``is_verified``
    like any other. It replaces django-otp's ``TOTPDevice``, which stores the seed as
    plain hex: someone with a copy of the database could compute every staff member's
    codes. Here only the Fernet token of the seed is stored (``core.crypto``, the same
    construction as channel secrets); ``key`` decrypts it when a code is checked.
    """

    # Annotated by hand: django-otp's Device is untyped, so django-stubs cannot infer them.
    encrypted_key: models.TextField[str, str] = models.TextField(editable=False)
    step: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(default=30)
    t0: models.BigIntegerField[int, int] = models.BigIntegerField(default=0)
    digits: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(
        choices=[(6, 6), (8, 8)], default=6
    )
    tolerance: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(
        default=1
    )
    drift: models.SmallIntegerField[int, int] = models.SmallIntegerField(default=0)
    last_t: models.BigIntegerField[int, int] = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = _("TOTP authenticator")
        verbose_name_plural = _("TOTP authenticators")

    @property
    def key(self) -> str:
        """The seed, hex-encoded (decrypted on each read; never stored in clear)."""
        return decrypt_text(self.encrypted_key)

    @key.setter
    def key(self, value: str) -> None:
        self.encrypted_key = encrypt_text(value)

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode())

    def get_throttle_factor(self) -> int:
        """Seconds of wait after a wrong code, doubled on each further one (django-otp's)."""
        return int(getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1))

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.encrypted_key:
            self.key = new_totp_key()
        super().save(*args, **kwargs)

    def verify_token(self, token: Any) -> bool:
        """Accept the current code (within ``tolerance`` steps) once; throttle failures."""
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            number = int(token)
        except (TypeError, ValueError):
            verified = False
        else:
            totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            verified = totp.verify(number, self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified

    @property
    def config_url(self) -> str:
        """The otpauth:// URI an authenticator app reads (Key Uri Format)."""
        label = self.user.get_username()
        issuer = (getattr(settings, "OTP_TOTP_ISSUER", "") or "").replace(":", "")
        params = {
            "secret": b32encode(self.bin_key).decode(),
            "algorithm": "SHA1",
            "digits": self.digits,
            "period": self.step,
        }
        if issuer:
            label = f"{issuer}:{label}"
            params["issuer"] = issuer
        return f"otpauth://totp/{quote(label)}?{urlencode(params, quote_via=quote)}"


class ScheduledJob(models.Model):
    """When a periodic job (``core.schedule``) is next due, shared by every worker.

    One row per job name. A worker that finds a job due moves ``next_run_at`` forward with
    one conditional UPDATE; only the worker whose UPDATE changed the row enqueues the job,
    so several workers never run the same round twice.
    """

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} (next {self.next_run_at:%Y-%m-%d %H:%M})"
