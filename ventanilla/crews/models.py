"""Staff and field crews on messaging: identities, work orders, evidence, staff messages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import Council


class Crew(models.Model):
    """A named group of staff (the street-lighting crew) or a contractor's contact."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="crews")
    name = models.CharField(_("name"), max_length=120)
    department = models.ForeignKey(
        "cases.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="crews",
        verbose_name=_("department"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="crews", verbose_name=_("members")
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervised_crews",
        verbose_name=_("supervisor"),
    )
    is_contractor = models.BooleanField(_("contractor"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("crew")
        verbose_name_plural = _("crews")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["council", "name"], name="crew_unique_name")]

    def __str__(self) -> str:
        return self.name


class StaffIdentity(models.Model):
    """A messaging address of a staff member or a crew: staff, never a resident."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("channels.Channel", on_delete=models.CASCADE, related_name="+")
    urn = models.CharField(_("URN"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="staff_identities",
    )
    crew = models.ForeignKey(
        Crew, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)

    class Meta:
        verbose_name = _("staff identity")
        verbose_name_plural = _("staff identities")
        constraints = [
            models.UniqueConstraint(fields=["channel", "urn"], name="staff_identity_per_urn"),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(crew__isnull=False),
                name="staff_identity_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.urn} @ {self.channel_id}"


class LinkCode(models.Model):
    """A one-time code shown in the inbox; sent from a phone, it links that phone."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("code"), max_length=6)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    crew = models.ForeignKey(
        Crew, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["council", "code"],
                condition=Q(used_at__isnull=True),
                name="link_code_unused_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.council_id})"


class WorkOrder(models.Model):
    class State(models.TextChoices):
        SENT = "sent", _("Sent")
        ON_THE_WAY = "on_the_way", _("On the way")
        DONE = "done", _("Done")
        NOT_OURS = "not_ours", _("Not ours")
        CANCELLED = "cancelled", _("Cancelled")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="work_orders")
    crew = models.ForeignKey(Crew, on_delete=models.PROTECT, related_name="work_orders")
    note = models.TextField(_("note for the crew"), blank=True)
    due_at = models.DateTimeField(_("deadline"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.SENT)
    answer = models.TextField(_("crew's answer"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.crew_id}"

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.SENT, self.State.ON_THE_WAY)


class ClosureRule(models.Model):
    """What a crew's "done" does to a case of one category (default: resolved)."""

    class OnDone(models.TextChoices):
        RESOLVE = "resolve", _("Resolve the case")
        CHECK = "check", _("Wait for a supervisor's check")

    category = models.OneToOneField(
        "cases.Category", on_delete=models.CASCADE, related_name="closure_rule"
    )
    on_done = models.CharField(
        _("when the crew says done"), max_length=10, choices=OnDone.choices, default=OnDone.RESOLVE
    )

    def __str__(self) -> str:
        return f"{self.category_id}: {self.on_done}"


def evidence_path(instance: ClosureEvidence, filename: str) -> str:
    return f"evidence/{instance.council_id}/{timezone.now():%Y/%m}/{filename}"


class ClosureEvidence(models.Model):
    """The "after" photo a crew sent with "done": kept on the case, public only once approved."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="evidence")
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    media_ref = models.CharField(_("provider media reference"), max_length=500, blank=True)
    note = models.TextField(_("crew's note"), blank=True)
    public_approved = models.BooleanField(_("approved for publication"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("closure evidence")
        verbose_name_plural = _("closure evidence")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.file.name or self.media_ref}"


class InternalMessage(models.Model):
    """A supervisor's message to a department or a crew (one-to-many)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    department = models.ForeignKey(
        "cases.Department", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    crew = models.ForeignKey(
        Crew, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("internal message")
        verbose_name_plural = _("internal messages")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:40]


class StaffMessage(models.Model):
    """One message to or from a staff identity; sent by a task, like residents' messages."""

    class Direction(models.TextChoices):
        IN = "in", _("From staff")
        OUT = "out", _("To staff")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        READ = "read", _("Read")
        FAILED = "failed", _("Failed")
        HELD = "held", _("Held for quiet hours")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    identity = models.ForeignKey(StaffIdentity, on_delete=models.CASCADE, related_name="messages")
    channel = models.ForeignKey("channels.Channel", on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    text = models.TextField(_("text"), blank=True)
    payload = models.JSONField(_("extras"), default=dict, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    error_reason = models.TextField(_("error"), blank=True)
    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    internal = models.ForeignKey(
        InternalMessage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    send_after = models.DateTimeField(_("send after"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff message")
        verbose_name_plural = _("staff messages")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="staff_message_provider_id_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.text[:40]}"


class NotificationPreference(models.Model):
    """What reaches a staff member outside the inbox, where, and when not."""

    class Via(models.TextChoices):
        MESSAGING = "messaging", _("My linked phone (Telegram, WhatsApp, SMS)")
        EMAIL = "email", _("E-mail")
        NONE = "none", _("Only in the inbox")

    class Event(models.TextChoices):
        NEW_IN_DEPARTMENT = "new_case", _("New case in my department")
        ASSIGNED = "assigned", _("Assigned to me")
        AT_RISK = "at_risk", _("At risk")
        OVERDUE = "overdue", _("Overdue")
        RESIDENT_ANSWERED = "answered", _("A resident answered")
        HANDOFF = "handoff", _("A resident asks for a person")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    via = models.CharField(_("send by"), max_length=10, choices=Via.choices, default=Via.NONE)
    events = models.JSONField(_("events"), default=list, blank=True)
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet until"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.via}"


class DeadlineNotice(models.Model):
    """That staff were told a case is at risk or overdue (each once per case and due date)."""

    class Kind(models.TextChoices):
        AT_RISK = "at_risk", _("At risk")
        OVERDUE = "overdue", _("Overdue")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "due_at"], name="deadline_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"
