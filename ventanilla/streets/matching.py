"""Matching a typed address against the street directory (pure folding + one query)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ventanilla.core.models import Council
from ventanilla.streets.models import Street

#: words that say what kind of street it is, dropped before comparing names
STREET_TYPES = frozenset(
    {
        "c", "c/", "cl", "calle", "carrer", "av", "avda", "avenida", "avinguda", "pl", "pza",
        "plaza", "placa", "pg", "paseo", "passeig", "po", "camino", "cami", "ctra",
        "carretera", "ronda", "travesia", "travessera", "glorieta", "callejon", "via",
        "urbanizacion", "urb", "barrio", "bo", "poligono", "pol",
    }
)  # fmt: skip
_WORD_RE = re.compile(r"[^\W_]+(?:/)?", re.UNICODE)
_NUMBER_RE = re.compile(r"^\d{1,6}$")


def fold_street(text: str, *, keep_type: bool = False) -> str:
    """Return ``text`` folded for comparing: lower case, no accents, street type dropped."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = [w.rstrip("/") for w in _WORD_RE.findall(bare.replace("º", "o").replace("ª", "a"))]
    words = [w for w in words if w]
    if not keep_type:
        while len(words) > 1 and words[0] in STREET_TYPES:
            words = words[1:]
        while len(words) > 1 and words[0] in {"de", "del", "la", "el", "los", "las", "d"}:
            words = words[1:]
    return " ".join(words)


@dataclass(frozen=True)
class AddressMatch:
    street: Street
    number: int | None

    @property
    def address(self) -> str:
        """The address as the directory writes it: street, number, district."""
        text = self.street.name
        if self.number is not None:
            text = f"{text} {self.number}"
        if self.street.district:
            text = f"{text}, {self.street.district}"
        return text


def split_address(text: str) -> tuple[str, int | None]:
    """Return (folded street name, house number) of a typed address such as "C/ Mayor 14, 3º"."""
    first = (text or "").split(",")[0]
    words = fold_street(first).split()
    number = None
    if len(words) > 1 and _NUMBER_RE.match(words[-1]):
        number = int(words.pop())
    elif len(words) > 2 and _NUMBER_RE.match(words[-2]):  # "Mayor 14 B"
        number = int(words[-2])
        words = words[:-2]
    return " ".join(words), number


def match_address(*, council: Council, text: str) -> AddressMatch | None:
    """Return the directory's street (and stretch) for a typed address, if one fits."""
    name, number = split_address(text)
    if not name:
        return None
    streets = list(Street.objects.of(council).filter(folded=name)[:200])
    if not streets and len(name) >= 3:
        words = set(name.split())
        found = [
            street
            for street in Street.objects.of(council).filter(folded__contains=name)[:200]
            if words <= set(street.folded.split())  # whole words: "mayo" is not "mayor"
        ]
        if len({street.folded for street in found}) == 1:
            streets = found  # one street only: "real" for "Camino Real"
    if not streets:
        return None
    covering = [street for street in streets if street.covers(number)]
    return AddressMatch(street=(covering or streets)[0], number=number)


def suggest_streets(*, council: Council, text: str, limit: int = 5) -> list[str]:
    """Return a few street names of the directory that look like ``text``."""
    name, _number = split_address(text)
    words = sorted((w for w in name.split() if len(w) >= 3), key=len, reverse=True)
    if not words:
        return []
    names = (
        Street.objects.of(council)
        .filter(folded__contains=words[0])
        .values_list("name", flat=True)
        .distinct()
        .order_by("name")[:limit]
    )
    return list(names)
