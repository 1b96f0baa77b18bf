"""Who did it: the person behind a change, as every service receives it.

``Actor`` is a signed-in user, or ``None`` for the system itself (the dialog, tasks,
commands). Views and API endpoints turn ``request.user`` into an actor once, with
``actor_of``, so no service has to ask whether a user is anonymous.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser, User

Actor: TypeAlias = "User | None"


def actor_of(user: AbstractBaseUser | AnonymousUser | None) -> Actor:
    """Return ``user`` if signed in, else ``None`` (an anonymous visitor acts as nobody)."""
    if user is None or not user.is_authenticated:
        return None
    return user  # type: ignore[return-value]
