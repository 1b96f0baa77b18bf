"""What an error report may show: never a setting that holds a password or an address."""

from __future__ import annotations

import re

from django.views.debug import SafeExceptionReporterFilter


class SafeSettingsFilter(SafeExceptionReporterFilter):
    """Django's filter, also hiding settings that carry credentials inside a URL.

    ``DATABASE_URL`` (``postgres://user:password@host/db``) and the like are not caught by
    Django's default pattern; a debug page or an error e-mail must not print them.
    """

    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE|URL|DSN", flags=re.I
    )
