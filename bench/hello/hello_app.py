"""The anchor of bench/ingest.py: a bare Django view, no middleware, no database.

Served the same way as the project (granian, WSGI, the same number of workers), so that the
project's rates can be read as a share of it.
"""

import os

from django.http import HttpRequest, HttpResponse
from django.urls import path

SECRET_KEY = "bench-hello"  # noqa: S105 - a benchmark's throwaway app
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "hello_app"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict[str, dict[str, str]] = {}


def hello(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("", hello), path("hooks/<str:p>/<int:c>/", hello)]

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hello_app")
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
