"""The portal's alerts subscription: choose topics and a number, get a code, type it back.

Public pages (no account). The answer after asking for a code is the same whether or not
the number is known; nothing about any resident is ever shown, only what this visitor
typed and, once the code proves the number is theirs, the notice of what they did. The
request waiting for its code is named in the visitor's session, never in the address.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ventanilla.broadcasts import services
from ventanilla.broadcasts.feed import council_of
from ventanilla.broadcasts.forms import PortalCodeForm, PortalSubscribeForm, PortalUnsubscribeForm
from ventanilla.broadcasts.models import CodePurpose
from ventanilla.citizens.urns import InvalidUrn
from ventanilla.core.client_address import client_address

SESSION_KEY = "alerts_code"


def _language(request: HttpRequest) -> str:
    return (translation.get_language() or "es")[:2]


def _start(request: HttpRequest, form: PortalSubscribeForm | PortalUnsubscribeForm) -> bool:
    """Ask for the code the valid ``form`` needs; return False when refused (too many)."""
    data = form.cleaned_data
    if isinstance(form, PortalSubscribeForm):
        purpose, topics, everything = CodePurpose.SUBSCRIBE, form.choices(), False
    else:
        chosen = form.chosen()
        purpose = CodePurpose.UNSUBSCRIBE
        topics, everything = ([(chosen, None)] if chosen else []), chosen is None
    try:
        row = services.request_portal_code(
            channel=data["channel"],
            phone=data["phone"],
            purpose=purpose,
            language=data["language"],
            client=client_address(request),
            topics=topics,
            everything=everything,
        )
    except InvalidUrn:
        form.add_error("phone", _("That is not a phone number."))
        return False
    if row is None:
        form.add_error(None, _("Too many codes were asked. Please try again in an hour."))
        return False
    request.session[SESSION_KEY] = row.pk
    return True


def _form_page(request: HttpRequest, purpose: str) -> HttpResponse:
    council = council_of(request)
    channels = services.portal_channels(council)
    form_class = PortalSubscribeForm if purpose == CodePurpose.SUBSCRIBE else PortalUnsubscribeForm
    form = form_class(
        request.POST or None, council=council, channels=channels, language=_language(request)
    )
    if request.method == "POST" and form.is_valid() and _start(request, form):
        return redirect("public_alerts:code")
    return TemplateResponse(
        request,
        "broadcasts/subscribe.html",
        {"council": council, "form": form, "purpose": purpose, "channels": channels},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    return _form_page(request, CodePurpose.SUBSCRIBE)


@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest) -> HttpResponse:
    return _form_page(request, CodePurpose.UNSUBSCRIBE)


@never_cache
@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    """Take the code back; done, the notice of what was done is shown (and kept)."""
    council = council_of(request)
    code_id = request.session.get(SESSION_KEY)
    if not isinstance(code_id, int):
        return redirect("public_alerts:subscribe")
    form = PortalCodeForm(request.POST or None)
    context: dict[str, object] = {"council": council, "form": form}
    if request.method == "POST" and form.is_valid():
        checked = services.check_portal_code(
            code_id=code_id, code=form.cleaned_data["code"], client=client_address(request)
        )
        if checked.result == services.CodeResult.DONE:
            del request.session[SESSION_KEY]
            context["notice"] = checked.notice
            return TemplateResponse(request, "broadcasts/subscribe_done.html", context)
        if checked.result == services.CodeResult.WRONG:
            form.add_error("code", _("That code is not right. Check it and try again."))
        else:
            del request.session[SESSION_KEY]
            context["failed"] = (
                _("Too many wrong codes: this code no longer works.")
                if checked.result == services.CodeResult.LOCKED
                else _("This code has expired.")
            )
            return TemplateResponse(request, "broadcasts/subscribe_done.html", context)
    return TemplateResponse(request, "broadcasts/subscribe_code.html", context)
