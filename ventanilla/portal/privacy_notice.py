"""The council's full privacy notice, in the visitor's language: the SMS notice links here."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ventanilla.conversations.bot_templates import TemplateBook
from ventanilla.conversations.dialog.consent import notice_text
from ventanilla.core.councils import council_for_request


def privacy_notice(request: HttpRequest) -> HttpResponse:
    council = council_for_request(request)
    if council is None:
        raise Http404(_("No council is configured."))
    language = (get_language() or "es").split("-")[0]
    book = TemplateBook(council, language)
    return TemplateResponse(
        request, "portal/privacy_notice.html", {"notice": notice_text(book), "council": council}
    )
