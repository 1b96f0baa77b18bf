"""The transport side of conversations: webhooks in, delivery out, over real HTTP.

These tests drive the fake providers (``ventanilla.fakes.tests.harness``) against a live
server. The dialog is stood in for (``received``): its answers have their own tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _office_open() -> Iterator[None]:
    """Run on the real clock (overrides the dialog tests' fixed Tuesday morning).

    Sending slots and retries are compared with worker processes that do not share a
    travelled clock; tests that need a time of their own travel themselves.
    """
    yield


@pytest.fixture(autouse=True)
def _dialog_stood_in(received: list[int]) -> None:
    """Every test here sees the dialog's stand-in."""
