"""The web chat's facts: the only provider without an adapter.

Residents write on the council's own pages, so there is no provider API to call, no
webhook to verify and nothing to translate.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from ventanilla.citizens.urns import Scheme


class WebChatProvider:
    """The web chat, as the registry and ``Channel`` see it (it has no adapter)."""

    code: ClassVar[str] = "webchat"
    urn_schemes: ClassVar[tuple[str, ...]] = (Scheme.WEBCHAT,)
    required_secrets: ClassVar[tuple[str, ...]] = ()
    default_api_base: ClassVar[str] = ""
    free_form_window: ClassVar[dt.timedelta | None] = None
    segmented_schemes: ClassVar[frozenset[str]] = frozenset()
    redact_keys: ClassVar[frozenset[str]] = frozenset()
