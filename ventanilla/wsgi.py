"""The WSGI application: the site, with webhooks served by a receiver of their own.

A provider's webhook needs none of what Django's request handling does for people
(middleware, sessions, CSRF, the second factor, axes, language): ``/hooks/`` requests go
straight to ``conversations.webhooks.serve``, so a burst of delivery statuses costs a
signature check and a share of one INSERT each. Everything else goes to Django.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
site = get_wsgi_application()

# Import every view now, while the worker starts, not in the first request it is given: that
# request, and every one queued behind it, would wait most of a second.
from django.urls import get_resolver  # noqa: E402

from ventanilla.conversations import webhooks  # noqa: E402 - needs the settings above

get_resolver().url_patterns  # noqa: B018 - evaluated for its imports

application = webhooks.beside(site)
