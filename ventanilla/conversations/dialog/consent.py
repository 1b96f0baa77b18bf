"""The privacy notice and consent, before anything personal is processed.

The notice is shown on first contact, and again whenever the council publishes a new
version. Tapping "Acepto", or writing anything after the notice other than a refusal, a
language change, BAJA or AYUDA, records consent with its time and the notice's version. A
first message that already says something (an incident, a question) is kept and answered
once the resident continues, so nobody has to repeat themselves.
"""

from __future__ import annotations

import re

from django.conf import settings

from ventanilla.citizens import services as citizen_services
from ventanilla.conversations.bot_templates import TemplateBook
from ventanilla.conversations.dialog.choices import ChoiceId
from ventanilla.conversations.dialog.menu import show_menu
from ventanilla.conversations.dialog.state import StepName
from ventanilla.conversations.dialog.steps import Next, Outcome
from ventanilla.conversations.dialog.turn import Turn, join, languages
from ventanilla.conversations.dialog.words import ACCEPT, DECLINE, GREETING_WORDS, THANKS
from ventanilla.conversations.language import choose_first_language, language_command
from ventanilla.core.models import Council

YES = ChoiceId("consent", "yes")
NO = ChoiceId("consent", "no")


def gate(turn: Turn) -> Outcome:
    """Show the notice, or take the answer to it; ``AFTER_CONSENT`` to answer the message."""
    if turn.step is not StepName.NOTICE:
        first_contact = turn.step is not StepName.DECLINED and not turn.state.pending
        if first_contact:
            language = choose_first_language(
                text=turn.text, current=turn.citizen.language, allowed=languages(turn)
            )
            turn.set_language(language)
        turn.state.clear_flow()
        if says_something(turn):
            turn.state.pending = [turn.message.pk]
        show_notice(turn)
        return Next.DONE
    if turn.choice == NO or (not turn.choice and turn.folded in DECLINE):
        turn.state.clear_flow()
        turn.state.set_step(StepName.DECLINED)
        turn.say("privacy.declined")
        return Next.DONE
    citizen_services.record_consent(
        citizen=turn.citizen, version=turn.council.privacy_notice_version
    )
    pending = [pk for pk in turn.state.pending if pk != turn.message.pk]
    turn.state.pending = []
    turn.state.set_step(StepName.IDLE)
    accepted = turn.choice == YES or (not turn.choice and turn.folded in ACCEPT)
    if not accepted:
        if turn.choice:
            show_menu(turn)
            return Next.DONE
        turn.prior = pending
        return Next.AFTER_CONSENT
    waiting = sorted(turn.messages(pending), key=lambda message: message.pk)
    if not waiting:
        show_menu(turn)
        return Next.DONE
    # Answer the message that came before the notice as if it had just arrived.
    turn.prior = [m.pk for m in waiting[:-1]]
    turn.message = waiting[-1]
    turn.choice = None
    return Next.AFTER_CONSENT


#: where the portal shows the full notice (the SMS wording links to it instead of carrying it)
NOTICE_PATH = "/privacy/"


def notice_url(council: Council) -> str:
    """Return the address of the council's full privacy notice on its public portal."""
    base = f"https://{council.domain}" if council.domain else settings.PUBLIC_URL
    return base.rstrip("/") + NOTICE_PATH


def notice_text(book: TemplateBook) -> str:
    """Return the council's privacy notice in ``book``'s language (its SMS wording on SMS)."""
    council = book.council
    policy_url = council.privacy_policy_url or settings.PRIVACY_POLICY_URL
    notice = book.text(
        "privacy.notice",
        controller=council.data_controller or council.name,
        retention_months=council.retention_months,
        policy_line=book.text("privacy.policy_line", url=policy_url) if policy_url else "",
        notice_url=notice_url(council),
    )
    return re.sub(r"\n{2,}", "\n", notice)


def show_notice(turn: Turn) -> None:
    council = turn.council
    parts = []
    if turn.citizen.consent_at is not None:
        parts.append(turn.t("privacy.updated"))
    else:
        parts.append(turn.t("greeting", council=council.name))
    parts.append(notice_text(turn.book))
    turn.state.set_step(StepName.NOTICE)
    choices = [YES.offer(turn.t("label.accept")), NO.offer(turn.t("label.decline"))]
    turn.state.remember_prompt("privacy.notice")
    turn.reply(join(*parts), choices)


def says_something(turn: Turn) -> bool:
    """Return whether the message holds more than a greeting (worth answering later)."""
    if turn.has_media or turn.choice:
        return bool(turn.has_media)
    words = turn.words
    if not words or language_command(turn.text):
        return False
    return not set(words) <= GREETING_WORDS and turn.folded not in THANKS
