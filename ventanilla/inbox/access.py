"""Who may open inbox pages: signed-in staff with a verified second factor, not idle too long."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

from ventanilla.inbox.selectors import Scope, scope_for

#: the session key holding the time of the agent's last own action
LAST_ACTIVITY = "inbox_last_activity"

View = Callable[..., HttpResponseBase]


class HtmxHttpRequest(HttpRequest):
    """A request as the inbox sees it: django-htmx's middleware adds ``htmx``."""

    htmx: HtmxDetails


def is_verified(user: Any) -> bool:
    """Return whether ``user`` passed the second factor (or the installation waives it)."""
    if not settings.OTP_REQUIRED:
        return True
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def idle_too_long(request: HttpRequest) -> bool:
    """Return whether the agent did nothing for longer than the session may last.

    Live updates keep the session cookie fresh (SESSION_SAVE_EVERY_REQUEST), so the idle
    limit is measured from the agent's own requests instead.
    """
    last = request.session.get(LAST_ACTIVITY)
    return last is not None and time.time() - float(last) > settings.SESSION_COOKIE_AGE


def to_login(request: HttpRequest) -> HttpResponse:
    """Send the browser to the sign-in page, also from an htmx request or an event stream."""
    login_url = resolve_url(settings.LOGIN_URL)
    if getattr(request, "htmx", False):
        return HttpResponse(status=204, headers={"HX-Redirect": login_url})
    if request.headers.get("Accept") == "text/event-stream":
        return HttpResponse(status=204)  # EventSource stops reconnecting on 204
    return redirect_to_login(request.get_full_path(), login_url)


def staff_required(view: View | None = None, *, activity: bool = True) -> Any:
    """Require a signed-in, verified staff member; pass their ``Scope`` to the view.

    ``activity=False`` marks requests the page makes by itself (live updates), which do not
    count as the agent being active.
    """

    def decorator(func: View) -> View:
        @wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated or not is_verified(user):
                return to_login(request)
            if idle_too_long(request):
                logout(request)
                messages.info(request, _("You were signed out after a long time without activity."))
                return to_login(request)
            scope: Scope | None = scope_for(user)
            if scope is None:
                raise PermissionDenied
            if activity and not request.GET.get("live"):
                request.session[LAST_ACTIVITY] = time.time()
            return func(request, scope, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator
