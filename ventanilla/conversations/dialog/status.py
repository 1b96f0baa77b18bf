"""The status of a case: asked from the menu, by "estado 2026-000123", by a number anywhere in a
sentence, or by a question about "my report"; a bare "estado" lists the resident's open cases."""

from __future__ import annotations

from ventanilla.cases.models import Case
from ventanilla.cases.references import find_references
from ventanilla.cases.workflow import OPEN_STATUSES
from ventanilla.conversations.dialog.choices import ChoiceId
from ventanilla.conversations.dialog.state import StepName
from ventanilla.conversations.dialog.steps import Outcome, Step, stale
from ventanilla.conversations.dialog.turn import Turn, long_date
from ventanilla.conversations.dialog.words import (
    CASE_NOUNS,
    COMMAND_FILLER,
    STATUS_QUESTION_WORDS,
    STATUS_WORDS,
)

RECENT_CASES = 3
#: open cases listed (and offered as buttons: WhatsApp lists hold ten rows)
LISTED_CASES = 10
#: a longer message naming "estado" is about something else ("el estado de la acera ...")
STATUS_QUESTION_MAX_WORDS = 12


def asks_status(turn: Turn) -> bool:
    """Return whether the message asks how the resident's case is, without naming it.

    A status word alone ("ESTADO", "estat", "status please"), or in a short question about a
    case ("what is the status of my report?", "¿en qué estado está mi aviso?"). "El estado
    de la acera es lamentable" is a report, not a question.
    """
    words = turn.words
    if not words:
        return False
    if words[0] in STATUS_WORDS and set(words[1:]) <= COMMAND_FILLER:
        return True
    return (
        bool(STATUS_QUESTION_WORDS & set(words))
        and len(words) <= STATUS_QUESTION_MAX_WORDS
        and ("?" in turn.text or bool(CASE_NOUNS & set(words)))
    )


def answer_open_cases(turn: Turn) -> None:
    """Tell the status of the resident's one open case, or list them to pick one."""
    cases = list(
        Case.objects.filter(council=turn.council, citizen=turn.citizen, status__in=OPEN_STATUSES)
        .select_related("category")
        .order_by("-created_at", "-pk")[:LISTED_CASES]
    )
    if not cases:
        turn.say("status.none_open")
    elif len(cases) == 1:
        answer_status(turn, cases[0].reference)
    else:
        lines = [
            turn.t(
                "status.list_line",
                reference=case.reference,
                category=case.category.name_in(turn.language),
                status=turn.t(f"status.{case.status}"),
            )
            for case in cases
        ]
        choices = [ChoiceId("status", case.reference).offer(case.reference) for case in cases]
        turn.reply(turn.t("status.open_list", cases="\n".join(lines)), choices)


def ask_status(turn: Turn) -> None:
    """Ask for a reference, offering the resident's latest cases."""
    turn.state.set_step(StepName.STATUS_ASK)
    recent = Case.objects.filter(council=turn.council, citizen=turn.citizen).order_by(
        "-created_at", "-pk"
    )[:RECENT_CASES]
    choices = [ChoiceId("status", case.reference).offer(case.reference) for case in recent]
    turn.say("status.ask", choices)


def answer_status(turn: Turn, reference: str) -> None:
    """Tell the owner how their case is; anyone else hears what a missing number gets."""
    case = (
        Case.objects.filter(council=turn.council, reference=reference, citizen=turn.citizen)
        .select_related("category", "department")
        .first()
    )
    if case is None:
        turn.say("status.not_found", reference=reference)
        return
    lines = [
        turn.t(
            "status.answer",
            reference=case.reference,
            category=case.category.name_in(turn.language),
            status=turn.t(f"status.{case.status}"),
            department=case.department.name_in(turn.language),
        )
    ]
    # The history's comments are staff's internal notes: never read them to the resident.
    if case.is_open:
        lines.append(turn.t("status.expected", date=long_date(case.due_at, turn)))
    turn.reply("\n".join(lines), case=case)


def _answer(turn: Turn) -> Outcome | None:
    if turn.choice:
        return stale(turn)
    references = find_references(turn.text)
    turn.state.set_step(StepName.IDLE)
    if references:
        answer_status(turn, references[0])
    else:
        turn.say("status.bad_reference")
    return None


def _reask(turn: Turn, lead: str) -> None:
    if lead:
        turn.reply(lead)
    ask_status(turn)


STEPS = (Step(StepName.STATUS_ASK, _answer, _reask),)
