"""Failed sign-ins lock a username from one address, never a whole office behind a proxy."""

import pytest
from django.test import Client
from django_otp.oath import totp

from ventanilla.core.models import EncryptedTOTPDevice

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"
PROXY = "10.0.0.2"  # the reverse proxy every clerk's request comes through


@pytest.fixture
def lockout(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.TRUSTED_PROXIES = 1


def post_login(username: str, password: str, *, client_ip: str, code: str = ""):
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_ip).post(
        "/inbox/login/", {"username": username, "password": password, "otp_token": code}
    )


def current_code(device: EncryptedTOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_strangers_failing_do_not_lock_out_a_clerk_behind_the_proxy(town, lockout):
    device = EncryptedTOTPDevice.objects.create(user=town.agent_a, name="phone", confirmed=True)
    for n in range(5):
        post_login(f"nadie{n}", "wrong", client_ip="203.0.113.9")
    response = post_login("ana", PASSWORD, client_ip="203.0.113.9", code=current_code(device))
    assert response.status_code == 302, response.content.decode()[:300]


def test_five_failures_for_one_username_lock_that_username(town, lockout):
    device = EncryptedTOTPDevice.objects.create(user=town.agent_a, name="phone", confirmed=True)
    for _ in range(5):
        post_login("ana", "wrong", client_ip="203.0.113.9")
    locked = post_login("ana", PASSWORD, client_ip="203.0.113.9", code=current_code(device))
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Sign-in locked for a while" in page and "ask an administrator" in page
    # the same office's other clerks still sign in
    other = EncryptedTOTPDevice.objects.create(user=town.agent_b, name="phone", confirmed=True)
    username = town.agent_b.get_username()
    response = post_login(username, PASSWORD, client_ip="203.0.113.9", code=current_code(other))
    assert response.status_code == 302


def test_a_forged_forwarded_header_does_not_dodge_the_lockout(town, lockout):
    # With one trusted proxy only its entry (the last) counts: what the client wrote to
    # the left of it is ignored, so rotating it does not reset the count.
    for n in range(5):
        post_login("ana", "wrong", client_ip=f"198.51.100.{n}, 203.0.113.9")
    assert post_login("ana", PASSWORD, client_ip="203.0.113.9").status_code == 429
