"""Keyword-only factories of crews' tests."""

from __future__ import annotations

import itertools
from typing import Any

from ventanilla.channels.models import Channel
from ventanilla.core.models import Council
from ventanilla.crews.models import Crew, StaffIdentity

_seq = itertools.count(1)


def make_crew(*, council: Council, name: str | None = None, **fields: Any) -> Crew:
    return Crew.objects.create(council=council, name=name or f"Brigada {next(_seq)}", **fields)


def make_identity(
    *, channel: Channel, crew: Crew | None = None, user: Any = None, urn: str | None = None
) -> StaffIdentity:
    """A phone already linked (the linking itself is tested through the chat)."""
    return StaffIdentity.objects.create(
        council=channel.council,
        channel=channel,
        urn=urn or f"telegram:{900000 + next(_seq)}",
        crew=crew,
        user=user,
    )
