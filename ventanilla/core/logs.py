"""How structlog renders: key=value lines for people, or JSON lines for a log collector.

Exceptions keep their type and traceback in both, and never the traceback's local
variables: those hold webhook bodies, secrets and residents' messages.
"""

from __future__ import annotations

from typing import Any

import structlog
from structlog.tracebacks import ExceptionDictTransformer


def processors(*, json: bool) -> list[Any]:
    """Return structlog's processor chain for JSON or console output."""
    shared: list[Any] = [
        # below the logger's level an event stops here, before it is dated and rendered
        structlog.stdlib.filter_by_level,
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso"),
    ]
    if json:
        return [
            *shared,
            # ``exc_info`` becomes an "exception" list of {exc_type, exc_value, frames}
            structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False)),
            structlog.processors.JSONRenderer(),
        ]
    return [
        *shared,
        structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        ),
    ]
