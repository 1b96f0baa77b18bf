"""Behind a TLS proxy, when configured: HSTS and https:// absolute links."""

import os
import subprocess
import sys

import pytest
from django.test import Client

from ventanilla.cases.tests.factories import make_council

pytestmark = pytest.mark.django_db


@pytest.fixture
def behind_tls_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000


def test_https_through_the_proxy_gets_hsts_and_https_links(behind_tls_proxy):
    make_council()
    response = Client().get("/open311/discovery.json", HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    urls = [endpoint["url"] for endpoint in response.json()["endpoints"]]
    assert urls and all(url.startswith("https://") for url in urls)


def test_plain_http_is_not_told_it_is_https(behind_tls_proxy):
    make_council()
    response = Client().get("/open311/discovery.json")
    assert "Strict-Transport-Security" not in response
    assert response.json()["endpoints"][0]["url"].startswith("http://")


def test_the_environment_switches_tls_settings_and_trusted_proxies_on(tmp_path):
    env = {
        **os.environ,
        "VENTANILLA_HOME": str(tmp_path),
        "SECURE_PROXY_SSL": "1",
        "SECURE_HSTS_SECONDS": "63072000",
        "TRUSTED_PROXIES": "1",
        "METRICS_TOKEN": "abc",
    }
    script = (
        "import ventanilla.settings as s;"
        "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_SECONDS, s.TRUSTED_PROXIES,"
        " s.METRICS_TOKEN)"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert output.split() == ["('HTTP_X_FORWARDED_PROTO',", "'https')", "63072000", "1", "abc"]
