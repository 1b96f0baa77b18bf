"""Departments, categories, staff, cases and their history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.cases.workflow import OPEN_STATUSES, Status
from ventanilla.core.models import Council, TranslatedName


class Role(models.TextChoices):
    """Staff roles; each is a Django group of the same name with its permissions."""

    ADMINISTRATOR = "administrator", _("Administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENT = "agent", _("Agent")
    AUDITOR = "auditor", _("Auditor")


class Department(TranslatedName):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="departments")
    email = models.EmailField(_("e-mail"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name_es"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name_es"], name="department_unique_name")
        ]


class CategoryQuerySet(models.QuerySet["Category"]):
    def of(self, council: Council) -> CategoryQuerySet:
        return self.filter(council=council)

    def active(self) -> CategoryQuerySet:
        return self.filter(active=True)


class Category(TranslatedName):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="categories")
    code = models.SlugField(_("code"), max_length=50, help_text=_("Open311 service code."))
    group = models.CharField(_("group"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="categories",
        verbose_name=_("department"),
    )
    resolution_days = models.PositiveIntegerField(
        _("resolution deadline (working days)"), default=10
    )
    first_response_hours = models.PositiveIntegerField(
        _("first response deadline (working hours)"), default=8
    )
    public_by_default = models.BooleanField(_("cases are public by default"), default=True)
    resolution_in_public_thread = models.BooleanField(
        _("announce the resolution in the public thread"),
        default=True,
        help_text=_(
            "When a case that began as a public post (Mastodon, Bluesky) is resolved, say so "
            "in the post's thread, with the link to the case's public page. Otherwise the "
            "resident is told in a private message."
        ),
    )
    keywords = models.TextField(
        _("keywords"), blank=True, help_text=_("Words that suggest this category, one per line.")
    )
    active = models.BooleanField(_("active"), default=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name_es"]
        constraints = [models.UniqueConstraint(fields=["council", "code"], name="category_code")]


class Staff(models.Model):
    """A staff member's place in one council: the departments whose cases they see."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="staff")
    departments = models.ManyToManyField(Department, blank=True, related_name="staff")
    language = models.CharField(_("language"), max_length=5, default="es")

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return str(self.user)


class ReferenceSequence(models.Model):
    """The last reference number given in one council and year, row-locked to allocate on
    SQLite; on PostgreSQL a sequence per council and year starts after it
    (``cases.references``)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["council", "year"], name="reference_sequence_year")
        ]

    def __str__(self) -> str:
        return f"{self.council_id}/{self.year}: {self.last_number}"


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class CaseQuerySet(models.QuerySet["Case"]):
    def of(self, council: Council) -> CaseQuerySet:
        return self.filter(council=council)

    def visible_to(self, user: object) -> CaseQuerySet:
        """Return the cases ``user`` may see: their council's, and for agents their departments'."""
        from ventanilla.cases.access import case_scope

        return self.filter(case_scope(user))

    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now: object = None) -> CaseQuerySet:
        return self.open().filter(due_at__lt=now or timezone.now())


class Case(models.Model):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="cases")
    reference = models.CharField(_("reference"), max_length=11)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="cases", verbose_name=_("department")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assigned to"),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    citizen = models.ForeignKey(
        "citizens.Citizen", on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    description = models.TextField(_("description"), blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_public = models.BooleanField(_("public"), default=False)
    public_summary = models.TextField(_("public summary"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    first_response_due_at = models.DateTimeField(_("first response due"))
    due_at = models.DateTimeField(_("due"))
    first_responded_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1-5)"), null=True, blank=True)
    satisfaction_comment = models.TextField(_("satisfaction comment"), blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["council", "reference"], name="case_reference_unique"),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="case_satisfaction_range",
            ),
        ]
        indexes = [
            models.Index(fields=["council", "department", "status", "due_at"]),
            models.Index(fields=["council", "status", "due_at"]),
            models.Index(fields=["council", "assignee", "status"]),
            models.Index(fields=["citizen", "status"]),
            # The supervisors' "all open cases" queue, sorted by deadline (bench/inbox.py).
            models.Index(
                fields=["council", "due_at", "id"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="case_open_due",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class LocationSource(models.TextChoices):
    """Where a case's point came from (kept in its history)."""

    REPORT = "report", _("given with the report")
    CHAT = "chat", _("shared in the chat")
    MAP = "map", _("picked on the map")
    DIRECTORY = "directory", _("street directory")
    API = "api", _("API")


class CaseEvent(models.Model):
    """One entry of a case's history. Appended, never edited."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STATUS = "status", _("Status")
        CATEGORY = "category", _("Category")
        DEPARTMENT = "department", _("Department")
        ASSIGNEE = "assignee", _("Assigned to")
        PRIORITY = "priority", _("Priority")
        PUBLICATION = "publication", _("Publication")
        DUPLICATE_OF = "duplicate_of", _("Duplicate of")
        FIRST_RESPONSE = "first_response", _("First response")
        SATISFACTION = "satisfaction", _("Satisfaction")
        LOCATION = "location", _("Location")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    from_value = models.CharField(_("from"), max_length=200, blank=True)
    to_value = models.CharField(_("to"), max_length=200, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.kind}: {self.from_value} → {self.to_value}"


class Note(models.Model):
    """An internal note: staff only, never sent to the resident."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class CaseAccess(models.Model):
    """Every opening of a case by staff, for auditors."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    via = models.CharField(_("via"), max_length=20, default="inbox")
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("case access")
        verbose_name_plural = _("case access log")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.case_id} ({self.via})"
