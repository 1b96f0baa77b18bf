"""Appointments at a municipal office: offices, their opening hours, slots and bookings.

A slot is a time at an office that ``capacity`` residents may book (one per desk); its
``booked`` count is kept by ``services.book`` with one conditional update, so two residents
can never both take the last place. Slots are opened from the opening hours
(``services.open_slots``, an admin action or ``ventanilla open_slots``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.citizens.models import Citizen
from ventanilla.conversations.models import Conversation
from ventanilla.core.models import Council


class Office(models.Model):
    """A municipal office where residents are seen by appointment."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    name_ca = models.CharField(_("name (Catalan)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300)
    slot_minutes = models.PositiveSmallIntegerField(_("minutes per appointment"), default=15)
    desks = models.PositiveSmallIntegerField(
        _("residents seen at once"), default=1, help_text=_("Places in each slot.")
    )
    active = models.BooleanField(_("takes appointments"), default=True)

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str) -> str:
        return str(getattr(self, f"name_{language}", "") or self.name)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One span of a weekday in which an office sees residents (9:00-14:00 on Mondays)."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(opens__lt=F("closes")), name="hours_open_first")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Slot(models.Model):
    """A time at an office with a number of places."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(_("places"), default=1)
    booked = models.PositiveSmallIntegerField(_("places taken"), default=0)

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["office", "starts_at"], name="slot_once_per_office"),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="slot_not_over"),
        ]

    def __str__(self) -> str:
        return f"{self.office} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled by the resident")


class Appointment(models.Model):
    """A resident's booking of one place in a slot, asked for in the chat."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="appointments", verbose_name=_("resident")
    )
    conversation = models.ForeignKey(
        Conversation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(_("language"), max_length=5, default="es")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    booked_at = models.DateTimeField(_("booked at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["slot__starts_at"]
        indexes = [models.Index(fields=["council", "status"])]

    def __str__(self) -> str:
        return f"{self.slot} ({self.get_status_display()})"
