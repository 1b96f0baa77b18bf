"""Turn on what the test run needs before pytest-django loads the settings.

Loaded with ``-p`` (see ``addopts`` in pyproject.toml): a ``conftest.py`` would come too late,
because pytest-django sets Django up before pytest loads the first conftest.
"""

from __future__ import annotations

import os

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests() -> None:
    # The tests run the fake providers and the simulator (`ventanilla fakes`).
    os.environ.setdefault("VENTANILLA_FAKES", "1")
    # A webhook is processed within its request, so that a test sees what it delivered at
    # once; the tests of the stored-delivery pipeline switch to "worker" themselves.
    os.environ.setdefault("WEBHOOK_PROCESSING", "inline")
