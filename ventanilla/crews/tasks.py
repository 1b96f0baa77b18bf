"""Background work of crews: sending to staff phones, reading crews' answers, reminders.

Tasks take ids, load the rows and call ``crews.services``; a task that runs twice does
nothing the second time (the rows say what was done).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import structlog
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task
from django_tasks.base import Task

from ventanilla.channels import services as channel_services
from ventanilla.channels.adapters import UnknownProvider, adapter_for
from ventanilla.channels.adapters.base import (
    Attachment as InboundAttachment,
)
from ventanilla.channels.adapters.base import (
    Location,
    OutboundAttachment,
    OutboundMessage,
    SendError,
)
from ventanilla.conversations.delivery_tasks import http_client, idempotency_key
from ventanilla.crews import services
from ventanilla.crews.models import StaffMessage, WorkOrder

log = structlog.get_logger(__name__)


def later(work: Task[Any, Any], run_after: dt.datetime, *args: Any) -> None:
    """Enqueue ``work`` to run at ``run_after`` (at once if the queue cannot wait)."""
    if work.get_backend().supports_defer and run_after > timezone.now():
        work.using(run_after=run_after).enqueue(*args)
    else:
        work.enqueue(*args)


@task(queue_name="send")
def send_staff_message(message_id: int) -> None:
    """Send one message to a staff phone through its channel's adapter."""
    message = (
        StaffMessage.objects.select_related("channel", "identity", "channel__council")
        .filter(pk=message_id, direction=StaffMessage.Direction.OUT)
        .first()
    )
    if message is None or message.status not in (
        StaffMessage.Status.QUEUED,
        StaffMessage.Status.HELD,
    ):
        return
    if message.send_after is not None and message.send_after > timezone.now():
        return  # quiet hours: a later run sends it
    payload: dict[str, Any] = message.payload or {}
    attachment = payload.get("attachment")
    place = payload.get("location")
    outbound = OutboundMessage(
        urn=message.identity.urn,
        text=message.text,
        attachment=OutboundAttachment(
            url=str(attachment["url"]),
            content_type=str(attachment.get("content_type") or ""),
            filename=str(attachment.get("filename") or ""),
        )
        if attachment
        else None,
        location=Location(
            latitude=float(place["latitude"]),
            longitude=float(place["longitude"]),
            name=str(place.get("name") or ""),
            address=str(place.get("address") or ""),
        )
        if place
        else None,
        idempotency_key=idempotency_key(-message.pk),  # never a resident message's key
    )
    try:
        result = adapter_for(message.channel).send(http_client(), outbound)
    except (SendError, UnknownProvider, httpx.HTTPError) as error:
        log.warning("staff_message_failed", message=message.pk, error=type(error).__name__)
        StaffMessage.objects.filter(pk=message.pk).update(
            status=StaffMessage.Status.FAILED, error_reason=str(error)[:500]
        )
        return
    provider_id = result.provider_message_id[:200]
    StaffMessage.objects.filter(pk=message.pk).update(
        status=StaffMessage.Status.SENT, provider_message_id=provider_id, sent_at=timezone.now()
    )
    # A status that beat the send's answer was kept by conversations as a resident's
    # pending status (no message had this id yet): it is this staff message's.
    if channel_services.has_pending_statuses(
        channel_id=message.channel_id, provider_message_id=provider_id
    ):
        with transaction.atomic():
            for update in channel_services.claim_pending_statuses(
                channel_id=message.channel_id, provider_message_id=provider_id
            ):
                services.apply_staff_status(
                    message=message, status=str(update.status), at=update.at
                )


def _download_photo(message: StaffMessage) -> tuple[bytes, str] | None:
    photo = (message.payload or {}).get("photo")
    if not photo:
        return None
    wanted = InboundAttachment(
        kind="image",
        media_ref=str(photo.get("media_ref") or ""),
        content_type=str(photo.get("content_type") or ""),
    )
    try:
        return adapter_for(message.channel).download(http_client(), wanted)
    except (SendError, UnknownProvider, httpx.HTTPError, KeyError, ValueError) as error:
        log.warning("staff_photo_download_failed", message=message.pk, error=type(error).__name__)
        return None


@task(queue_name="default")
def handle_staff_message(message_id: int) -> str:
    """Read a crew's answer ("en camino", "hecho" + photo, "no es nuestro" + reason)."""
    message = (
        StaffMessage.objects.select_related("identity", "identity__crew", "channel", "council")
        .filter(pk=message_id, direction=StaffMessage.Direction.IN)
        .first()
    )
    if message is None:
        return ""
    identity = message.identity
    answer = services.read_answer(message.text)
    with translation.override(services.language_of(identity)):
        work_order = services.open_work_order_for(identity, message.text)
        if not answer.kind:
            _reply(identity, _help_text())
            return "unknown"
        if work_order is None:
            _reply(identity, _("You have no open work order to answer."))
            return "no_work_order"
        StaffMessage.objects.filter(pk=message.pk).update(work_order=work_order)
        reference = work_order.case.reference
        try:
            if answer.kind == "on_the_way":
                services.mark_on_the_way(work_order=work_order, identity=identity)
                _reply(
                    identity, _("Noted: on the way to %(reference)s.") % {"reference": reference}
                )
            elif answer.kind == "not_ours":
                services.refuse_work_order(
                    work_order=work_order, identity=identity, reason=answer.rest
                )
                _reply(
                    identity,
                    _("Noted: %(reference)s goes back to the council's queue.")
                    % {"reference": reference},
                )
            else:
                photo = _download_photo(message)
                if photo is None:
                    _reply(
                        identity,
                        _(
                            "To close %(reference)s, send a photo of the result with "
                            "“hecho” as its caption."
                        )
                        % {"reference": reference},
                    )
                    return "no_photo"
                data, content_type = photo
                media_ref = str((message.payload or {}).get("photo", {}).get("media_ref", ""))
                services.complete_work_order(
                    work_order=work_order,
                    identity=identity,
                    photo=data,
                    content_type=content_type,
                    media_ref=media_ref,
                    note=answer.rest,
                )
                _reply(identity, _("Thank you: %(reference)s is done.") % {"reference": reference})
        except services.CrewError as error:
            _reply(identity, str(error))
            return "refused"
    return answer.kind


def _help_text() -> str:
    return _(
        "Answer a work order with “en camino”, “hecho” with a photo of the result, or "
        "“no es nuestro” and the reason."
    )


def _reply(identity: Any, text: str) -> None:
    with transaction.atomic():
        services.queue_staff_message(identity=identity, text=text)


@task(queue_name="default")
def remind_crew(work_order_id: int) -> int:
    work_order = (
        WorkOrder.objects.select_related("case", "crew", "council").filter(pk=work_order_id).first()
    )
    return 0 if work_order is None else services.remind_crew(work_order=work_order)


@task(queue_name="default")
def escalate_work_order(work_order_id: int) -> int:
    work_order = (
        WorkOrder.objects.select_related("case", "crew", "council", "crew__supervisor")
        .filter(pk=work_order_id)
        .first()
    )
    return 0 if work_order is None else services.escalate_work_order(work_order=work_order)


@task(queue_name="send")
def send_staff_email(address: str, text: str) -> None:
    """Send a staff notification by e-mail."""
    from django.core.mail import send_mail  # noqa: PLC0415 - the configured backend at run time

    send_mail(
        subject=_("Ventanilla: %(text)s") % {"text": text[:60]},
        message=text,
        from_email=None,
        recipient_list=[address],
    )


@task(queue_name="bulk")
def notify_deadlines() -> int:
    """Tell staff of cases at risk or overdue (``core.schedule`` runs it every 15 minutes)."""
    from ventanilla.crews import notifications  # noqa: PLC0415 - notifications import tasks

    return notifications.notify_deadlines()
