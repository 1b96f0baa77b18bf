"""Public pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def home(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "portal/home.html", {})
