"""What of a case may become public, and in what form.

Every piece of a case that the portal or Open311 publishes is made here, from the
redaction core (:mod:`ventanilla.privacy.redaction`) and the location grid
(:mod:`ventanilla.privacy.geo`):

- :func:`known_names` gathers the names the council knows the resident by, so that
  redaction removes them wherever they appear;
- :func:`public_text` and :func:`draft_summary` redact free text (a summary staff wrote or
  approve, and the draft proposed from the resident's own words); ``keep`` takes the
  council's department and category names, never to be taken for a person's name;
- :func:`review_public_text` redacts as :func:`public_text` and says where the redaction
  was unsure (a possible name kept, a word removed as a name that may not be one), for
  staff to look at when they approve a summary;
- :func:`public_street` keeps the street of an address and drops its number, floor, door,
  postcode and town;
- :func:`public_point` snaps a location to the public grid.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings

from ventanilla.privacy.geo import snap
from ventanilla.privacy.redaction import (
    Doubt,
    Placeholder,
    Redaction,
    propose_summary,
    redact,
    redact_with_doubts,
)

__all__ = [
    "draft_summary",
    "known_names",
    "public_point",
    "public_street",
    "public_text",
    "review_public_text",
]

SUMMARY_MAX_LENGTH = 280
STREET_MAX_LENGTH = 200

_PLACEHOLDERS_RE = re.compile("|".join(re.escape(p.value) for p in Placeholder))
# Left over once numbers are gone: "nº", "núm.", "s/n", "bis", a lone letter or ordinal.
_NUMBER_WORDS = frozenset({"nº", "n°", "no", "num", "núm", "número", "numero", "nro", "s/n", "bis"})
_HAS_DIGIT_RE = re.compile(r"[0-9]")
_HAS_LETTER_RE = re.compile(r"[^\W\d_]")
_WHITESPACE_RE = re.compile(r"\s+")
# Control characters other than tab and line breaks (PostgreSQL refuses NUL; XML, most).
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EDGE_PUNCTUATION = " ,;:.-–—/()"


def known_names(case: Any) -> list[str]:
    """Return the resident's names as the council knows them (profile and channel names)."""
    citizen = getattr(case, "citizen", None)
    if citizen is None:
        return []
    names = [citizen.name]
    names += [identity.display for identity in citizen.identities.all()]
    return sorted({name.strip() for name in names if name and name.strip()})


def public_text(text: str, *, names: Iterable[str] = (), keep: Iterable[str] = ()) -> str:
    """Return text fit to publish: personal data redacted, control characters and
    surrounding space removed."""
    return _CONTROL_RE.sub("", redact(text or "", names=tuple(names), keep=tuple(keep))).strip()


def review_public_text(
    text: str, *, names: Iterable[str] = (), keep: Iterable[str] = ()
) -> Redaction:
    """Return :func:`public_text` of text with the doubts the redaction had about names.

    ``Redaction.text`` equals ``public_text(text, names=names, keep=keep)``; each kept
    doubt's ``start`` and ``end`` point into it.
    """
    redaction = redact_with_doubts(
        _CONTROL_RE.sub("", text or ""), names=tuple(names), keep=tuple(keep)
    )
    stripped = redaction.text.strip()
    shift = len(redaction.text) - len(redaction.text.lstrip())
    doubts = tuple(
        doubt
        if doubt.start is None or doubt.end is None
        else Doubt(doubt.text, doubt.reason, doubt.removed, doubt.start - shift, doubt.end - shift)
        for doubt in redaction.doubts
    )
    return Redaction(stripped, doubts)


def draft_summary(text: str, *, names: Iterable[str] = (), keep: Iterable[str] = ()) -> str:
    """Return a proposed public summary of the resident's text, for staff to approve."""
    if not (text or "").strip():
        return ""
    return propose_summary(
        text, names=tuple(names), keep=tuple(keep), max_length=SUMMARY_MAX_LENGTH
    )


def public_street(address: str, *, names: Iterable[str] = ()) -> str:
    """Return the street of an address, without number, floor, door, postcode or town.

    The address is redacted first; then its first part that still names something is
    kept, without any word holding a digit unless it is part of the street's name ("Plaza
    2 de Mayo"). Redaction alone misses a number after a bare street name ("Mayor 14").
    """
    redacted = redact(address or "", names=tuple(names))
    for part in redacted.split(","):
        part = _PLACEHOLDERS_RE.sub(" ", part)
        words = _WHITESPACE_RE.split(part.strip())
        kept: list[str] = []
        for i, word in enumerate(words):
            following = words[i + 1].lower() if i + 1 < len(words) else ""
            numbered_name = following == "de" or following.startswith(("d'", "d’"))
            if _HAS_DIGIT_RE.search(word) and not numbered_name:
                continue
            if word.lower().rstrip(".") in _NUMBER_WORDS:
                continue
            kept.append(word)
        street = " ".join(kept).strip(_EDGE_PUNCTUATION)
        if _HAS_LETTER_RE.search(street):
            return street[:STREET_MAX_LENGTH]
    return ""


def public_point(
    latitude: float | None, longitude: float | None, *, grid_metres: float | None = None
) -> tuple[float, float] | None:
    """Return the point snapped to the public grid, or None if there is no valid point."""
    if latitude is None or longitude is None:
        return None
    grid = settings.PUBLIC_GRID_METRES if grid_metres is None else grid_metres
    try:
        return snap(latitude, longitude, grid_metres=grid)
    except ValueError:
        return None
