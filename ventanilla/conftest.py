"""Shared fixtures for the whole suite."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AXES_ENABLED = False
    # The default hasher costs about a second per user here; tests are not about hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def immediate_tasks(settings):
    """Run tasks at once, in the test's process (for tests that are not about the queue)."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "send", "bulk"],
        }
    }


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's admin client, signed in with a verified second factor."""
    from django.test import Client

    from ventanilla.core.tests.signin import sign_in

    return sign_in(Client(), admin_user)
