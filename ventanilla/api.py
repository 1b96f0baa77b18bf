"""The JSON API under /api/v1/ with its OpenAPI document at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from ventanilla.broadcasts.api import router as broadcasts_router
from ventanilla.cases.api import router as cases_router
from ventanilla.core.api_auth import TokenAuth
from ventanilla.crews.api import router as crews_router
from ventanilla.inbox.api import router as inbox_router
from ventanilla.insights.api import router as insights_router
from ventanilla.portal.api import router as publication_router

api = NinjaAPI(
    title="Ventanilla API",
    version="1",
    description="Cases, messages and notes of a council's service desk. Bearer token auth.",
    auth=TokenAuth(),
    urls_namespace="api",
)
api.add_router("/", cases_router)
api.add_router("/", publication_router)  # a case's public record (portal/api.py)
api.add_router("/", inbox_router)  # replies to residents, conversations that are not a case
api.add_router("/", insights_router)  # statistics (insights/api.py)
api.add_router("/", broadcasts_router)  # alerts: topics and broadcasts (broadcasts/api.py)
api.add_router("/", crews_router)  # crews and work orders (crews/api.py)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    parts = []
    for error in exc.errors:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "data"))
        parts.append(f"{where}: {error.get('msg', 'invalid')}" if where else error.get("msg", ""))
    return api.create_response(
        request, {"detail": "; ".join(parts) or "Invalid input."}, status=400
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "Missing or invalid API token."}, status=401)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    detail: Any = str(exc) or "Error."
    return api.create_response(request, {"detail": detail}, status=exc.status_code)
