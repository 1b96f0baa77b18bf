"""The dialog with residents: a small, explicit state machine kept in ``Conversation.state``.

One inbound message is one *turn* (``turn.Turn``). The steps a resident may be in and how
each is answered and re-asked are one table, ``engine.STEPS``; the state is typed
(``state.DialogState``); each flow (``report``, ``attach``, ``status``, ``survey``,
``consent``, ``handoff``, ``reopen``) is a module of its own that never imports another;
commands that interrupt any step are in ``interrupts``, and other apps add theirs through
``commands``.

The entry points below are what the rest of the project calls: ``tasks`` answers messages
with ``process_pending``, ``notifications`` asks with ``offer_survey``, and staff hand a
conversation back to the bot with ``release_handoff``. All of them run in a transaction that
holds the conversation's row lock, so a resident's messages are answered one at a time and
in order, by any worker, and the dialog survives restarts.
"""

from __future__ import annotations

import structlog
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ventanilla.cases.models import Case
from ventanilla.conversations import public_posts, publicity
from ventanilla.conversations.bot_templates import TemplateBook
from ventanilla.conversations.dialog import survey
from ventanilla.conversations.dialog.engine import current_step, run_turn
from ventanilla.conversations.dialog.state import DialogState, StepName
from ventanilla.conversations.models import Conversation, Direction, Message
from ventanilla.conversations.reactions import HandoffRequested, handoff_requested
from ventanilla.conversations.services import queue_outbound

__all__ = ["handle", "offer_survey", "process_pending", "release_handoff"]

log = structlog.get_logger(__name__)


def process_pending(
    *, conversation: Conversation, message_id: int | None = None, stored: Message | None = None
) -> int:
    """Answer, in order, the conversation's inbound messages not answered yet; return how many.

    The caller holds the conversation's row lock inside a transaction. A conversation the
    dialog has never seen answers only ``message_id``, never its older history: ``stored``,
    when the caller has that message at hand with its attachments (a batch just stored it),
    is answered without reading it again.
    """
    state = DialogState.load(conversation.state)
    handled = set(state.handled)
    first_contact = state.handled_through is None
    if (
        first_contact
        and stored is not None
        and stored.pk == message_id
        and stored.conversation_id == conversation.pk
        and stored.direction == Direction.IN
    ):
        candidates = [stored]
    else:
        inbound = Message.objects.filter(conversation=conversation, direction=Direction.IN)
        if first_contact:
            inbound = inbound.filter(pk=message_id or 0)
        else:
            inbound = inbound.filter(Q(pk__gt=state.handled_through) | Q(pk=message_id or 0))
        candidates = list(inbound.prefetch_related("attachments").order_by("pk"))
    messages = [m for m in candidates if m.pk not in handled]
    for message in messages:
        handle(conversation=conversation, message=message)
    return len(messages)


def handle(*, conversation: Conversation, message: Message) -> None:
    """Answer one inbound message and save the dialog's state."""
    before = conversation.state
    try:
        with transaction.atomic():
            if publicity.is_public(publicity.post_of(message)):
                public_posts.answer(conversation=conversation, message=message)
            else:
                run_turn(conversation, message)
    except Exception:
        log.exception("dialog_turn_failed", message=message.pk, conversation=conversation.pk)
        conversation.state = before
        conversation.citizen.refresh_from_db()
        try:
            with transaction.atomic():
                book = TemplateBook.for_conversation(conversation)
                queue_outbound(conversation=conversation, text=book.text("error"), automatic=True)
        except Exception:
            log.exception("dialog_apology_failed", message=message.pk)
    state = DialogState.load(conversation.state)
    state.mark_handled(message.pk)
    conversation.state = state.dump()
    _save_state(conversation)


def release_handoff(*, conversation: Conversation) -> None:
    """Let the bot answer the resident again (staff call it when they are done)."""
    with transaction.atomic():
        locked = Conversation.objects.select_for_update(of=("self",)).get(pk=conversation.pk)
        state = DialogState.load(locked.state)
        if state.handoff_since is not None:
            state.handoff_since = None
            locked.state = state.dump()
            _save_state(locked)
            conversation.state = locked.state


def offer_survey(*, conversation: Conversation, case: Case) -> Message:
    """Ask the resident to rate how ``case`` was handled (1 to 5) and remember the question."""
    locked = Conversation.objects.select_for_update(of=("self",)).get(pk=conversation.pk)
    state = DialogState.load(locked.state)
    book = TemplateBook.for_conversation(locked)
    message = queue_outbound(
        conversation=locked,
        text=book.text("survey.question", reference=case.reference),
        choices=survey.score_choices(case.pk),
        case=case,
        automatic=True,
    )
    # The open question wins: the survey is asked last, so it replaces a status question
    # left open (nothing gathered there); a report or attach question keeps what it gathered.
    open_question = current_step(state) in (
        StepName.IDLE,
        StepName.STATUS_ASK,
        StepName.SURVEY_SCORE,
        StepName.SURVEY_COMMENT,
    )
    survey.remember_question(state, case, ask_now=open_question)
    locked.state = state.dump()
    _save_state(locked)
    conversation.state = locked.state
    return message


def _save_state(conversation: Conversation) -> None:
    """Write the dialog's memory (the dialog is the only writer of ``Conversation.state``).

    ``handoff_at`` mirrors the hand-off in the state, so the inbox can list and sort the
    residents waiting for a person with an index instead of reading every state.
    """
    handoff = DialogState.load(conversation.state).handoff_since
    Conversation.objects.filter(pk=conversation.pk).update(
        state=conversation.state, handoff_at=handoff, updated_at=timezone.now()
    )
    asked_now = handoff is not None and conversation.handoff_at is None
    conversation.handoff_at = handoff
    if asked_now:
        handoff_requested.run(HandoffRequested(conversation=conversation))
