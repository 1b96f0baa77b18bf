"""A step of the dialog, and what a step's handler asks the engine to do next.

Each flow lists its steps (``report.STEPS``, ...); ``engine.STEPS`` is the one table. A
handler answers the message or returns what should happen instead, so that no flow needs
another: re-ask the current question (``Reask``: a stale tap, a language change), treat the
message as if no question were open (``Next.AS_IF_IDLE``), start a report (``NewReport``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from ventanilla.conversations.dialog.state import StepName
from ventanilla.conversations.dialog.turn import Turn

#: an unfinished step is dropped after this long
DEFAULT_STEP_TTL = dt.timedelta(hours=12)


class Next(Enum):
    DONE = "done"  # the message is answered
    AS_IF_IDLE = "as_if_idle"  # not an answer to the question: go on as if none were open
    AFTER_CONSENT = "after_consent"  # consent is recorded: answer ``turn.message`` now


@dataclass(frozen=True)
class Reask:
    """Repeat the current step's question, after ``lead`` ("that option has expired", ...)."""

    lead: str = ""


@dataclass(frozen=True)
class NewReport:
    """Start a report from ``messages``; ``tapped`` is the message that chose to (a button)."""

    messages: tuple[int, ...]
    tapped: int | None = None


Outcome = Next | Reask | NewReport


@dataclass(frozen=True)
class Step:
    """One question the dialog may be waiting on: how to take the answer, how to re-ask it."""

    name: StepName
    handle: Callable[[Turn], Outcome | None]
    ask: Callable[[Turn, str], None]
    ttl: dt.timedelta = DEFAULT_STEP_TTL


def stale(turn: Turn) -> Reask:
    """Re-ask the current question: the tapped button belongs to an earlier one."""
    return Reask(turn.t("choice.stale"))
