"""Staff TOTP seeds are stored encrypted, as channel secrets are; sign-in still works."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_otp.oath import totp

from ventanilla.core.models import EncryptedTOTPDevice
from ventanilla.core.totp import enrol_totp_device

BEFORE = [("core", "0003_rate_counts_shared_by_web_processes"), ("otp_totp", "0003_add_timestamps")]
AFTER = [("core", "0004_encrypted_totp_devices")]
SEED = "3132333435363738393031323334353637383930"  # RFC 6238's test seed, hex


def code(device) -> int:
    return totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)


@pytest.mark.django_db
def test_the_seed_is_not_in_the_database_in_clear():
    user = get_user_model().objects.create_user("marta", password="a-long-test-password")
    device = enrol_totp_device(user=user)
    seed = device.key
    assert len(seed) == 40
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_encryptedtotpdevice")
        row = cursor.fetchone()
    assert all(seed not in str(value) for value in row)
    assert seed not in device.config_url.lower()  # the URI carries it base32, for the app
    stored = EncryptedTOTPDevice.objects.get()
    assert stored.key == seed and stored.verify_token(code(stored))
    assert not stored.verify_token(code(stored))  # a code is accepted once


@pytest.mark.django_db(transaction=True)
def test_existing_plain_seeds_are_encrypted_by_the_migration(whole_schema_after):
    user = get_user_model().objects.create_user("pau", password="a-long-test-password")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    old.get_model("otp_totp", "TOTPDevice").objects.create(
        user_id=user.pk, name="phone", key=SEED, confirmed=True, last_t=5
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    new = executor.loader.project_state(AFTER).apps
    assert not new.get_model("otp_totp", "TOTPDevice").objects.exists()
    device = EncryptedTOTPDevice.objects.get()
    assert (device.user_id, device.name, device.last_t) == (user.pk, "phone", 5)
    assert SEED not in device.encrypted_key and device.key == SEED
    assert device.verify_token(code(device))  # the resident's app keeps working
