"""The main menu and the language menu: where every flow ends or falls back to."""

from __future__ import annotations

from ventanilla.conversations.dialog.choices import ChoiceId
from ventanilla.conversations.dialog.turn import Turn, join, languages
from ventanilla.conversations.dialog.words import LANGUAGE_AUTONYMS

MENU_OPTIONS = ("report", "status", "certificate", "alerts", "person")


def show_menu(turn: Turn, lead: str = "") -> None:
    """Drop any open question (and a wait for a person) and offer the menu after ``lead``."""
    turn.state.clear_flow()
    turn.state.handoff_since = None
    choices = [ChoiceId("menu", option).offer(turn.t(f"menu.{option}")) for option in MENU_OPTIONS]
    if len(languages(turn)) > 1:
        choices.append(ChoiceId("menu", "language").offer(turn.t("menu.language")))
    turn.state.remember_prompt("menu.prompt")
    turn.reply(join(lead, turn.t("menu.prompt")), choices)


def ask_language(turn: Turn) -> None:
    choices = [ChoiceId("lang", code).offer(LANGUAGE_AUTONYMS[code]) for code in languages(turn)]
    turn.say("language.choose", choices)
