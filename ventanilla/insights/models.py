"""The service charter, districts, and the daily rollup that keeps the dashboard fast."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ventanilla.cases.models import Category
from ventanilla.cases.workflow import OPEN_STATUSES
from ventanilla.core.models import Council


class Commitment(models.Model):
    """A category's entry in the service charter: "streetlights repaired within 5 working days"."""

    category = models.OneToOneField(
        Category, on_delete=models.CASCADE, related_name="commitment", verbose_name=_("category")
    )
    working_days = models.PositiveIntegerField(
        _("committed term (working days)"), validators=[MinValueValidator(1)]
    )
    target_percent = models.PositiveSmallIntegerField(
        _("target (per cent of cases)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    statement = models.CharField(
        _("commitment"),
        max_length=200,
        help_text=_("As the charter says it, e.g. “Streetlights repaired within 5 working days”."),
    )

    class Meta:
        verbose_name = _("service charter commitment")
        verbose_name_plural = _("service charter")
        ordering = ["category__name_es"]

    def __str__(self) -> str:
        return self.statement


class District(models.Model):
    """A part of the municipality, as a box of latitudes and longitudes, for the statistics."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="districts")
    name = models.CharField(_("name"), max_length=100)
    south = models.FloatField(_("south"))
    north = models.FloatField(_("north"))
    west = models.FloatField(_("west"))
    east = models.FloatField(_("east"))

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="district_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def holds(self, latitude: float | None, longitude: float | None) -> bool:
        if latitude is None or longitude is None:
            return False
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east


class CaseFigures(models.Model):
    """What the statistics need of one case, kept narrow and indexed by day for fast reading.

    One row per case, rewritten by a reaction whenever the case is opened or changes
    (``rollup.refresh_case``), with its working times already computed; ``ventanilla
    insights_rebuild`` rewrites a council's rows (after its holidays change, or a bulk
    load). Nothing personal: keys, times, the status and the rating.
    """

    case_id = models.BigIntegerField(primary_key=True)
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    resolved_day = models.DateField(null=True)
    reference = models.CharField(max_length=11)
    department_id = models.BigIntegerField()
    category_id = models.BigIntegerField()
    channel = models.CharField(max_length=20, blank=True)
    district_id = models.BigIntegerField(null=True)
    assignee_id = models.BigIntegerField(null=True)
    status = models.CharField(max_length=20)
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    first_responded_at = models.DateTimeField(null=True)
    resolved_at = models.DateTimeField(null=True)
    reopened = models.BooleanField(default=False)
    satisfaction = models.PositiveSmallIntegerField(null=True)
    public_category = models.BooleanField(default=True)
    first_response_hours = models.FloatField(null=True)
    resolution_days = models.FloatField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["council", "day"]),
            models.Index(fields=["council", "resolved_day"]),
            models.Index(
                fields=["council", "created_at"],
                include=["due_at", "department_id", "reference"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="case_figures_open_ages",
            ),
            models.Index(
                fields=["council", "day"],
                include=[
                    "due_at",
                    "status",
                    "department_id",
                    "category_id",
                    "channel",
                    "district_id",
                    "assignee_id",
                    "created_at",
                ],
                condition=Q(resolved_at__isnull=True),
                name="case_figures_unresolved",
            ),
            models.Index(
                # the charter's unresolved cases past their committed term, per category
                fields=["council", "category_id", "created_at"],
                include=["day", "status"],
                condition=Q(resolved_at__isnull=True),
                name="case_figures_unresolved_cat",
            ),
            models.Index(
                fields=["council", "due_at"],
                include=["department_id"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="case_figures_open_due",
            ),
            models.Index(
                fields=["council", "created_at"],
                condition=Q(satisfaction__isnull=False),
                name="case_figures_rated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.reference}"


class Tally(models.Model):
    """Counts of a council's cases per day, week, month or year, department and dimension value.

    Kept in step with ``CaseFigures`` by ``tallies.apply`` (the same reaction, in the same
    transaction); ``ventanilla insights_rebuild`` recomputes them. ``dimension`` is
    ``total`` (key "") or one of category, channel, district, agent (the department is the
    ``department_id`` of the total rows). ``received`` and the counts after it are of the
    cases received on ``start`` (or in its month); ``resolved`` of those resolved then.
    """

    class Grain(models.TextChoices):
        DAY = "day"
        WEEK = "week"  # ISO week, from Monday
        MONTH = "month"
        YEAR = "year"

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    grain = models.CharField(max_length=5, choices=Grain.choices)
    start = models.DateField()
    department_id = models.BigIntegerField()
    dimension = models.CharField(max_length=10)
    key = models.CharField(max_length=20, blank=True)
    received = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    counted = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    ever_resolved = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    rated_1 = models.IntegerField(default=0)
    rated_2 = models.IntegerField(default=0)
    rated_3 = models.IntegerField(default=0)
    rated_4 = models.IntegerField(default=0)
    rated_5 = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["council", "grain", "start", "department_id", "dimension", "key"],
                name="tally_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.start} {self.dimension} {self.key}"


class BacklogTally(models.Model):
    """How many of a council's open cases came in, and fall due, on each day (in UTC).

    Kept in step with ``CaseFigures`` by ``tallies.apply``, like ``Tally``. A case's age is
    whole days of 24 hours since it came in, so the days are UTC days (all 24 hours long):
    a day's cases are all of one age or one less, and the few cases of the days that
    straddle a boundary (an age band, the median) are counted from ``CaseFigures``.
    ``kind`` is ``created`` (the day the case came in) or ``due`` (the day of its deadline).
    """

    class Kind(models.TextChoices):
        CREATED = "created"
        DUE = "due"

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=7, choices=Kind.choices)
    day = models.DateField()
    department_id = models.BigIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["council", "kind", "day", "department_id"], name="backlog_tally_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.day} {self.department_id}: {self.n}"


class DurationTally(models.Model):
    """How many cases received on a day (or in a week, month, year) took each whole minute.

    ``measure`` is ``first`` (to first response, working hours × 60), ``resolution`` (to
    resolution, working days × 1440), or ``charter`` (to resolution, rejected and
    duplicate cases left out; category rows only). Medians and 90th percentiles of whole
    years, months and weeks are read from their rows, those of the days left at a period's
    edges from the day rows; see ``Tally`` for the dimensions.
    """

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    grain = models.CharField(max_length=5, choices=Tally.Grain.choices)
    start = models.DateField()
    department_id = models.BigIntegerField()
    dimension = models.CharField(max_length=10)
    key = models.CharField(max_length=20, blank=True)
    measure = models.CharField(max_length=10)
    value = models.IntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "council",
                    "grain",
                    "start",
                    "department_id",
                    "dimension",
                    "key",
                    "measure",
                    "value",
                ],
                name="duration_tally_unique",
            )
        ]
        indexes = [
            # the dashboard's reads need not visit the table (PostgreSQL)
            models.Index(
                fields=["council", "grain", "start", "department_id", "dimension", "key"],
                include=["measure", "value", "n"],
                name="duration_tally_read",
            ),
            # the service charter's counts per committed category and month
            models.Index(
                fields=["council", "key", "grain", "start"],
                include=["value", "n"],
                condition=Q(measure="charter"),
                name="duration_tally_charter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start} {self.dimension} {self.key} {self.measure} {self.value}"
