"""The status of a case: asked from the menu, by "estado 2026-000123", or by the number alone."""

from __future__ import annotations

from ventanilla.cases.models import Case
from ventanilla.cases.references import find_references
from ventanilla.conversations.dialog.choices import ChoiceId
from ventanilla.conversations.dialog.state import StepName
from ventanilla.conversations.dialog.steps import Outcome, Step, stale
from ventanilla.conversations.dialog.turn import Turn, long_date

RECENT_CASES = 3


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
