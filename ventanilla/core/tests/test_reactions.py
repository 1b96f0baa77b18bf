"""The reactions runner: each reaction in a savepoint, a failure logged and never undoing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from ventanilla.core.reactions import Reactions

pytestmark = pytest.mark.django_db


def test_a_failing_reaction_is_undone_alone_and_the_next_still_runs():
    users = get_user_model().objects
    ran: list[str] = []
    reactions: Reactions[str] = Reactions("test")

    def broken(name: str) -> None:
        users.create_user(f"{name}-broken")
        raise RuntimeError("boom")

    def working(name: str) -> None:
        users.create_user(f"{name}-working")
        ran.append(name)

    reactions.add(broken)
    reactions.add(working)
    reactions.add(working)  # once only
    with transaction.atomic():
        users.create_user("change")
        reactions.run("x")

    assert ran == ["x"]
    assert sorted(users.values_list("username", flat=True)) == ["change", "x-working"]
