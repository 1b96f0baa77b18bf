"""Staff roles as Django groups with their permissions (created after every migrate)."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig, apps
from django.contrib.auth.models import Group, Permission

from ventanilla.cases.models import Role

APPS = (
    "core",
    "cases",
    "citizens",
    "channels",
    "conversations",
    "inbox",
    "portal",
    "open311",
    "insights",
    "crews",
)
CONFIG_MODELS = (
    "council",
    "holiday",
    "department",
    "category",
    "staff",
    "channel",
    "bottemplate",
    "cannedreply",
    "commitment",
    "district",
    "crew",  # crews: field crews, what their "done" does, their linked phones
    "closurerule",
    "staffidentity",
)


def _last_app_with_models() -> AppConfig:
    return [config for config in apps.get_app_configs() if config.models_module is not None][-1]


def _perms(actions: tuple[str, ...], models: tuple[str, ...] | None = None) -> list[Permission]:
    queryset = Permission.objects.filter(content_type__app_label__in=APPS)
    if models is not None:
        queryset = queryset.filter(content_type__model__in=models)
    return [p for p in queryset if p.codename.split("_", 1)[0] in actions]


def ensure_roles(*, app_config: AppConfig | None = None, **kwargs: Any) -> None:
    """Create or refresh the four role groups; safe to run any number of times.

    As a ``post_migrate`` receiver it acts once, after the last app's signal, when every
    app's permissions exist. The signal is sent once per app (about thirty) after each
    migrate and each flush, and a test database is flushed after every transactional
    test: acting on each signal took half of the test suite's time.
    """
    if app_config is not None and app_config is not _last_app_with_models():
        return
    wanted = {
        Role.ADMINISTRATOR: _perms(("add", "change", "delete", "view"), CONFIG_MODELS)
        + _perms(("view",))
        # Accounts of their own council (the admin scopes them); never groups or single
        # permissions, which are the installation's and would grant beyond the roles.
        + list(
            Permission.objects.filter(content_type__app_label="auth", content_type__model="user")
        ),
        Role.SUPERVISOR: _perms(("view",)) + _perms(("change",), ("case",)),
        Role.AGENT: _perms(("view",), ("case", "category", "department", "message"))
        + _perms(("change",), ("case",)),
        Role.AUDITOR: _perms(("view",)),
    }
    for role, permissions in wanted.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set(permissions)
