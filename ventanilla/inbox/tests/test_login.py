import time

import pytest
from django.test import Client
from django_otp.oath import totp

from ventanilla.core.models import EncryptedTOTPDevice
from ventanilla.inbox.access import LAST_ACTIVITY
from ventanilla.inbox.tests.factories import signed_in

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


@pytest.fixture
def device(town):
    return EncryptedTOTPDevice.objects.create(user=town.agent_a, name="phone", confirmed=True)


def current_code(device: EncryptedTOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in(client: Client, code: str, username: str = "ana"):
    return client.post(
        "/inbox/login/", {"username": username, "password": PASSWORD, "otp_token": code}
    )


def test_a_wrong_code_is_refused(town, device):
    client = Client()
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = sign_in(client, wrong)
    assert response.status_code == 200
    assert "The verification code is not valid." in response.content.decode()
    assert client.get("/inbox/").status_code == 302


def test_the_right_code_signs_in_and_verifies_the_session(town, device):
    client = Client()
    response = sign_in(client, current_code(device))
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    assert client.get("/inbox/").status_code == 200


def test_a_right_password_without_a_device_is_refused_when_otp_is_required(town):
    response = sign_in(Client(), "")
    assert "has no second factor yet" in response.content.decode()


def test_the_demo_may_waive_the_second_factor(town, settings):
    settings.OTP_REQUIRED = False
    client = Client()
    assert sign_in(client, "").status_code == 302
    assert client.get("/inbox/").status_code == 200


def test_an_account_that_is_not_staff_cannot_sign_in(db):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("visitor", password=PASSWORD)
    response = sign_in(Client(), "", username="visitor")
    assert "not a member of any council" in response.content.decode()


def test_repeated_wrong_codes_lock_the_account(town, device, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    statuses = [sign_in(client, wrong).status_code for _ in range(3)]
    assert statuses[-1] in (403, 429)  # django-axes' lockout answer
    assert sign_in(client, current_code(device)).status_code in (403, 429)
    assert client.get("/inbox/").status_code == 302


def test_the_lockout_page_of_the_inbox_explains_what_happened(town, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 1
    settings.AXES_LOCKOUT_TEMPLATE = "inbox/locked_out.html"
    response = Client().post("/inbox/login/", {"username": "ana", "password": "nope"})
    assert response.status_code in (403, 429)
    assert "Sign-in locked for a while" in response.content.decode()


def test_repeated_wrong_passwords_lock_the_account(town, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    for _ in range(2):
        response = client.post("/inbox/login/", {"username": "ana", "password": "nope"})
    assert response.status_code in (403, 429)


def test_idle_sessions_are_signed_out(town, settings):
    client = signed_in(town.agent_a)
    assert client.get("/inbox/").status_code == 200
    session = client.session
    session[LAST_ACTIVITY] = time.time() - settings.SESSION_COOKIE_AGE - 1
    session.save()
    response = client.get("/inbox/")
    assert response.status_code == 302 and response["Location"].startswith("/inbox/login/")
    assert client.get("/inbox/").status_code == 302  # really signed out


def test_live_updates_do_not_count_as_activity(town):
    client = signed_in(town.agent_a)
    client.get("/inbox/")
    before = client.session[LAST_ACTIVITY]
    client.get("/inbox/", {"live": "1"}, HTTP_HX_REQUEST="true")
    assert client.session[LAST_ACTIVITY] == before


def test_htmx_requests_of_a_signed_out_page_are_sent_to_sign_in(client, db):
    response = client.get("/inbox/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == "/inbox/login/"


def test_sign_out(town):
    client = signed_in(town.agent_a)
    response = client.post("/inbox/logout/")
    assert response.status_code == 302 and response["Location"] == "/inbox/login/"
    assert client.get("/inbox/").status_code == 302


def test_signed_in_staff_visiting_the_login_page_go_to_the_inbox(town):
    response = signed_in(town.agent_a).get("/inbox/login/")
    assert response.status_code == 302 and response["Location"] == "/inbox/"


def test_the_login_page_has_a_strict_content_security_policy(db):
    response = Client().get("/inbox/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_staff_without_a_staff_row_get_403(db):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("orphan", password=PASSWORD)
    assert signed_in(user).get("/inbox/").status_code == 403
