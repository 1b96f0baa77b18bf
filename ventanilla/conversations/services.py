"""The write path of messages: storing what residents send and queuing what we send."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from typing import Any

import structlog
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from ventanilla.cases.models import Case, LocationSource
from ventanilla.cases.references import find_references
from ventanilla.cases.services import (
    CaseError,
    record_first_response,
    resume_on_reply,
    set_location,
)
from ventanilla.cases.workflow import OPEN_STATUSES, Status
from ventanilla.channels.adapters.base import Choice, InboundMessage
from ventanilla.channels.policy import check_outbound_allowed
from ventanilla.citizens.services import (
    add_identity,
    bulk_find_or_create_citizens,
    find_or_create_citizen,
    move_identity,
)
from ventanilla.citizens.urns import InvalidUrn, normalise_urn
from ventanilla.conversations import publicity
from ventanilla.conversations.delivery_tasks import wake_on_commit
from ventanilla.conversations.models import (
    SECRET_MASK,
    Attachment,
    Conversation,
    DeliveryStatus,
    Direction,
    Message,
)
from ventanilla.core.actors import Actor
from ventanilla.core.bulk import db_value, insert_rows, reserve_ids
from ventanilla.core.crypto import encrypt_text
from ventanilla.core.events import publish_on_commit

log = structlog.get_logger(__name__)

#: conversations found or created for a batch of webhooks, by channel and URN
_batch: ContextVar[dict[tuple[int, str], Conversation] | None] = ContextVar(
    "batch_conversations", default=None
)


#: conversations a batch stored a resident's message in (their last-heard time is written once)
_heard: ContextVar[set[int] | None] = ContextVar("batch_heard", default=None)


@contextmanager
def batch_conversations() -> Iterator[None]:
    """Let ``prepare_conversations`` find a batch's conversations for ``conversation_for``.

    Enter it inside the batch's transaction: when the batch ends without an error, the
    conversations it stored messages in are marked as heard from now, in one UPDATE.
    """
    heard_from: set[int] = set()
    token, heard = _batch.set({}), _heard.set(heard_from)
    try:
        yield
        _mark_heard(heard_from)
    finally:
        _batch.reset(token)
        _heard.reset(heard)


def _mark_heard(conversation_ids: set[int]) -> None:
    """Write that the residents of ``conversation_ids`` just wrote (the reply window opens)."""
    if conversation_ids:
        now = timezone.now()
        Conversation.objects.filter(pk__in=sorted(conversation_ids)).update(
            last_inbound_at=now, updated_at=now
        )


#: longest sender address and provider message id a message may have (the columns' sizes)
URN_MAX = 255
MESSAGE_ID_MAX = 200


def ids_fit(inbound: InboundMessage) -> bool:
    """Whether the message's sender and provider id fit their columns (else it is refused)."""
    return len(inbound.provider_message_id) <= MESSAGE_ID_MAX and len(inbound.urn) <= URN_MAX


def language_hint(channel: Any, inbound: InboundMessage) -> str:
    """Return the provider's hint of a new resident's language if the council speaks it."""
    hint = (inbound.language_hint or "")[:2].lower()
    return hint if hint in channel.council.language_codes else ""


def prepare_conversations(*, channel: Any, inbounds: Sequence[InboundMessage]) -> None:
    """Find or create in bulk the residents and conversations ``inbounds`` come from.

    For a batch of stored webhooks (inside ``batch_conversations``): a few queries for the
    whole batch, where ``conversation_for`` costs several a message (and a savepoint for
    each row it creates). Residents are created as ``conversation_for`` would: the
    provider's contact name, its language hint when the council speaks it. If the bulk
    insert fails (another worker created one of them at the same moment), nothing of it is
    kept and ``conversation_for`` does it one by one, as without a batch.
    """
    memo = _batch.get()
    if memo is None:
        return
    council = channel.council
    wanted: dict[str, InboundMessage] = {}
    for inbound in inbounds:
        try:
            urn = normalise_urn(inbound.urn)
        except InvalidUrn:
            continue  # refused when the message is stored
        if not ids_fit(inbound) or len(urn) > URN_MAX:
            continue  # likewise
        if (channel.pk, urn) not in memo:
            wanted.setdefault(urn, inbound)
    if not wanted:
        return
    urns = sorted(wanted)  # rows in one order: two workers never wait on each other in a circle
    languages = {urn: language_hint(channel, inbound) for urn, inbound in wanted.items()}
    names = {urn: inbound.contact_name for urn, inbound in wanted.items()}
    try:
        with transaction.atomic():
            citizens = bulk_find_or_create_citizens(
                council=council, urns=urns, languages=languages, names=names
            )
            bulk_conversations(channel=channel, citizens=citizens)
    except DatabaseError:
        log.info("batch_conversations_one_by_one", channel=channel.pk, residents=len(urns))
        return
    for conversation in Conversation.objects.filter(channel=channel, urn__in=urns):
        memo[(channel.pk, conversation.urn)] = conversation


def conversation_for(*, channel: Any, urn: str, name: str = "", language: str = "") -> Conversation:
    """Return the conversation with the resident at ``urn`` on ``channel``, creating both."""
    memo = _batch.get()
    if memo:
        prepared = memo.get((channel.pk, normalise_urn(urn)))
        if prepared is not None:
            return prepared
    citizen = find_or_create_citizen(council=channel.council, urn=urn, name=name, language=language)
    conversation, _ = Conversation.objects.get_or_create(
        channel=channel,
        urn=normalise_urn(urn),  # as the resident's identity holds it
        defaults={"council": channel.council, "citizen": citizen},
    )
    return conversation


def record_inbound(*, channel: Any, inbound: InboundMessage) -> Message | None:
    """Store a resident's message once. Return None when it was already stored (a re-delivery).

    One savepoint holds it all: a re-delivery fails on the message's unique provider id, is
    undone whole, and is recognised by that id (any other failure is raised).
    """
    try:
        with transaction.atomic():
            return _record_inbound(channel=channel, inbound=inbound)
    except IntegrityError:
        if (
            inbound.provider_message_id
            and Message.objects.filter(
                channel=channel, provider_message_id=inbound.provider_message_id
            ).exists()
        ):
            return None
        raise


def _record_inbound(*, channel: Any, inbound: InboundMessage) -> Message:
    conversation = conversation_for(
        channel=channel,
        urn=inbound.urn,
        name=inbound.contact_name,
        language=language_hint(channel, inbound),
    )
    for urn in inbound.extra_urns:
        add_identity(citizen=conversation.citizen, urn=urn)
    location = inbound.location
    message = Message.objects.create(
        council=channel.council,
        conversation=conversation,
        channel=channel,
        direction=Direction.IN,
        text=inbound.text,
        latitude=location.latitude if location else None,
        longitude=location.longitude if location else None,
        address=(location.address or location.name)[:300] if location else "",
        payload={
            key: value
            for key, value in (
                ("choice", inbound.choice),
                ("reply_token", inbound.reply_token),
                ("callback_id", inbound.callback_id),
                ("edited", inbound.edited),
                ("subject", inbound.subject),
                ("thread", list(inbound.in_reply_to)),
                ("post", asdict(inbound.post) if inbound.post else None),
            )
            if value
        },
        provider_message_id=inbound.provider_message_id,
        status=DeliveryStatus.RECEIVED,
        created_at=inbound.received_at or timezone.now(),
    )
    for item in inbound.attachments:
        Attachment.objects.create(
            message=message,
            kind=item.kind,
            content_type=item.content_type,
            filename=item.filename[:200],
            media_ref=item.media_ref[:500],
            caption=item.caption,
        )
    publish_on_commit(
        council_id=channel.council_id,
        kind="message",
        data={"conversation": conversation.pk, "message": message.pk},
    )
    threaded = _threaded_case(conversation=conversation, inbound=inbound)
    heard = _heard.get()
    if heard is None or threaded is not None:
        # At once outside a batch, or when the case's news may be sent to them in this step.
        _mark_heard({conversation.pk})
    else:
        heard.add(conversation.pk)  # with the rest of the batch's, at its end
    if threaded is not None:
        attach_messages_to_case(case=threaded, messages=[message])
        message.case = threaded
    return message


def _threaded_case(*, conversation: Conversation, inbound: InboundMessage) -> Case | None:
    """Return the resident's open case that ``inbound`` answers, by its thread or subject.

    An e-mail reply names the messages it answers (In-Reply-To, References): one of ours
    on this conversation about a case places it in that case; else a reference in its
    subject ("Re: [2026-000123] ...") to one of the resident's own cases does.
    """
    case: Case | None = None
    if inbound.in_reply_to:
        answered = (
            Message.objects.filter(
                conversation=conversation,
                provider_message_id__in=inbound.in_reply_to,
                case__isnull=False,
            )
            .select_related("case")
            .order_by("-created_at", "-pk")
            .first()
        )
        case = answered.case if answered is not None else None
    references = find_references(inbound.subject) if case is None and inbound.subject else []
    if references:
        case = Case.objects.filter(
            council=conversation.council, citizen=conversation.citizen, reference__in=references
        ).first()
    return case if case is not None and case.status in OPEN_STATUSES else None


def queue_outbound(
    *,
    conversation: Conversation,
    text: str = "",
    choices: Sequence[Choice] = (),
    case: Any = None,
    author: Actor = None,
    automatic: bool = False,
    attachment: dict[str, str] | None = None,
    template: dict[str, Any] | None = None,
    reply_token: str = "",
    private: bool = False,
    secret: str = "",
) -> Message:
    """Create an outbound message row and, once committed, the task that sends it.

    A ``secret`` in ``text`` (a one-time code) is stored masked (``SECRET_MASK``): staff never
    read it; the resident receives it, and the row forgets it once sent.

    Raise ``OutboundRefused`` when the provider would refuse it (WhatsApp's 24-hour window).

    On a public network the message answers the resident's latest post in its thread. A
    public answer that the redaction would change is not published: it goes as a private
    message (``private``), and the thread is told so without details.
    """
    check_outbound_allowed(
        channel=conversation.channel,
        last_inbound_at=conversation.last_inbound_at,
        template=template,
    )
    if secret and secret not in text:
        raise ValueError("the secret must appear in the text")
    # Its callers go on after a refusal only, raised above: no savepoint of its own (inside
    # a caller's transaction, a failure below undoes the caller's work too).
    with transaction.atomic(savepoint=False):
        payload: dict[str, Any] = {}
        post = publicity.thread_post(conversation)
        if post is not None:
            payload["reply_to"] = post
            # a question with options (the survey, the dialog's menus) or a one-time code is
            # for the resident alone: privately
            private = private or bool(choices) or bool(secret)
            verdict = publicity.check(conversation=conversation, text=text, private=private)
            if verdict.refused:
                private = True
                notice = publicity.moved_private_notice(conversation)
                _create_outbound(conversation, notice, {"reply_to": post}, case, None, True)
        if private:
            payload["private"] = True
        if choices:
            payload["choices"] = [{"id": c.id, "label": c.label} for c in choices]
        if attachment:
            payload["attachment"] = attachment
        if template:
            payload["template"] = template
        if reply_token:
            payload["reply_token"] = reply_token
        if secret:
            text = text.replace(secret, SECRET_MASK)
            payload["secret"] = encrypt_text(secret)
        message = _create_outbound(conversation, text, payload, case, author, automatic)
        if case is not None and not automatic:
            record_first_response(case=case, by=author)
        return message


def _create_outbound(
    conversation: Conversation,
    text: str,
    payload: dict[str, Any],
    case: Any,
    author: Actor,
    automatic: bool,
) -> Message:
    message = Message.objects.create(
        council=conversation.council,
        conversation=conversation,
        channel=conversation.channel,
        case=case,
        direction=Direction.OUT,
        text=text,
        payload=payload,
        status=DeliveryStatus.QUEUED,
        author=author,
        is_automatic=automatic,
        due_at=timezone.now(),
    )
    wake_on_commit(message.channel_id)
    publish_on_commit(
        council_id=conversation.council_id,
        kind="message",
        data={"conversation": conversation.pk, "message": message.pk},
    )
    return message


@transaction.atomic(savepoint=False)  # no caller goes on after its failure
def attach_messages_to_case(*, case: Any, messages: Sequence[Message | int]) -> int:
    """Link a resident's messages to ``case`` (its council's only); return how many changed.

    A resident's message reaching a case "waiting for the resident" is their answer: the
    case goes back to "in progress" (``cases.services.resume_on_reply``). Called here, the
    one place where a resident's message becomes part of a case (the dialog, staff opening
    a case from a conversation), in the same transaction.
    """
    ids = [m.pk if isinstance(m, Message) else m for m in messages]
    moving = Message.objects.filter(pk__in=ids, council_id=case.council_id).exclude(case=case)
    # Only a case waiting for the resident changes when they answer (``resume_on_reply``).
    answered = (
        case.status == Status.WAITING_RESIDENT and moving.filter(direction=Direction.IN).exists()
    )
    changed = moving.update(case=case)
    _take_shared_location(case=case, ids=ids)
    if answered:
        resume_on_reply(case=case)
    if changed:
        publish_on_commit(
            council_id=case.council_id,
            kind="case",
            data={
                "reference": case.reference,
                "change": "messages",
                "department": case.department_id,
            },
        )
    return changed


def _take_shared_location(*, case: Any, ids: Sequence[int]) -> None:
    """Make the last place the resident shared among messages ``ids`` the case's point."""
    shared = (
        Message.objects.filter(
            pk__in=ids,
            case=case,
            direction=Direction.IN,
            latitude__isnull=False,
            longitude__isnull=False,
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if shared is None or shared.latitude is None or shared.longitude is None:
        return
    try:
        set_location(
            case=case,
            latitude=shared.latitude,
            longitude=shared.longitude,
            address=shared.address or case.address,
            source=LocationSource.CHAT,
        )
    except CaseError:
        pass  # a provider's impossible point stays a chat message


@transaction.atomic
def set_attachment_publication(*, attachment: Attachment, public: bool) -> None:
    """Mark whether a copy of ``attachment`` is published (the portal keeps the copy)."""
    Attachment.objects.filter(pk=attachment.pk).update(public_approved=public)


@transaction.atomic
def attach_file(
    *, message: Message, file: str, content_type: str, filename: str, kind: str
) -> Attachment:
    """Record a file already stored at ``file`` as an attachment of ``message``."""
    return Attachment.objects.create(
        message=message, kind=kind, file=file, content_type=content_type, filename=filename
    )


@transaction.atomic
def move_conversation(*, conversation: Conversation, citizen: Any) -> Conversation:
    """Make ``conversation`` (and its identity) belong to ``citizen`` from now on."""
    move_identity(council=conversation.council, urn=conversation.urn, citizen=citizen)
    Conversation.objects.filter(council=conversation.council, urn=conversation.urn).update(
        citizen=citizen
    )
    conversation.citizen = citizen
    return conversation


@dataclass(frozen=True)
class BulkOutbound:
    """One message of a bulk send (a broadcast): its conversation, text and template."""

    conversation_id: int
    channel_id: int
    council_id: int
    text: str
    template: dict[str, Any] | None = None


#: rows per INSERT of a bulk send (SQLite's and PostgreSQL's parameter limits are far above)
BULK_BATCH = 1000


@transaction.atomic
def queue_outbound_bulk(*, items: Sequence[BulkOutbound]) -> list[int]:
    """Create queued outbound rows in batches and return their ids, in the order given.

    The rows are bulk and held back: the caller (``broadcasts.tasks.dispatch``) releases
    them (:func:`release_bulk`) at the pace it decides, and the channel's dispatcher sends
    them after any reply to a resident. The caller applies the provider's window rules (a
    template where required).
    """
    ids = reserve_ids(Message, len(items))
    now = db_value(Message, "created_at", timezone.now())
    empty = db_value(Message, "payload", {})
    fields = (
        "id", "council", "conversation", "channel", "direction", "text", "address", "payload",
        "provider_message_id", "status", "error_code", "error_reason", "is_automatic",
        "attempts", "created_at", "bulk",
    )  # fmt: skip
    insert_rows(
        Message,
        fields,
        (
            (
                pk,
                item.council_id,
                item.conversation_id,
                item.channel_id,
                Direction.OUT,
                item.text,
                "",
                db_value(Message, "payload", {"template": item.template})
                if item.template
                else empty,
                "",
                DeliveryStatus.QUEUED,
                "",
                "",
                True,
                0,
                now,
                True,
            )  # fmt: skip
            for pk, item in zip(ids, items, strict=True)
        ),
    )
    return ids


@transaction.atomic
def release_bulk(*, message_ids: Sequence[int]) -> int:
    """Let the channel's dispatcher send these held bulk messages now; return how many.

    The dispatcher is woken once this commits.
    """
    released = Message.objects.filter(
        pk__in=list(message_ids), status=DeliveryStatus.QUEUED, due_at__isnull=True
    )
    channel_ids = set(released.values_list("channel_id", flat=True).distinct())
    count = released.update(due_at=timezone.now())
    for channel_id in sorted(channel_ids):
        wake_on_commit(channel_id)
    return count


@transaction.atomic
def withdraw_queued(*, message_ids: Any, reason: str) -> int:
    """Mark still-queued outbound messages failed (a cancelled broadcast); return how many.

    ``message_ids`` is a list of ids or a query of them (``values("message_id")``).
    """
    return Message.objects.filter(
        pk__in=message_ids, direction=Direction.OUT, status=DeliveryStatus.QUEUED
    ).update(status=DeliveryStatus.FAILED, error_code="withdrawn", error_reason=reason)


@transaction.atomic
def bulk_conversations(*, channel: Any, citizens: dict[str, int]) -> dict[str, int]:
    """Return {urn: conversation id} on ``channel`` for ``citizens`` ({urn: resident id}).

    Creates the conversations that do not exist yet, in batches (imports).
    """
    urns = list(citizens)
    found: dict[str, int] = {}
    for start in range(0, len(urns), BULK_BATCH):
        chunk = urns[start : start + BULK_BATCH]
        found.update(
            Conversation.objects.filter(channel=channel, urn__in=chunk).values_list("urn", "pk")
        )
    new = [urn for urn in urns if urn not in found]
    ids = reserve_ids(Conversation, len(new))
    now = db_value(Conversation, "created_at", timezone.now())
    empty = db_value(Conversation, "state", {})
    insert_rows(
        Conversation,
        ("id", "council", "citizen", "channel", "urn", "state", "created_at", "updated_at"),
        (
            (pk, channel.council_id, citizens[urn], channel.pk, urn, empty, now, now)
            for pk, urn in zip(ids, new, strict=True)
        ),
    )
    found.update(zip(new, ids, strict=True))
    return found
