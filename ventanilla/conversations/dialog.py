"""The dialog with residents: a small, explicit state machine kept in ``Conversation.state``.

One inbound message is one *turn*. A turn reads the state, may call services (open a case,
record consent, attach messages, ...), queues its replies with ``queue_outbound`` and writes
the state back, all in the transaction of ``tasks.handle_message`` that holds the
conversation's row lock, so a resident's messages are answered one at a time and in order,
by any worker, and the dialog survives restarts.

Order of a turn: commands that work at any moment (opt-out, opt-in, language, help) → the
privacy notice until the resident has accepted it → other commands (menu, status, person,
cancel, commands other apps register) → the current step.

Consent (a judgement call, told to the resident in the notice itself): the notice is shown
on first contact, and again whenever the council publishes a new version. Tapping "Acepto",
or writing anything after the notice other than a refusal, a language change, BAJA or AYUDA,
records consent with its time and the notice's version. A first message that already says
something (an incident, a question) is kept and answered once the resident continues, so
nobody has to repeat themselves.

State keys:

``step``           where the resident is (``STEPS``); ``idle`` when absent.
``step_at``        when that step began; an unfinished step expires after ``STEP_TTL``.
``choices``        the last choices offered (``[{"id", "label"}]``): "2" typed on SMS is the
                   second one.
``report``         the report being prepared: ``mode`` ("menu" asks for photos and place;
                   "free" asks only what is missing), ``messages`` (ids to link to the case),
                   ``description`` (texts), ``photos``, ``latitude``, ``longitude``,
                   ``address``, ``suggested`` (category id offered for a yes).
``pending``        ids of messages waiting for an answer (before the notice; in "attach.ask").
``attach_case``    the open case asked about in "attach.ask".
``survey``         ``{"case", "reference", "score", "at"}``: a satisfaction question asked.
``handoff``        ``{"since"}``: the resident asked for a person; the bot stays quiet on plain
                   text until the resident uses the menu or staff call ``release_handoff``.
``handled``        the last handled message ids; ``handled_through`` the highest one.
``last_prompt``    ``{"key", "at"}`` of the last text sent, to acknowledge a burst once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from babel.dates import format_date
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ventanilla.cases import deadlines
from ventanilla.cases.models import Case, CaseEvent, Category
from ventanilla.cases.references import format_reference
from ventanilla.cases.services import CaseError, open_case, record_satisfaction
from ventanilla.cases.workflow import OPEN_STATUSES, Status
from ventanilla.channels.adapters.base import Choice
from ventanilla.citizens import services as citizen_services
from ventanilla.citizens.models import Citizen
from ventanilla.conversations import classify
from ventanilla.conversations.bot_templates import TemplateBook
from ventanilla.conversations.language import (
    choose_first_language,
    detect,
    fold,
    language_command,
    supported,
)
from ventanilla.conversations.models import Conversation, Direction, Message
from ventanilla.conversations.services import attach_messages_to_case, queue_outbound
from ventanilla.core.models import Council

log = structlog.get_logger(__name__)

STEPS = (
    "idle",
    "notice",
    "declined",
    "report.describe",
    "report.photos",
    "report.location",
    "report.category",
    "status.ask",
    "attach.ask",
    "survey.score",
    "survey.comment",
)
#: steps in which the resident is answering a question (CANCELAR drops it)
FLOW_STEPS = frozenset(
    {
        "report.describe",
        "report.photos",
        "report.location",
        "report.category",
        "status.ask",
        "attach.ask",
        "survey.comment",
    }
)
STEP_TTL = {"survey.score": dt.timedelta(days=7)}
DEFAULT_STEP_TTL = dt.timedelta(hours=12)
HANDOFF_TTL = dt.timedelta(days=3)
SURVEY_TTL = dt.timedelta(days=14)
#: a second photo within this time is not acknowledged again
BURST = dt.timedelta(minutes=2)
#: a message right after one of ours about a case is a reply to it
REPLY_WINDOW = dt.timedelta(hours=24)
CATEGORY_PAGE = 8
HANDLED_MEMORY = 30
#: words that may follow BAJA/ALTA ("baja por favor", "stop messages"); any other word makes
#: the message something else: "Baja presión de agua" and "Parar el ruido" report problems
COMMAND_FILLER = frozenset(
    {
        "por",
        "favor",
        "please",
        "si",
        "us",
        "plau",
        "sisplau",
        "gracias",
        "gracies",
        "thanks",
        "de",
        "los",
        "las",
        "els",
        "les",
        "the",
        "all",
        "todos",
        "tots",
        "todo",
        "tot",
        "avisos",
        "mensajes",
        "missatges",
        "messages",
        "notificaciones",
        "notificacions",
        "me",
        "ya",
        "ja",
        "now",
        "ahora",
        "ara",
    }
)
COMMAND_MAX_WORDS = 3

OPT_OUT = frozenset({"baja", "baixa", "stop", "aturar", "parar", "cancelar", "unsubscribe"})
OPT_IN = frozenset({"alta", "start"})
CANCEL = frozenset({"cancelar", "cancel", "cancela", "anular"})
HELP = frozenset({"ayuda", "ajuda", "help", "info", "?"})
MENU = frozenset({"menu", "inicio", "inici", "home", "menu principal"})
PERSON = frozenset(
    {
        "persona",
        "person",
        "human",
        "humano",
        "huma",
        "agente",
        "agent",
        "operador",
        "operadora",
        "operator",
        "funcionario",
        "funcionaria",
        "funcionari",
    }
)
#: words that may go with PERSON ("quiero hablar con una persona", "talk to a human please")
PERSON_FILLER = COMMAND_FILLER | frozenset(
    {
        "hablar",
        "habla",
        "hable",
        "con",
        "una",
        "un",
        "quiero",
        "querria",
        "puedo",
        "podria",
        "parlar",
        "amb",
        "vull",
        "voldria",
        "puc",
        "talk",
        "speak",
        "to",
        "with",
        "a",
        "an",
        "i",
        "want",
        "would",
        "like",
        "can",
        "real",
        "del",
        "ayuntamiento",
        "ajuntament",
        "council",
        "atencion",
        "atencio",
        "pasame",
        "passeu",
        "connect",
    }
)
STATUS_WORDS = frozenset({"estado", "estat", "status", "consulta", "consultar", "situacion"})
GREETING_WORDS = frozenset(
    {
        "hola",
        "buenas",
        "buenos",
        "bon",
        "bona",
        "bones",
        "dia",
        "dias",
        "tardes",
        "tarda",
        "noches",
        "nit",
        "hello",
        "hi",
        "hey",
        "good",
        "morning",
        "afternoon",
        "evening",
        "saludos",
        "salutacions",
        "ola",
        "que",
        "tal",
        "com",
        "va",
    }
)
THANKS = frozenset(
    {
        "gracias",
        "muchas gracias",
        "gracies",
        "moltes gracies",
        "merci",
        "thanks",
        "thank you",
        "thank you very much",
        "ok gracias",
        "vale gracias",
        "perfecto gracias",
    }
)
ACCEPT = frozenset(
    {"acepto", "accepto", "i accept", "accept", "si", "ok", "vale", "de acuerdo", "d'acord"}
)
DECLINE = frozenset({"no acepto", "no accepto", "no", "no gracias", "i do not accept"})
YES = frozenset(
    {"si", "yes", "vale", "ok", "correcto", "correcte", "exacto", "exacte", "eso", "aixo"}
)
NEW_WORDS = frozenset({"nuevo", "nueva", "nou", "nova", "new", "otro", "otra", "altre", "altra"})
REFERENCE = re.compile(r"\b(20\d\d)\s?[-‐‑–—/]\s?(\d{1,6})\b")
#: a place typed or pasted as "40.4168,-3.7038" (SMS has no location sharing; map links)
COORDINATES = re.compile(r"(-?\d{1,2}\.\d{3,})\s*,\s*(-?\d{1,3}\.\d{3,})")
LANGUAGE_AUTONYMS = {"es": "Español", "ca": "Català", "en": "English"}


# -- the turn ---------------------------------------------------------------------------


@dataclass
class Turn:
    """One inbound message being answered. Handlers registered by other apps receive it.

    Use ``say`` (a template key) or ``reply`` (a ready text) to answer; both queue an
    outbound row in the turn's transaction.
    """

    conversation: Conversation
    message: Message
    state: dict[str, Any]
    book: TemplateBook
    choice: str = ""
    prior: list[int] = field(default_factory=list)
    replied: bool = False
    offered: list[dict[str, str]] | None = None
    reply_token: str = ""

    @property
    def council(self) -> Council:
        return self.conversation.council

    @property
    def citizen(self) -> Citizen:
        return self.conversation.citizen

    @property
    def language(self) -> str:
        return self.book.language

    @property
    def text(self) -> str:
        return (self.message.text or "").strip()

    @property
    def folded(self) -> str:
        return fold(self.text).strip(" .!¡¿,;:")

    @property
    def words(self) -> list[str]:
        return classify.words(self.text)

    @property
    def step(self) -> str:
        return str(self.state.get("step") or "idle")

    @property
    def has_media(self) -> bool:
        return bool(self.message.attachments.all()) or self.message.latitude is not None

    def t(self, key: str, **params: Any) -> str:
        """Return the council's text ``key`` in the resident's language."""
        return self.book.text(key, **params)

    def reply(self, text: str, choices: Sequence[Choice] = (), *, case: Any = None) -> Message:
        """Queue ``text`` (with ``choices``) to the resident."""
        message = queue_outbound(
            conversation=self.conversation,
            text=text,
            choices=choices,
            case=case,
            automatic=True,
            reply_token=self.reply_token,
        )
        self.reply_token = ""  # LINE reply tokens are single use
        self.replied = True
        if choices:
            self.offered = [{"id": c.id, "label": c.label} for c in choices]
        return message

    def say(
        self, key: str, choices: Sequence[Choice] = (), *, case: Any = None, **params: Any
    ) -> Message:
        """Queue the template ``key`` to the resident."""
        self.state["last_prompt"] = {"key": key, "at": timezone.now().isoformat()}
        return self.reply(self.t(key, **params), choices, case=case)

    def say_once(self, key: str, choices: Sequence[Choice] = (), **params: Any) -> None:
        """Say ``key`` unless it was the last thing said, moments ago (a burst of photos)."""
        last = self.state.get("last_prompt") or {}
        if last.get("key") == key and _age(last.get("at")) < BURST:
            return
        self.say(key, choices, **params)

    def set_language(self, language: str) -> None:
        if language != self.citizen.language:
            citizen_services.set_language(citizen=self.citizen, language=language)
        self.book = TemplateBook(self.council, language)


CommandHandler = Callable[[Turn, list[str]], bool]


class CommandRegistry:
    """Commands other apps add to the chat, by their first word.

    A handler gets the turn and the message's words and returns whether it answered; if
    not, the message goes on through the dialog. Register in ``AppConfig.ready``::

        from ventanilla.conversations.dialog import command_handlers
        command_handlers.register(["apoyo", "suport", "support"], handle_support)
    """

    def __init__(self) -> None:
        self._handlers: dict[str, CommandHandler] = {}

    def register(self, words: Iterable[str], handler: CommandHandler) -> None:
        for word in words:
            self._handlers[fold(word)] = handler

    def unregister(self, words: Iterable[str]) -> None:
        for word in words:
            self._handlers.pop(fold(word), None)

    def get(self, word: str) -> CommandHandler | None:
        return self._handlers.get(word)


command_handlers = CommandRegistry()
#: first words promised to features of other apps ("apoyo 2026-000123": the portal's
#: supports). Until a handler is registered, "word + reference" is answered "coming soon".
RESERVED_COMMANDS = frozenset({"apoyo", "apoyar", "suport", "support"})


# -- entry points -----------------------------------------------------------------------


def process_pending(*, conversation: Conversation, message_id: int | None = None) -> int:
    """Answer, in order, the conversation's inbound messages not answered yet; return how many.

    The caller holds the conversation's row lock inside a transaction. A conversation the
    dialog has never seen answers only ``message_id``, never its older history.
    """
    state = conversation.state or {}
    handled = set(state.get("handled") or [])
    through = state.get("handled_through")
    inbound = Message.objects.filter(conversation=conversation, direction=Direction.IN)
    if through is None:
        inbound = inbound.filter(pk=message_id)
    else:
        inbound = inbound.filter(Q(pk__gt=through) | Q(pk=message_id or 0))
    inbound = inbound.prefetch_related("attachments").order_by("pk")
    messages = [m for m in inbound if m.pk not in handled]
    for message in messages:
        handle(conversation=conversation, message=message)
    return len(messages)


def handle(*, conversation: Conversation, message: Message) -> None:
    """Answer one inbound message and save the dialog's state."""
    before = dict(conversation.state or {})
    try:
        with transaction.atomic():
            _turn(conversation, message)
    except Exception:
        log.exception("dialog_turn_failed", message=message.pk, conversation=conversation.pk)
        conversation.state = before
        conversation.citizen.refresh_from_db()
        try:
            with transaction.atomic():
                book = TemplateBook(conversation.council, conversation.citizen.language)
                queue_outbound(conversation=conversation, text=book.text("error"), automatic=True)
        except Exception:
            log.exception("dialog_apology_failed", message=message.pk)
    _mark_handled(conversation.state, message.pk)
    _save_state(conversation)


def release_handoff(*, conversation: Conversation) -> None:
    """Let the bot answer the resident again (staff call it when they are done)."""
    with transaction.atomic():
        locked = Conversation.objects.select_for_update(of=("self",)).get(pk=conversation.pk)
        state = dict(locked.state or {})
        if state.pop("handoff", None) is not None:
            locked.state = state
            _save_state(locked)
            conversation.state = state


def offer_survey(*, conversation: Conversation, case: Case) -> Message:
    """Ask the resident to rate how ``case`` was handled (1 to 5) and remember the question."""
    locked = Conversation.objects.select_for_update(of=("self",)).get(pk=conversation.pk)
    state = dict(locked.state or {})
    book = TemplateBook(locked.council, locked.citizen.language)
    choices = [Choice(f"survey:{case.pk}:{n}", str(n)) for n in range(1, 6)]
    message = queue_outbound(
        conversation=locked,
        text=book.text("survey.question", reference=case.reference),
        choices=choices,
        case=case,
        automatic=True,
    )
    state["survey"] = {
        "case": case.pk,
        "reference": case.reference,
        "score": None,
        "at": timezone.now().isoformat(),
    }
    if _current_step(state) in ("idle", "survey.score", "survey.comment"):
        _set_step(state, "survey.score")
        state["choices"] = [{"id": c.id, "label": c.label} for c in choices]
    locked.state = state
    _save_state(locked)
    conversation.state = state
    return message


# -- the turn's course ------------------------------------------------------------------


def _turn(conversation: Conversation, message: Message) -> None:
    state = conversation.state = dict(conversation.state or {})
    citizen = conversation.citizen
    turn = Turn(
        conversation=conversation,
        message=message,
        state=state,
        book=TemplateBook(conversation.council, citizen.language),
        reply_token=str(message.payload.get("reply_token") or ""),
    )
    if message.payload.get("edited"):
        return  # an edit of an earlier message: staff see it, the bot does not answer twice
    _expire(state)
    turn.choice = _resolve_choice(message, state)
    _dispatch(turn)
    if turn.replied:
        state["choices"] = turn.offered or []


def _dispatch(turn: Turn) -> None:
    if _anytime_command(turn):
        return
    if not _has_consent(turn):
        _consent_gate(turn)
        return
    _after_consent(turn)


def _after_consent(turn: Turn) -> None:
    if _command(turn):
        return
    if turn.choice.startswith("survey:"):
        _survey_choice(turn)
        return
    STEP_HANDLERS.get(turn.step, _idle)(turn)


def _resolve_choice(message: Message, state: dict[str, Any]) -> str:
    """Return the id of the choice the resident picked: tapped, or typed as a number/label."""
    choice = str(message.payload.get("choice") or "")
    if choice:
        return choice
    offered = state.get("choices") or []
    typed = fold(message.text or "").strip(" .)")
    if not typed or not offered:
        return ""
    if typed.isdigit() and 1 <= int(typed) <= len(offered):
        return str(offered[int(typed) - 1]["id"])
    for item in offered:
        if fold(item["label"]).strip(" .…") == typed:
            return str(item["id"])
    return ""


# -- commands ---------------------------------------------------------------------------


def _anytime_command(turn: Turn) -> bool:
    """Handle what works before and after the notice: opt-out/in, language, help."""
    words = turn.words
    first = words[0] if words else ""
    bare = bool(words) and not turn.choice and set(words[1:]) <= COMMAND_FILLER
    if bare and first in OPT_OUT and not (first in CANCEL and turn.step in FLOW_STEPS):
        _opt_out(turn)
        return True
    if bare and first in OPT_IN:
        citizen_services.set_opt_out(citizen=turn.citizen, opted_out=False)
        turn.say("optin.done")
        return True
    language = language_command(turn.text, _languages(turn))
    if turn.choice.startswith("lang:"):
        language = turn.choice[5:] if turn.choice[5:] in _languages(turn) else None
        if language is None:
            _stale(turn)
            return True
    if language:
        _switch_language(turn, language)
        return True
    if turn.choice == "menu:language":
        _ask_language(turn)
        return True
    if turn.folded in HELP or (first in HELP and len(words) <= 2 and not turn.choice):
        turn.say("help")
        return True
    return False


def _command(turn: Turn) -> bool:
    """Handle commands that need the notice accepted: menu, status, person, cancel, others."""
    words = turn.words
    first = words[0] if words else ""
    if turn.choice.startswith("menu:"):
        _menu_choice(turn, turn.choice[5:])
        return True
    if turn.choice.startswith("status:"):
        _answer_status(turn, turn.choice[7:])
        _set_step(turn.state, "idle")
        return True
    if turn.choice:
        return False
    if turn.folded in MENU:
        _show_menu(turn)
        return True
    references = _references(turn.text)
    if first in STATUS_WORDS and references:
        _answer_status(turn, references[0])
        _set_step(turn.state, "idle")
        return True
    if first in CANCEL and len(words) <= COMMAND_MAX_WORDS and turn.step in FLOW_STEPS:
        _clear_flow(turn.state)
        _show_menu(turn, lead=turn.t("report.cancelled"))
        return True
    if PERSON & set(words) and set(words) <= PERSON | PERSON_FILLER:
        _talk_to_person(turn)
        return True
    handler = command_handlers.get(first) if first else None
    if handler is not None and handler(turn, words):
        return True
    if first in RESERVED_COMMANDS and references:
        turn.say("command.soon")
        return True
    return False


def _menu_choice(turn: Turn, option: str) -> None:
    _clear_flow(turn.state)
    if option == "report":
        _start_report(turn, [turn.message.pk], mode="menu", absorb=False)
    elif option == "status":
        _ask_status(turn)
    elif option == "certificate":
        turn.say("certificate.soon")
    elif option == "alerts":
        turn.say("alerts.soon")
    elif option == "person":
        _talk_to_person(turn)
    else:
        _show_menu(turn)


def _opt_out(turn: Turn) -> None:
    citizen_services.set_opt_out(citizen=turn.citizen, opted_out=True)
    _clear_flow(turn.state)
    turn.state.pop("survey", None)
    turn.say("optout.done")


def _switch_language(turn: Turn, language: str) -> None:
    turn.set_language(language)
    if not _has_consent(turn):
        turn.say("language.changed")
        _show_notice(turn)
        return
    text = turn.t("language.changed")
    _reprompt(turn, lead=text)


def _ask_language(turn: Turn) -> None:
    choices = [Choice(f"lang:{code}", LANGUAGE_AUTONYMS[code]) for code in _languages(turn)]
    turn.say("language.choose", choices)


def _talk_to_person(turn: Turn) -> None:
    _clear_flow(turn.state)
    turn.state["handoff"] = {"since": timezone.now().isoformat()}
    turn.reply(_join(turn.t("person.waiting"), _office_note(turn)))


def _languages(turn: Turn) -> list[str]:
    return supported(turn.council.language_codes)


# -- privacy notice and consent ---------------------------------------------------------


def _has_consent(turn: Turn) -> bool:
    citizen = turn.citizen
    return (
        citizen.consent_at is not None
        and citizen.consent_version == turn.council.privacy_notice_version
    )


def _consent_gate(turn: Turn) -> None:
    if turn.step != "notice":
        first_contact = turn.step != "declined" and not turn.state.get("pending")
        if first_contact:
            language = choose_first_language(
                text=turn.text, current=turn.citizen.language, allowed=_languages(turn)
            )
            turn.set_language(language)
        _clear_flow(turn.state)
        if _says_something(turn):
            turn.state["pending"] = [turn.message.pk]
        _show_notice(turn)
        return
    if turn.choice == "consent:no" or (not turn.choice and turn.folded in DECLINE):
        _clear_flow(turn.state)
        _set_step(turn.state, "declined")
        turn.say("privacy.declined")
        return
    citizen_services.record_consent(
        citizen=turn.citizen, version=turn.council.privacy_notice_version
    )
    pending = [pk for pk in turn.state.pop("pending", []) if pk != turn.message.pk]
    _set_step(turn.state, "idle")
    accepted = turn.choice == "consent:yes" or (not turn.choice and turn.folded in ACCEPT)
    if not accepted:
        if turn.choice:
            _show_menu(turn)
            return
        turn.prior = pending
        _after_consent(turn)
        return
    waiting = list(Message.objects.filter(pk__in=pending).order_by("pk"))
    if not waiting:
        _show_menu(turn)
        return
    # Answer the message that came before the notice as if it had just arrived.
    turn.prior = [m.pk for m in waiting[:-1]]
    turn.message = waiting[-1]
    turn.choice = ""
    _after_consent(turn)


def _show_notice(turn: Turn) -> None:
    council = turn.council
    policy_url = council.privacy_policy_url or settings.PRIVACY_POLICY_URL
    parts = []
    if turn.citizen.consent_at is not None:
        parts.append(turn.t("privacy.updated"))
    else:
        parts.append(turn.t("greeting", council=council.name))
    notice = turn.t(
        "privacy.notice",
        controller=council.data_controller or council.name,
        retention_months=council.retention_months,
        policy_line=turn.t("privacy.policy_line", url=policy_url) if policy_url else "",
    )
    parts.append(re.sub(r"\n{2,}", "\n", notice))
    _set_step(turn.state, "notice")
    choices = [
        Choice("consent:yes", turn.t("label.accept")),
        Choice("consent:no", turn.t("label.decline")),
    ]
    turn.state["last_prompt"] = {"key": "privacy.notice", "at": timezone.now().isoformat()}
    turn.reply(_join(*parts), choices)


def _says_something(turn: Turn) -> bool:
    """Return whether the message holds more than a greeting (worth answering later)."""
    if turn.has_media or turn.choice:
        return bool(turn.has_media)
    words = turn.words
    if not words or language_command(turn.text):
        return False
    return not set(words) <= GREETING_WORDS and turn.folded not in THANKS


# -- menu and idle ----------------------------------------------------------------------


def _show_menu(turn: Turn, lead: str = "") -> None:
    _clear_flow(turn.state)
    turn.state.pop("handoff", None)
    options = ("report", "status", "certificate", "alerts", "person")
    choices = [Choice(f"menu:{option}", turn.t(f"menu.{option}")) for option in options]
    if len(_languages(turn)) > 1:
        choices.append(Choice("menu:language", turn.t("menu.language")))
    turn.state["last_prompt"] = {"key": "menu.prompt", "at": timezone.now().isoformat()}
    turn.reply(_join(lead, turn.t("menu.prompt")), choices)


def _idle(turn: Turn) -> None:
    if turn.choice:
        _stale(turn)
        return
    handoff = turn.state.get("handoff")
    if handoff and _age(handoff.get("since")) < HANDOFF_TTL:
        return  # a person is on it: the message waits for them in the inbox
    turn.state.pop("handoff", None)
    references = _references(turn.text)
    if references and not turn.prior and not REFERENCE.sub("", turn.text).strip(" .,;:!?¡¿#º"):
        _answer_status(turn, references[0])  # just a number: the resident wants its status
        return
    if not turn.has_media and not turn.prior:
        if turn.folded in THANKS:
            turn.say("thanks.reply")
            return
        if not _says_something(turn):
            _show_menu(turn)
            return
    _follow_language(turn)
    _free_text(turn)


def _follow_language(turn: Turn) -> None:
    """Answer in the language of a long enough message, as the resident switched to it."""
    code = detect(turn.text, _languages(turn), switching=True)
    if code and code != turn.language:
        turn.set_language(code)


def _stale(turn: Turn) -> None:
    _reprompt(turn, lead=turn.t("choice.stale"))


def _reprompt(turn: Turn, lead: str = "") -> None:
    """Repeat the question of the current step (after a language change or a stale tap)."""
    step = turn.step
    if step == "report.describe":
        turn.reply(_join(lead, turn.t("report.describe")))
    elif step == "report.photos":
        turn.reply(_join(lead, turn.t("report.photos")), [_continue(turn)])
    elif step == "report.location":
        turn.reply(_join(lead, turn.t("report.location")), [_skip_location(turn)])
    elif step == "report.category":
        if lead:
            turn.reply(lead)
        _ask_category(turn)
    elif step == "status.ask":
        if lead:
            turn.reply(lead)
        _ask_status(turn)
    elif step == "attach.ask":
        case = _citizen_case(turn, turn.state.get("attach_case"))
        if case is None:
            _show_menu(turn, lead=lead)
        else:
            if lead:
                turn.reply(lead)
            _ask_attach(turn, case)
    elif step in ("survey.score", "survey.comment") and turn.state.get("survey"):
        survey = turn.state["survey"]
        if step == "survey.score":
            choices = [Choice(f"survey:{survey['case']}:{n}", str(n)) for n in range(1, 6)]
            text = turn.t("survey.question", reference=survey["reference"])
            turn.reply(_join(lead, text), choices)
        else:
            turn.reply(_join(lead, turn.t("survey.comment")), [_no_thanks(turn)])
    else:
        _show_menu(turn, lead=lead)


# -- incident report --------------------------------------------------------------------


def _free_text(turn: Turn) -> None:
    ids = [*turn.prior, turn.message.pk]
    case, clear = _case_to_follow_up(turn)
    if case is not None and clear:
        _attach(turn, case, ids)
        return
    if case is not None:
        turn.state["pending"] = ids
        turn.state["attach_case"] = case.pk
        _set_step(turn.state, "attach.ask")
        _ask_attach(turn, case)
        return
    _start_report(turn, ids, mode="free")


def _start_report(turn: Turn, ids: Sequence[int], *, mode: str, absorb: bool = True) -> None:
    draft: dict[str, Any] = {
        "mode": mode,
        "messages": [],
        "description": [],
        "photos": 0,
        "latitude": None,
        "longitude": None,
        "address": "",
    }
    turn.state["report"] = draft
    for message in Message.objects.filter(pk__in=ids).prefetch_related("attachments"):
        if absorb:
            _absorb(draft, message)
        else:
            draft["messages"].append(message.pk)
    if not draft["description"]:
        _set_step(turn.state, "report.describe")
        turn.say("report.describe_again" if absorb else "report.describe")
    elif mode == "menu":
        _ask_photos(turn)
    else:
        _ask_category(turn)


def _absorb(draft: dict[str, Any], message: Message, *, as_address: bool = False) -> None:
    """Add what ``message`` brings (text, photos, place) to the report being prepared."""
    if message.pk not in draft["messages"]:
        draft["messages"].append(message.pk)
    text = (message.text or "").strip()
    if text and not message.payload.get("choice"):
        point = _coordinates(text) if as_address else None
        if point is not None:
            draft["latitude"], draft["longitude"] = point
        elif as_address:
            draft["address"] = text[:300]
        else:
            draft["description"].append(text)
    draft["photos"] += len(message.attachments.all())
    if message.latitude is not None and message.longitude is not None:
        draft["latitude"] = message.latitude
        draft["longitude"] = message.longitude
        if message.address:
            draft["address"] = message.address[:300]


def _report_step(turn: Turn) -> dict[str, Any] | None:
    draft = turn.state.get("report")
    if not isinstance(draft, dict):
        _clear_flow(turn.state)
        _show_menu(turn)
        return None
    return draft


def _describe(turn: Turn) -> None:
    draft = _report_step(turn)
    if draft is None:
        return
    if turn.choice:
        _stale(turn)
        return
    _follow_language(turn)
    _absorb(draft, turn.message)
    if not draft["description"]:
        turn.say_once("report.describe_again")
    elif draft["mode"] == "menu":
        _ask_photos(turn)
    else:
        _ask_category(turn)


def _ask_photos(turn: Turn) -> None:
    _set_step(turn.state, "report.photos")
    turn.say("report.photos", [_continue(turn)])


def _photos(turn: Turn) -> None:
    draft = _report_step(turn)
    if draft is None:
        return
    message = turn.message
    if turn.choice == "report:continue":
        draft["messages"].append(message.pk)
        _after_photos(turn, draft)
    elif turn.choice:
        _stale(turn)
    elif message.latitude is not None:
        _absorb(draft, message)
        _ask_category(turn)
    elif message.attachments.all():
        _absorb(draft, message)
        turn.say_once("report.photo_received", [_continue(turn)], count=draft["photos"])
    else:
        _absorb(draft, message)  # more words: the resident has moved on
        _after_photos(turn, draft)


def _after_photos(turn: Turn, draft: dict[str, Any]) -> None:
    if draft["latitude"] is not None or draft["address"]:
        _ask_category(turn)
        return
    _set_step(turn.state, "report.location")
    turn.say("report.location", [_skip_location(turn)])


def _location(turn: Turn) -> None:
    draft = _report_step(turn)
    if draft is None:
        return
    message = turn.message
    if turn.choice == "report:skip_location":
        draft["messages"].append(message.pk)
        _ask_category(turn)
    elif turn.choice:
        _stale(turn)
    elif message.latitude is not None:
        _absorb(draft, message)
        _ask_category(turn)
    elif message.attachments.all() and not turn.text:
        _absorb(draft, message)
        turn.say_once("report.location", [_skip_location(turn)])
    else:
        _absorb(draft, message, as_address=True)
        _ask_category(turn)


def _ask_category(turn: Turn, text: str | None = None) -> None:
    draft = turn.state.get("report") or {}
    _set_step(turn.state, "report.category")
    draft["suggested"] = None
    description = text if text is not None else "\n".join(draft.get("description") or [])
    candidates = classify.suggest_categories(council=turn.council, text=description)
    other = Choice("cat:other", turn.t("label.other"))
    if classify.is_clear(candidates):
        category = candidates[0].category
        draft["suggested"] = category.pk
        choices = [Choice(f"cat:{category.pk}", turn.t("label.yes")), other]
        turn.say("report.category_confirm", choices, category=category.name_in(turn.language))
    elif candidates:
        choices = [
            Choice(f"cat:{c.category.pk}", c.category.name_in(turn.language)) for c in candidates
        ]
        turn.say("report.category_choose", [*choices, other])
    else:
        _category_page(turn, 0)


def _category_page(turn: Turn, page: int) -> None:
    categories = sorted(
        Category.objects.of(turn.council).active(),
        key=lambda c: fold(c.name_in(turn.language)),
    )
    start = page * CATEGORY_PAGE
    if start >= len(categories):
        start, page = 0, 0
    shown = categories[start : start + CATEGORY_PAGE]
    choices = [Choice(f"cat:{c.pk}", c.name_in(turn.language)) for c in shown]
    if start + CATEGORY_PAGE < len(categories):
        choices.append(Choice(f"cat:more:{page + 1}", turn.t("label.more")))
    _set_step(turn.state, "report.category")
    turn.say("report.category_list", choices)


def _category(turn: Turn) -> None:
    draft = _report_step(turn)
    if draft is None:
        return
    choice = turn.choice
    if choice.startswith("cat:"):
        draft["messages"].append(turn.message.pk)
        option = choice[4:]
        if option == "other":
            _category_page(turn, 0)
        elif option.startswith("more:") and option[5:].isdigit():
            _category_page(turn, int(option[5:]))
        elif option.isdigit():
            category = Category.objects.of(turn.council).active().filter(pk=int(option)).first()
            if category is None:
                _category_page(turn, 0)
            else:
                _create_case(turn, category)
        else:
            _stale(turn)
    elif choice:
        _stale(turn)
    elif turn.folded in YES and draft.get("suggested"):
        draft["messages"].append(turn.message.pk)
        category = Category.objects.of(turn.council).filter(pk=draft["suggested"]).first()
        if category is None:
            _category_page(turn, 0)
        else:
            _create_case(turn, category)
    elif turn.text:
        draft["messages"].append(turn.message.pk)  # a word about the type, not the problem
        _ask_category(turn, text=turn.text)
    else:
        _absorb(draft, turn.message)
        turn.say_once("report.photo_received", count=draft["photos"])


def _create_case(turn: Turn, category: Category) -> None:
    draft = turn.state.get("report") or {}
    description = "\n".join(draft.get("description") or []) or category.name_in(turn.language)
    try:
        case = open_case(
            category=category,
            description=description,
            citizen=turn.citizen,
            channel=turn.conversation.channel,
            latitude=draft.get("latitude"),
            longitude=draft.get("longitude"),
            address=draft.get("address") or "",
        )
    except CaseError:
        log.warning("dialog_case_refused", category=category.pk)
        _category_page(turn, 0)
        return
    attach_messages_to_case(case=case, messages=[*draft.get("messages", []), turn.message.pk])
    _clear_flow(turn.state)
    parts = [
        turn.t(
            "report.created",
            reference=case.reference,
            category=category.name_in(turn.language),
            department=case.department.name_in(turn.language),
            due_date=_date(case.due_at, turn, "long"),
        )
    ]
    nothing_else = not draft.get("photos") and draft.get("latitude") is None
    if draft.get("mode") == "free" and nothing_else and not draft.get("address"):
        parts.append(turn.t("report.add_more"))
    parts.append(_office_note(turn))
    turn.reply(_join(*parts), case=case)
    log.info("dialog_case_opened", case=case.reference, conversation=turn.conversation.pk)


# -- attach, don't duplicate ------------------------------------------------------------


def _case_to_follow_up(turn: Turn) -> tuple[Case | None, bool]:
    """Return the resident's open case this message may belong to, and whether it clearly does.

    Clearly: it names the case, or brings only a photo or a place, or it is about the same
    kind of thing; or, saying nothing of another kind of thing, the case waits for the
    resident or the message answers our last one about the case.
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
    text = " ".join(
        m.text for m in Message.objects.filter(pk__in=[*turn.prior, turn.message.pk]) if m.text
    )
    named = set(_references(text))
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


def _attach(turn: Turn, case: Case, ids: Sequence[int]) -> None:
    attach_messages_to_case(case=case, messages=ids)
    _clear_flow(turn.state)
    last = turn.state.get("last_prompt") or {}
    if last.get("key") == f"attach.added:{case.pk}" and _age(last.get("at")) < BURST:
        return
    turn.reply(turn.t("attach.added", reference=case.reference), case=case)
    turn.state["last_prompt"] = {"key": f"attach.added:{case.pk}", "at": timezone.now().isoformat()}


def _ask_attach(turn: Turn, case: Case) -> None:
    choices = [
        Choice(f"attach:{case.pk}", turn.t("label.attach_existing", reference=case.reference)),
        Choice("attach:new", turn.t("label.attach_new")),
    ]
    turn.say(
        "attach.ask",
        choices,
        reference=case.reference,
        category=case.category.name_in(turn.language),
    )


def _attach_answer(turn: Turn) -> None:
    case = _citizen_case(turn, turn.state.get("attach_case"))
    pending = [int(pk) for pk in turn.state.get("pending") or []]
    if case is None or not pending:
        _clear_flow(turn.state)
        _show_menu(turn)
        return
    ids = [*pending, turn.message.pk]
    words = set(turn.words)
    if turn.choice == f"attach:{case.pk}" or (
        not turn.choice and case.reference in _references(turn.text)
    ):
        _attach(turn, case, ids)
    elif turn.choice == "attach:new" or (not turn.choice and words & NEW_WORDS):
        _clear_flow(turn.state)
        _start_report(turn, pending, mode="free")
        if turn.choice:
            turn.state["report"]["messages"].append(turn.message.pk)
    elif turn.choice:
        _stale(turn)
    else:
        turn.state["pending"] = ids  # more words before an answer: keep them, ask again
        _ask_attach(turn, case)


# -- status -----------------------------------------------------------------------------


def _ask_status(turn: Turn) -> None:
    _set_step(turn.state, "status.ask")
    recent = Case.objects.filter(council=turn.council, citizen=turn.citizen).order_by(
        "-created_at", "-pk"
    )[:3]
    choices = [Choice(f"status:{case.reference}", case.reference) for case in recent]
    turn.say("status.ask", choices)


def _status_step(turn: Turn) -> None:
    if turn.choice:
        _stale(turn)
        return
    references = _references(turn.text)
    _set_step(turn.state, "idle")
    if references:
        _answer_status(turn, references[0])
    else:
        turn.say("status.bad_reference")


def _answer_status(turn: Turn, reference: str) -> None:
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
    note = (
        CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STATUS)
        .exclude(comment="")
        .order_by("-created_at", "-pk")
        .values_list("comment", flat=True)
        .first()
    )
    if note:
        lines.append(turn.t("status.note", note=note))
    if case.is_open:
        lines.append(turn.t("status.expected", date=_date(case.due_at, turn, "long")))
    turn.reply("\n".join(lines), case=case)


# -- satisfaction -----------------------------------------------------------------------


def _survey_choice(turn: Turn) -> None:
    parts = turn.choice.split(":")
    survey = turn.state.get("survey") or {}
    if parts[1:] == ["skip"]:
        _finish_survey(turn)
        return
    if len(parts) != 3 or not (parts[1].isdigit() and parts[2].isdigit()):
        _stale(turn)
        return
    case = _citizen_case(turn, int(parts[1]))
    score = int(parts[2])
    if case is None or not 1 <= score <= 5:
        _stale(turn)
        return
    record_satisfaction(case=case, score=score, comment="")
    turn.state["survey"] = {**survey, "case": case.pk, "reference": case.reference, "score": score}
    _set_step(turn.state, "survey.comment")
    turn.say("survey.comment", [_no_thanks(turn)])


def _survey_score(turn: Turn) -> None:
    survey = turn.state.get("survey") or {}
    typed = turn.folded
    score = typed[:1] if typed[:1] in ("1", "2", "3", "4", "5") else ""
    if survey and score and not typed[1:2].isdigit() and len(typed) <= 12:
        turn.choice = f"survey:{survey['case']}:{score}"
        _survey_choice(turn)
        return
    # Not an answer: the question stays open for its buttons; the message goes on.
    _set_step(turn.state, "idle")
    _idle(turn)


def _survey_comment(turn: Turn) -> None:
    survey = turn.state.get("survey") or {}
    case = _citizen_case(turn, survey.get("case"))
    if turn.choice or case is None or not survey.get("score"):
        if turn.choice:
            _stale(turn)
        else:
            _finish_survey(turn)
        return
    record_satisfaction(case=case, score=int(survey["score"]), comment=turn.text)
    attach_messages_to_case(case=case, messages=[turn.message.pk])
    _finish_survey(turn)


def _finish_survey(turn: Turn) -> None:
    turn.state.pop("survey", None)
    _set_step(turn.state, "idle")
    turn.say("survey.thanks")


STEP_HANDLERS: dict[str, Callable[[Turn], None]] = {
    "idle": _idle,
    "declined": _idle,
    "report.describe": _describe,
    "report.photos": _photos,
    "report.location": _location,
    "report.category": _category,
    "status.ask": _status_step,
    "attach.ask": _attach_answer,
    "survey.score": _survey_score,
    "survey.comment": _survey_comment,
}


# -- small pieces -----------------------------------------------------------------------


def _continue(turn: Turn) -> Choice:
    return Choice("report:continue", turn.t("label.continue"))


def _skip_location(turn: Turn) -> Choice:
    return Choice("report:skip_location", turn.t("label.skip_location"))


def _no_thanks(turn: Turn) -> Choice:
    return Choice("survey:skip", turn.t("label.no_thanks"))


def _citizen_case(turn: Turn, case_id: Any) -> Case | None:
    if not case_id:
        return None
    return (
        Case.objects.filter(pk=case_id, council=turn.council, citizen=turn.citizen)
        .select_related("category", "department")
        .first()
    )


def _references(text: str) -> list[str]:
    """Return the reference numbers in ``text``, written as the council writes them."""
    return [format_reference(int(y), int(n)) for y, n in REFERENCE.findall(text or "")]


def _coordinates(text: str) -> tuple[float, float] | None:
    """Return the place typed or pasted as "latitude,longitude" (SMS, map links), if any."""
    match = COORDINATES.search(text)
    if match is None:
        return None
    latitude, longitude = float(match.group(1)), float(match.group(2))
    if -90 <= latitude <= 90 and -180 <= longitude <= 180:
        return latitude, longitude
    return None


def _office_note(turn: Turn) -> str:
    """Return when staff will answer if the office is closed now, else ""."""
    council = turn.council
    opening = deadlines.next_office_opening(
        timezone.now(),
        holidays=council.holiday_dates(),
        tz=council.tz,
        opens=council.office_opens,
        closes=council.office_closes,
    )
    if opening is None:
        return ""
    return turn.t(
        "office.closed",
        opens=council.office_opens.strftime("%H:%M"),
        closes=council.office_closes.strftime("%H:%M"),
        date=format_date(opening.date(), "full", locale=turn.language),
        time=opening.strftime("%H:%M"),
    )


def _date(moment: dt.datetime, turn: Turn, style: str) -> str:
    return format_date(moment.astimezone(turn.council.tz).date(), style, locale=turn.language)


def _join(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)


def _age(stamp: Any) -> dt.timedelta:
    if not stamp:
        return dt.timedelta.max
    try:
        return timezone.now() - dt.datetime.fromisoformat(str(stamp))
    except ValueError:
        return dt.timedelta.max


def _current_step(state: dict[str, Any]) -> str:
    step = str(state.get("step") or "idle")
    ttl = STEP_TTL.get(step, DEFAULT_STEP_TTL)
    if step not in ("idle", "notice", "declined") and _age(state.get("step_at")) > ttl:
        return "idle"
    return step


def _set_step(state: dict[str, Any], step: str) -> None:
    state["step"] = step
    state["step_at"] = timezone.now().isoformat()


def _expire(state: dict[str, Any]) -> None:
    """Drop an unfinished step left long ago, and a satisfaction question nobody answered."""
    if _current_step(state) != state.get("step", "idle"):
        _clear_flow(state)
    survey = state.get("survey")
    if survey and _age(survey.get("at")) > SURVEY_TTL:
        state.pop("survey", None)


def _clear_flow(state: dict[str, Any]) -> None:
    for key in ("report", "pending", "attach_case"):
        state.pop(key, None)
    if state.get("step") not in (None, "idle", "notice", "declined"):
        _set_step(state, "idle")


def _mark_handled(state: dict[str, Any], message_id: int) -> None:
    handled = [pk for pk in state.get("handled") or [] if pk != message_id]
    state["handled"] = [*handled, message_id][-HANDLED_MEMORY:]
    state["handled_through"] = max(int(state.get("handled_through") or 0), message_id)


def _save_state(conversation: Conversation) -> None:
    """Write the dialog's memory (the dialog is the only writer of ``Conversation.state``)."""
    Conversation.objects.filter(pk=conversation.pk).update(
        state=conversation.state, updated_at=timezone.now()
    )
