"""Webhook receiver: one view for every provider."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def receive(request: HttpRequest, provider: str, channel_id: int) -> HttpResponse:
    raise Http404("unknown channel")
