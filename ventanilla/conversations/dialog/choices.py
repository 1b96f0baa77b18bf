"""Choice ids: what a button the dialog offered says when the resident taps it.

An id is ``kind:option[:detail]``, for example ``cat:12`` (category 12), ``cat:more:2`` (the
third page of categories), ``survey:12:4`` (a 4 for case 12) or ``menu:report``. Build them
with ``ChoiceId(...).offer(label)`` and read them with ``ChoiceId.parse``, never by slicing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ventanilla.channels.adapters.base import Choice


@dataclass(frozen=True)
class ChoiceId:
    kind: str
    option: str = ""
    detail: str = ""

    @classmethod
    def parse(cls, raw: str) -> ChoiceId | None:
        """Return the id ``raw`` spells, or None for no choice at all."""
        if not raw:
            return None
        kind, _, rest = raw.partition(":")
        option, _, detail = rest.partition(":")
        return cls(kind, option, detail)

    def __str__(self) -> str:
        return ":".join(part for part in (self.kind, self.option, self.detail) if part)

    @property
    def rest(self) -> str:
        """Return everything after the kind ("more:2" of "cat:more:2")."""
        return f"{self.option}:{self.detail}" if self.detail else self.option

    @property
    def number(self) -> int | None:
        """Return the option as a number (a case or category id), if it is one."""
        return int(self.option) if self.option.isdigit() and not self.detail else None

    @property
    def detail_number(self) -> int | None:
        return int(self.detail) if self.detail.isdigit() else None

    def offer(self, label: str) -> Choice:
        """Return the button that answers with this id."""
        return Choice(str(self), label)
