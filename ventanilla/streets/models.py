"""The council's street directory: where each street (or stretch of numbers) is."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import Council


class StreetQuerySet(models.QuerySet["Street"]):
    def of(self, council: Council) -> StreetQuerySet:
        return self.filter(council=council)


class Street(models.Model):
    """A street of the council, or the stretch of it from ``number_from`` to ``number_to``."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="streets")
    name = models.CharField(_("street"), max_length=200)
    #: the name folded (lower case, no accents, no street type) for matching typed addresses
    folded = models.CharField(max_length=200, db_index=True, editable=False)
    number_from = models.PositiveIntegerField(_("from number"), null=True, blank=True)
    number_to = models.PositiveIntegerField(_("to number"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    district = models.CharField(_("district"), max_length=100, blank=True)

    objects = StreetQuerySet.as_manager()

    class Meta:
        verbose_name = _("street")
        verbose_name_plural = _("street directory")
        ordering = ["name", "number_from"]
        indexes = [models.Index(fields=["council", "folded"])]

    def __str__(self) -> str:
        if self.number_from is None:
            return self.name
        return f"{self.name} {self.number_from}–{self.number_to}"

    def covers(self, number: int | None) -> bool:
        """Whether house ``number`` is on this stretch (a street without numbers covers all)."""
        if number is None or self.number_from is None or self.number_to is None:
            return True
        return self.number_from <= number <= self.number_to
