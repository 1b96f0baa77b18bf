"""Attach, don't duplicate: a message about an open case joins it instead of opening another."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone

from ventanilla.cases.models import Case
from ventanilla.cases.references import find_references
from ventanilla.cases.workflow import OPEN_STATUSES, Status
from ventanilla.conversations import classify
from ventanilla.conversations.dialog.choices import ChoiceId
from ventanilla.conversations.dialog.menu import show_menu
from ventanilla.conversations.dialog.state import StepName
from ventanilla.conversations.dialog.steps import NewReport, Outcome, Step, stale
from ventanilla.conversations.dialog.turn import BURST, Turn, citizen_case
from ventanilla.conversations.dialog.words import NEW_WORDS
from ventanilla.conversations.models import Direction, Message
from ventanilla.conversations.services import attach_messages_to_case

#: a message right after one of ours about a case is a reply to it
REPLY_WINDOW = dt.timedelta(hours=24)
NEW = ChoiceId("attach", "new")


def case_to_follow_up(turn: Turn) -> tuple[Case | None, bool]:
    """Return the resident's open case this message may belong to, and whether it clearly does.

    Clearly: it came in the case's thread (an e-mail reply), it names the case, or brings
    only a photo or a place, or it is about the same kind of thing; or, saying nothing of
    another kind of thing, the case waits for the resident or the message answers our last
    one about the case.
    """
    since = timezone.now() - dt.timedelta(days=settings.ATTACH_WINDOW_DAYS)
    cases = list(
        Case.objects.filter(
            council=turn.council,
            citizen=turn.citizen,
            status__in=OPEN_STATUSES,
            created_at__gte=since,
        )
        .select_related("category")
        .order_by("-created_at", "-pk")[:10]
    )
    if not cases:
        return None, False
    for case in cases:
        if case.pk == turn.message.case_id:  # an e-mail reply in the case's thread
            return case, True
    text = " ".join(m.text for m in turn.messages([*turn.prior, turn.message.pk]) if m.text)
    named = set(find_references(text))
    for case in cases:
        if case.reference in named:
            return case, True
    case = cases[0]
    if not text.strip():
        return case, True
    candidates = classify.suggest_categories(council=turn.council, text=text, limit=1)
    if candidates:
        return case, candidates[0].category.pk == case.category_id
    if case.status == Status.WAITING_RESIDENT:
        return case, True
    last_out = (
        Message.objects.filter(
            conversation=turn.conversation, direction=Direction.OUT, pk__lt=turn.message.pk
        )
        .order_by("-pk")
        .first()
    )
    if (
        last_out is not None
        and last_out.case_id == case.pk
        and timezone.now() - last_out.created_at < REPLY_WINDOW
    ):
        return case, True
    return case, False


def attach(turn: Turn, case: Case, ids: Sequence[int]) -> None:
    """Add the messages ``ids`` to ``case`` and say so (once for a burst)."""
    attach_messages_to_case(case=case, messages=ids)
    turn.state.clear_flow()
    key = f"attach.added:{case.pk}"
    if turn.state.said_lately(key, BURST):
        return
    turn.reply(turn.t("attach.added", reference=case.reference), case=case)
    turn.state.remember_prompt(key)


def ask_attach(turn: Turn, case: Case, ids: Sequence[int]) -> None:
    """Ask whether the messages ``ids`` are about ``case`` or about something new."""
    turn.state.pending = list(ids)
    turn.state.attach_case = case.pk
    turn.state.set_step(StepName.ATTACH_ASK)
    _ask(turn, case)


def _ask(turn: Turn, case: Case) -> None:
    choices = [
        ChoiceId("attach", str(case.pk)).offer(
            turn.t("label.attach_existing", reference=case.reference)
        ),
        NEW.offer(turn.t("label.attach_new")),
    ]
    turn.say(
        "attach.ask",
        choices,
        reference=case.reference,
        category=case.category.name_in(turn.language),
    )


def _answer(turn: Turn) -> Outcome | None:
    case = citizen_case(turn, turn.state.attach_case)
    pending = list(turn.state.pending)
    if case is None or not pending:
        turn.state.clear_flow()
        show_menu(turn)
        return None
    ids = [*pending, turn.message.pk]
    words = set(turn.words)
    if turn.choice == ChoiceId("attach", str(case.pk)) or (
        not turn.choice and case.reference in find_references(turn.text)
    ):
        attach(turn, case, ids)
    elif turn.choice == NEW or (not turn.choice and words & NEW_WORDS):
        turn.state.clear_flow()
        return NewReport(tuple(pending), tapped=turn.message.pk if turn.choice else None)
    elif turn.choice:
        return stale(turn)
    else:
        turn.state.pending = ids  # more words before an answer: keep them, ask again
        _ask(turn, case)
    return None


def _reask(turn: Turn, lead: str) -> None:
    case = citizen_case(turn, turn.state.attach_case)
    if case is None:
        show_menu(turn, lead=lead)
        return
    if lead:
        turn.reply(lead)
    _ask(turn, case)


STEPS = (Step(StepName.ATTACH_ASK, _answer, _reask),)
