"""Normalise channel identities to URNs: ``scheme:path``."""

from __future__ import annotations

import re
from enum import StrEnum

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email


class Scheme(StrEnum):
    """The URN schemes residents are known by. Each provider names its own among these."""

    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"
    LINE = "line"
    TEL = "tel"
    WEBCHAT = "webchat"
    MAILTO = "mailto"
    MESSENGER = "messenger"
    INSTAGRAM = "instagram"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"


SCHEMES = frozenset(Scheme)
_TELEGRAM = re.compile(r"^-?\d{1,20}$")
_LINE = re.compile(r"^U[0-9a-f]{32}$")
_WHATSAPP_USER = re.compile(r"^user:[A-Za-z0-9._-]{1,200}$")
#: Meta's page- and Instagram-scoped ids are digits
_META_ID = re.compile(r"^\d{1,40}$")
#: a fediverse account, ``user@instance`` (the ``acct`` of a remote account)
_FEDIVERSE = re.compile(r"^[A-Za-z0-9_.-]{1,100}@[A-Za-z0-9.-]{1,200}$")
#: an AT Protocol DID (``did:plc:...`` or ``did:web:...``)
_DID = re.compile(r"^did:(plc|web):[A-Za-z0-9._:%-]{1,200}$")


class InvalidUrn(ValueError):
    pass


def normalise_phone(number: str, region: str = "ES") -> str:
    """Return ``number`` in E.164 (``+34600111222``) or raise InvalidUrn."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidUrn(f"not a phone number: {number!r}") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidUrn(f"not a possible phone number: {number!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


_PHONE_LIKE = re.compile(r"^[+\d\s().\-/]{6,30}$")


def phone_urns(text: str, region: str = "ES") -> list[str]:
    """Return the URNs of a phone number written in any format ("600 11 12 22",
    "+34 600-111-222", "0034600111222"), or [] if ``text`` is not one.

    ``region`` is the country a number without its prefix belongs to.
    """
    text = (text or "").strip()
    if not _PHONE_LIKE.match(text) or sum(c.isdigit() for c in text) < 6:
        return []
    try:
        e164 = normalise_phone(text, region or "ES")
    except InvalidUrn:
        return []
    return [f"{Scheme.TEL}:{e164}", f"{Scheme.WHATSAPP}:{e164[1:]}"]


def normalise_email(address: str) -> str:
    """Return an e-mail address in lower case (one resident, however they type it) or raise
    InvalidUrn."""
    address = address.strip().lower()
    try:
        validate_email(address)
    except ValidationError as exc:
        raise InvalidUrn(f"not an e-mail address: {address!r}") from exc
    return address


def normalise_urn(urn: str) -> str:
    """Return the canonical form of ``urn`` or raise InvalidUrn.

    WhatsApp URNs hold digits without ``+`` (the provider's ``wa_id``) or ``user:<id>`` for
    residents known only by a username id; ``tel`` URNs hold E.164.
    """
    scheme, sep, path = urn.partition(":")
    scheme = scheme.strip().lower()
    path = path.strip()
    if not sep or scheme not in SCHEMES or not path:
        raise InvalidUrn(f"unknown URN: {urn!r}")
    if scheme == Scheme.TEL:
        return f"{scheme}:{normalise_phone(path)}"
    if scheme == Scheme.WHATSAPP:
        if _WHATSAPP_USER.match(path):
            return f"{scheme}:{path}"
        return f"{scheme}:{normalise_phone('+' + path.lstrip('+'))[1:]}"
    if scheme == Scheme.MAILTO:
        return f"{scheme}:{normalise_email(path)}"
    if scheme == Scheme.TELEGRAM and not _TELEGRAM.match(path):
        raise InvalidUrn(f"not a Telegram id: {urn!r}")
    if scheme == Scheme.LINE and not _LINE.match(path):
        raise InvalidUrn(f"not a LINE user id: {urn!r}")
    if scheme in (Scheme.MESSENGER, Scheme.INSTAGRAM) and not _META_ID.match(path):
        raise InvalidUrn(f"not a Meta user id: {urn!r}")
    if scheme == Scheme.MASTODON:
        if not _FEDIVERSE.match(path.lstrip("@")):
            raise InvalidUrn(f"not a fediverse account: {urn!r}")
        return f"{scheme}:{path.lstrip('@').lower()}"
    if scheme == Scheme.BLUESKY and not _DID.match(path):
        raise InvalidUrn(f"not an AT Protocol DID: {urn!r}")
    return f"{scheme}:{path}"
