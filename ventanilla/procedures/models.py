"""Procedures done in the chat: the census register, identity checks, issued documents with a
secure verification code (CSV), the registry of cases, and the audit of all of it.

The census register is personal data of the most sensitive kind here: only this app's
services read it, and staff see it only through an audited view.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import Council


class CensusRecord(models.Model):
    """One person in a council's census register (padrón), as the last import left it."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    dni = models.CharField(_("DNI/NIE"), max_length=9)
    given_name = models.CharField(_("given name"), max_length=100)
    surname1 = models.CharField(_("first surname"), max_length=100)
    surname2 = models.CharField(_("second surname"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"))
    address = models.CharField(_("address"), max_length=300)
    district = models.CharField(_("district"), max_length=100, blank=True)
    phone = models.CharField(_("phone on record"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail on record"), blank=True)
    household = models.CharField(_("household"), max_length=60, blank=True)
    registered_since = models.DateField(_("registered since"), null=True, blank=True)
    #: False once an import no longer lists the person: they are not certifiable any more
    active = models.BooleanField(_("in the register"), default=True)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("census record")
        verbose_name_plural = _("census records")
        constraints = [
            models.UniqueConstraint(fields=["council", "dni"], name="census_dni_per_council")
        ]
        indexes = [models.Index(fields=["council", "household"])]

    def __str__(self) -> str:
        return f"{self.council_id}:{self.dni[-3:].rjust(9, '*')}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.surname1, self.surname2) if p)

    def age_on(self, day: dt.date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class CheckStatus(models.TextChoices):
    PENDING = "pending", _("Code sent, waiting")
    VERIFIED = "verified", _("Verified")
    USED = "used", _("Document issued")
    LOCKED = "locked", _("Locked after failed attempts")


class IdentityCheck(models.Model):
    """A one-time code asked for a DNI from one chat: 6 digits, 10 minutes, 3 attempts.

    The code and the DNI are kept as keyed digests. ``record`` is empty when the DNI and the
    birth date matched nobody: the check then behaves exactly like any other, and fails.
    """

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    dni_digest = models.CharField(max_length=64, db_index=True)
    requester = models.CharField(_("asked from (chat identity)"), max_length=255, db_index=True)
    record = models.ForeignKey(
        CensusRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    code_digest = models.CharField(max_length=64, blank=True)
    sent_by = models.CharField(_("code sent by"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CheckStatus.choices, default=CheckStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("code expires at"))
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("identity check")
        verbose_name_plural = _("identity checks")

    def __str__(self) -> str:
        return f"check {self.pk} ({self.status})"


class DocumentKind(models.TextChoices):
    CENSUS_INDIVIDUAL = "census_individual", _("Census certificate (individual)")
    CENSUS_HOUSEHOLD = "census_household", _("Census certificate (household)")
    REGISTRY_RECEIPT = "registry_receipt", _("Registry receipt")


class IssuedDocument(models.Model):
    """A PDF issued to a resident, verifiable by anyone holding its CSV code."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("type"), max_length=30, choices=DocumentKind.choices)
    #: the secure verification code (Ley 40/2015 art. 42), without separators; emptied
    #: (None) with the PDF when the document is purged
    csv = models.CharField(_("verification code"), max_length=40, unique=True, null=True)
    #: whom it is about, for the staff list (name only)
    subject = models.CharField(_("issued to"), max_length=300)
    pdf = models.BinaryField(_("PDF"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    #: after this the document is purged by retention (settings per type, or a council's
    #: retention rule for issued documents with the type as its category code)
    keep_until = models.DateTimeField(_("kept until"))
    #: when retention removed the PDF, the code and the name: the row stays, for the audit
    purged_at = models.DateTimeField(_("purged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.issued_at:%Y-%m-%d}"


class RegistrySequence(models.Model):
    """The last registry entry number of a council in a year (taken under a row lock)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["council", "year"], name="registry_sequence_year")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class RegistryEntry(models.Model):
    """The registry entry of a case (Ley 39/2015 art. 16.3): number, moment of arrival."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="registry_entry"
    )
    year = models.PositiveIntegerField()
    number = models.PositiveIntegerField()
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        verbose_name = _("registry entry")
        verbose_name_plural = _("registry entries")
        constraints = [
            models.UniqueConstraint(
                fields=["council", "year", "number"], name="registry_number_unique"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"RE-{self.year:04d}-{self.number:06d}"


class AuditKind(models.TextChoices):
    REQUESTED = "requested", _("Certificate requested")
    CODE_SENT = "code_sent", _("Code sent")
    NO_ROUTE = "no_route", _("No phone or e-mail to send the code to")
    REFUSED = "refused", _("Refused: too many requests or locked")
    ATTEMPT_FAILED = "attempt_failed", _("Wrong code")
    LOCKED = "locked", _("Locked")
    VERIFIED = "verified", _("Identity verified")
    ISSUED = "issued", _("Document issued")
    HANDED_OFF = "handed_off", _("Sent to the office")
    DOCUMENT_CHECKED = "document_checked", _("Document verified on the web")
    VERIFICATION_FAILED = "verify_failed", _("Unknown or forged code checked on the web")
    PURGED = "purged", _("Document purged by retention")
    CENSUS_VIEWED = "census_viewed", _("Census record viewed by staff")
    CENSUS_IMPORTED = "census_imported", _("Census imported")


class AuditEvent(models.Model):
    """Who did what, when, in a procedure. Appended, never edited.

    A code checked on the web that matches no document belongs to no council (``council`` is
    empty): installation administrators read those.
    """

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("what"), max_length=20, choices=AuditKind.choices)
    #: the chat identity, the web client's digest or the staff member's username
    who = models.CharField(_("who"), max_length=255, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    identity_check = models.ForeignKey(
        IdentityCheck, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    document = models.ForeignKey(
        IssuedDocument, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("procedure audit event")
        verbose_name_plural = _("procedure audit events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class Silence(models.TextChoices):
    POSITIVE = "positive", _("Granted (positive silence)")
    NEGATIVE = "negative", _("Refused (negative silence)")


#: the placeholders a deadline letter may use
DEADLINE_PLACEHOLDERS = ("{reference}", "{entry}", "{date}", "{months}", "{silence}")


class DeadlineLetter(models.Model):
    """What the resident is told when a case of a category with a legal term is entered
    (Ley 39/2015 art. 21.4): the maximum term and what silence means. Editable per category.
    """

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    category = models.OneToOneField(
        "cases.Category", on_delete=models.CASCADE, related_name="deadline_letter"
    )
    term_months = models.PositiveSmallIntegerField(_("maximum term (months)"), default=3)
    silence = models.CharField(
        _("silence means"), max_length=10, choices=Silence.choices, default=Silence.NEGATIVE
    )
    text_es = models.TextField(
        _("text (Spanish)"),
        default=(
            "Su solicitud {reference} quedó registrada con la entrada {entry} el {date}. El "
            "plazo máximo para resolverla y notificársela es de {months} meses; si en ese plazo "
            "no recibe respuesta, podrá entenderla {silence} (Ley 39/2015, art. 21.4)."
        ),
        help_text=_("Placeholders: {reference}, {entry}, {date}, {months}, {silence}."),
    )
    text_ca = models.TextField(
        _("text (Catalan)"),
        blank=True,
        default=(
            "La vostra sol·licitud {reference} va quedar registrada amb l'entrada {entry} el "
            "{date}. El termini màxim per resoldre-la i notificar-vos-la és de {months} mesos; si "
            "en aquest termini no rebeu resposta, podreu entendre-la {silence} (Llei 39/2015, "
            "art. 21.4)."
        ),
    )
    text_en = models.TextField(
        _("text (English)"),
        blank=True,
        default=(
            "Your application {reference} was entered in the registry as {entry} on {date}. The "
            "maximum term to decide and notify it is {months} months; if you hear nothing by "
            "then, you may take it as {silence} (Ley 39/2015, art. 21.4)."
        ),
    )

    class Meta:
        verbose_name = _("deadline letter")
        verbose_name_plural = _("deadline letters")

    def __str__(self) -> str:
        return str(self.category)
