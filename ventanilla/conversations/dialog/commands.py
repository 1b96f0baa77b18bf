"""Chat commands other apps add to the dialog: the words, the handler and its texts together.

A command is found by the first word of a message once the resident has accepted the privacy
notice. Its handler gets the turn and the message's words and returns whether it answered;
if it did not (or has no handler yet) and the message names a reference number, the resident
hears that the option is coming soon; otherwise the message goes on through the dialog.
The command's default texts become editable bot texts like the dialog's own. Add commands
in ``ventanilla.wiring.connect``::

    commands.add(Command(words=("apoyo", "suport"), handle=handle_support, texts={...}))

A command may ask follow-up questions (a DNI, then a date, then a code): its handler (or
its ``follow``) calls ``await_reply(turn, command, step, data)``; the resident's next
message then goes to ``command.follow(turn, waiting)`` instead of the dialog's own steps
(the menu, CANCELAR, a person and the other interruptions still work first). ``follow``
returns whether the message answered; a step it does not renew ends. ``menu`` names the
main-menu option the command answers (``"certificate"``).

A command may also name ``phrases`` ("volante de empadronamiento", "anular cita"): a short
message (``PHRASE_MAX_WORDS`` words at most) holding one of them anywhere answers the
command, so "necesito un volante de empadronamiento" is not filed as an incident. A phrase
names the procedure unmistakably (never a lone word such as "volante", a steering wheel
too); the longest phrase found wins, so "anular cita" beats "cita".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ventanilla.conversations.bot_templates import Default, add_defaults
from ventanilla.conversations.classify import words as split_words
from ventanilla.conversations.dialog.state import CommandStep, StepName
from ventanilla.conversations.dialog.steps import Next, Outcome, Step, stale
from ventanilla.conversations.dialog.turn import Turn
from ventanilla.conversations.language import fold

CommandHandler = Callable[[Turn, list[str]], bool]
#: answer the message a command waited for; return whether it was an answer
FollowUp = Callable[[Turn, CommandStep], bool]
#: ask the waiting question again, after a lead ("that option has expired", ...)
AskAgain = Callable[[Turn, CommandStep, str], None]
#: an unanswered follow-up question is dropped after this long
FOLLOW_UP_TTL = dt.timedelta(minutes=30)
#: a message longer than this is never taken for a command by a phrase inside it
PHRASE_MAX_WORDS = 8


@dataclass(frozen=True, eq=False)
class Command:
    """A first word (in each language) and what answers it."""

    words: tuple[str, ...]
    #: None: announced, not available yet ("word + reference" is answered "coming soon")
    handle: CommandHandler | None = None
    #: default bot texts the handler says, by template key
    texts: Mapping[str, Default] = field(default_factory=dict)
    #: a stable name, needed by a command that waits for answers (stored in the state)
    name: str = ""
    #: answers the messages the command waits for (see ``await_reply``)
    follow: FollowUp | None = None
    #: asks the waiting question again
    ask: AskAgain | None = None
    #: the main-menu option the command answers ("certificate"), if any
    menu: str = ""
    #: phrases that answer the command anywhere in a short message ("pedir cita")
    phrases: tuple[str, ...] = ()


_by_word: dict[str, Command] = {}
_by_name: dict[str, Command] = {}
_by_menu: dict[str, Command] = {}
_by_phrase: dict[tuple[str, ...], Command] = {}


def add(command: Command) -> None:
    """Make ``command`` answer its words (idempotent) and seed its texts."""
    add_defaults(command.texts)
    for word in command.words:
        _by_word[fold(word)] = command
    if command.name:
        _by_name[command.name] = command
    if command.menu:
        _by_menu[command.menu] = command
    for phrase in command.phrases:
        _by_phrase[tuple(split_words(phrase))] = command


def remove(command: Command) -> None:
    for word in command.words:
        if _by_word.get(fold(word)) is command:
            del _by_word[fold(word)]
    if _by_name.get(command.name) is command:
        del _by_name[command.name]
    if _by_menu.get(command.menu) is command:
        del _by_menu[command.menu]
    for phrase in command.phrases:
        if _by_phrase.get(key := tuple(split_words(phrase))) is command:
            del _by_phrase[key]


def find(word: str) -> Command | None:
    """Return the command a message starting with ``word`` (folded) is, if any."""
    return _by_word.get(word)


def find_in(words: list[str]) -> Command | None:
    """Return the command one of whose phrases a short message of ``words`` holds, if any."""
    if not words or len(words) > PHRASE_MAX_WORDS:
        return None
    found: tuple[int, Command] | None = None
    for phrase, command in _by_phrase.items():
        size = len(phrase)
        if found is not None and size <= found[0]:
            continue
        if any(tuple(words[i : i + size]) == phrase for i in range(len(words) - size + 1)):
            found = (size, command)
    return found[1] if found is not None else None


def registered() -> list[Command]:
    """Return the commands added, each once, in the order they were added."""
    both = [*_by_word.values(), *_by_phrase.values()]
    return list({id(c): c for c in both}.values())


def for_menu(option: str) -> Command | None:
    """Return the command that answers the main-menu ``option``, if one was added."""
    return _by_menu.get(option)


# -- follow-up questions -------------------------------------------------------------------


def await_reply(
    turn: Turn, command: Command, step: str, data: Mapping[str, Any] | None = None
) -> None:
    """Send the resident's next message to ``command.follow``, at ``step`` with ``data``."""
    if not command.name or command.follow is None:
        raise ValueError("a command that waits for answers needs a name and a follow")
    turn.state.clear_flow()
    turn.state.command = CommandStep(command.name, step, dict(data or {}))
    turn.state.set_step(StepName.COMMAND)


def _follow_up(turn: Turn) -> Outcome | None:
    waiting = turn.state.command
    command = _by_name.get(waiting.name) if waiting is not None else None
    if turn.choice is not None and str(turn.choice) not in {c.id for c in turn.state.choices}:
        return stale(turn)  # a button of an earlier question
    turn.state.clear_flow()  # the follow renews the step if it asks again
    if waiting is None or command is None or command.follow is None:
        return Next.AS_IF_IDLE
    return None if command.follow(turn, waiting) else Next.AS_IF_IDLE


def _ask_again(turn: Turn, lead: str) -> None:
    waiting = turn.state.command
    command = _by_name.get(waiting.name) if waiting is not None else None
    if waiting is not None and command is not None and command.ask is not None:
        command.ask(turn, waiting, lead)
    elif lead:
        turn.reply(lead)


#: the step of the engine's table in which a command waits for its answer
STEP = Step(StepName.COMMAND, _follow_up, _ask_again, ttl=FOLLOW_UP_TTL)
