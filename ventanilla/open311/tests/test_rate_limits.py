"""Rate limits hold across web processes: two servers on one database allow the limit, no more.

Each server is a separate ``granian`` process (as ``ventanilla serve`` runs it) with its own
memory, on one SQLite file; a per-process counter (the local-memory cache) would let each
server allow the whole limit.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

LIMIT = 5
SETUP = """
from ventanilla.cases.tests.factories import make_category, make_council
from ventanilla.open311.services import issue_open311_key
from ventanilla.portal.tests.factories import open_case
council = make_council(slug="villa")
category = make_category(council=council, code="alumbrado", public_by_default=True)
print(issue_open311_key(council=council), open_case(category=category).reference)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("two-servers")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "VENTANILLA_HOME": str(folder),
        "SECRET_KEY": "two-servers-share-this-secret",
        "OPEN311_POSTS_PER_HOUR": str(LIMIT),
        "PORTAL_SUPPORTS_PER_HOUR": str(LIMIT),
        "VENTANILLA_OTP_REQUIRED": "false",
    }
    manage = [sys.executable, "-m", "ventanilla"]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, timeout=300)
    setup = subprocess.run(
        [*manage, "shell", "-c", SETUP],
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )
    key, reference = setup.stdout.split()[-2:]
    ports = [_free_port(), _free_port()]
    servers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "granian",
                "--interface",
                "wsgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                "--no-ws",
                "ventanilla.wsgi:application",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url in urls:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} did not start")
                time.sleep(0.3)
        yield urls, key, reference
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)


def _statuses(requests):
    with ThreadPoolExecutor(max_workers=6) as pool:
        return sorted(pool.map(lambda send: send().status_code, requests))


def test_open311_posts_are_counted_together_by_two_processes(two_servers):
    urls, key, _ = two_servers
    data = {"api_key": key, "service_code": "alumbrado", "description": "Farola", "lat": "40.41"}
    data["long"] = "-3.70"

    def post(url: str):
        return lambda: httpx.post(f"{url}/open311/v2/requests.json", data=data, timeout=30)

    statuses = _statuses([post(urls[i % 2]) for i in range(4 * LIMIT)])

    assert statuses.count(429) == 3 * LIMIT
    assert len([s for s in statuses if s < 300]) == LIMIT


def test_portal_supports_are_counted_together_by_two_processes(two_servers):
    urls, _, reference = two_servers
    page = httpx.get(f"{urls[0]}/cases/{reference}/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "the record page has a support form"
    cookies = dict(page.cookies)

    def support(url: str):
        return lambda: httpx.post(
            f"{url}/cases/{reference}/support/",
            data={"csrfmiddlewaretoken": token.group(1)},
            cookies=cookies,
            headers={"Referer": f"{url}/cases/{reference}/"},
            timeout=30,
        )

    statuses = _statuses([support(urls[i % 2]) for i in range(4 * LIMIT)])

    assert statuses.count(429) == 3 * LIMIT
    assert len([s for s in statuses if s < 400]) == LIMIT
