"""Canned replies: ready-made answers (and approved WhatsApp templates) per council and language."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import Council


class CannedReplyQuerySet(models.QuerySet["CannedReply"]):
    def of(self, council: Council) -> CannedReplyQuerySet:
        return self.filter(council=council, active=True)

    def templates(self) -> CannedReplyQuerySet:
        """Return the replies that name an approved WhatsApp template."""
        return self.exclude(whatsapp_template_name="")


class CannedReply(models.Model):
    """A ready-made answer an agent inserts into a reply.

    With ``whatsapp_template_name`` it is also an approved WhatsApp template: the only kind
    of message WhatsApp accepts once the resident's 24-hour window has closed. Its ``text``
    is then the template's wording, shown to the agent; ``{{1}}`` stands for the case
    reference, which is sent as the template's first parameter.
    """

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="canned_replies")
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="es"
    )
    text = models.TextField(_("text"))
    whatsapp_template_name = models.CharField(
        _("WhatsApp template name"),
        max_length=200,
        blank=True,
        help_text=_(
            "The name of the template approved by WhatsApp, if this reply is one. "
            "Templates can be sent after the 24-hour window has closed."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = CannedReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["language", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "language", "title"], name="canned_reply_unique_title"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    @property
    def is_template(self) -> bool:
        return bool(self.whatsapp_template_name)


class LastSeen(models.Model):
    """When one staff member last opened a case or a conversation (for unread markers).

    One row per (user, case) or (user, conversation), moved forward on each opening. A case
    or conversation is unread for that member when the resident wrote after ``seen_at``.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    seen_at = models.DateTimeField(_("last opened at"), default=timezone.now)

    class Meta:
        verbose_name = _("last opening")
        verbose_name_plural = _("last openings")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "case"],
                condition=models.Q(case__isnull=False),
                name="last_seen_case",
            ),
            models.UniqueConstraint(
                fields=["user", "conversation"],
                condition=models.Q(conversation__isnull=False),
                name="last_seen_conversation",
            ),
            models.CheckConstraint(
                condition=models.Q(case__isnull=True) ^ models.Q(conversation__isnull=True),
                name="last_seen_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.case_id or self.conversation_id} at {self.seen_at}"
