import subprocess
import sys

import pytest
from django.core.management import call_command

from ventanilla.core.models import ApiToken

pytestmark = pytest.mark.django_db


def test_console_script_runs_django_commands():
    result = subprocess.run(
        [sys.executable, "-m", "ventanilla", "help"], capture_output=True, text=True, check=True
    )
    for command in ("demo", "serve", "worker", "api_token", "migrate"):
        assert command in result.stdout


def test_api_token_prints_a_token_stored_only_hashed(capsys, django_user_model):
    django_user_model.objects.create_user("ana", password="x")
    call_command("api_token", "ana")
    token = capsys.readouterr().out.strip()
    assert token.startswith("vt_")
    row = ApiToken.objects.get()
    assert row.key_hash == ApiToken.hash(token) and token not in row.key_hash
    call_command("api_token", "ana", "--revoke")
    assert ApiToken.objects.active().count() == 0


def test_api_token_for_an_unknown_user_is_a_clear_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No active user"):
        call_command("api_token", "nobody")


def test_serve_refuses_to_waive_the_second_factor_outside_the_demo(settings):
    from django.core.management.base import CommandError

    settings.OTP_REQUIRED = False
    settings.VENTANILLA_DEMO = False
    with pytest.raises(CommandError, match="VENTANILLA_OTP_REQUIRED is off"):
        call_command("serve", no_collectstatic=True)
