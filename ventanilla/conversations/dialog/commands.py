"""Chat commands other apps add to the dialog: the words, the handler and its texts together.

A command is found by the first word of a message once the resident has accepted the privacy
notice. Its handler gets the turn and the message's words and returns whether it answered;
if it did not (or has no handler yet) and the message names a reference number, the resident
hears that the option is coming soon; otherwise the message goes on through the dialog.
The command's default texts become editable bot texts like the dialog's own. Add commands
in ``ventanilla.wiring.connect``::

    commands.add(Command(words=("apoyo", "suport"), handle=handle_support, texts={...}))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ventanilla.conversations.bot_templates import Default, add_defaults
from ventanilla.conversations.dialog.turn import Turn
from ventanilla.conversations.language import fold

CommandHandler = Callable[[Turn, list[str]], bool]


@dataclass(frozen=True, eq=False)
class Command:
    """A first word (in each language) and what answers it."""

    words: tuple[str, ...]
    #: None: announced, not available yet ("word + reference" is answered "coming soon")
    handle: CommandHandler | None = None
    #: default bot texts the handler says, by template key
    texts: Mapping[str, Default] = field(default_factory=dict)


_by_word: dict[str, Command] = {}


def add(command: Command) -> None:
    """Make ``command`` answer its words (idempotent) and seed its texts."""
    add_defaults(command.texts)
    for word in command.words:
        _by_word[fold(word)] = command


def remove(command: Command) -> None:
    for word in command.words:
        if _by_word.get(fold(word)) is command:
            del _by_word[fold(word)]


def find(word: str) -> Command | None:
    """Return the command a message starting with ``word`` (folded) is, if any."""
    return _by_word.get(word)


def registered() -> list[Command]:
    """Return the commands added, each once, in the order they were added."""
    return list({id(c): c for c in _by_word.values()}.values())
