"""Reads of the inbox about residents: conversations that are not a case, profiles, unread marks.

Conversations that no case holds are the council's, not a department's: every staff member
of the council sees the queue (hand-off requests first). Inside a conversation or a
profile, an agent sees only the cases of their departments, and only the messages that no
case holds or whose case they may see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from ventanilla.cases.models import Case
from ventanilla.citizens.models import Citizen, Identity
from ventanilla.citizens.urns import Scheme
from ventanilla.conversations.models import Conversation, Direction, Message
from ventanilla.inbox.models import LastSeen
from ventanilla.inbox.selectors import Scope

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
#: rows shown in each part of the conversations queue
QUEUE_LIMIT = 100
#: the newest messages shown in a conversation
CONVERSATION_LIMIT = 200


def loose_inbound() -> QuerySet[Message]:
    """Return the resident's messages of ``OuterRef("pk")`` that no case holds, since closed."""
    return Message.objects.filter(
        conversation=OuterRef("pk"),
        direction=Direction.IN,
        case__isnull=True,
        created_at__gt=Coalesce(OuterRef("closed_at"), Value(EPOCH)),
    )


def conversations_of(scope: Scope) -> QuerySet[Conversation]:
    return Conversation.objects.filter(council=scope.council)


def waiting_conversations(scope: Scope) -> QuerySet[Conversation]:
    """Return the conversations that wait for staff: a hand-off, or messages no case holds."""
    return conversations_of(scope).filter(Q(handoff_at__isnull=False) | Exists(loose_inbound()))


@dataclass
class ConversationRow:
    conversation: Conversation
    last_text: str = ""
    unread: bool = False
    open_cases: int = 0


@dataclass
class ConversationQueue:
    handoffs: list[ConversationRow] = field(default_factory=list)
    others: list[ConversationRow] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.handoffs) + len(self.others)


def conversation_queue(scope: Scope) -> ConversationQueue:
    """Return the hand-off requests, longest waiting first, then the other chats, newest first."""
    waiting = waiting_conversations(scope).select_related("citizen", "channel")
    handoffs = list(
        waiting.filter(handoff_at__isnull=False).order_by("handoff_at", "pk")[:QUEUE_LIMIT]
    )
    others = list(
        waiting.filter(handoff_at__isnull=True).order_by(
            F("last_inbound_at").desc(nulls_last=True), "-pk"
        )[:QUEUE_LIMIT]
    )
    rows = [ConversationRow(c) for c in [*handoffs, *others]]
    _describe(scope, rows)
    return ConversationQueue(handoffs=rows[: len(handoffs)], others=rows[len(handoffs) :])


def _describe(scope: Scope, rows: Sequence[ConversationRow]) -> None:
    """Fill each row's last loose message, unread mark and open cases (a few queries in all)."""
    ids = [row.conversation.pk for row in rows]
    if not ids:
        return
    last_texts: dict[int, str] = {}
    for conversation_id, text in (
        Message.objects.filter(conversation_id__in=ids, direction=Direction.IN)
        .order_by("conversation_id", "-created_at", "-id")
        .values_list("conversation_id", "text")
    ):
        last_texts.setdefault(conversation_id, text)
    seen = seen_conversations(scope.user, ids)
    citizen_ids = {row.conversation.citizen_id for row in rows}
    open_cases: dict[int, int] = {}
    for citizen_id in (
        scope.cases.open().filter(citizen_id__in=citizen_ids).values_list("citizen_id", flat=True)
    ):
        open_cases[citizen_id] = open_cases.get(citizen_id, 0) + 1
    for row in rows:
        conversation = row.conversation
        row.last_text = last_texts.get(conversation.pk, "")
        last = conversation.last_inbound_at
        opened = seen.get(conversation.pk)
        row.unread = last is not None and (opened is None or last > opened)
        row.open_cases = open_cases.get(conversation.citizen_id, 0)


def visible_conversation(scope: Scope, pk: int) -> Conversation | None:
    return conversations_of(scope).select_related("citizen", "channel").filter(pk=pk).first()


def conversation_thread(
    scope: Scope, conversation: Conversation, limit: int = CONVERSATION_LIMIT
) -> list[Message]:
    """Return the conversation's newest messages, oldest first, that this member may read.

    Messages of a case out of the member's departments are left out.
    """
    messages = (
        Message.objects.filter(conversation=conversation)
        .filter(Q(case__isnull=True) | Q(case__in=scope.cases))
        .select_related("author", "case")
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")[:limit]
    )
    return list(messages)[::-1]


# -- the resident's profile -----------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    citizen: Citizen
    identities: list[Identity]
    phones: list[str]
    cases: list[Case]
    conversations: list[Conversation]


def visible_citizen(scope: Scope, pk: int) -> Citizen | None:
    return Citizen.objects.filter(council=scope.council, pk=pk).first()


def phone_of(urn: str) -> str:
    """Return the phone number a URN holds, written for people, or ""."""
    scheme, _, path = urn.partition(":")
    if scheme not in (Scheme.TEL, Scheme.WHATSAPP) or path.startswith("user:"):
        return ""
    number = path if path.startswith("+") else f"+{path}"
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def profile_of(scope: Scope, citizen: Citizen) -> Profile:
    """Return what staff may know of a resident: identities, all their cases one may see."""
    identities = list(citizen.identities.order_by("created_at", "pk"))
    phones = list(dict.fromkeys(p for p in (phone_of(i.urn) for i in identities) if p))
    cases = list(
        scope.cases.filter(citizen=citizen)
        .select_related("category", "department")
        .order_by("-created_at", "-pk")[:200]
    )
    conversations = list(
        Conversation.objects.filter(council=scope.council, citizen=citizen)
        .select_related("channel")
        .order_by(F("last_inbound_at").desc(nulls_last=True), "-pk")
    )
    return Profile(
        citizen=citizen,
        identities=identities,
        phones=phones,
        cases=cases,
        conversations=conversations,
    )


# -- unread marks ---------------------------------------------------------------------------


def seen_conversations(user: Any, ids: Iterable[int]) -> dict[int, dt.datetime]:
    return dict(
        LastSeen.objects.filter(user=user, conversation_id__in=list(ids)).values_list(
            "conversation_id", "seen_at"
        )
    )


def unread_case_ids(user: Any, cases: Sequence[Case]) -> set[int]:
    """Return which of ``cases`` have a resident's message newer than ``user`` last opened them."""
    ids = [case.pk for case in cases]
    if not ids:
        return set()
    last_inbound = dict(
        Message.objects.filter(case_id__in=ids, direction=Direction.IN)
        .values("case_id")
        .annotate(last=Max("created_at"))
        .values_list("case_id", "last")
    )
    seen = dict(
        LastSeen.objects.filter(user=user, case_id__in=ids).values_list("case_id", "seen_at")
    )
    return {
        pk
        for pk, last in last_inbound.items()
        if last is not None and (pk not in seen or last > seen[pk])
    }
