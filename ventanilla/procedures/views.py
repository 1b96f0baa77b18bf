"""The public verification of issued documents (``/verify/``) and the short-lived PDF links.

Anyone holding a document's full CSV code sees that it is genuine, its type and date, and
may download the PDF; a wrong code shows nothing. Every look is rate limited per client
address and audited, the failed ones too (with the client's address), so that a run of
guesses can be seen; a look refused by the rate limit writes nothing.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ventanilla.portal.throttle import allow, client_address
from ventanilla.procedures import services
from ventanilla.procedures.chat import DOCUMENT_LINK_TTL, DOCUMENT_SALT
from ventanilla.procedures.codes import format_csv, normalise_csv
from ventanilla.procedures.models import IssuedDocument

#: verification attempts per client address per hour
VERIFY_LIMIT = 30


def _who(request: HttpRequest) -> str:
    address = client_address(request)
    return "web:" + hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:16]


def _throttled(request: HttpRequest) -> HttpResponse | None:
    if allow(request, scope="verify", limit=VERIFY_LIMIT, window_seconds=3600):
        return None
    response = TemplateResponse(
        request,
        "procedures/verify.html",
        {"error": _("Too many attempts from your connection. Try again in an hour.")},
        status=429,
    )
    response["Retry-After"] = "3600"
    return response


@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """Show the form; a code typed in it leads to its page."""
    typed = request.GET.get("code", "").strip()
    if typed:
        csv = normalise_csv(typed)
        if csv is not None:
            return redirect("procedures:verify_code", code=csv)
        refused = _throttled(request)
        if refused is not None:
            return refused
        return _not_found(request, typed)
    return TemplateResponse(request, "procedures/verify.html", {})


def _document(request: HttpRequest, code: str) -> IssuedDocument | HttpResponse:
    refused = _throttled(request)
    if refused is not None:
        return refused
    csv = normalise_csv(code)
    document = (
        IssuedDocument.objects.filter(csv=csv).select_related("council").first() if csv else None
    )
    if document is None:
        return _not_found(request, code)
    return document


def _not_found(request: HttpRequest, typed: str) -> HttpResponse:
    """Audit a code that matches no document and say so."""
    services.verification_failed(who=_who(request), address=client_address(request), typed=typed)
    return TemplateResponse(
        request,
        "procedures/verify.html",
        {"error": _("No document has this code. Check it and try again."), "typed": typed},
        status=404,
    )


@require_GET
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """Say whether the document is genuine, with its type, date and council."""
    found = _document(request, code)
    if isinstance(found, HttpResponse):
        return found
    services.document_checked(document=found, who=_who(request))
    return TemplateResponse(
        request,
        "procedures/verified.html",
        {"document": found, "code": format_csv(found.csv or ""), "council": found.council},
    )


@require_GET
def verify_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """Return the PDF to whoever has the document's full code."""
    found = _document(request, code)
    if isinstance(found, HttpResponse):
        return found
    services.document_checked(document=found, who=_who(request))
    return _pdf(found)


@require_GET
def document_file(request: HttpRequest, token: str) -> HttpResponse:
    """Return the PDF behind a link sent in the chat, while the link is fresh."""
    signer = signing.TimestampSigner(salt=DOCUMENT_SALT)
    try:
        pk = signer.unsign(token, max_age=DOCUMENT_LINK_TTL)
    except signing.BadSignature:
        raise Http404(_("This link has expired.")) from None
    document = IssuedDocument.objects.filter(pk=int(pk), purged_at__isnull=True).first()
    if document is None:
        raise Http404(_("This document no longer exists."))
    return _pdf(document)


def _pdf(document: IssuedDocument) -> HttpResponse:
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.kind}-{document.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
