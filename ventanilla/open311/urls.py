"""Open311 GeoReport v2 under /open311/v2/, and its service discovery at /open311/."""

from django.urls import path, re_path

from ventanilla.open311 import views

app_name = "open311"
FORMAT = r"\.(?P<fmt>xml|json)"
urlpatterns = [
    re_path(rf"^discovery{FORMAT}$", views.discovery, name="discovery"),
    re_path(rf"^v2/services{FORMAT}$", views.services_list, name="services"),
    re_path(rf"^v2/services/(?P<code>[^/]+?){FORMAT}$", views.service_definition, name="service"),
    re_path(rf"^v2/requests{FORMAT}$", views.requests, name="requests"),
    re_path(rf"^v2/requests/(?P<reference>[^/]+?){FORMAT}$", views.request_detail, name="request"),
    re_path(rf"^v2/tokens/(?P<token>[^/]+?){FORMAT}$", views.token, name="token"),
    path("<path:rest>", views.unknown, name="unknown"),
]
