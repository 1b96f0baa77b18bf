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
