"""The course of one turn, and ``STEPS``: the one table of the dialog's steps.

Order of a turn: what works at any moment (opt-out, opt-in, language, help) → the privacy
notice until the resident has accepted it → the other commands (menu, status, person,
cancel, commands other apps add) → a tapped satisfaction score → the current step's handler.
A handler answers, or returns what should happen instead (``steps.Outcome``); the engine
does it, so that the flows never call one another.
"""

from __future__ import annotations

from ventanilla.cases.references import find_references
from ventanilla.conversations.bot_templates import TemplateBook
from ventanilla.conversations.dialog import (
    attach,
    commands,
    consent,
    interrupts,
    reopen,
    report,
    status,
    survey,
)
from ventanilla.conversations.dialog.choices import ChoiceId
from ventanilla.conversations.dialog.handoff import waiting_for_person
from ventanilla.conversations.dialog.menu import show_menu
from ventanilla.conversations.dialog.state import DialogState, ReportMode, StepName
from ventanilla.conversations.dialog.steps import NewReport, Next, Outcome, Reask, Step, stale
from ventanilla.conversations.dialog.turn import Turn, follow_language, has_consent
from ventanilla.conversations.dialog.words import THANKS
from ventanilla.conversations.language import fold
from ventanilla.conversations.models import Conversation, Message


def run_turn(conversation: Conversation, message: Message) -> None:
    """Answer ``message`` and leave the new state in ``conversation.state`` (not saved)."""
    state = DialogState.load(conversation.state)
    turn = Turn(
        conversation=conversation,
        message=message,
        state=state,
        book=TemplateBook.for_conversation(conversation),
        reply_token=str(message.payload.get("reply_token") or ""),
    )
    if message.payload.get("edited"):
        return  # an edit of an earlier message: staff see it, the bot does not answer twice
    expire(state)
    turn.choice = _resolve_choice(message, state)
    outcome = interrupts.anytime(turn)
    if outcome is None:
        outcome = Next.AFTER_CONSENT if has_consent(turn) else consent.gate(turn)
    _follow(turn, outcome)
    if turn.replied:
        state.choices = turn.offered or []
    conversation.state = state.dump()


def expire(state: DialogState) -> None:
    """Drop an unfinished step left long ago, and a satisfaction question nobody answered."""
    if state.step_expired(STEPS[state.step].ttl):
        state.clear_flow()
    survey.forget_unanswered(state)


def current_step(state: DialogState) -> StepName:
    """Return the step the resident is in, ``idle`` when theirs has expired."""
    return StepName.IDLE if state.step_expired(STEPS[state.step].ttl) else state.step


def _follow(turn: Turn, outcome: Outcome | None) -> None:
    while outcome is not None and outcome is not Next.DONE:
        if outcome is Next.AFTER_CONSENT:
            outcome = _after_consent(turn)
        elif outcome is Next.AS_IF_IDLE:
            outcome = _idle(turn)
        elif isinstance(outcome, Reask):
            STEPS[turn.step].ask(turn, outcome.lead)
            return
        elif isinstance(outcome, NewReport):
            draft = report.start_report(turn, outcome.messages, mode=ReportMode.FREE)
            if outcome.tapped is not None:
                draft.messages.append(outcome.tapped)
            return


def _after_consent(turn: Turn) -> Outcome | None:
    outcome = interrupts.after_consent(turn)
    if outcome is not None:
        return outcome
    if turn.choice is not None and turn.choice.kind == "survey":
        return survey.answer_choice(turn)
    return STEPS[turn.step].handle(turn)


def _resolve_choice(message: Message, state: DialogState) -> ChoiceId | None:
    """Return the choice the resident picked: tapped, or typed as a number or a label."""
    tapped = ChoiceId.parse(str(message.payload.get("choice") or ""))
    if tapped is not None:
        return tapped
    offered = state.choices
    typed = fold(message.text or "").strip(" .)")
    if not typed or not offered:
        return None
    if typed.isdigit() and 1 <= int(typed) <= len(offered):
        return ChoiceId.parse(offered[int(typed) - 1].id)
    for item in offered:
        if fold(item.label).strip(" .…") == typed:
            return ChoiceId.parse(item.id)
    return None


# -- no question open -------------------------------------------------------------------


def _idle(turn: Turn) -> Outcome | None:
    if turn.choice:
        return stale(turn)
    if waiting_for_person(turn):
        return None  # a person is on it: the message waits for them in the inbox
    references = find_references(turn.text)
    threaded = turn.message.case_id is not None  # an e-mail reply in its case's thread
    if references and not turn.prior and not turn.has_media and not threaded:
        # A number anywhere in a sentence asks for that case's status ("¿Cómo va lo de la
        # farola? 2026-000007"), unless it says that the resolved case is still not fixed.
        finished = reopen.case_to_reopen(turn, [turn.message.pk])
        if finished is not None and finished.reference in references:
            reopen.offer_reopen(turn, finished, [turn.message.pk])
        else:
            status.answer_status(turn, references[0])
        return None
    if not turn.has_media and not turn.prior:
        if turn.folded in THANKS:
            turn.say("thanks.reply")
            return None
        if not consent.says_something(turn):
            show_menu(turn)
            return None
    follow_language(turn)
    return _free_text(turn)


def _free_text(turn: Turn) -> Outcome | None:
    """Add the message to the resident's open case it is about, or begin a report."""
    ids = [*turn.prior, turn.message.pk]
    case, clear = attach.case_to_follow_up(turn)
    finished = None if clear else reopen.case_to_reopen(turn, ids)
    if case is not None and clear:
        attach.attach(turn, case, ids)
    elif finished is not None:
        reopen.offer_reopen(turn, finished, ids)  # "la farola sigue apagada" after resolution
    elif case is not None:
        attach.ask_attach(turn, case, ids)
    else:
        report.start_report(turn, ids, mode=ReportMode.FREE)
    return None


def _menu_again(turn: Turn, lead: str) -> None:
    show_menu(turn, lead=lead)


STEPS: dict[StepName, Step] = {
    step.name: step
    for step in (
        Step(StepName.IDLE, _idle, _menu_again),
        Step(StepName.NOTICE, _idle, _menu_again),
        Step(StepName.DECLINED, _idle, _menu_again),
        *report.STEPS,
        *attach.STEPS,
        *reopen.STEPS,
        *status.STEPS,
        *survey.STEPS,
        commands.STEP,
    )
}
