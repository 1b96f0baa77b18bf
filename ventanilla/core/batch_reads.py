"""What the many turns of one batch of work read once: a council's texts, its holidays, its
categories and departments.

A worker answering a hundred residents in a row would read the same rows a hundred times.
Inside ``read_once`` the readers keep what they read (``once``) in one memo, by a key of
their own; nothing outlives the batch, so a change staff make is seen by the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("batch_reads", default=None)


@contextmanager
def read_once() -> Iterator[None]:
    """Let the reads inside share what they read, for this batch only."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def once(key: Hashable, read: Callable[[], T]) -> T:
    """Return ``read()``, read once per batch under ``key`` inside ``read_once``.

    What it returns is shared by every turn of the batch: a reader that changes it must
    copy it first.
    """
    shared = _memo.get()
    if shared is None:
        return read()
    if key not in shared:
        shared[key] = read()
    return shared[key]
