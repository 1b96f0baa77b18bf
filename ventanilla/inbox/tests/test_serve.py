"""Live updates through the production server: granian, two worker processes, PostgreSQL.

A page's event stream is served by one process while the change is made by another (here,
the test process, as the worker or another web process would): the LiveEvent table carries
it across, and each process's hub reads it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
from django.conf import settings
from django.db import connection

from ventanilla.cases.tests.factories import make_case
from ventanilla.inbox.tests.factories import signed_in

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def granian():
    if connection.vendor != "postgresql":
        pytest.skip("several processes need PostgreSQL (an in-memory SQLite is one process's)")
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    if db.get("PASSWORD"):
        url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": settings.SECRET_KEY,
        "VENTANILLA_OTP_REQUIRED": "1",
        "AXES_ENABLED": "0",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ventanilla",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--no-collectstatic",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        process.terminate()
        pytest.fail("granian did not start")
    yield base
    process.terminate()
    process.wait(timeout=20)


def test_a_case_reaches_streams_on_every_process_within_two_seconds(town, granian):
    client = signed_in(town.agent_a)
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    page = httpx.get(f"{granian}/inbox/", cookies=cookies, timeout=10)
    assert page.status_code == 200
    after = page.text.split('data-live-after="')[1].split('"')[0]
    received: list[list[str]] = [[], []]

    def listen(chunks: list[str]) -> None:
        # Two streams: with two worker processes, they most likely land on both.
        with httpx.stream(
            "GET",
            f"{granian}/inbox/live/",
            params={"after": after},
            cookies=cookies,
            headers={"Accept": "text/event-stream"},
            timeout=10,
        ) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            for text in response.iter_text():
                chunks.append(text)
                if "event: case" in "".join(chunks):
                    return

    threads = [threading.Thread(target=listen, args=(r,), daemon=True) for r in received]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while not all(received) and time.monotonic() < deadline:
        time.sleep(0.05)  # both streams open ("retry:" arrived)
    assert all(received)
    time.sleep(0.5)
    started = time.monotonic()
    case = make_case(category=town.category_a)
    for thread in threads:
        thread.join(timeout=5)
    elapsed = time.monotonic() - started
    for chunks in received:
        assert case.reference in "".join(chunks)
    assert elapsed < 2
