"""The write path of alerts: subscriptions, broadcasts and their fan-out.

A broadcast is written (``create_broadcast``), approved by a second person (``approve``),
then sent (``send``): its recipients become queued bulk messages, held back
(``conversations.services.queue_outbound_bulk``). One task per channel
(``broadcasts.tasks.dispatch``) releases them a few seconds' worth at a time, within the
WhatsApp number's messaging limit, and the channel's dispatcher
(``conversations.delivery_tasks``) sends them at the channel's rate, always after the
replies to residents that are due.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Any

import structlog
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.broadcasts.models import (
    Alert,
    AlertStatus,
    Broadcast,
    CodePurpose,
    Kind,
    PortalCode,
    Recipient,
    Source,
    Status,
    Subscription,
    Topic,
)
from ventanilla.channels.adapters import provider_class
from ventanilla.channels.models import Channel, Provider
from ventanilla.channels.policy import OutboundRefused, reply_window
from ventanilla.citizens.services import (
    bulk_find_or_create_citizens,
    set_language,
    set_opt_out,
)
from ventanilla.citizens.urns import InvalidUrn, normalise_phone
from ventanilla.conversations.bot_templates import TemplateBook
from ventanilla.conversations.models import SECRET_MASK, Attachment, Conversation, Message
from ventanilla.conversations.services import (
    BulkOutbound,
    bulk_conversations,
    conversation_for,
    queue_outbound,
    queue_outbound_bulk,
    withdraw_queued,
)
from ventanilla.core import throttle
from ventanilla.core.bulk import db_value, insert_rows
from ventanilla.core.models import Council
from ventanilla.insights.models import District
from ventanilla.privacy.redaction import redact

log = structlog.get_logger(__name__)


class BroadcastError(Exception):
    """The broadcast cannot do what was asked; the text says why."""


class ApprovalError(BroadcastError):
    """The person asking may not approve (they wrote it) or it is not waiting for approval."""


# -- subscriptions ---------------------------------------------------------------------


@transaction.atomic
def subscribe(
    *,
    topic: Topic,
    conversation: Conversation,
    source: str,
    notice: str,
    district: District | None = None,
) -> Subscription:
    """Subscribe the resident's channel identity to ``topic`` (again, if they had left).

    A topic limited to districts needs one of its districts (``district``); subscribing
    again with another district moves the subscription there.
    """
    limited = set(topic.districts.values_list("pk", flat=True))
    if limited and (district is None or district.pk not in limited):
        raise BroadcastError(_("Choose one of the topic's districts."))
    if not limited:
        district = None
    subscription, created = Subscription.objects.select_for_update().get_or_create(
        topic=topic,
        conversation=conversation,
        defaults={
            "council": topic.council,
            "citizen_id": conversation.citizen_id,
            "source": source,
            "notice": notice,
            "district": district,
        },
    )
    if not created and (subscription.ended_at is not None or subscription.district != district):
        subscription.ended_at = None
        subscription.created_at = timezone.now()
        subscription.source = source
        subscription.notice = notice
        subscription.district = district
        subscription.save(update_fields=["ended_at", "created_at", "source", "notice", "district"])
    return subscription


@transaction.atomic
def unsubscribe(*, topic: Topic, conversation: Conversation) -> bool:
    """End the subscription of this channel identity to ``topic``; return whether it had one."""
    return bool(
        Subscription.objects.filter(
            topic=topic, conversation=conversation, ended_at__isnull=True
        ).update(ended_at=timezone.now())
    )


@transaction.atomic
def create_topic(
    *,
    council: Council,
    slug: str,
    name_es: str,
    name_ca: str = "",
    name_en: str = "",
    keywords: str = "",
) -> Topic:
    return Topic.objects.create(
        council=council,
        slug=slug,
        name_es=name_es,
        name_ca=name_ca,
        name_en=name_en,
        keywords=keywords,
    )


# -- broadcasts ------------------------------------------------------------------------


@transaction.atomic
def create_broadcast(
    *,
    topic: Topic,
    texts: dict[str, str],
    by: Any,
    channels: Sequence[Channel] = (),
    template_name: str = "",
    template_variables: Sequence[str] = (),
    scheduled_for: dt.datetime | None = None,
) -> Broadcast:
    """Write a broadcast waiting for a second person's approval."""
    council = topic.council
    texts = {lang: text.strip() for lang, text in texts.items() if text and text.strip()}
    if not texts.get(council.language_codes[0]):
        raise BroadcastError(_("Write the text at least in the council's first language."))
    unknown = set(texts) - set(council.language_codes)
    if unknown:
        raise BroadcastError(
            _("The council does not speak: %(languages)s") % {"languages": ", ".join(unknown)}
        )
    if any(c.council_id != council.pk for c in channels):
        raise BroadcastError(_("A channel of another council was chosen."))
    broadcast = Broadcast.objects.create(
        council=council,
        topic=topic,
        texts=texts,
        template_name=template_name.strip(),
        template_variables=[str(v) for v in template_variables],
        scheduled_for=scheduled_for,
        created_by=by,
    )
    if channels:
        broadcast.channels.set(channels)
    return broadcast


def _locked(broadcast: Broadcast) -> Broadcast:
    return Broadcast.objects.select_for_update().select_related("council").get(pk=broadcast.pk)


@transaction.atomic
def approve(*, broadcast: Broadcast, by: Any) -> Broadcast:
    """Approve ``broadcast``: only someone other than its author, only once."""
    row = _locked(broadcast)
    if row.created_by_id == getattr(by, "pk", None):
        raise ApprovalError(_("A broadcast must be approved by someone other than its author."))
    if row.status != Status.DRAFT:
        raise ApprovalError(_("This broadcast is not waiting for approval."))
    row.status = Status.APPROVED
    row.approved_by = by
    row.approved_at = timezone.now()
    row.save(update_fields=["status", "approved_by", "approved_at"])
    log.info("broadcast_approved", broadcast=row.pk, by=by.pk)
    return row


@transaction.atomic
def send(*, broadcast: Broadcast) -> Broadcast:
    """Send an approved broadcast now, or at its scheduled time."""
    from_tasks = _tasks()
    row = _locked(broadcast)
    if row.status == Status.DRAFT:
        raise BroadcastError(_("A second person must approve the broadcast before it is sent."))
    if row.status != Status.APPROVED:
        raise BroadcastError(_("This broadcast was already sent or cancelled."))
    if row.scheduled_for is not None and row.scheduled_for > timezone.now():
        row.status = Status.SCHEDULED
        row.save(update_fields=["status"])
        transaction.on_commit(
            partial(from_tasks.start_scheduled.using(run_after=row.scheduled_for).enqueue, row.pk)
        )
        return row
    return _fan_out(row)


@transaction.atomic
def start_scheduled(*, broadcast_id: int) -> Broadcast | None:
    """Fan out a scheduled broadcast whose time has come (a task calls it)."""
    row = Broadcast.objects.select_for_update().filter(pk=broadcast_id).first()
    if row is None or row.status != Status.SCHEDULED:
        return row
    return _fan_out(row)


def _tasks() -> Any:
    from ventanilla.broadcasts import tasks  # same app: the tasks import these services

    return tasks


def recipients_query(broadcast: Broadcast) -> Any:
    """The active subscriptions a broadcast reaches: opted-out residents and idle channels out."""
    subscriptions = Subscription.objects.filter(
        topic_id=broadcast.topic_id,
        ended_at__isnull=True,
        citizen__opted_out_at__isnull=True,
        conversation__channel__active=True,
    )
    channel_ids = list(broadcast.channels.values_list("pk", flat=True)) if broadcast.pk else []
    if channel_ids:
        subscriptions = subscriptions.filter(conversation__channel_id__in=channel_ids)
    return subscriptions


def _fan_out(row: Broadcast, subscriptions: Any = None) -> Broadcast:
    """Create the broadcast's queued messages in batches; start one dispatcher per channel."""
    channels = {c.pk: c for c in Channel.objects.filter(council_id=row.council_id)}
    texts = {lang: row.text_for(lang) for lang in row.council.language_codes}
    default = row.text_for("")
    items: list[BulkOutbound] = []
    kinds: list[tuple[int, bool]] = []
    skipped = 0
    subscriptions = recipients_query(row) if subscriptions is None else subscriptions
    now = timezone.now()
    for channel in channels.values():
        # Per channel, and the window decided in SQL: no date to read back for each row.
        mine = subscriptions.filter(conversation__channel_id=channel.pk)
        window = provider_class(channel.provider).free_form_window
        if window is None:
            parts = [(mine, False)]
        else:
            since = now - window
            parts = [
                (mine.filter(conversation__last_inbound_at__gt=since), False),
                (
                    mine.exclude(conversation__last_inbound_at__gt=since),
                    True,  # WhatsApp takes only a template there
                ),
            ]
        for part, needs_template in parts:
            rows = part.values_list("conversation_id", "citizen__language")
            if needs_template and not row.template_name:
                skipped += rows.count()  # and none was chosen: left out
                continue
            for conversation_id, language in rows.iterator(chunk_size=5000):
                template = None
                if needs_template:
                    template = {
                        "name": row.template_name,
                        "language": language or row.council.language_codes[0],
                        "parameters": list(row.template_variables or []),
                    }
                items.append(
                    BulkOutbound(
                        conversation_id=conversation_id,
                        channel_id=channel.pk,
                        council_id=row.council_id,
                        text=texts.get(language, default),
                        template=template,
                    )
                )
                kinds.append((channel.pk, needs_template))
    ids = queue_outbound_bulk(items=items)
    insert_rows(
        Recipient,
        ("broadcast", "channel", "message", "template"),
        (
            (row.pk, channel_id, message_id, t)
            for message_id, (channel_id, t) in zip(ids, kinds, strict=True)
        ),
    )
    row.status = Status.SENDING
    row.recipients = len(ids)
    row.skipped = skipped
    row.queued_at = timezone.now()
    row.save(update_fields=["status", "recipients", "skipped", "queued_at"])
    for channel_id in sorted({pk for pk, _template in kinds}):
        start_dispatch(broadcast=row, channel_id=channel_id)
    if not ids:
        finish_if_done(broadcast_id=row.pk)
    log.info("broadcast_queued", broadcast=row.pk, recipients=len(ids), skipped=skipped)
    return row


def start_dispatch(*, broadcast: Broadcast, channel_id: int) -> None:
    """Enqueue the channel's dispatcher for ``broadcast`` once the transaction commits."""
    dispatch = _tasks().dispatch
    transaction.on_commit(partial(dispatch.enqueue, broadcast.pk, channel_id))


@transaction.atomic
def pause(*, broadcast: Broadcast) -> Broadcast:
    row = _locked(broadcast)
    if row.status != Status.SENDING:
        raise BroadcastError(_("Only a broadcast being sent can be paused."))
    row.status = Status.PAUSED
    row.save(update_fields=["status"])
    return row


@transaction.atomic
def resume(*, broadcast: Broadcast) -> Broadcast:
    row = _locked(broadcast)
    if row.status != Status.PAUSED:
        raise BroadcastError(_("Only a paused broadcast can be resumed."))
    row.status = Status.SENDING
    row.save(update_fields=["status"])
    channel_ids = (
        Recipient.objects.filter(broadcast=row).values_list("channel_id", flat=True).distinct()
    )
    for channel_id in sorted(set(channel_ids)):
        start_dispatch(broadcast=row, channel_id=channel_id)
    return row


@transaction.atomic
def cancel(*, broadcast: Broadcast) -> Broadcast:
    """Stop a broadcast: what is still queued is withdrawn, what went out stays."""
    row = _locked(broadcast)
    if row.status in (Status.DONE, Status.CANCELLED):
        raise BroadcastError(_("This broadcast was already sent or cancelled."))
    withdraw_queued(
        message_ids=Recipient.objects.filter(broadcast=row).values("message_id"),
        reason=_("The broadcast was cancelled."),
    )
    row.status = Status.CANCELLED
    row.finished_at = timezone.now()
    row.save(update_fields=["status", "finished_at"])
    return row


@transaction.atomic
def finish_if_done(*, broadcast_id: int) -> bool:
    """Mark a sending broadcast done once none of its messages is queued; return whether."""
    row = Broadcast.objects.select_for_update().filter(pk=broadcast_id).first()
    if row is None or row.status != Status.SENDING:
        return False
    if Recipient.objects.filter(broadcast=row, message__status="queued").exists():
        return False
    row.status = Status.DONE
    row.finished_at = timezone.now()
    row.save(update_fields=["status", "finished_at"])
    return True


# -- the moderated neighbourhood relay -----------------------------------------------

#: a resident's alert not decided within this long, or relayed, stops counting after it
ALERT_TTL = dt.timedelta(hours=24)


@transaction.atomic
def submit_alert(
    *,
    conversation: Conversation,
    text: str,
    message: Message | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    photos: int = 0,
) -> Alert:
    """Put a resident's "AVISO …" in the moderation queue (nothing is relayed yet)."""
    return Alert.objects.create(
        council_id=conversation.council_id,
        conversation=conversation,
        message=message,
        text=text.strip(),
        latitude=latitude,
        longitude=longitude,
        photos=photos,
        expires_at=timezone.now() + ALERT_TTL,
    )


PHOTO_SALT = "broadcasts.relay-photo"


def relay_photo(alert: Alert) -> Attachment | None:
    """Return the resident's first stored photo of ``alert``, if any."""
    if alert.message_id is None:
        return None
    return (
        Attachment.objects.filter(message_id=alert.message_id, content_type__startswith="image/")
        .exclude(file="")
        .order_by("pk")
        .first()
    )


def photo_url(alert: Alert) -> str:
    """Return the public address of the relayed copy of ``alert``'s photo (signed)."""
    token = signing.dumps(alert.pk, salt=PHOTO_SALT)
    return settings.PUBLIC_URL + reverse("public_alerts:photo", args=[token])


def alert_of_photo_token(token: str) -> Alert | None:
    """Return the relayed, current alert whose photo ``token`` names, or None."""
    try:
        pk = signing.loads(token, salt=PHOTO_SALT)
    except signing.BadSignature:
        return None
    return Alert.objects.filter(
        pk=pk, status=AlertStatus.RELAYED, photo_relayed=True, expires_at__gt=timezone.now()
    ).first()


def _tell_sender(alert: Alert, key: str) -> None:
    conversation = alert.conversation
    text = TemplateBook.for_conversation(conversation).text(key)
    try:
        queue_outbound(conversation=conversation, text=text, automatic=True)
    except OutboundRefused:
        log.info("alert_sender_not_told", alert=alert.pk)  # WhatsApp's window has closed


def anonymous_text(alert: Alert, text: str) -> str:
    """Return ``text`` without the sender's name, numbers or other personal data."""
    citizen = alert.conversation.citizen
    names = [citizen.name, *citizen.identities.values_list("display", flat=True)]
    return redact(text, names=[n for n in names if n])


@transaction.atomic
def relay_alert(
    *,
    alert: Alert,
    by: Any,
    text: str,
    topic: Topic,
    district: Any = None,
    expires_at: dt.datetime | None = None,
    keep_photo: bool = False,
) -> Alert:
    """Relay a resident's alert, as the operator wrote it, to ``topic``'s subscribers.

    Only subscribers in ``district`` when one is given. The operator approves it by
    relaying; the text goes through redaction with the sender's names, so neither their
    number nor their name reaches anyone. With ``keep_photo`` the resident's first photo
    goes too, as a link to a copy without its metadata (``photo_url``) at the end of the
    text (WhatsApp templates, outside the 24-hour window, stay text). The sender is told.
    """
    row = Alert.objects.select_for_update().select_related("conversation").get(pk=alert.pk)
    if row.status != AlertStatus.PENDING:
        raise BroadcastError(_("This alert was already decided."))
    if row.expired:
        raise BroadcastError(_("This alert has expired."))
    if topic.council_id != row.council_id:
        raise BroadcastError(_("A topic of another council was chosen."))
    clean = anonymous_text(row, text)
    if not clean.strip():
        raise BroadcastError(_("Write the text to relay."))
    council = topic.council
    row.photo_relayed = keep_photo and relay_photo(row) is not None
    sent_text = f"{clean}\n{photo_url(row)}" if row.photo_relayed else clean
    broadcast = Broadcast.objects.create(
        council=council,
        topic=topic,
        kind=Kind.RELAY,
        texts={council.language_codes[0]: sent_text},
        status=Status.APPROVED,
        approved_by=by,
        approved_at=timezone.now(),
    )
    subscriptions = recipients_query(broadcast)
    if district is not None:
        subscriptions = subscriptions.filter(district=district)
    _fan_out(broadcast, subscriptions)
    row.status = AlertStatus.RELAYED
    row.relayed_text = clean
    row.topic = topic
    row.district = district
    row.broadcast = broadcast
    row.decided_by = by
    row.decided_at = timezone.now()
    row.expires_at = expires_at or row.expires_at
    row.save()
    _tell_sender(row, "alerts.relay_relayed")
    return row


@transaction.atomic
def reject_alert(*, alert: Alert, by: Any) -> Alert:
    row = Alert.objects.select_for_update().select_related("conversation").get(pk=alert.pk)
    if row.status != AlertStatus.PENDING:
        raise BroadcastError(_("This alert was already decided."))
    row.status = AlertStatus.REJECTED
    row.decided_by = by
    row.decided_at = timezone.now()
    row.save(update_fields=["status", "decided_by", "decided_at"])
    _tell_sender(row, "alerts.relay_rejected")
    return row


# -- importing a list ------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did, and the lines it left out (line number, what it said, why)."""

    imported: int = 0
    already: int = 0
    invalid: list[tuple[int, str, str]] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    welcomed: int = 0
    not_welcomed: int = 0
    welcome: Broadcast | None = None


def phone_urn(channel: Channel, phone: str) -> str:
    """Return the URN ``phone`` has on ``channel`` (SMS or WhatsApp), or raise InvalidUrn."""
    e164 = normalise_phone(phone.strip())
    return f"whatsapp:{e164[1:]}" if channel.provider == Provider.WHATSAPP else f"tel:{e164}"


@transaction.atomic
def import_subscribers(
    *,
    topic: Topic,
    channel: Channel,
    rows: Iterable[tuple[int, str, str]],
    template_name: str = "",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Subscribe a list of phone numbers ((line, phone, language) rows) to ``topic``.

    All or nothing: an error while writing leaves nothing imported. Numbers that cannot be
    read and repeated numbers are reported, not imported. Each new subscriber gets a
    welcome that says how to leave, sent at the channel's rate (a broadcast of its own;
    WhatsApp numbers get it only through ``template_name``, as they have never written).
    """
    if channel.council_id != topic.council_id:
        raise BroadcastError(_("The channel belongs to another council."))
    if channel.provider not in (Provider.TWILIO, Provider.WHATSAPP):
        raise BroadcastError(_("Phone lists can only be imported to SMS or WhatsApp channels."))
    council = topic.council
    report = ImportReport()
    urns: dict[str, str] = {}  # urn → language
    for n, (line, phone, language) in enumerate(rows, 1):
        if progress is not None and n % 5000 == 0:
            progress(n)
        try:
            urn = phone_urn(channel, phone)
        except InvalidUrn:
            report.invalid.append((line, phone, _("not a phone number")))
            continue
        if urn in urns:
            report.duplicates.append((line, phone))
            continue
        language = (language or "").strip().lower()[:2]
        urns[urn] = language if language in council.language_codes else ""
    citizens = bulk_find_or_create_citizens(council=council, urns=list(urns), languages=urns)
    conversations = bulk_conversations(channel=channel, citizens=citizens)
    stamp = timezone.now()
    existing = dict(
        Subscription.objects.filter(topic=topic, conversation__channel=channel).values_list(
            "conversation_id", "ended_at"
        )
    )
    in_file = set(conversations.values())
    ended = [pk for pk, ended_at in existing.items() if ended_at is not None and pk in in_file]
    report.already = sum(
        1 for pk, ended_at in existing.items() if ended_at is None and pk in in_file
    )
    notice = _welcome_text(topic, council.language_codes[0])
    created_at = db_value(Subscription, "created_at", stamp)
    new = [
        (council.pk, topic.pk, citizens[urn], conversation_id, Source.IMPORT, notice, created_at)
        for urn, conversation_id in conversations.items()
        if conversation_id not in existing
    ]
    insert_rows(
        Subscription,
        ("council", "topic", "citizen", "conversation", "source", "notice", "created_at"),
        new,
    )
    for start in range(0, len(ended), 2000):
        chunk = ended[start : start + 2000]
        Subscription.objects.filter(topic=topic, conversation_id__in=chunk).update(
            ended_at=None, created_at=stamp, source=Source.IMPORT, notice=notice
        )
    report.imported = len(new) + len(ended)
    welcome = Broadcast.objects.create(
        council=council,
        topic=topic,
        kind=Kind.WELCOME,
        texts={lang: _welcome_text(topic, lang) for lang in council.language_codes},
        template_name=template_name,
        template_variables=[topic.name_es],
        status=Status.APPROVED,
    )
    welcome.channels.set([channel])
    imported = recipients_query(welcome).filter(source=Source.IMPORT, created_at=stamp)
    welcome = _fan_out(welcome, imported)
    report.welcome = welcome
    report.welcomed, report.not_welcomed = welcome.recipients, welcome.skipped
    if progress is not None:
        progress(len(urns) + len(report.invalid) + len(report.duplicates))
    return report


def _welcome_text(topic: Topic, language: str) -> str:
    name = topic.name(language)
    return TemplateBook(topic.council, language).text(
        "alerts.welcome", council=topic.council.name, topic=name, word=name.upper()
    )


# -- subscribing on the portal, with a one-time code ---------------------------------------

PORTAL_CODE_TTL = dt.timedelta(minutes=10)
PORTAL_CODE_TRIES = 3
#: codes sent to one number an hour, and asked from one client address an hour
CODES_PER_NUMBER = 3
CODES_PER_CLIENT = 10
#: codes typed from one client address an hour (each code also allows only 3 attempts)
CHECKS_PER_CLIENT = 20
HOUR = 3600
#: the channel option naming WhatsApp's approved authentication template, taking the code
CODE_TEMPLATE_OPTION = "one_time_code_template"
#: a code's row (what was asked, the digest, the attempts) is kept this long after it expired
PORTAL_CODE_KEEP = dt.timedelta(days=1)


class CodeResult(StrEnum):
    DONE = "done"
    WRONG = "wrong"
    LOCKED = "locked"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Checked:
    """What ``check_portal_code`` did: the result and, when done, the notice shown."""

    result: CodeResult
    notice: str = ""


def portal_channels(council: Council) -> Any:
    """The channels a portal code can reach a phone number on: SMS, and WhatsApp numbers
    with an approved template for codes (a new number has never written, so its
    24-hour window is closed)."""
    channels = Channel.objects.filter(
        council=council, active=True, provider__in=(Provider.TWILIO, Provider.WHATSAPP)
    ).order_by("provider", "name", "pk")
    return [
        c
        for c in channels
        if c.provider != Provider.WHATSAPP or (c.options or {}).get(CODE_TEMPLATE_OPTION)
    ]


def _code_digest(conversation_id: int, code: str) -> str:
    key = f"{settings.SECRET_KEY}:broadcasts:portal-code".encode()
    return hmac.new(key, f"{conversation_id}:{code}".encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def request_portal_code(
    *,
    channel: Channel,
    phone: str,
    purpose: str,
    language: str,
    client: str,
    topics: Sequence[tuple[Topic, District | None]] = (),
    everything: bool = False,
) -> PortalCode | None:
    """Send a one-time code to ``phone`` on ``channel`` for what the portal's form asks.

    Nothing changes until the code comes back (``check_portal_code``). The same happens
    whether or not the number is known to the council. Return None when too many codes
    were asked for this number or from this client address (``client``); raise InvalidUrn
    for a number that cannot be read.
    """
    council = channel.council
    urn = phone_urn(channel, phone)
    if any(t.council_id != council.pk for t, _d in topics):
        raise BroadcastError(_("A topic of another council was chosen."))
    allowed = throttle.hit(
        scope="alerts-code-client", client=client, limit=CODES_PER_CLIENT, window_seconds=HOUR
    )
    allowed = allowed and throttle.hit(
        scope="alerts-code-number", client=urn, limit=CODES_PER_NUMBER, window_seconds=HOUR
    )
    if not allowed:
        log.info("portal_code_throttled", council=council.pk)
        return None
    language = language if language in council.language_codes else council.language_codes[0]
    conversation = conversation_for(channel=channel, urn=urn, language=language)
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    row = PortalCode.objects.create(
        council=council,
        conversation=conversation,
        purpose=purpose,
        topics=[{"topic": t.pk, "district": d.pk if d else None} for t, d in topics],
        everything=everything,
        language=language,
        code_digest=_code_digest(conversation.pk, code),
        created_at=now,
        expires_at=now + PORTAL_CODE_TTL,
    )
    book = TemplateBook.for_conversation(conversation, language)
    text = book.text("alerts.portal_code", council=council.name, code=code)
    if code not in text:  # a council's edited text lost {code}
        text = f"{text} {code}"
    template = None
    if not reply_window(
        provider=channel.provider, last_inbound_at=conversation.last_inbound_at
    ).open:
        # the code is a template's only variable, masked like the text (see SECRET_MASK)
        name = str((channel.options or {}).get(CODE_TEMPLATE_OPTION) or "")
        template = {"name": name, "language": language, "parameters": [SECRET_MASK]}
    try:
        queue_outbound(
            conversation=conversation, text=text, automatic=True, secret=code, template=template
        )
    except OutboundRefused:
        log.warning("portal_code_not_sent", channel=channel.pk)
    return row


@transaction.atomic
def check_portal_code(*, code_id: int, code: str, client: str) -> Checked:
    """Check a code typed on the portal; when right, do what was asked with it.

    Three wrong codes lock the request; an expired or used one does nothing.
    """
    row = (
        PortalCode.objects.select_for_update()
        .select_related("conversation__citizen", "council")
        .filter(pk=code_id)
        .first()
    )
    if row is None or row.used_at is not None or row.expires_at <= timezone.now():
        return Checked(CodeResult.EXPIRED)
    if row.locked_at is not None:
        return Checked(CodeResult.LOCKED)
    if not throttle.hit(
        scope="alerts-code-check", client=client, limit=CHECKS_PER_CLIENT, window_seconds=HOUR
    ):
        return Checked(CodeResult.LOCKED)
    typed = "".join(c for c in code if c.isdigit())
    if not hmac.compare_digest(row.code_digest, _code_digest(row.conversation_id, typed)):
        row.attempts += 1
        if row.attempts >= PORTAL_CODE_TRIES:
            row.locked_at = timezone.now()
        row.save(update_fields=["attempts", "locked_at"])
        return Checked(CodeResult.LOCKED if row.locked_at else CodeResult.WRONG)
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    if row.purpose == CodePurpose.SUBSCRIBE:
        notice = _subscribe_from_portal(row)
    else:
        notice = _unsubscribe_from_portal(row)
    return Checked(CodeResult.DONE, notice)


def prune_portal_codes(*, now: dt.datetime | None = None) -> int:
    """Delete portal codes expired more than ``PORTAL_CODE_KEEP`` ago; return how many.

    What a code did is kept elsewhere: a subscription records when, how and the notice shown.
    The row itself only says that someone asked for a number, so it does not stay.
    """
    cutoff = (now or timezone.now()) - PORTAL_CODE_KEEP
    deleted, _ = PortalCode.objects.filter(expires_at__lt=cutoff).delete()
    return deleted


def _portal_topics(row: PortalCode) -> list[tuple[Topic, District | None]]:
    wanted = [(int(item["topic"]), item.get("district")) for item in row.topics or []]
    topics = Topic.objects.filter(council=row.council, pk__in=[t for t, _d in wanted])
    districts = District.objects.filter(
        council=row.council, pk__in=[d for _t, d in wanted if d]
    ).in_bulk()
    by_pk = {t.pk: t for t in topics}
    return [(by_pk[t], districts.get(int(d)) if d else None) for t, d in wanted if t in by_pk]


def _tell(conversation: Conversation, text: str) -> None:
    """Send the notice to the number too, where the provider allows it without a template."""
    try:
        queue_outbound(conversation=conversation, text=text, automatic=True)
    except OutboundRefused:
        pass


def _subscribe_from_portal(row: PortalCode) -> str:
    conversation = row.conversation
    citizen = conversation.citizen
    if row.language and citizen.language != row.language:
        set_language(citizen=citizen, language=row.language)
    if citizen.opted_out:  # asking on the portal, with the code, is opting in again
        set_opt_out(citizen=citizen, opted_out=False)
    book = TemplateBook.for_conversation(conversation, row.language)
    notices = []
    for topic, district in _portal_topics(row):
        name = topic.name(book.language)
        notice = book.text("alerts.subscribed", topic=name, word=name.upper())
        try:
            with transaction.atomic():
                subscribe(
                    topic=topic,
                    conversation=conversation,
                    source=Source.PORTAL,
                    notice=notice,
                    district=district,
                )
        except BroadcastError:  # the topic's districts changed while the code travelled
            log.info("portal_subscription_skipped", topic=topic.pk)
            continue
        notices.append(notice)
    text = "\n".join(notices)
    if text:
        _tell(conversation, text)
    return text


def _unsubscribe_from_portal(row: PortalCode) -> str:
    conversation = row.conversation
    book = TemplateBook.for_conversation(conversation, row.language)
    if row.everything:
        citizen = conversation.citizen
        Subscription.objects.filter(
            council=row.council, citizen=citizen, ended_at__isnull=True
        ).update(ended_at=timezone.now())
        if not citizen.opted_out:
            set_opt_out(citizen=citizen, opted_out=True)
        return book.text("optout.done")
    notices = []
    for topic, _district in _portal_topics(row):
        unsubscribe(topic=topic, conversation=conversation)
        notices.append(book.text("alerts.unsubscribed", topic=topic.name(book.language)))
    return "\n".join(notices)
