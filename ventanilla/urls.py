from django.contrib import admin
from django.urls import include, path

from ventanilla import ops
from ventanilla.api import api

urlpatterns = [
    path("healthz", ops.healthz, name="healthz"),
    path("metrics", ops.metrics, name="metrics"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("hooks/", include("ventanilla.conversations.urls")),
    path("inbox/", include("ventanilla.inbox.urls")),
    path("insights/", include("ventanilla.inbox.dashboard_urls")),  # the staff dashboard
    path("open311/", include("ventanilla.open311.urls")),
    path("verify/", include("ventanilla.procedures.urls")),
    path("appointments/", include("ventanilla.appointments.urls")),
    path("", include("ventanilla.portal.urls")),
]
# No /media/ route, not even with DEBUG: residents' files are served only by views that check
# who is asking (inbox attachments for staff, approved photos on the portal).
