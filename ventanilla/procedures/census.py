"""Reading census rows and identity numbers: pure functions, no database.

A DNI or NIE is checked with python-stdnum (its check letter); phones with phonenumbers.
What residents type ("12.345.678-z", "x-2482300-w") is normalised before it is checked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.es import dni as stdnum_dni
from stdnum.es import nie as stdnum_nie

COLUMNS = (
    "dni",
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
REQUIRED = ("dni", "given_name", "surname1", "birth_date", "address")
_SEPARATORS = re.compile(r"[\s.\-/]")
_LIMITS = {
    "given_name": 100,
    "surname1": 100,
    "surname2": 100,
    "address": 300,
    "district": 100,
    "household": 60,
}


class BadIdentityNumber(ValueError):
    """Not a DNI or NIE; ``wrong_letter`` when only the check letter is wrong."""

    def __init__(self, message: str, *, wrong_letter: bool = False) -> None:
        super().__init__(message)
        self.wrong_letter = wrong_letter


def normalise_identity_number(text: str) -> str:
    """Return the DNI or NIE in ``text`` as ``12345678Z``; raise BadIdentityNumber."""
    compact = _SEPARATORS.sub("", text or "").upper()
    if compact.startswith("ES") and len(compact) == 11:
        compact = compact[2:]
    module = stdnum_nie if compact[:1] in ("X", "Y", "Z") else stdnum_dni
    try:
        return str(module.validate(compact))
    except stdnum_errors.InvalidChecksum as exc:
        raise BadIdentityNumber(
            _("The letter of this DNI/NIE does not match its number."), wrong_letter=True
        ) from exc
    except stdnum_errors.ValidationError as exc:
        raise BadIdentityNumber(_("This is not a DNI or NIE number.")) from exc


def parse_date(text: str) -> dt.date:
    """Return the date written ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (``-`` or ``.`` also)."""
    value = (text or "").strip()
    try:
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value):
            year, month, day = (int(p) for p in value.split("-"))
            return dt.date(year, month, day)
        match = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", value)
        if match:
            day, month, year = (int(p) for p in match.groups())
            return dt.date(year, month, day)
    except ValueError as exc:
        raise ValueError(_("This date does not exist: %(date)s") % {"date": value}) from exc
    raise ValueError(_("Write the date as YYYY-MM-DD or DD/MM/YYYY: %(date)s") % {"date": value})


def normalise_phone(text: str) -> str:
    """Return the phone in E.164 (Spain by default), "" if empty; raise ValueError if bad."""
    value = (text or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "ES")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(_("Not a phone number: %(phone)s") % {"phone": value}) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(_("Not a valid phone number: %(phone)s") % {"phone": value})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class CensusRow:
    """One person as a census file lists them, validated."""

    dni: str
    given_name: str
    surname1: str
    surname2: str
    birth_date: dt.date
    address: str
    district: str
    phone: str
    email: str
    household: str
    registered_since: dt.date | None


def parse_row(raw: Mapping[str, str | None]) -> CensusRow:
    """Return the validated row; raise ValueError with every problem of the row, joined."""
    value = {key: (raw.get(key) or "").strip() for key in COLUMNS}
    problems: list[str] = []
    for key in REQUIRED:
        if not value[key]:
            problems.append(_("%(column)s is empty") % {"column": key})
    for key, limit in _LIMITS.items():
        if len(value[key]) > limit:
            problems.append(_("%(column)s is too long") % {"column": key})
    dni = birth = since = None
    phone = email = ""
    if value["dni"]:
        try:
            dni = normalise_identity_number(value["dni"])
        except BadIdentityNumber as exc:
            problems.append(f"dni: {exc}")
    if value["birth_date"]:
        try:
            birth = parse_date(value["birth_date"])
        except ValueError as exc:
            problems.append(f"birth_date: {exc}")
    if value["registered_since"]:
        try:
            since = parse_date(value["registered_since"])
        except ValueError as exc:
            problems.append(f"registered_since: {exc}")
    try:
        phone = normalise_phone(value["phone"])
    except ValueError as exc:
        problems.append(f"phone: {exc}")
    if value["email"]:
        try:
            validate_email(value["email"])
            email = value["email"].lower()
        except ValidationError:
            problems.append(_("email: not an e-mail address"))
    if problems or dni is None or birth is None:
        raise ValueError("; ".join(problems))
    return CensusRow(
        dni=dni,
        given_name=value["given_name"],
        surname1=value["surname1"],
        surname2=value["surname2"],
        birth_date=birth,
        address=value["address"],
        district=value["district"],
        phone=phone,
        email=email,
        household=value["household"],
        registered_since=since,
    )
