"""Staff inbox pages."""

from __future__ import annotations

from typing import Any

import django_otp
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ventanilla.cases.models import Case
from ventanilla.inbox.forms import StaffLoginForm


class LoginView(auth_views.LoginView):
    template_name = "inbox/login.html"
    form_class = StaffLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        device = getattr(form, "otp_device", None)
        if device is not None:
            django_otp.login(self.request, device)
        return response


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    cases = (
        Case.objects.visible_to(request.user)
        .open()
        .select_related("category", "department", "assignee")
        .order_by("due_at", "id")[:50]
    )
    return TemplateResponse(request, "inbox/queue.html", {"cases": cases})
