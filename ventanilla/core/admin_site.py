"""The admin site, in a module of its own: ``admin.site`` is built from it while the apps'
``admin`` modules register their models on it."""

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


class VentanillaAdminSite(admin.AdminSite):
    """The admin behind the same door as the inbox: password and, when required, TOTP.

    Installed as ``admin.site`` by ``ventanilla.apps.VentanillaAdminConfig``.
    """

    site_header = "Ventanilla"
    site_title = "Ventanilla"

    def has_permission(self, request: HttpRequest) -> bool:
        verified = not settings.OTP_REQUIRED or request.user.is_verified()  # type: ignore[union-attr]
        return super().has_permission(request) and verified

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        return redirect_to_login(
            request.GET.get("next") or reverse("admin:index"), reverse("inbox:login")
        )
