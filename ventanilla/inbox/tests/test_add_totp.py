import io

import pytest
from django.core.management import CommandError, call_command
from django_otp.oath import totp

from ventanilla.core.models import EncryptedTOTPDevice

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("add_totp", *args, stdout=out)
    return out.getvalue()


def test_creates_a_confirmed_device_and_prints_how_to_enrol(town):
    output = run("ana", "--no-qr")
    device = EncryptedTOTPDevice.objects.get(user=town.agent_a)
    assert device.confirmed
    assert "otpauth://totp/" in output and device.config_url in output
    secret = output.split("Secret (base32): ")[1].split()[0]
    import base64

    padded = secret + "=" * (-len(secret) % 8)
    assert base64.b32decode(padded) == device.bin_key
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    assert device.verify_token(f"{code:06d}")


def test_prints_a_qr_code_by_default(town):
    output = run("ana")
    assert "Scan this" in output and "█" in output


def test_refuses_a_second_device_unless_replacing(town):
    run("ana", "--no-qr")
    with pytest.raises(CommandError, match="already has a TOTP device"):
        run("ana", "--no-qr")
    first = EncryptedTOTPDevice.objects.get(user=town.agent_a).pk
    run("ana", "--no-qr", "--replace")
    assert EncryptedTOTPDevice.objects.get(user=town.agent_a).pk != first


def test_unknown_user(db):
    with pytest.raises(CommandError, match="No user called"):
        run("nobody")
