"""Shared fixtures for the whole suite."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AXES_ENABLED = False


@pytest.fixture
def immediate_tasks(settings):
    """Run tasks at once, in the test's process (for tests that are not about the queue)."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "send", "bulk"],
        }
    }
