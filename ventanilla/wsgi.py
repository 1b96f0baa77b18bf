"""The WSGI application: the site, with webhooks served by a lean handler of their own.

A provider's webhook needs none of what the site's middleware does for people (sessions,
CSRF, the second factor, axes, language, htmx, CSP): ``/hooks/`` requests go to a Django
handler built with ``WEBHOOK_MIDDLEWARE`` only, so a burst of delivery statuses costs a
signature check and one INSERT each. Everything else goes to the full handler.
"""

import os
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
site = get_wsgi_application()

from ventanilla.core.lean import LeanWSGIHandler  # noqa: E402 - needs the settings above

hooks = LeanWSGIHandler()

# Import every view now, while the worker starts, not in the first request it is given: that
# request, and every one queued behind it, would wait most of a second.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - evaluated for its imports


def application(environ: dict[str, Any], start_response: Any) -> Any:
    handler = hooks if environ.get("PATH_INFO", "").startswith("/hooks/") else site
    return handler(environ, start_response)
