"""Who a data subject is, and the functions each app adds to export or erase its part.

``privacy`` sits on the ground floor and imports no other app, so it cannot read residents,
messages or cases itself. Each app that holds personal data adds, from
``ventanilla.wiring``, the functions that find, export and erase its own rows (they live in
that app, e.g. ``cases/privacy.py``, and write only that app's rows); the services of
:mod:`ventanilla.privacy.services` run them in order, audit every step and keep the queue.

Erasers run in the order they were added: those that find their rows through the
resident's cases or conversations first, ``citizens`` (which deletes the resident) last.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from ventanilla.core.models import Council

F = TypeVar("F")

#: one section of an export: rows of plain JSON values
Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Subject:
    """A resident as every app can find their rows: by id, by address, by name."""

    council_id: int
    citizen_id: int
    #: the address the request named, canonical (``whatsapp:34600111222``)
    urn: str
    #: every address the council reaches the resident at
    urns: tuple[str, ...]
    #: the names the council knows them by (profile and channel names)
    names: tuple[str, ...]

    @property
    def phones(self) -> tuple[str, ...]:
        """Return the digits of every address that is a phone number (for searching text)."""
        found = []
        for urn in self.urns:
            scheme, _, path = urn.partition(":")
            digits = path.lstrip("+")
            if scheme in {"tel", "whatsapp"} and digits.isdigit():
                found.append(digits)
        return tuple(found)


class Finder(Protocol):
    def __call__(self, *, council: Council, urn: str) -> Subject | None: ...


class Exporter(Protocol):
    """Return the app's rows about ``subject``, by section name (``"messages"``)."""

    def __call__(self, subject: Subject) -> Mapping[str, Rows]: ...


class Eraser(Protocol):
    """Erase or irreversibly anonymise the app's rows about ``subject``; return counts."""

    def __call__(self, subject: Subject) -> Mapping[str, int]: ...


class Hooks(Generic[F]):
    """An ordered list of functions added once each (like ``core.reactions.Reactions``)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._hooks: list[F] = []

    def add(self, hook: F) -> None:
        if hook not in self._hooks:
            self._hooks.append(hook)

    def remove(self, hook: F) -> None:
        if hook in self._hooks:
            self._hooks.remove(hook)

    def __iter__(self) -> Iterator[F]:
        return iter(tuple(self._hooks))

    def __len__(self) -> int:
        return len(self._hooks)


finders: Hooks[Finder] = Hooks("finders")
exporters: Hooks[Exporter] = Hooks("exporters")
erasers: Hooks[Eraser] = Hooks("erasers")


def find(*, council: Council, urn: str) -> Subject | None:
    """Return the resident reached at ``urn``, asking each finder in turn."""
    for finder in finders:
        subject = finder(council=council, urn=urn)
        if subject is not None:
            return subject
    return None


def export(subject: Subject) -> dict[str, Rows]:
    """Return every section every app holds about ``subject``."""
    sections: dict[str, Rows] = {}
    for exporter in exporters:
        for name, rows in exporter(subject).items():
            sections.setdefault(name, []).extend(rows)
    return sections


def erase(subject: Subject) -> dict[str, int]:
    """Run every eraser in order; return what each erased, summed by kind of row."""
    counts: dict[str, int] = {}
    for eraser in erasers:
        for name, count in eraser(subject).items():
            counts[name] = counts.get(name, 0) + count
    return counts


def scrub(text: str, subject: Subject) -> str:
    """Return ``text`` (staff's own words about the resident) without the resident in it.

    Redaction takes out their names, phone numbers and other personal data; what is left
    of their addresses (a Telegram id, a LINE id) is removed word for word.
    """
    from ventanilla.privacy.redaction import redact

    if not text:
        return text
    text = redact(text, names=subject.names)
    for urn in subject.urns:
        path = urn.partition(":")[2]
        for needle in (urn, path, path.lstrip("+")):
            if len(needle) >= 5:
                text = text.replace(needle, "")
    return text
