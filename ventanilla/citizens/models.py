"""Residents and their channel identities (URNs)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import Council


class CitizenQuerySet(models.QuerySet["Citizen"]):
    def of(self, council: Council) -> CitizenQuerySet:
        return self.filter(council=council)


class Citizen(models.Model):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="citizens")
    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("preferred language"), max_length=5, default="es")
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_version = models.CharField(_("privacy notice version"), max_length=20, blank=True)
    opted_out_at = models.DateTimeField(
        _("opted out of automatic messages at"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = CitizenQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None


class Identity(models.Model):
    """One way to reach a resident, as a URN: ``scheme:path`` (``whatsapp:34600111222``)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="identities")
    urn = models.CharField(_("URN"), max_length=255)
    scheme = models.CharField(_("scheme"), max_length=20)
    display = models.CharField(_("display name"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("channel identity")
        verbose_name_plural = _("channel identities")
        constraints = [
            models.UniqueConstraint(fields=["council", "urn"], name="identity_urn_unique")
        ]

    def __str__(self) -> str:
        return self.urn
