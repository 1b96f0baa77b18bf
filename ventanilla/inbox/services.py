"""The inbox's own writes: replies that carry an agent's file, and what each member has seen.

Every change of a case itself goes through ``ventanilla.cases.services``; every outbound
message through ``ventanilla.conversations.services.queue_outbound``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from ventanilla.cases.models import Case
from ventanilla.cases.services import CaseError, check_may_act
from ventanilla.conversations.models import Conversation, Message
from ventanilla.conversations.services import attach_file, queue_outbound
from ventanilla.core.actors import Actor
from ventanilla.inbox.models import CannedReply, LastSeen
from ventanilla.inbox.selectors import reply_conversation

MEDIA_SALT = "ventanilla.inbox.outbound-media"
#: how long a provider may fetch a file an agent sent (WhatsApp fetches at once; retries later)
MEDIA_MAX_AGE = 30 * 24 * 3600
OUTBOUND_PREFIX = "attachments/outbound/"


def outbound_media_url(path: str) -> str:
    """Return the absolute, signed URL from which a provider fetches an agent's file."""
    token = signing.dumps(path, salt=MEDIA_SALT, compress=True)
    return settings.PUBLIC_URL + reverse("inbox:outbound_media", args=[token])


def outbound_media_path(token: str) -> str | None:
    """Return the stored path a media token names, or None if forged or expired."""
    try:
        path = signing.loads(token, salt=MEDIA_SALT, max_age=MEDIA_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(path, str) or not path.startswith(OUTBOUND_PREFIX) or ".." in path:
        return None
    return path


def attachment_kind(content_type: str) -> str:
    major = content_type.split("/", 1)[0]
    return major if major in {"image", "audio", "video"} else "document"


@transaction.atomic
def reply_to_case(
    *,
    case: Case,
    by: Actor,
    text: str = "",
    upload: UploadedFile | None = None,
    template: CannedReply | None = None,
) -> Message:
    """Queue an agent's reply to the resident of ``case``, on the channel they last wrote on.

    Raise ``CaseError`` when the case has no conversation to answer, and ``OutboundRefused``
    (from ``queue_outbound``) when the provider would refuse the message, and ``NotAllowed``
    when ``by`` may not act on the case.
    """
    check_may_act(case=case, by=by)
    conversation = reply_conversation(case)
    if conversation is None:
        raise CaseError(_("This case has no conversation with a resident to reply to."))
    if template is not None and template.council_id != case.council_id:
        raise CaseError(_("That template belongs to another council."))
    template_spec = None
    if template is not None:
        template_spec = {
            "name": template.whatsapp_template_name,
            "language": template.language,
            "parameters": [case.reference] if "{{1}}" in template.text else [],
        }
        text = text or template.text.replace("{{1}}", case.reference)
    attachment_spec = None
    path = ""
    if upload is not None:
        filename = get_valid_filename(upload.name or "file")[:100] or "file"
        path = f"{OUTBOUND_PREFIX}{case.council_id}/{uuid.uuid4().hex}/{filename}"
        content_type = upload.content_type or "application/octet-stream"
        attachment_spec = {
            "url": outbound_media_url(path),
            "content_type": content_type,
            "filename": filename,
        }
    message = queue_outbound(
        conversation=conversation,
        text=text,
        case=case,
        author=by,
        attachment=attachment_spec,
        template=template_spec,
    )
    if upload is not None and attachment_spec is not None:
        # Stored only once the provider's rules let the message through.
        stored = default_storage.save(path, upload)
        attach_file(
            message=message,
            kind=attachment_kind(attachment_spec["content_type"]),
            file=stored,
            content_type=attachment_spec["content_type"],
            filename=attachment_spec["filename"],
        )
    return message


def mark_seen(
    *, user: Any, case: Case | None = None, conversation: Conversation | None = None
) -> None:
    """Remember that ``user`` opened ``case`` or ``conversation`` now (unread marks start here)."""
    now = timezone.now()
    target: dict[str, Any] = {"case": case} if case is not None else {"conversation": conversation}
    try:
        with transaction.atomic():
            updated = LastSeen.objects.filter(user=user, **target).update(seen_at=now)
            if not updated:
                LastSeen.objects.create(user=user, seen_at=now, **target)
    except IntegrityError:
        # The same member opened it twice at once (two tabs): the other request wrote it.
        pass
