"""Who is writing in the web chat: a signed, long-lived token that the browser keeps.

The token names a visitor (a random id) and is signed with the installation's secret, so
that nobody can write as, or read the messages of, a visitor whose token they did not get.
The browser keeps it in an HttpOnly cookie; the visitor's URN is ``webchat:<visitor>``.
"""

from __future__ import annotations

import re
import uuid

from django.core import signing

from ventanilla.citizens.urns import Scheme

COOKIE_NAME = "ventanilla_webchat"
#: browsers cap a cookie's life at about 400 days; a resident who comes back within it is known
COOKIE_MAX_AGE = 400 * 24 * 3600
SALT = "ventanilla.webchat.visitor"
VISITOR = re.compile(r"^[0-9a-f]{32}$")


def new_visitor() -> str:
    """Return a new visitor id: 128 random bits, as hex."""
    return uuid.uuid4().hex


def sign(visitor: str) -> str:
    """Return the browser token for ``visitor``."""
    return signing.dumps(visitor, salt=SALT)


def visitor_from(token: str | None) -> str | None:
    """Return the visitor a token names, or None when it is missing, forged or malformed."""
    if not token:
        return None
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, str) and VISITOR.match(value) else None


def urn_for(visitor: str) -> str:
    return f"{Scheme.WEBCHAT}:{visitor}"
