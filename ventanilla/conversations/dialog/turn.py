"""One turn of the dialog: the inbound message being answered, and the small shared pieces.

A turn reads the state, may call services (open a case, record consent, attach messages,
...), queues its replies with ``queue_outbound`` and writes the state back, all in the
transaction of ``tasks.handle_message`` that holds the conversation's row lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from babel.dates import format_date
from django.utils import timezone

from ventanilla.cases import deadlines
from ventanilla.cases.models import Case
from ventanilla.citizens import services as citizen_services
from ventanilla.conversations import classify
from ventanilla.conversations.bot_templates import TemplateBook
from ventanilla.conversations.dialog.choices import ChoiceId
from ventanilla.conversations.dialog.state import DialogState, StepName
from ventanilla.conversations.language import detect, fold, supported
from ventanilla.conversations.models import Message
from ventanilla.conversations.services import queue_outbound

if TYPE_CHECKING:
    from ventanilla.channels.adapters.base import Choice
    from ventanilla.citizens.models import Citizen
    from ventanilla.conversations.models import Conversation
    from ventanilla.core.models import Council

#: a second photo within this time is not acknowledged again
BURST = dt.timedelta(minutes=2)


@dataclass
class Turn:
    """One inbound message being answered. Commands registered by other apps receive it.

    Use ``say`` (a template key) or ``reply`` (a ready text) to answer; both queue an
    outbound row in the turn's transaction.
    """

    conversation: Conversation
    message: Message
    state: DialogState
    book: TemplateBook
    choice: ChoiceId | None = None
    prior: list[int] = field(default_factory=list)
    replied: bool = False
    offered: list[Choice] | None = None
    reply_token: str = ""
    _read: dict[int, Message] = field(default_factory=dict, repr=False)

    def messages(self, ids: Sequence[int]) -> list[Message]:
        """Return the stored messages ``ids`` with their attachments, oldest first.

        Each is read once a turn: the notice's answer, the report and the follow-up checks
        look at the same held messages.
        """
        missing = [pk for pk in ids if pk not in self._read]
        if missing:
            read = Message.objects.filter(pk__in=missing).prefetch_related("attachments")
            self._read.update((message.pk, message) for message in read)
        found = (self._read[pk] for pk in set(ids) if pk in self._read)
        return sorted(found, key=lambda message: (message.created_at, message.pk))

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
    def step(self) -> StepName:
        return self.state.step

    @property
    def has_media(self) -> bool:
        return bool(self.message.attachments.all()) or self.message.latitude is not None

    def t(self, key: str, **params: object) -> str:
        """Return the council's text ``key`` in the resident's language."""
        return self.book.text(key, **params)

    def reply(
        self,
        text: str,
        choices: Sequence[Choice] = (),
        *,
        case: Case | None = None,
        secret: str = "",
    ) -> Message:
        """Queue ``text`` (with ``choices``) to the resident; ``secret`` is masked for staff."""
        message = queue_outbound(
            conversation=self.conversation,
            text=text,
            choices=choices,
            case=case,
            automatic=True,
            reply_token=self.reply_token,
            secret=secret,
        )
        self.reply_token = ""  # LINE reply tokens are single use
        self.replied = True
        if choices:
            self.offered = list(choices)
        return message

    def say(
        self,
        key: str,
        choices: Sequence[Choice] = (),
        *,
        case: Case | None = None,
        **params: object,
    ) -> Message:
        """Queue the template ``key`` to the resident."""
        self.state.remember_prompt(key)
        return self.reply(self.t(key, **params), choices, case=case)

    def say_once(
        self,
        key: str,
        choices: Sequence[Choice] = (),
        *,
        case: Case | None = None,
        **params: object,
    ) -> None:
        """Say ``key`` unless it was the last thing said, moments ago (a burst of photos)."""
        if not self.state.said_lately(key, BURST):
            self.say(key, choices, case=case, **params)

    def set_language(self, language: str) -> None:
        if language != self.citizen.language:
            citizen_services.set_language(citizen=self.citizen, language=language)
        self.book = TemplateBook(self.council, language, sms=self.book.sms)


# -- small shared pieces ----------------------------------------------------------------


def languages(turn: Turn) -> list[str]:
    return supported(turn.council.language_codes)


def has_consent(turn: Turn) -> bool:
    citizen = turn.citizen
    return (
        citizen.consent_at is not None
        and citizen.consent_version == turn.council.privacy_notice_version
    )


def follow_language(turn: Turn) -> None:
    """Answer in the language of a long enough message, as the resident switched to it."""
    code = detect(turn.text, languages(turn), switching=True)
    if code and code != turn.language:
        turn.set_language(code)


def citizen_case(turn: Turn, case_id: int | None) -> Case | None:
    """Return the resident's own case ``case_id``, if it still is theirs."""
    if not case_id:
        return None
    return (
        Case.objects.filter(pk=case_id, council=turn.council, citizen=turn.citizen)
        .select_related("category", "department")
        .first()
    )


def office_note(turn: Turn) -> str:
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


def long_date(moment: dt.datetime, turn: Turn) -> str:
    return format_date(moment.astimezone(turn.council.tz).date(), "long", locale=turn.language)


def join(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)
