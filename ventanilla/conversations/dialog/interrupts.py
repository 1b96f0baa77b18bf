"""What a resident may say at any step, which interrupts the question being asked.

Before the privacy notice is accepted: opt-out, opt-in, language, help. After it: the menu,
status, cancel, a person, and the commands other apps add (``commands``). Each function
returns what the engine should do next, or None when the message is not one of these.
"""

from __future__ import annotations

from ventanilla.cases.references import find_references
from ventanilla.citizens import services as citizen_services
from ventanilla.conversations.dialog import commands
from ventanilla.conversations.dialog.choices import ChoiceId
from ventanilla.conversations.dialog.consent import show_notice
from ventanilla.conversations.dialog.handoff import talk_to_person
from ventanilla.conversations.dialog.menu import ask_language, show_menu
from ventanilla.conversations.dialog.report import start_report
from ventanilla.conversations.dialog.state import CANCELLABLE_STEPS, ReportMode, StepName
from ventanilla.conversations.dialog.status import (
    answer_open_cases,
    answer_status,
    ask_status,
    asks_status,
)
from ventanilla.conversations.dialog.steps import Next, Outcome, Reask, stale
from ventanilla.conversations.dialog.turn import Turn, has_consent, languages
from ventanilla.conversations.dialog.words import (
    CANCEL,
    COMMAND_FILLER,
    COMMAND_MAX_WORDS,
    HELP,
    MENU,
    OPT_IN,
    OPT_OUT,
    PERSON,
    PERSON_FILLER,
    STATUS_WORDS,
)
from ventanilla.conversations.language import language_command

LANGUAGE_MENU = ChoiceId("menu", "language")


def anytime(turn: Turn) -> Outcome | None:
    """Handle what works before and after the notice: opt-out/in, language, help."""
    words = turn.words
    first = words[0] if words else ""
    bare = bool(words) and not turn.choice and set(words[1:]) <= COMMAND_FILLER
    if bare and first in OPT_OUT and not (first in CANCEL and turn.step in CANCELLABLE_STEPS):
        citizen_services.set_opt_out(citizen=turn.citizen, opted_out=True)
        turn.state.clear_flow()
        turn.state.survey = None
        turn.say("optout.done")
        return Next.DONE
    if bare and first in OPT_IN:
        citizen_services.set_opt_out(citizen=turn.citizen, opted_out=False)
        turn.say("optin.done")
        return Next.DONE
    language = language_command(turn.text, languages(turn))
    if turn.choice is not None and turn.choice.kind == "lang":
        language = turn.choice.rest if turn.choice.rest in languages(turn) else None
        if language is None:
            return stale(turn)
    if language:
        turn.set_language(language)
        if not has_consent(turn):
            turn.say("language.changed")
            show_notice(turn)
            return Next.DONE
        return Reask(turn.t("language.changed"))
    if turn.choice == LANGUAGE_MENU:
        ask_language(turn)
        return Next.DONE
    if turn.folded in HELP or (first in HELP and len(words) <= 2 and not turn.choice):
        turn.say("help")
        return Next.DONE
    return None


def after_consent(turn: Turn) -> Outcome | None:
    """Handle commands that need the notice accepted: menu, status, person, cancel, others."""
    words = turn.words
    first = words[0] if words else ""
    choice = turn.choice
    if choice is not None and choice.kind == "menu":
        _menu_choice(turn, choice.rest)
        return Next.DONE
    if choice is not None and choice.kind == "status":
        answer_status(turn, choice.rest)
        turn.state.set_step(StepName.IDLE)
        return Next.DONE
    if choice:
        return None
    if turn.folded in MENU:
        show_menu(turn)
        return Next.DONE
    references = find_references(turn.text)
    if first in STATUS_WORDS and references:
        answer_status(turn, references[0])
        turn.state.set_step(StepName.IDLE)
        return Next.DONE
    if asks_status(turn):
        # "ESTADO" alone, or "what is the status of my report?": never a new message to a case
        if references:
            answer_status(turn, references[0])
        else:
            answer_open_cases(turn)
        turn.state.set_step(StepName.IDLE)
        return Next.DONE
    phrased = commands.find_in(words)  # "anular cita", "necesito un volante de empadronamiento"
    if phrased is not None and phrased.handle is not None and phrased.handle(turn, words):
        return Next.DONE
    if first in CANCEL and len(words) <= COMMAND_MAX_WORDS and turn.step in CANCELLABLE_STEPS:
        turn.state.clear_flow()
        show_menu(turn, lead=turn.t("report.cancelled"))
        return Next.DONE
    if PERSON & set(words) and set(words) <= PERSON | PERSON_FILLER:
        talk_to_person(turn)
        return Next.DONE
    command = commands.find(first) if first else None
    if command is not None:
        if command.handle is not None and command.handle(turn, words):
            return Next.DONE
        if references:
            turn.say("command.soon")
            return Next.DONE
    return None


def _menu_choice(turn: Turn, option: str) -> None:
    turn.state.clear_flow()
    command = commands.for_menu(option)
    if command is not None and command.handle is not None and command.handle(turn, []):
        return
    if option == "report":
        start_report(turn, [turn.message.pk], mode=ReportMode.MENU, absorb=False)
    elif option == "status":
        ask_status(turn)
    elif option == "certificate":
        turn.say("certificate.soon")
    elif option == "alerts":
        turn.say("alerts.soon")
    elif option == "person":
        talk_to_person(turn)
    else:
        show_menu(turn)
