"""Request checks every view relies on, made once before any view runs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"


class RefuseNullCharactersMiddleware:
    """Answer 400 to a request with a NUL character in its path or its query.

    No identifier, reference, code or search of ours contains one, PostgreSQL refuses to
    compare text with one (a 500 deep in the view), and no browser sends one by accident.
    Request bodies are left to the forms and schemas that read them (Django's form fields
    already refuse NUL; the JSON API strips it from free text).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path or any(
            NUL in key or any(NUL in value for value in values)
            for key, values in request.GET.lists()
        ):
            message = _("The address contains a character that is not allowed.")
            if request.path.startswith("/api/"):  # the API's errors are JSON, as its schema says
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
