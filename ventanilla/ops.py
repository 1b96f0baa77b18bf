"""Health and metrics endpoints of the whole installation: ``/healthz`` and ``/metrics``.

A project-level module, like ``urls.py``, not an app: it has no models, and the metrics read
several apps' tables (cases, messages, the task queue), so it sits above all of them.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django_tasks_db.models import DBTaskResult

from ventanilla.cases.models import Case
from ventanilla.conversations.models import Message


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Answer 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _bearer_matches(request: HttpRequest, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format: cases by status, messages by status, tasks waiting.

    For the installation's monitoring only: off (404) without ``METRICS_TOKEN``, 401 without
    that bearer token. Cases of private categories are left out, so that even the monitoring
    never learns how many reports of a sensitive kind a council received.
    """
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    if not _bearer_matches(request, token):
        return HttpResponse(
            "Unauthorized\n",
            status=401,
            content_type="text/plain",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    lines = [
        "# HELP ventanilla_cases Cases of public categories by status.",
        "# TYPE ventanilla_cases gauge",
    ]
    public = Case.objects.filter(category__public_by_default=True)
    for row in public.values("status").annotate(n=Count("id")).order_by("status"):
        lines.append(f'ventanilla_cases{{status="{row["status"]}"}} {row["n"]}')
    lines += [
        "# HELP ventanilla_messages Messages by delivery status.",
        "# TYPE ventanilla_messages gauge",
    ]
    for row in Message.objects.values("status").annotate(n=Count("id")).order_by("status"):
        lines.append(f'ventanilla_messages{{status="{row["status"]}"}} {row["n"]}')
    lines += [
        "# HELP ventanilla_tasks Background tasks by status.",
        "# TYPE ventanilla_tasks gauge",
    ]
    for row in DBTaskResult.objects.values("status").annotate(n=Count("id")).order_by("status"):
        lines.append(f'ventanilla_tasks{{status="{row["status"]}"}} {row["n"]}')
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; version=0.0.4")
