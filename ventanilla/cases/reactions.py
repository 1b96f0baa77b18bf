"""What a case service tells the rest of the project, inside its own transaction.

The reactions run where the change is made and commit with it (the resident's update, the
public record), each in its own savepoint (see ``core.reactions``). Who reacts is listed in
``ventanilla/wiring.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ventanilla.cases.models import Case, CaseEvent
from ventanilla.core.actors import Actor
from ventanilla.core.reactions import Reactions


@dataclass(frozen=True)
class CaseOpened:
    """A case was opened (by staff, the dialog, Open311 ...)."""

    case: Case
    by: Actor


@dataclass(frozen=True)
class CaseChanged:
    """A case changed: ``kind`` says what, ``before`` and ``after`` are its history values."""

    case: Case
    kind: CaseEvent.Kind
    before: str
    after: str
    by: Actor
    comment: str = ""
    #: words for the resident that staff wrote with a status change (``comment`` is internal)
    resident_message: str = ""


case_opened: Reactions[CaseOpened] = Reactions("case_opened")
case_changed: Reactions[CaseChanged] = Reactions("case_changed")
