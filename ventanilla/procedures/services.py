"""The write path of procedures: census imports, identity checks, documents, registry entries.

Keyword-only, typed, each under ``transaction.atomic``; every step a resident or a staff
member takes is appended to ``AuditEvent`` in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import structlog
from babel.dates import format_date, format_datetime
from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ventanilla.cases.models import Case
from ventanilla.cases.reactions import CaseOpened
from ventanilla.channels.policy import OutboundRefused
from ventanilla.conversations.notifications import conversation_for_case
from ventanilla.conversations.services import queue_outbound
from ventanilla.core import batch_reads
from ventanilla.core.actors import Actor
from ventanilla.core.models import Council
from ventanilla.procedures.census import CensusRow, parse_row
from ventanilla.procedures.codes import digest, new_csv, new_one_time_code, same_digest
from ventanilla.procedures.documents import Section, render
from ventanilla.procedures.models import (
    AuditEvent,
    AuditKind,
    CensusRecord,
    CheckStatus,
    DeadlineLetter,
    DocumentKind,
    IdentityCheck,
    IssuedDocument,
    RegistryEntry,
    Silence,
)
from ventanilla.procedures.registry import allocate_entry_number

log = structlog.get_logger(__name__)

BATCH = 2000
_FIELDS = (
    "given_name",
    "surname1",
    "surname2",
    "birth_date",
    "address",
    "district",
    "phone",
    "email",
    "household",
    "registered_since",
)


# -- audit -------------------------------------------------------------------------------


#: characters of a failed verification's code kept in its audit event
VERIFY_TYPED_KEPT = 40


def audit(
    *,
    council: Council,
    kind: AuditKind,
    who: str = "",
    by: Actor = None,
    detail: Mapping[str, Any] | None = None,
    **links: Any,
) -> AuditEvent:
    """Append one audit event (``links``: ``identity_check``, ``document``)."""
    return AuditEvent.objects.create(
        council=council,
        kind=kind,
        who=who or (by.get_username() if by is not None else ""),
        user=by,
        detail=dict(detail or {}),
        **links,
    )


# -- census import -----------------------------------------------------------------------


@dataclass
class BadRow:
    line: int
    problem: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    left: int = 0
    bad: list[BadRow] = field(default_factory=list)


class CensusImportError(Exception):
    """The file has bad rows (or none at all): nothing was imported."""

    def __init__(self, report: ImportReport, message: str = "") -> None:
        super().__init__(message or f"{len(report.bad)} bad rows")
        self.report = report


def import_census(
    *,
    council: Council,
    rows: Iterable[tuple[int, Mapping[str, str | None]]],
    by: Actor,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Replace ``council``'s census register with ``rows`` (line number, raw row).

    All or nothing: a bad row (or a DNI listed twice) imports nothing and is reported.
    A person in the register but not in the file stays, marked as no longer in the register
    (not certifiable); one who comes back is certifiable again.
    """
    report = ImportReport()
    parsed: dict[str, CensusRow] = {}
    for count, (line, raw) in enumerate(rows, start=1):
        try:
            row = parse_row(raw)
        except ValueError as exc:
            report.bad.append(BadRow(line, str(exc)))
        else:
            if row.dni in parsed:
                report.bad.append(BadRow(line, f"dni: listed twice (…{row.dni[-4:]})"))
            parsed[row.dni] = row
        if progress is not None and count % 1000 == 0:
            progress(count)
    if report.bad:
        raise CensusImportError(report)
    if not parsed:
        raise CensusImportError(report, "the file lists nobody")
    with transaction.atomic():
        _store(council, parsed, report, progress)
        audit(
            council=council,
            kind=AuditKind.CENSUS_IMPORTED,
            by=by,
            detail={
                "created": report.created,
                "updated": report.updated,
                "left": report.left,
                "people": len(parsed),
            },
        )
    return report


def _store(
    council: Council,
    parsed: dict[str, CensusRow],
    report: ImportReport,
    progress: Callable[[int], None] | None,
) -> None:
    now = timezone.now()
    existing = {
        values[1]: values
        for values in CensusRecord.objects.filter(council=council).values_list(
            "pk", "dni", "active", *_FIELDS
        )
    }
    new: list[CensusRow] = []
    changed: list[CensusRecord] = []
    for dni, row in parsed.items():
        values = tuple(getattr(row, name) for name in _FIELDS)
        before = existing.get(dni)
        if before is None:
            new.append(row)
        elif before[2] and tuple(before[3:]) == values:
            report.unchanged += 1
        else:
            changed.append(
                CensusRecord(pk=before[0], dni=dni, active=True, imported_at=now, **_row(row))
            )
    _insert(council, new, now, progress, done=len(parsed))
    # One UPDATE per changed person: bulk_update's CASE per column grows quadratically.
    for record in changed:
        CensusRecord.objects.filter(pk=record.pk).update(
            active=True, imported_at=now, **{name: getattr(record, name) for name in _FIELDS}
        )
    gone = [v[0] for dni, v in existing.items() if v[2] and dni not in parsed]
    for start in range(0, len(gone), BATCH):
        CensusRecord.objects.filter(pk__in=gone[start : start + BATCH]).update(
            active=False, imported_at=now
        )
    report.created, report.updated, report.left = len(new), len(changed), len(gone)


def _insert(
    council: Council,
    rows: list[CensusRow],
    now: dt.datetime,
    progress: Callable[[int], None] | None,
    done: int,
) -> None:
    """Insert new people with one prepared statement per batch.

    The ORM's ``bulk_create`` spends most of a 100,000-person import building model
    instances and compiling SQL; this keeps the import of a city's census under a minute.
    """
    ops = connection.ops
    table = ops.quote_name(CensusRecord._meta.db_table)
    columns = ["council_id", "dni", *_FIELDS, "active", "imported_at"]
    # Only our own table and column names are formatted in; the values are parameters.
    names = ", ".join(ops.quote_name(c) for c in columns)
    slots = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({slots})"  # noqa: S608
    stamp = ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(
                sql,
                [
                    (
                        council.pk,
                        row.dni,
                        row.given_name,
                        row.surname1,
                        row.surname2,
                        ops.adapt_datefield_value(row.birth_date),
                        row.address,
                        row.district,
                        row.phone,
                        row.email,
                        row.household,
                        ops.adapt_datefield_value(row.registered_since),
                        True,
                        stamp,
                    )
                    for row in rows[start : start + BATCH]
                ],
            )
            if progress is not None:
                progress(done + start + BATCH)


def _row(row: CensusRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in _FIELDS}


def view_census_record(*, council: Council, dni: str, by: Actor) -> CensusRecord | None:
    """Return the census record of ``dni`` for a staff member, and audit that they looked."""
    if by is None or not by.has_perm("procedures.view_censusrecord"):
        raise PermissionError("not allowed to read the census register")
    record = CensusRecord.objects.filter(council=council, dni=dni).first()
    audit(
        council=council,
        kind=AuditKind.CENSUS_VIEWED,
        by=by,
        detail={"dni_end": dni[-4:], "found": record is not None},
    )
    return record


def birth_matches(record: CensusRecord | None, birth: dt.date) -> bool:
    return record is not None and record.birth_date == birth


# -- identity checks ---------------------------------------------------------------------

CODE_TTL = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 3
LOCK_FOR = dt.timedelta(hours=1)
#: code requests per DNI per hour, and per chat identity per day
PER_DNI_PER_HOUR = 3
PER_CHAT_PER_DAY = 5
#: a verified identity is good for choosing and issuing the document this long
VERIFIED_FOR = dt.timedelta(minutes=30)


class CodeRoute(StrEnum):
    CHAT = "chat"  # the chat's own number is the one on record
    SMS = "sms"
    EMAIL = "email"
    NONE = "none"  # nobody matched, or nothing on record to send to


@dataclass(frozen=True)
class CodeRequest:
    """What ``request_code`` did. The chat says the same whatever happened, except that
    the code itself is said in the chat whose own number is on record (``code_for_chat``)."""

    check: IdentityCheck | None  # None: refused (too many requests, or locked)
    code_for_chat: str = ""


class CodeResult(StrEnum):
    VERIFIED = "verified"
    WRONG = "wrong"
    LOCKED = "locked"
    EXPIRED = "expired"


@transaction.atomic
def request_code(
    *,
    council: Council,
    dni: str,
    birth_date: dt.date,
    requester: str,
    chat_phones: Iterable[str],
    language: str,
    send_sms: Callable[[str, str], bool],
    send_email: Callable[[str, str], bool],
) -> CodeRequest:
    """Start an identity check of ``dni`` asked from the chat ``requester``.

    The one-time code goes to the phone (else the e-mail) on record for the person whose
    DNI and birth date both match, and to the asking chat only when that chat's own number
    is the one on record. ``send_sms(phone, code)`` and ``send_email(address, code)`` queue
    the code and return whether they could. Refused (locked, or too many requests) before
    anything is looked up, the same for every DNI.
    """
    now = timezone.now()
    dni_digest = digest("dni", dni)
    checks = IdentityCheck.objects.filter(council=council)
    if (
        checks.filter(dni_digest=dni_digest, locked_until__gt=now).exists()
        or checks.filter(dni_digest=dni_digest, created_at__gt=now - dt.timedelta(hours=1)).count()
        >= PER_DNI_PER_HOUR
        or checks.filter(requester=requester, created_at__gt=now - dt.timedelta(days=1)).count()
        >= PER_CHAT_PER_DAY
    ):
        audit(council=council, kind=AuditKind.REFUSED, who=requester)
        return CodeRequest(check=None)
    record = CensusRecord.objects.filter(council=council, dni=dni, active=True).first()
    if not birth_matches(record, birth_date):
        record = None
    code = new_one_time_code()
    check = IdentityCheck.objects.create(
        council=council,
        dni_digest=dni_digest,
        requester=requester,
        record=record,
        code_digest=digest("code", code),
        created_at=now,
        expires_at=now + CODE_TTL,
    )
    audit(council=council, kind=AuditKind.REQUESTED, who=requester, identity_check=check)
    route = CodeRoute.NONE
    if record is not None and record.phone and record.phone in set(chat_phones):
        route = CodeRoute.CHAT
    elif record is not None and record.phone and send_sms(record.phone, code):
        route = CodeRoute.SMS
    elif record is not None and record.email and send_email(record.email, code):
        route = CodeRoute.EMAIL
    check.sent_by = str(route)
    check.save(update_fields=["sent_by"])
    kind = AuditKind.NO_ROUTE if route is CodeRoute.NONE and record else AuditKind.CODE_SENT
    if record is not None:
        audit(council=council, kind=kind, who=requester, identity_check=check, detail={"by": route})
    return CodeRequest(check=check, code_for_chat=code if route is CodeRoute.CHAT else "")


@transaction.atomic
def check_code(*, check_id: int, requester: str, code: str) -> CodeResult:
    """Check the code typed in the chat that asked for it: 3 attempts, then an hour's lock."""
    now = timezone.now()
    check = IdentityCheck.objects.select_for_update().filter(pk=check_id, requester=requester)
    found = check.first()
    if found is None:
        return CodeResult.EXPIRED
    if found.status == CheckStatus.LOCKED:
        return CodeResult.LOCKED
    if found.status != CheckStatus.PENDING or now > found.expires_at:
        return CodeResult.EXPIRED
    council = found.council
    typed = "".join(c for c in code if c.isdigit())
    if found.record_id is not None and same_digest(found.code_digest, digest("code", typed)):
        found.status = CheckStatus.VERIFIED
        found.save(update_fields=["status"])
        audit(council=council, kind=AuditKind.VERIFIED, who=requester, identity_check=found)
        return CodeResult.VERIFIED
    found.attempts += 1
    audit(council=council, kind=AuditKind.ATTEMPT_FAILED, who=requester, identity_check=found)
    if found.attempts < MAX_ATTEMPTS:
        found.save(update_fields=["attempts"])
        return CodeResult.WRONG
    found.status = CheckStatus.LOCKED
    found.locked_until = now + LOCK_FOR
    found.save(update_fields=["attempts", "status", "locked_until"])
    audit(council=council, kind=AuditKind.LOCKED, who=requester, identity_check=found)
    return CodeResult.LOCKED


# -- documents ---------------------------------------------------------------------------

#: how long each type of document is kept (days); ``PROCEDURES_RETENTION_DAYS`` overrides
RETENTION_DAYS = {
    DocumentKind.CENSUS_INDIVIDUAL: 90,
    DocumentKind.CENSUS_HOUSEHOLD: 90,
    DocumentKind.REGISTRY_RECEIPT: 365 * 5,
}


class IssueError(Exception):
    """The identity check does not allow issuing (not verified, used, expired)."""


@dataclass(frozen=True)
class Issued:
    document: IssuedDocument | None  # None: a hand-off to the office instead
    handed_off: bool = False


def retention_for(kind: DocumentKind) -> dt.timedelta:
    days = getattr(settings, "PROCEDURES_RETENTION_DAYS", {}).get(str(kind), RETENTION_DAYS[kind])
    return dt.timedelta(days=int(days))


@transaction.atomic
def issue_census_certificate(
    *, check_id: int, requester: str, household: bool, language: str
) -> Issued:
    """Issue the verified resident's census certificate: their own, or their household's.

    A household certificate lists everyone registered at the address; only an adult of the
    household gets it, anyone else is sent to the office (``handed_off``).
    """
    now = timezone.now()
    check = (
        IdentityCheck.objects.select_for_update(of=("self",))
        .select_related("record", "council")
        .filter(pk=check_id, requester=requester, status=CheckStatus.VERIFIED)
        .first()
    )
    if check is None or check.record is None or now - check.created_at > VERIFIED_FOR:
        raise IssueError("no verified identity to issue for")
    record, council = check.record, check.council
    people = [record]
    if household:
        members = list(
            CensusRecord.objects.filter(
                council=council, household=record.household, active=True
            ).order_by("birth_date", "pk")
        )
        if not record.household or record.age_on(now.astimezone(council.tz).date()) < 18:
            audit(council=council, kind=AuditKind.HANDED_OFF, who=requester, identity_check=check)
            return Issued(document=None, handed_off=True)
        people = members
    kind = DocumentKind.CENSUS_HOUSEHOLD if household else DocumentKind.CENSUS_INDIVIDUAL
    csv = _unique_csv()
    pdf = render_census_certificate(
        council=council, record=record, people=people, kind=kind, csv=csv, language=language
    )
    document = IssuedDocument.objects.create(
        council=council,
        kind=kind,
        csv=csv,
        subject=record.full_name,
        pdf=pdf,
        issued_at=now,
        keep_until=now + retention_for(kind),
    )
    check.status = CheckStatus.USED
    check.save(update_fields=["status"])
    audit(
        council=council,
        kind=AuditKind.ISSUED,
        who=requester,
        identity_check=check,
        document=document,
        detail={"kind": kind, "people": len(people)},
    )
    return Issued(document=document)


def render_census_certificate(
    *,
    council: Council,
    record: CensusRecord,
    people: list[CensusRecord],
    kind: DocumentKind,
    csv: str,
    language: str,
) -> bytes:
    with translation.override(language):
        title = (
            _("Household census certificate")
            if kind == DocumentKind.CENSUS_HOUSEHOLD
            else _("Census certificate")
        )
        sections = [
            Section(
                person.full_name,
                [
                    (_("DNI/NIE"), person.dni),
                    (_("Date of birth"), format_date(person.birth_date, "long", locale=language)),
                    *(
                        [
                            (
                                _("Registered since"),
                                format_date(person.registered_since, "long", locale=language),
                            )
                        ]
                        if person.registered_since
                        else []
                    ),
                ],
            )
            for person in people
        ]
        return render(
            council=council,
            title=title,
            intro=_(
                "According to the municipal census register (padrón) of %(council)s, the "
                "following persons are registered at %(address)s%(district)s:"
            )
            % {
                "council": council.name,
                "address": record.address,
                "district": f" ({record.district})" if record.district else "",
            },
            sections=sections,
            closing=_("Issued at the request of the person concerned, for information."),
            csv=csv,
            issued_at=timezone.now(),
            language=language,
        )


def _unique_csv() -> str:
    while True:  # 125 random bits: a clash is never expected, but it is never trusted either
        csv = new_csv()
        if not IssuedDocument.objects.filter(csv=csv).exists():
            return csv


@transaction.atomic
def purge_documents(*, documents: QuerySet[IssuedDocument]) -> int:
    """Remove the PDF, the code and the name of ``documents``; keep that they existed.

    Each purge is audited (``AuditKind.PURGED``); return how many were purged.
    """
    now = timezone.now()
    purged = 0
    for document in documents.select_for_update().filter(purged_at__isnull=True):
        document.pdf = b""
        document.csv = None
        document.subject = ""
        document.purged_at = now
        document.save(update_fields=["pdf", "csv", "subject", "purged_at"])
        audit(
            council=document.council,
            kind=AuditKind.PURGED,
            who="retention",
            document=document,
            detail={"kind": document.kind, "issued_at": document.issued_at.isoformat()},
        )
        purged += 1
    return purged


def verification_failed(*, who: str, address: str, typed: str) -> AuditEvent:
    """Audit a code checked on the web that matches no document (a typo, a forgery, a guess).

    The event belongs to no council (the code names none); it keeps the client's address
    and the first characters typed, for whoever looks into a run of guesses.
    """
    return AuditEvent.objects.create(
        council=None,
        kind=AuditKind.VERIFICATION_FAILED,
        who=who,
        detail={"address": address, "typed": typed[:VERIFY_TYPED_KEPT]},
    )


def document_checked(*, document: IssuedDocument, who: str) -> None:
    """Audit that someone verified ``document`` on the web."""
    audit(council=document.council, kind=AuditKind.DOCUMENT_CHECKED, who=who, document=document)


# -- registry ----------------------------------------------------------------------------


@transaction.atomic(savepoint=False)  # no caller goes on after its failure
def enter_case(*, case: Case) -> RegistryEntry:
    """Return the registry entry of ``case``, entering it now if it has none.

    The entry's moment is the case's arrival, even outside office hours.
    """
    existing = RegistryEntry.objects.filter(case=case).first()
    if existing is not None:
        return existing
    return _enter(case)


def _enter(case: Case) -> RegistryEntry:
    year, number = allocate_entry_number(council=case.council, moment=case.created_at)
    return RegistryEntry.objects.create(
        council=case.council, case=case, year=year, number=number, entered_at=case.created_at
    )


def case_opened(event: CaseOpened) -> None:
    """Enter every new case in the registry (a reaction to ``cases.case_opened``): a case just
    opened has no entry to look for."""
    _enter(event.case)


@transaction.atomic
def issue_receipt(*, case: Case, requester: str, language: str) -> IssuedDocument:
    """Issue the registry receipt of ``case`` (Ley 39/2015 art. 16.3) with a CSV code."""
    entry = enter_case(case=case)
    council = case.council
    csv = _unique_csv()
    moment = entry.entered_at.astimezone(council.tz)
    with translation.override(language):
        pdf = render(
            council=council,
            title=_("Registry receipt"),
            intro=_("Your submission has been entered in the registry of %(council)s.")
            % {"council": council.name},
            sections=[
                Section(
                    _("Registry entry"),
                    [
                        (_("Entry number"), entry.label),
                        (_("Entered at"), format_datetime(moment, "long", locale=language)),
                        (_("Case"), case.reference),
                        (_("Subject"), str(case.category.name)),
                    ],
                ),
                Section(_("Text submitted"), [(_("Text"), case.description or "—")]),
            ],
            closing=_("Ley 39/2015, art. 16.3."),
            csv=csv,
            issued_at=timezone.now(),
            language=language,
        )
    now = timezone.now()
    document = IssuedDocument.objects.create(
        council=council,
        kind=DocumentKind.REGISTRY_RECEIPT,
        csv=csv,
        subject=case.reference,
        pdf=pdf,
        issued_at=now,
        keep_until=now + retention_for(DocumentKind.REGISTRY_RECEIPT),
    )
    audit(
        council=council,
        kind=AuditKind.ISSUED,
        who=requester,
        document=document,
        detail={"kind": DocumentKind.REGISTRY_RECEIPT, "entry": entry.label},
    )
    return document


# -- the deadline letter (Ley 39/2015 art. 21.4) -------------------------------------------

SILENCE_WORDS = {
    Silence.POSITIVE: {"es": "estimada", "ca": "estimada", "en": "granted"},
    Silence.NEGATIVE: {"es": "desestimada", "ca": "desestimada", "en": "refused"},
}


def deadline_text(
    *, letter: DeadlineLetter, case: Case, entry: RegistryEntry, language: str
) -> str:
    """Return the letter's text in ``language`` (Spanish when that one is empty), filled in."""
    text = getattr(letter, f"text_{language}", "") or letter.text_es
    moment = entry.entered_at.astimezone(case.council.tz)
    values = {
        "{reference}": case.reference,
        "{entry}": entry.label,
        "{date}": format_date(moment.date(), "long", locale=language),
        "{months}": str(letter.term_months),
        "{silence}": SILENCE_WORDS[Silence(letter.silence)].get(language, letter.silence),
    }
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def tell_deadline(event: CaseOpened) -> None:
    """Tell the resident the legal term of a case whose category has one (a reaction to
    ``cases.case_opened``, after the registry entry): at once, so within ten working days."""
    case = event.case
    letter = batch_reads.once(
        ("deadline_letter", case.category_id),
        lambda: DeadlineLetter.objects.filter(category_id=case.category_id).first(),
    )
    if letter is None or case.citizen_id is None:
        return
    conversation = conversation_for_case(case)
    if conversation is None:
        return
    entry = enter_case(case=case)
    text = deadline_text(
        letter=letter, case=case, entry=entry, language=conversation.citizen.language or "es"
    )
    try:
        queue_outbound(conversation=conversation, text=text, case=case, automatic=True)
    except OutboundRefused:
        log.info("deadline_letter_not_sent_window_closed", reference=case.reference)
