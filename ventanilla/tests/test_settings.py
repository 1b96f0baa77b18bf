"""Production settings: the fakes are switched off unless VENTANILLA_FAKES asks for them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.apps import apps

from ventanilla.cli import FAKES_OFF

PRODUCTION_CHECK = """
import django
django.setup()
from django.apps import apps
from django.core.management import call_command
from django.test import Client
assert not apps.is_installed("ventanilla.fakes"), "fakes installed"
call_command("migrate", verbosity=0)
client = Client()
print(client.get("/").status_code, client.get("/healthz").status_code)
"""


def production_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "VENTANILLA_FAKES"}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "ventanilla.settings",
        "VENTANILLA_HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
    }


def test_the_tests_run_with_the_fakes_installed():
    assert apps.is_installed("ventanilla.fakes")


def test_production_does_not_install_the_fakes_and_still_serves_the_portal(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_CHECK],
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "200"]


def test_the_fakes_command_says_how_to_turn_the_fakes_on_in_production(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "ventanilla", "fakes"],
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert FAKES_OFF in result.stderr and "VENTANILLA_FAKES=1" in FAKES_OFF
