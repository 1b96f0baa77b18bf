"""The record of processing activities (RGPD art. 30) and the privacy notice (arts. 13-14).

Both are made from the council's settings (controller, notice version, retention periods,
channels in use) and from :data:`ACTIVITIES`, which names the columns each activity keeps.
A test compares those names with the models, so the record cannot drift from what the
system actually stores: a new column holding personal data fails it until it is listed
here (or declared not personal in :data:`NOT_PERSONAL`).

``privacy`` imports no other app: columns are named as ``app_label.Model.field`` and the
channels in use are passed in by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ventanilla.privacy.models import DataType, RetentionRule

if TYPE_CHECKING:
    from ventanilla.core.models import Council


@dataclass(frozen=True)
class Activity:
    """One processing activity: why, on what legal basis, about whom, what, to whom, how long."""

    key: str
    name: Promise
    purpose: Promise
    legal_basis: Promise
    subjects: Promise
    data: Promise
    #: the columns it keeps, ``app_label.Model.field``
    columns: tuple[str, ...]
    #: the retention data types that bound how long it keeps them
    retention: tuple[str, ...] = ()
    recipients: Promise = field(default=_("Nobody outside the council."))
    #: how long, for an activity no retention period bounds
    kept: Promise | None = None


PUBLIC_INTEREST = _(
    "Performance of a task in the public interest and exercise of official authority "
    "(RGPD art. 6.1.e; Ley 7/1985, reguladora de las Bases del Régimen Local, art. 25; "
    "Ley 39/2015, art. 16)."
)

ACTIVITIES: tuple[Activity, ...] = (
    Activity(
        key="residents",
        name=_("Residents who write to the council"),
        purpose=_("Know who wrote, answer them on the channel they chose, in their language."),
        legal_basis=PUBLIC_INTEREST,
        subjects=_("Residents and anyone who writes to the council's messaging channels."),
        data=_(
            "Name shown by the messaging app, phone number or account id, language, consent "
            "to this notice and opt-out of automatic messages."
        ),
        columns=(
            "citizens.Citizen.name",
            "citizens.Citizen.language",
            "citizens.Citizen.consent_version",
            "citizens.Identity.urn",
            "citizens.Identity.scheme",
            "citizens.Identity.display",
            "conversations.Conversation.urn",
            "conversations.Conversation.state",
            "channels.WebhookEvent.urn",
        ),
        retention=(DataType.PHONE_NUMBERS,),
        recipients=_("The messaging providers the council uses, as processors: %(providers)s."),
    ),
    Activity(
        key="messages",
        name=_("Messages, photos and places"),
        purpose=_("Receive reports and questions and answer them."),
        legal_basis=PUBLIC_INTEREST,
        subjects=_("Residents who write to the council."),
        data=_(
            "Text of the messages in and out, photos and files, places and addresses sent, "
            "delivery status."
        ),
        columns=(
            "conversations.Message.text",
            "conversations.Message.address",
            "conversations.Message.payload",
            "conversations.Attachment.file",
            "conversations.Attachment.filename",
            "conversations.Attachment.caption",
            "conversations.Attachment.media_ref",
            # a provider's webhook as it came, kept until processed (hours; failed ones until
            # staff retry them)
            "conversations.WebhookDelivery.request",
            "conversations.WebhookDelivery.body",
            "conversations.WebhookDelivery.last_error",
            "portal.FormReport.photo",  # the photo sent with the portal's report form
        ),
        retention=(DataType.MESSAGE_TEXT, DataType.ATTACHMENTS),
        recipients=_("The messaging providers the council uses, as processors: %(providers)s."),
    ),
    Activity(
        key="cases",
        name=_("Cases (incidents and requests)"),
        purpose=_(
            "Handle each report as a case: route it to a department, meet its deadline, "
            "tell the resident, ask how it went."
        ),
        legal_basis=PUBLIC_INTEREST,
        subjects=_("Residents who report; staff who handle the case."),
        data=_(
            "Description, place and address, status history, staff notes, satisfaction "
            "rating and comment."
        ),
        columns=(
            "cases.Case.description",
            "cases.Case.address",
            "cases.Case.satisfaction_comment",
            "cases.Case.public_summary",
            "cases.Note.text",
            "cases.CaseEvent.comment",
        ),
        retention=(DataType.CLOSED_CASES,),
    ),
    Activity(
        key="public_record",
        name=_("Public record of cases"),
        purpose=_(
            "Publish what was reported and how fast it was solved, without anyone's "
            "personal data (transparency, Ley 19/2013)."
        ),
        legal_basis=PUBLIC_INTEREST,
        subjects=_("Nobody: personal data are removed before publication."),
        data=_(
            "Category, department, dates, status, a street without its number, a point "
            "rounded to a grid, a summary and photos approved by staff. Supports are "
            "counted without keeping who gave them, except the resident's id for a "
            "support from the chat."
        ),
        columns=(
            "portal.PublicRecord.summary",
            "portal.PublicRecord.summary_draft",
            "portal.PublicRecord.street",
            "portal.PublicPhoto.image",
            "portal.PublicPhoto.alt_text",
            "portal.Support.browser_hash",
        ),
        recipients=_("Anyone: the portal, its open data and Open311."),
        kept=_("As long as the case is public; it holds no personal data."),
    ),
    Activity(
        key="rights",
        name=_("Residents' data protection requests"),
        purpose=_("Answer requests of access, portability and erasure within one month."),
        legal_basis=_("Legal obligation (RGPD art. 6.1.c and arts. 12-22)."),
        subjects=_("Residents who make a request."),
        data=_(
            "The address the request names (until the resident is erased), dates, who "
            "handled it and every step."
        ),
        columns=(
            "privacy.RightsRequest.urn",
            "privacy.RightsRequest.refusal_reason",
            "privacy.RightsAuditEntry.detail",
        ),
        kept=_(
            "As the record of how each request was answered; the address is removed when "
            "the resident is erased."
        ),
    ),
)

#: text columns that hold no personal data (configuration, provider ids, codes, hashes)
NOT_PERSONAL: frozenset[str] = frozenset(
    {
        "conversations.WebhookDelivery.digest",
        "conversations.WebhookDelivery.state",
        "conversations.Message.direction",
        "conversations.Message.provider_message_id",
        "conversations.Message.status",
        "conversations.Message.error_code",
        "conversations.Message.error_reason",
        "conversations.Attachment.kind",
        "conversations.Attachment.content_type",
        "channels.WebhookEvent.kind",
        "channels.WebhookEvent.name",
        "channels.WebhookEvent.provider_event_id",
        "cases.Case.reference",
        "cases.Case.status",
        "cases.CaseEvent.kind",
        "cases.CaseEvent.from_value",
        "cases.CaseEvent.to_value",
        "portal.PublicRecord.reference",
        "portal.PublicRecord.status",
        "portal.PublicRecord.withdrawn_reason",
        "portal.Support.via",
        "privacy.RightsRequest.kind",
        "privacy.RightsRequest.status",
        "privacy.RightsRequest.via",
        "privacy.RightsRequest.subject_hash",
        "privacy.RightsAuditEntry.action",
    }
)

#: the apps whose tables hold residents' data; every text column there is listed above
RESIDENT_DATA_APPS = ("citizens", "conversations", "cases", "channels", "portal", "privacy")
#: their models that are configuration or technical state, not about residents
NOT_ABOUT_RESIDENTS = frozenset(
    {
        "cases.Department",
        "cases.Category",
        "cases.Staff",
        "cases.ReferenceSequence",
        "cases.CaseAccess",
        "channels.Channel",
        "channels.PendingStatus",
        "channels.ChannelThrottle",
        "conversations.BotTemplate",
        "portal.PublicEvent",
        "portal.PublicationLogEntry",
        "privacy.RetentionRule",
        "privacy.RetentionRun",
    }
)


def listed_columns() -> set[str]:
    return {column for activity in ACTIVITIES for column in activity.columns}


@dataclass(frozen=True)
class Retention:
    data_type: str
    label: str
    months: int
    by_category: tuple[tuple[str, int], ...]


def retention_of(council: Council) -> list[Retention]:
    """Return how long each data type is kept in ``council`` (its rules, else its default)."""
    rules = list(RetentionRule.objects.filter(council=council))
    periods = []
    for data_type in DataType:
        months = council.retention_months
        by_category = []
        for rule in rules:
            if rule.data_type != data_type:
                continue
            if rule.category_code:
                by_category.append((rule.category_code, rule.months))
            else:
                months = rule.months
        periods.append(
            Retention(data_type, str(data_type.label), months, tuple(sorted(by_category)))
        )
    return periods


@dataclass(frozen=True)
class RecordEntry:
    activity: Activity
    recipients: str
    retention: list[Retention]


def record_of(council: Council, *, providers: Iterable[str], language: str) -> list[RecordEntry]:
    """Return the record of processing activities of ``council``, in ``language``."""
    names = ", ".join(sorted(set(providers))) or "-"
    periods = {r.data_type: r for r in retention_of(council)}
    with translation.override(language):
        return [
            RecordEntry(
                activity=activity,
                recipients=str(activity.recipients) % {"providers": names}
                if "%(providers)s" in str(activity.recipients)
                else str(activity.recipients),
                retention=[periods[d] for d in activity.retention],
            )
            for activity in ACTIVITIES
        ]


def render_notice(council: Council, *, providers: Iterable[str], language: str) -> str:
    """Return the privacy notice of ``council`` as HTML, in ``language``."""
    with translation.override(language):
        return render_to_string(
            "privacy/notice.html",
            {
                "council": council,
                "controller": council.data_controller or council.name,
                "record": record_of(council, providers=providers, language=language),
                "language": language,
            },
        )


def render_record(council: Council, *, providers: Iterable[str], language: str) -> str:
    """Return the record of processing activities of ``council`` as HTML, in ``language``."""
    with translation.override(language):
        return render_to_string(
            "privacy/_record.html",
            {
                "record": record_of(council, providers=providers, language=language),
                "show_columns": True,
            },
        )
